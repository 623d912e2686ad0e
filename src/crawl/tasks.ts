import type { Limiter } from './limiter.js';

/**
 * A group of concurrent tasks under one limiter that fails as a whole: the first error
 * aborts the crawl's signal (so every other walk stops sending requests) and is the one
 * settle() throws, after everything already started has finished — no request is left
 * running behind the caller's back.
 */
export class TaskGroup {
  readonly #limiter: Limiter;
  readonly #controller: AbortController;
  readonly #pending = new Set<Promise<void>>();
  #failed = false;
  #error: unknown;

  constructor(limiter: Limiter, controller: AbortController) {
    this.#limiter = limiter;
    this.#controller = controller;
  }

  spawn(task: () => Promise<void>): void {
    // One settled handler each way (not .catch().finally(): a promise less a task, and a
    // detail-only crawl spawns one task a user).
    const p: Promise<void> = this.#limiter.run(task).then(
      () => {
        this.#pending.delete(p);
      },
      (error: unknown) => {
        this.#pending.delete(p);
        this.#fail(error);
      },
    );
    this.#pending.add(p);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = error;
    this.#controller.abort(error);
  }

  /** Waits for every task, including those spawned while waiting; throws the first error. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
    if (this.#failed) throw this.#error;
  }
}
