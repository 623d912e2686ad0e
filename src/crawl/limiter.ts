/**
 * At most `concurrency` tasks at once, first come first served. The crawler puts every
 * independent walk (a list, a group's members, an item's details) through one limiter,
 * so the whole crawl never has more than that many requests in flight.
 * A task must not wait for another task of the same limiter (it could wait forever).
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly queued: number;
}

export function createLimiter(concurrency: number, signal?: AbortSignal): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1 (got ${concurrency})`);
  }
  let active = 0;
  const queue: (() => void)[] = [];

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= concurrency) {
        await new Promise<void>((resolve) => queue.push(resolve));
        // The slot was handed over by next(): active already counts it.
      } else {
        active++;
      }
      try {
        signal?.throwIfAborted();
        return await task();
      } finally {
        // Hand the slot straight to the next task in line, or free it.
        const waiting = queue.shift();
        if (waiting) waiting();
        else active--;
      }
    },
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
  };
}
