import { describe, expect, it } from 'vitest';
import { ConcurrencyController } from '../../src/crawl/concurrency.js';

const ok = (budgetLeft?: number) => ({
  kind: 'ok' as const,
  ...(budgetLeft === undefined ? {} : { budgetLeft }),
});

function feed(c: ConcurrencyController, outcomes: Parameters<ConcurrencyController['observe']>[0][]): number {
  for (const o of outcomes) c.observe(o);
  return c.limit;
}

describe('the adaptive concurrency controller', () => {
  it('doubles a round while answers come back well and the budget is ample (slow start)', () => {
    const c = new ConcurrencyController({ initial: 4, max: 32 });
    expect(
      feed(
        c,
        Array.from({ length: 4 }, () => ok(1_000_000)),
      ),
    ).toBe(8);
    expect(
      feed(
        c,
        Array.from({ length: 8 }, () => ok()),
      ),
    ).toBe(16);
  });

  it('never goes over its cap', () => {
    const c = new ConcurrencyController({ initial: 4, max: 12 });
    expect(
      feed(
        c,
        Array.from({ length: 100 }, () => ok(1_000_000)),
      ),
    ).toBe(12);
  });

  it('does not grow while the rate budget, not latency, is the limit', () => {
    const c = new ConcurrencyController({ initial: 4, max: 32 });
    // Fewer requests left in the window than two rounds: the pacer is what holds us back.
    expect(
      feed(
        c,
        Array.from({ length: 50 }, (_, i) => ok(7 - (i % 8))),
      ),
    ).toBe(4);
  });

  it('halves on a 429 and on a failure, once a round, not for every answer of that round', () => {
    const c = new ConcurrencyController({ initial: 16, max: 32 });
    expect(c.observe({ kind: 'throttled' })).toBe(8);
    // The rest of the requests sent before the halving fail too: one signal, not many.
    expect(
      feed(
        c,
        Array.from({ length: 15 }, () => ({ kind: 'throttled' as const })),
      ),
    ).toBe(8);
    expect(c.observe({ kind: 'failed' })).toBe(4);
  });

  it('after trouble grows by one a round (additive), not by doubling', () => {
    const c = new ConcurrencyController({ initial: 8, max: 32 });
    c.observe({ kind: 'failed' });
    expect(c.limit).toBe(4);
    expect(
      feed(
        c,
        Array.from({ length: 4 }, () => ok()),
      ),
    ).toBe(5);
    expect(
      feed(
        c,
        Array.from({ length: 5 }, () => ok()),
      ),
    ).toBe(6);
  });

  it('never goes under one request in flight', () => {
    const c = new ConcurrencyController({ initial: 2, max: 32 });
    for (let i = 0; i < 50; i++) c.observe({ kind: 'failed' });
    expect(c.limit).toBe(1);
  });
});
