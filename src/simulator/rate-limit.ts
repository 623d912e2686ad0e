/**
 * Fixed-window rate limiting with the Public API's headers and 429 body. Windows are
 * aligned to multiples of their length since the epoch, so a 1000 ms window resets on
 * whole seconds and `X-RateLimit-Reset` (an HTTP date, second precision) is exact; for
 * shorter windows the header is rounded up to the next second, so a client that waits
 * for it never arrives early.
 */
import { type ApiError, rateLimited } from './http.js';

/** What an unlimited limiter reports as remaining: large enough that no client paces. */
const UNLIMITED_REMAINING = 1_000_000;
const UNLIMITED_WINDOW_MS = 60_000;

export interface WindowState {
  allowed: boolean;
  consumed: number;
  remaining: number;
  resetAt: number;
  msBeforeNext: number;
}

export class FixedWindowLimiter {
  #windowStart = -1;
  #consumed = 0;

  private limit: number | undefined;
  private windowMs = UNLIMITED_WINDOW_MS;

  constructor(
    limit: number | undefined,
    windowMs: number,
    private readonly now: () => number,
  ) {
    this.configure(limit, windowMs);
  }

  /** Changes the limit; the current window's count carries over. */
  configure(limit: number | undefined, windowMs: number): void {
    this.limit = limit;
    this.windowMs = limit === undefined ? UNLIMITED_WINDOW_MS : windowMs;
  }

  /** Counts one request (a rejected one counts too, as rate-limiter-flexible does). */
  consume(): WindowState {
    this.#roll();
    this.#consumed++;
    return this.peek();
  }

  /** The state without counting a request (for answers that cost nothing, such as a 401). */
  peek(): WindowState {
    this.#roll();
    const resetAt = this.#windowStart + this.windowMs;
    const limit = this.limit;
    return {
      allowed: limit === undefined || this.#consumed <= limit,
      consumed: this.#consumed,
      remaining: limit === undefined ? UNLIMITED_REMAINING : Math.max(0, limit - this.#consumed),
      resetAt,
      msBeforeNext: Math.max(0, resetAt - this.now()),
    };
  }

  #roll(): void {
    const start = Math.floor(this.now() / this.windowMs) * this.windowMs;
    if (start !== this.#windowStart) {
      this.#windowStart = start;
      this.#consumed = 0;
    }
  }
}

export function rateLimitHeaders(state: WindowState): Record<string, string> {
  return {
    'X-RateLimit-Consumed': String(state.consumed),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': new Date(Math.ceil(state.resetAt / 1000) * 1000).toUTCString(),
  };
}

/** The 429 the Public API sends, with Retry-After in whole seconds (rounded up). */
export function tooManyRequests(state: WindowState): { error: ApiError; headers: Record<string, string> } {
  const error = rateLimited(state.msBeforeNext, state.consumed);
  return { error, headers: { 'Retry-After': String(Math.max(1, Math.ceil(state.msBeforeNext / 1000))) } };
}
