/**
 * Failed logins, counted per client address: after `maxFailures` within `windowMs` the
 * address is refused (429 with Retry-After) until that window ends, right token or not,
 * so a guesser gets a handful of tries per window instead of thousands per second. A
 * success does not reset the count (else one known-good request would reopen guessing).
 *
 * The address is the socket's peer, never a header: X-Forwarded-For is the client's to
 * write. Behind a reverse proxy every client shares the proxy's address; the proxy
 * should then do its own limiting (docs/security.md). The table is bounded: an attacker
 * with many addresses evicts the oldest entries rather than growing memory.
 */
interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Addresses tracked at most. */
  capacity: number;
  now: () => number;
}

const DEFAULT_THROTTLE: ThrottleOptions = {
  maxFailures: 10,
  windowMs: 5 * 60_000,
  capacity: 10_000,
  now: () => Date.now(),
};

export interface LoginThrottle {
  /** Seconds the address must wait, or 0 when it may try. */
  retryAfter(address: string): number;
  failed(address: string): void;
}

export function createLoginThrottle(options: Partial<ThrottleOptions> = {}): LoginThrottle {
  const o = { ...DEFAULT_THROTTLE, ...options };
  // Insertion order is age order: a Map evicts its oldest entry first.
  const windows = new Map<string, { failures: number; endsAt: number }>();
  const current = (address: string) => {
    const w = windows.get(address);
    if (w && w.endsAt <= o.now()) {
      windows.delete(address);
      return undefined;
    }
    return w;
  };
  return {
    retryAfter(address) {
      const w = current(address);
      if (!w || w.failures < o.maxFailures) return 0;
      return Math.max(1, Math.ceil((w.endsAt - o.now()) / 1000));
    },
    failed(address) {
      const w = current(address);
      if (w) {
        w.failures++;
        return;
      }
      if (windows.size >= o.capacity) {
        const oldest = windows.keys().next();
        if (!oldest.done) windows.delete(oldest.value);
      }
      windows.set(address, { failures: 1, endsAt: o.now() + o.windowMs });
    },
  };
}
