/**
 * At most `concurrency` tasks at once, first come first served. The crawler puts every
 * independent walk (a list, a group's members, an item's details) through one limiter,
 * so the whole crawl never has more than that many requests in flight.
 * A task must not wait for another task of the same limiter (it could wait forever).
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Changes the limit from now on (adaptive concurrency): a higher one starts queued tasks
   * at once; a lower one lets running tasks finish and starts no more until under it.
   */
  setLimit(concurrency: number): void;
  readonly limit: number;
  readonly active: number;
  readonly queued: number;
}

function checkedLimit(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1 (got ${concurrency})`);
  }
  return concurrency;
}

/**
 * A first-in first-out queue with O(1) take: a detail-only crawl queues one task per user
 * (20,000 and more) at once, and Array#shift moves the whole rest of the array each time.
 */
class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Drop the taken prefix now and then, so memory follows what is still queued.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

export function createLimiter(concurrency: number, signal?: AbortSignal): Limiter {
  let limit = checkedLimit(concurrency);
  let active = 0;
  const queue = new Queue<() => void>();

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= limit) {
        await new Promise<void>((resolve) => queue.push(resolve));
        // The slot was handed over (by a finishing task or setLimit): active already counts it.
      } else {
        active++;
      }
      try {
        signal?.throwIfAborted();
        return await task();
      } finally {
        // Hand the slot straight to the next task in line, or free it (and give up a
        // slot the limit no longer has, after it was lowered).
        const waiting = active <= limit ? queue.shift() : undefined;
        if (waiting) waiting();
        else active--;
      }
    },
    setLimit(next: number) {
      limit = checkedLimit(next);
      for (let waiting = active < limit ? queue.shift() : undefined; waiting; ) {
        active++;
        waiting();
        waiting = active < limit ? queue.shift() : undefined;
      }
    },
    get limit() {
      return limit;
    },
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
  };
}
