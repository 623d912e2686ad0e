import type { RequestOutcome } from '../segment/index.js';

/**
 * How many requests the crawl keeps in flight, decided from what each answer says (pure:
 * outcomes in, a limit out; crawl.ts applies it to the limiter).
 *
 * - More while latency is the limit: each answer that comes back well, with the rate
 *   budget of its window (X-RateLimit-Remaining) still larger than what we could send in
 *   a round, earns credit. At first a round of good answers doubles the limit (each answer
 *   adds one, as a TCP slow start); after the first trouble it grows by one per round.
 * - Not more while the rate budget is the limit: an answer whose window has less budget
 *   left than twice the limit earns nothing (the pacer holds the extra requests anyway;
 *   more in flight would only crowd the next window's start).
 * - Fewer on trouble: a 429 or a failure (5xx, 408, a dropped connection, a timeout)
 *   halves the limit, at most once a round, so one burst of failures of the requests
 *   already in flight counts as one signal, not as many.
 * - Bounded: never under `min` (1), never over `max` (a sane cap, 32 by default).
 */

export interface ConcurrencyBounds {
  initial: number;
  min?: number;
  max: number;
}

export class ConcurrencyController {
  readonly #min: number;
  readonly #max: number;
  #limit: number;
  /** Until the first trouble: each good answer adds one (the limit doubles a round). */
  #slowStart = true;
  /** Good answers since the last raise, in the additive phase. */
  #credit = 0;
  /** Answers still to come before another trouble may lower the limit again. */
  #calm = 0;

  constructor(bounds: ConcurrencyBounds) {
    this.#min = Math.max(1, bounds.min ?? 1);
    this.#max = Math.max(this.#min, bounds.max);
    this.#limit = Math.min(this.#max, Math.max(this.#min, bounds.initial));
  }

  get limit(): number {
    return this.#limit;
  }

  /** Takes one answer's outcome into account; returns the limit from now on. */
  observe(outcome: RequestOutcome): number {
    if (this.#calm > 0) this.#calm--;
    if (outcome.kind !== 'ok') return this.#lower();
    if (outcome.budgetLeft !== undefined && outcome.budgetLeft < 2 * this.#limit) return this.#limit;
    if (this.#limit >= this.#max) return this.#limit;
    if (this.#slowStart) return this.#raise();
    if (++this.#credit >= this.#limit) return this.#raise();
    return this.#limit;
  }

  #raise(): number {
    this.#credit = 0;
    this.#limit = Math.min(this.#max, this.#limit + 1);
    return this.#limit;
  }

  #lower(): number {
    this.#slowStart = false;
    this.#credit = 0;
    if (this.#calm > 0) return this.#limit;
    this.#limit = Math.max(this.#min, Math.floor(this.#limit / 2));
    // The answers of requests sent before this one are still coming: one round of calm.
    this.#calm = this.#limit * 2;
    return this.#limit;
  }
}
