import pRetry from 'p-retry';

/**
 * What may succeed when tried again, and the retry loop around one request.
 *
 * p-retry gives exponential backoff with jitter. Our own failure budget is counted in
 * shouldRetry (p-retry's `retries` is unbounded) because p-retry stops retrying once its
 * budget is spent even for failures that do not consume it — and a 429 must never use up
 * the budget meant for 5xx answers and dropped connections. p-retry retries a
 * non-consuming failure at once, so the 429 wait happens here, in onFailedAttempt;
 * maxRetryTime bounds the whole thing.
 */

/** A failure worth another attempt: 5xx, 408, a dropped connection, a timeout. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
}

/** A 429: wait `waitMs`, until `until` (ms since the epoch), then try again without spending the budget. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(
    message: string,
    readonly until: number,
    readonly waitMs: number,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  /** Failures (not 429s) retried before giving up. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Bound on the total time spent on one request, waits included. */
  maxRetryTimeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 6,
  minDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryTimeMs: 15 * 60_000,
};

/**
 * The wait after a 429, per client. The server's own timing (msBeforeNext, the reset header,
 * Retry-After) is trusted the first time; a 429 that gives none (or a zero or past one) and
 * every further 429 before a success wait at least `baseMs`, doubling up to `maxMs`, so a
 * server that keeps refusing sees a few requests a minute, not thousands a second. Requests
 * sent before the current wait ended belong to the same burst and do not double it again.
 */
export class RefusalBackoff {
  /** 429s since the last success (bursts counted once). */
  #refusals = 0;
  /** The next doubled wait. */
  #floor: number;
  /** When the last wait ends: 429s to requests sent before then are its burst. */
  #burstEnd = 0;

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {
    this.#floor = baseMs;
  }

  /** The wait (ms) for a 429 to a request sent at `sentAt`; `given` is the server's timing, if any. */
  next(given: number | undefined, sentAt: number, now: number): number {
    const told = given !== undefined && given > 0 ? given : undefined;
    if (sentAt < this.#burstEnd) return Math.max(told ?? 0, this.#burstEnd - now);
    let wait: number;
    if (this.#refusals === 0 && told !== undefined) wait = told;
    else {
      wait = Math.max(told ?? 0, this.#floor);
      this.#floor = Math.min(this.maxMs, this.#floor * 2);
    }
    this.#refusals++;
    this.#burstEnd = now + wait;
    return wait;
  }

  /** A success: the next 429 starts from the server's timing (or `baseMs`) again. */
  succeeded(): void {
    this.#refusals = 0;
    this.#floor = this.baseMs;
  }
}

export interface RetryHooks {
  /** A failure that will be retried (after backoff). */
  onRetry?: (error: RetryableError, attempt: number) => void;
  /** Waiting for a rate-limit window after a 429. */
  waitForRateLimit: (refusal: RateLimitedError, signal?: AbortSignal) => Promise<void>;
}

/**
 * The first attempt runs on its own: nearly every request succeeds at once, and entering
 * p-retry for each (its options copied and checked, its loop, a closure a hook) was a
 * visible share of a detail-only crawl's CPU (issue 14). A first attempt that fails is
 * handed to p-retry as its own first attempt (replayed), so every failure takes exactly the
 * path it took before: p-retry's AbortError unwrapping, hooks, budget and backoff.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  /** Built only when the first attempt fails. */
  hooks: () => RetryHooks,
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  try {
    const result = await attempt(1);
    signal?.throwIfAborted();
    return result;
  } catch (first) {
    return retryAfterFirst((n) => (n === 1 ? Promise.reject(first) : attempt(n)), policy, hooks(), signal);
  }
}

function retryAfterFirst<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
  signal?: AbortSignal,
): Promise<T> {
  let failures = 0;
  return pRetry(attempt, {
    retries: Number.POSITIVE_INFINITY,
    factor: 2,
    minTimeout: policy.minDelayMs,
    maxTimeout: policy.maxDelayMs,
    randomize: true,
    maxRetryTime: policy.maxRetryTimeMs,
    signal,
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (error instanceof RateLimitedError) await hooks.waitForRateLimit(error, signal);
      else if (error instanceof RetryableError && failures < policy.retries)
        hooks.onRetry?.(error, attemptNumber);
    },
    shouldConsumeRetry: ({ error }) => !(error instanceof RateLimitedError),
    shouldRetry: ({ error }) => {
      if (error instanceof RateLimitedError) return true;
      if (!(error instanceof RetryableError)) return false;
      failures++;
      return failures <= policy.retries;
    },
  });
}
