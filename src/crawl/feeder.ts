import type { TaskGroup } from './tasks.js';

/**
 * Feeds one task per id into a task group, at most `ahead` of them spawned at a time: a
 * detail-only crawl has one detail fetch per user, and spawning 100,000 of them at once
 * held 100,000 suspended tasks (closures, promises, limiter frames) where a list of ids
 * does with a few bytes each. The limiter still decides how many run; this only keeps
 * the waiting line short. After a failure no more are spawned (the crawl is failing).
 *
 * `ahead` is best a small multiple of the most requests the crawl keeps in flight (the
 * crawl gives twice its cap): a task spawned but not started waits in the limiter's queue,
 * long enough to outlive young-generation collections and be promoted, for nothing.
 */
export class Feeder {
  readonly #tasks: TaskGroup;
  readonly #run: (id: string) => Promise<void>;
  readonly #ahead: number;
  readonly #ids: string[] = [];
  #next = 0;
  #spawned = 0;
  #failed = false;

  constructor(tasks: TaskGroup, run: (id: string) => Promise<void>, ahead: number) {
    this.#tasks = tasks;
    this.#run = run;
    this.#ahead = ahead;
  }

  add(id: string): void {
    this.#ids.push(id);
    this.#fill();
  }

  #fill(): void {
    while (!this.#failed && this.#spawned < this.#ahead && this.#next < this.#ids.length) {
      const id = this.#ids[this.#next] as string;
      this.#ids[this.#next++] = ''; // taken: let the string go
      this.#spawned++;
      this.#tasks.spawn(async () => {
        try {
          await this.#run(id);
        } catch (error) {
          this.#failed = true;
          throw error;
        } finally {
          this.#spawned--;
          // Spawned before this task settles, so TaskGroup.settle() waits for it too.
          this.#fill();
        }
      });
    }
  }
}
