/**
 * A small seeded PRNG (mulberry32) and the helpers the generator needs. Data never comes
 * from Math.random: the same seed must give the same workspace on every machine.
 */

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One independent stream per purpose (users, groups, ids…), so that asking for more
 * groups does not reshuffle the users of the same seed.
 */
export function stream(seed: number, purpose: string): Random {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193);
  return new Random(mulberry32(h >>> 0));
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class Random {
  constructor(readonly next: Rng) {}

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** k distinct items of `items` (k clamped to its length), in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const n = items.length;
    const want = Math.min(k, n);
    if (want * 3 < n) {
      // Sparse: rejection sampling beats copying a large array.
      const chosen = new Set<number>();
      while (chosen.size < want) chosen.add(Math.floor(this.next() * n));
      return [...chosen].map((i) => items[i] as T);
    }
    const copy = items.slice();
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(this.next() * (n - i));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, want);
  }

  /** A Segment-looking identifier (KSUID-like base62). */
  id(length = 27): string {
    let out = '';
    for (let i = 0; i < length; i++) out += BASE62[Math.floor(this.next() * 62)];
    return out;
  }
}
