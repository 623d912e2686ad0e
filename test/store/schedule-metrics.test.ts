/** Scheduled-period claims across instances, and the run metrics read from the database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMetrics } from '../../src/store/metrics.js';
import { claimPeriod, releasePeriod } from '../../src/store/schedule-claims.js';
import { beginSnapshot, failSnapshot } from '../../src/store/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { picture1, T1 } from './fixtures.js';
import { recordFirstReport, snapshot } from './helpers.js';

let t: TestDatabase;
const db = () => t.handle.db;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe('scheduled period claims', () => {
  const period = new Date('2026-06-01T06:00:00Z');

  it('lets one instance claim a period; the other stands aside while it may still run', async () => {
    expect(await claimPeriod(db(), period, 'a')).toBe(true);
    expect(await claimPeriod(db(), period, 'a')).toBe(true);
    // No complete snapshot yet for that period: b may take a dead owner's claim over.
    expect(await claimPeriod(db(), period, 'b')).toBe(true);
    // Once a complete snapshot covers the period, nobody else gets it.
    await snapshot(db(), picture1(), new Date('2026-06-01T06:00:05Z'));
    expect(await claimPeriod(db(), period, 'a')).toBe(false);
    expect(await claimPeriod(db(), period, 'b')).toBe(true);
  });

  it('gives a period back', async () => {
    const next = new Date('2026-06-08T06:00:00Z');
    expect(await claimPeriod(db(), next, 'a')).toBe(true);
    await releasePeriod(db(), next, 'b'); // not b's: nothing happens
    await releasePeriod(db(), next, 'a');
    expect(await claimPeriod(db(), next, 'c')).toBe(true);
  });
});

describe('runMetrics', () => {
  it('reports the last complete snapshot and the failures', async () => {
    // Its permission changes are its report's Permission Changes rows (5), not audit.changes (0).
    await recordFirstReport(db(), 5, new Date('2026-06-01T06:00:06Z'));
    const id = await beginSnapshot(db(), {
      takenAt: new Date('2026-06-20T06:00:00Z'),
      staleInviteDays: 14,
      apiUrl: 'x',
    });
    await failSnapshot(db(), id, 'boom', new Date(), 'abandoned');
    const m = await runMetrics(db());
    expect(m).toMatchObject({
      lastPermissionChanges: 5,
      lastStaleInvites: 0,
      lastApiRequests: 1,
      lastApiRateLimited: 0,
      runsFailed: 1,
    });
    expect(m.lastSuccessAt).toBeInstanceOf(Date);
    expect(m.lastDurationSeconds).toBeGreaterThanOrEqual(0);
    expect(T1).toBeInstanceOf(Date);
  });

  it('is empty before the first snapshot', async () => {
    const other = await openTestDatabase();
    try {
      expect(await runMetrics(other.handle.db)).toEqual({
        lastSuccessAt: null,
        lastDurationSeconds: null,
        lastPermissionChanges: null,
        lastStaleInvites: null,
        lastApiRequests: null,
        lastApiRateLimited: null,
        runsFailed: 0,
      });
    } finally {
      await other.close();
    }
  });
});
