/**
 * A snapshot write interrupted at any step leaves the last complete snapshot and every
 * history row exactly as before, and the next run completes: first by throwing inside
 * the transaction at each step, then by a real process killed (SIGKILL) at each step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastCompleteSnapshot, listSnapshots, markAbandoned } from '../../src/store/snapshots.js';
import { SNAPSHOT_STEPS } from '../../src/store/write.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runChild } from './child.js';
import { picture1, picture2, picture3, T1, T2 } from './fixtures.js';
import { dumpHistory, snapshot } from './helpers.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
  await snapshot(t.handle.db, picture1(), T1);
});
afterAll(async () => {
  await t?.close();
});

describe('a crash inside the snapshot transaction', () => {
  it.each(SNAPSHOT_STEPS)('thrown after step %s changes nothing', async (step) => {
    const db = t.handle.db;
    const before = await dumpHistory(db);
    const last = await lastCompleteSnapshot(db);
    const error = await snapshot(
      db,
      picture2(),
      new Date(Date.UTC(2026, 5, 2 + SNAPSHOT_STEPS.indexOf(step))),
      {
        onStep: (s) => {
          if (s === step) throw new Error(`crash after ${s}`);
        },
      },
    ).catch((e: unknown) => e);
    expect(String(error)).toContain(`crash after ${step}`);
    expect(await dumpHistory(db)).toEqual(before);
    expect(await lastCompleteSnapshot(db)).toEqual(last);
    // The session is usable again: the temporary staging tables went with the rollback.
    await markAbandoned(db, new Date());
  });
});

describe('a killed process', () => {
  it('killed at each step leaves history untouched, and the next run completes', {
    timeout: 240_000,
  }, async () => {
    let day = 10;
    for (const step of SNAPSHOT_STEPS) {
      const before = await dumpHistory(t.handle.db);
      await t.release(); // embedded: the child must own DATA_DIR
      const takenAt = new Date(Date.UTC(2026, 5, day++)).toISOString();
      const r = await runChild(t, { PICTURE: '2', TAKEN_AT: takenAt, KILL_AT: step });
      expect(r.signal, r.stderr).toBe('SIGKILL');
      expect(r.stdout).toContain('snapshot ');
      expect(r.stdout).not.toContain('complete');
      await t.reopen();
      expect(await dumpHistory(t.handle.db)).toEqual(before);
      const running = (await listSnapshots(t.handle.db)).filter((s) => s.status === 'running');
      expect(running).toHaveLength(1);
    }
    // The next run marks the dead ones abandoned and completes.
    await t.release();
    const ok = await runChild(t, {
      PICTURE: '2',
      TAKEN_AT: new Date(Date.UTC(2026, 5, day++)).toISOString(),
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/complete \d+/);
    await t.reopen();
    const list = await listSnapshots(t.handle.db);
    expect(list.filter((s) => s.status === 'running')).toEqual([]);
    // The thrown ones (marked by the first describe) and the killed ones.
    expect(list.filter((s) => s.status === 'abandoned')).toHaveLength(2 * SNAPSHOT_STEPS.length);
    expect(list.filter((s) => s.status === 'complete')).toHaveLength(2);
    // And the sequence goes on normally.
    const next = await snapshot(t.handle.db, picture3(), new Date(Date.UTC(2026, 6, 1)));
    expect(next.changes.user_added).toBe(1);
    expect((await lastCompleteSnapshot(t.handle.db))?.takenAt.getTime()).toBeGreaterThan(T2.getTime());
  });
});
