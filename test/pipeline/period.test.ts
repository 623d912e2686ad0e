/**
 * A scheduled run names its period; under the run lock it does nothing when a complete
 * snapshot already covers that period (another instance finished it meanwhile).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import { listSnapshots } from '../../src/store/index.js';
import { at, type Harness, startHarness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: 11, users: 8, groups: 2 });
});
afterAll(async () => {
  await h?.close();
});

describe('runAudit for a scheduled period', () => {
  it('runs when no complete snapshot covers the period, and not again once one does', async () => {
    const first = await h.run(at(1), { mailTo: [] }, { period: at(0) });
    expect(first.snapshotId).toBeGreaterThan(0);
    const requests = h.sim.stats.requests;

    const again = await h.run(at(2), { mailTo: [] }, { period: at(0) }).catch((e: unknown) => e);
    expect(isAuditError(again, 'PERIOD_COVERED')).toBe(true);
    expect((again as Error).message).toContain(`snapshot ${first.snapshotId}`);
    // Nothing crawled, no snapshot row.
    expect(h.sim.stats.requests).toBe(requests);
    expect((await listSnapshots(h.db.handle.db)).map((s) => s.status)).toEqual(['complete']);

    // The next period is not covered yet.
    const next = await h.run(at(8), { mailTo: [] }, { period: at(7) });
    expect(next.snapshotId).toBeGreaterThan(first.snapshotId);
  });
});
