/**
 * One shared rate budget per client, paced from the X-RateLimit-* headers so that a long
 * walk under a limit never receives a 429.
 *
 * The model is a fixed window: the server allows `limit` (= Consumed + Remaining) requests
 * until `X-RateLimit-Reset`. Locally we count what we have sent in the current window;
 * requests still in flight are already subtracted, so concurrent walks never overspend.
 * The headers correct the local count only downwards (someone else spending the same
 * token) and tell us when a new window begins. When the budget is used up every caller
 * waits until the reset time, then the budget is the full limit again, minus whatever is
 * still in flight (it may be counted in the new window).
 *
 * Before the first response nothing is known, so a single probe request goes alone. A
 * response without the headers means the API is not limiting us: no pacing at all.
 */

export interface RateHeaders {
  remaining: number;
  /** The window's reset time on the local clock (ms since the epoch). */
  resetAt: number;
  consumed?: number;
}

export interface PacerOptions {
  /** Extra wait after the announced reset, for clock granularity (default 30 ms). */
  marginMs?: number;
  /** Called when callers begin a wait for a rate-limit window (for progress and logs). */
  onWait?: (ms: number, reason: 'window' | '429') => void;
}

/** Parses the three headers; undefined when the response carries no usable rate-limit information. */
export function readRateHeaders(
  headers: { get(name: string): string | null },
  receivedAt: number,
): RateHeaders | undefined {
  const remaining = Number.parseInt(headers.get('x-ratelimit-remaining') ?? '', 10);
  const resetText = headers.get('x-ratelimit-reset');
  if (!Number.isFinite(remaining) || !resetText) return undefined;
  let resetAt = Date.parse(resetText);
  if (Number.isNaN(resetAt)) {
    // Some servers send seconds (or epoch seconds) instead of a date: accept both.
    const n = Number(resetText);
    if (!Number.isFinite(n)) return undefined;
    resetAt = n > 1e9 ? n * 1000 : receivedAt + n * 1000;
  } else {
    // Both the reset and the server's Date are on the server's clock; correct for a client
    // clock that is off by more than the headers' one-second resolution.
    const serverNow = Date.parse(headers.get('date') ?? '');
    if (!Number.isNaN(serverNow) && Math.abs(serverNow - receivedAt) > 2000) {
      resetAt += receivedAt - serverNow;
    }
  }
  const consumed = Number.parseInt(headers.get('x-ratelimit-consumed') ?? '', 10);
  return { remaining, resetAt, consumed: Number.isFinite(consumed) ? consumed : undefined };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class Pacer {
  readonly #margin: number;
  readonly #onWait: PacerOptions['onWait'];
  /** false until a response told us whether (and how) the API limits us. */
  #known = false;
  /** undefined: the API sends no rate-limit headers, nothing to pace. */
  #limit: number | undefined;
  #remaining = 0;
  /** Reset of the current window; undefined right after a local rollover, until a response says. */
  #resetAt: number | undefined;
  #previousResetAt = 0;
  /** Learned from 429s: how much later than the announced reset the window really reset. */
  #skew = 0;
  #inFlight = 0;
  #blockedUntil = 0;
  #waitingUntil = 0;
  #waiters: (() => void)[] = [];
  /** Wall-clock milliseconds during which at least one caller waited for a window. */
  waitMs = 0;

  constructor(options: PacerOptions = {}) {
    this.#margin = options.marginMs ?? 30;
    this.#onWait = options.onWait;
  }

  /**
   * Takes a slot at once when no wait is needed (nearly every request: a sync check, no
   * promise); false: call acquire(). A slot taken must be released like acquire()'s.
   */
  tryAcquire(signal?: AbortSignal): boolean {
    return !signal?.aborted && this.#takeNow(Date.now());
  }

  /** Resolves when one request may be sent; every acquire() must be paired with release(). */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      if (this.#takeNow(now)) return;
      if (now < this.#blockedUntil) {
        await this.#waitUntil(this.#blockedUntil, '429', signal);
        continue;
      }
      if (!this.#known) {
        await this.#nextEvent(signal);
        continue;
      }
      // Limited, and the budget is spent (#takeNow has rolled the window over if it ended).
      const windowEnd = this.#windowEnd();
      if (windowEnd !== undefined && now < windowEnd) {
        await this.#waitUntil(windowEnd, 'window', signal);
      } else if (this.#inFlight > 0) {
        await this.#nextEvent(signal);
      } else {
        // Budget spent, nothing in flight, no reset known: probe again after a pause.
        await this.#waitUntil(now + 1000, 'window', signal);
        this.#known = false;
      }
    }
  }

  /** Takes a slot if one may be sent at `now` without waiting. */
  #takeNow(now: number): boolean {
    if (now < this.#blockedUntil) return false;
    if (!this.#known) {
      // Before the first answer, a single probe goes alone.
      if (this.#inFlight > 0) return false;
      this.#take(false);
      return true;
    }
    if (this.#limit === undefined) {
      this.#take(false);
      return true;
    }
    const windowEnd = this.#windowEnd();
    if (windowEnd !== undefined && now >= windowEnd) this.#rollover();
    if (this.#remaining <= 0) return false;
    this.#take(true);
    return true;
  }

  #windowEnd(): number | undefined {
    return this.#resetAt === undefined ? undefined : this.#resetAt + this.#skew + this.#margin;
  }

  /** Called once per acquire(), with the response's headers when there was a response. */
  release(rate: RateHeaders | undefined, ok: boolean): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (rate) this.#learn(rate);
    else if (ok && !this.#known) {
      // A successful answer without headers: this API (or simulator) does not limit us.
      this.#known = true;
      this.#limit = undefined;
    }
    this.#wake();
  }

  /** A 429: everyone stops until `until` (ms since the epoch); then the window is fresh. */
  rateLimited(until: number): void {
    if (this.#resetAt !== undefined && until > this.#resetAt && until - this.#resetAt < 1000) {
      // The announced reset was early (a date has one-second resolution): wait that much longer next time.
      this.#skew = Math.max(this.#skew, until - this.#resetAt);
    }
    this.#blockedUntil = Math.max(this.#blockedUntil, until);
    this.#remaining = 0;
    if (this.#limit === undefined) this.#known = false;
    else this.#resetAt = until - this.#margin - this.#skew;
  }

  /** Waits (counted as rate-limit wait) until `until`, e.g. the end of a 429's block. */
  waitUntil(until: number, signal?: AbortSignal): Promise<void> {
    return this.#waitUntil(until, '429', signal);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  #take(counted: boolean): void {
    if (counted) this.#remaining--;
    this.#inFlight++;
  }

  #rollover(): void {
    if (this.#limit === undefined) return;
    this.#previousResetAt = this.#resetAt ?? this.#previousResetAt;
    this.#resetAt = undefined;
    // Requests still in flight may land in the new window: count them there.
    this.#remaining = Math.max(0, this.#limit - this.#inFlight);
  }

  #learn(rate: RateHeaders): void {
    const limit =
      rate.consumed === undefined
        ? Math.max(this.#limit ?? 0, rate.remaining)
        : rate.consumed + rate.remaining;
    if (!this.#known || this.#limit === undefined) {
      this.#known = true;
      this.#limit = limit;
      this.#resetAt = rate.resetAt;
      this.#remaining = Math.max(0, rate.remaining - this.#inFlight);
      return;
    }
    this.#limit = Math.max(1, limit);
    const current = this.#resetAt;
    if (current === undefined) {
      // Rolled over locally: the first answer from the new window tells when it ends.
      if (rate.resetAt <= this.#previousResetAt) return; // a straggler from the old window
      this.#resetAt = rate.resetAt;
    } else if (rate.resetAt > current + 500) {
      // The server is already in a later window than we thought.
      this.#previousResetAt = current;
      this.#resetAt = rate.resetAt;
      this.#remaining = Math.max(0, rate.remaining - this.#inFlight);
      return;
    } else if (rate.resetAt < current - 500) {
      return; // a straggler from an older window
    }
    // Same window: the server can only know of fewer of our requests than we sent, so
    // a lower figure means someone else spends this token's budget too.
    if (rate.remaining < this.#remaining) this.#remaining = Math.max(0, rate.remaining - this.#inFlight);
  }

  async #waitUntil(until: number, reason: 'window' | '429', signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const ms = until - now;
    if (ms <= 0) return;
    // Count wall time once, however many callers wait side by side.
    const added = until - Math.max(now, this.#waitingUntil);
    if (added > 0) {
      this.waitMs += added;
      this.#waitingUntil = until;
      if (this.#onWait && added >= 5) this.#onWait(ms, reason);
    }
    await sleep(ms, signal);
  }

  #nextEvent(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
