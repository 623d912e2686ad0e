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

/** A 429: wait until `until` (ms since the epoch), then try again without spending the budget. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(
    message: string,
    readonly until: number,
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

export interface RetryHooks {
  /** A failure that will be retried (after backoff). */
  onRetry?: (error: RetryableError, attempt: number) => void;
  /** Waiting for a rate-limit window after a 429. */
  waitForRateLimit: (until: number, signal?: AbortSignal) => Promise<void>;
}

export async function withRetries<T>(
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
      if (error instanceof RateLimitedError) await hooks.waitForRateLimit(error.until, signal);
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
