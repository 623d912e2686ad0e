/**
 * SIGTERM while a scheduled audit runs (a real process, a slow simulated workspace so the
 * signal lands mid-crawl): the process exits 0, and the audit either completes within the
 * grace period or is marked `abandoned`; it is never left `running`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_GRACE_MS } from '../../src/commands/schedule.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { listSnapshots, runMetrics } from '../../src/store/index.js';
import { type CliChild, dbEnv, killLeftovers, type LogEntry, startCli } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';

let sim: RunningSimulator;
let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, users: 12, groups: 3, invites: 2, groupInvites: 1 });
  t = await openTestDatabase();
  await t.release();
  dir = await mkdtemp(join(tmpdir(), 'schedule-stop-'));
});

afterAll(async () => {
  sim?.setFaults(undefined);
  killLeftovers();
  await sim?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

function schedule(expression: string): CliChild {
  return startCli(['schedule'], {
    ...dbEnv(t),
    SEGMENT_API_URL: sim.url,
    SEGMENT_API_TOKEN: sim.token,
    REPORTS_DIR: join(dir, 'reports'),
    AUDIT_SCHEDULE: expression,
  });
}

async function look() {
  const handle = await t.reopen({ migrate: false });
  try {
    return { snapshots: await listSnapshots(handle.db), metrics: await runMetrics(handle.db) };
  } finally {
    await t.release();
  }
}

const msg = (m: string) => (e: LogEntry) => e.msg === m;

describe('schedule: SIGTERM during a run', () => {
  it('lets an audit that ends within the grace period complete, then exits 0', async () => {
    sim.setFaults({ latencyMs: 100 }); // a crawl of a second or two
    // Weekly, on a fresh database: the catch-up starts a run at once.
    const child = schedule('0 6 * * 1');
    await child.waitForLog(msg('crawl started'), 30_000);
    const stopped = child.stop('SIGTERM');
    expect(await stopped).toEqual({ code: 0, signal: null });
    const order = child
      .logs()
      .map((e) => e.msg)
      .filter((m) => m === 'stopping' || m === 'audit complete' || m === 'stopped');
    expect(order).toEqual(['stopping', 'audit complete', 'stopped']);
    const { snapshots } = await look();
    expect(snapshots.map((s) => s.status)).toEqual(['complete']);
  });

  it(`marks an audit that outlasts the grace period (${SHUTDOWN_GRACE_MS} ms) abandoned, then exits 0`, async () => {
    sim.setFaults({ latencyMs: 2_500 }); // each request 2.5 s: the crawl takes far longer than the grace
    // Every two seconds: the most recent tick is newer than the first test's snapshot, so
    // the catch-up starts a run at once (and the ticks during it are skipped).
    const child = schedule('*/2 * * * * *');
    await child.waitForLog(msg('crawl started'), 30_000);
    const signalledAt = Date.now();
    expect(await child.stop('SIGTERM', SHUTDOWN_GRACE_MS + 15_000)).toEqual({ code: 0, signal: null });
    const took = Date.now() - signalledAt;
    expect(took).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS - 500);
    expect(took).toBeLessThan(SHUTDOWN_GRACE_MS + 5_000);
    expect(child.logged('grace period over: aborting the running audit')).toHaveLength(1);
    expect(child.logged('audit interrupted: snapshot marked abandoned')).toHaveLength(1);
    expect(child.logged('audit started')).toHaveLength(1);
    expect(child.logged('audit complete')).toHaveLength(0);

    const { snapshots, metrics } = await look();
    expect(snapshots.map((s) => s.status)).toEqual(['complete', 'abandoned']);
    expect(snapshots[1]?.error).toMatch(/interrupted/);
    expect(metrics.runsFailed).toBe(1);
    expect(metrics.lastSuccessAt?.getTime()).toBe(snapshots[0]?.finishedAt?.getTime());
  });
});
