/**
 * Two `access-audit schedule` processes on one database.
 * - Real server (TEST_DATABASE_URL): both fire every three seconds; each period gets
 *   exactly one snapshot, and the instance that loses a period never crawls (every API
 *   request the simulated workspace saw belongs to a crawl that produced a snapshot).
 * - Embedded: one process owns DATA_DIR, so the second instance is refused at start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { listSnapshots } from '../../src/store/index.js';
import { type CliChild, dbEnv, killLeftovers, type LogEntry, startCli, waitUntil } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';

let sim: RunningSimulator;
let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, users: 10, groups: 2, invites: 2, groupInvites: 1 });
  t = await openTestDatabase();
  await t.release();
  dir = await mkdtemp(join(tmpdir(), 'schedule-two-'));
});

afterAll(async () => {
  killLeftovers();
  await sim?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

function schedule(): CliChild {
  return startCli(['schedule'], {
    ...dbEnv(t),
    SEGMENT_API_URL: sim.url,
    SEGMENT_API_TOKEN: sim.token,
    REPORTS_DIR: join(dir, 'reports'),
    AUDIT_SCHEDULE: '*/3 * * * * *',
  });
}

const msg = (m: string) => (e: LogEntry) => e.msg === m;
const STOOD_ASIDE = [
  'another instance has this period: not running',
  'another audit is running on this database: not running now',
  'a complete snapshot already covers this period: not running',
  'a complete snapshot covered this period meanwhile: not running',
];

describe('two schedulers on one database', () => {
  it.runIf(process.env.TEST_DATABASE_URL)(
    'take exactly one snapshot per tick, and the loser never crawls',
    async () => {
      sim.resetStats();
      const a = schedule();
      const b = schedule();
      await Promise.all([
        a.waitForLog(msg('scheduler started'), 30_000),
        b.waitForLog(msg('scheduler started'), 30_000),
      ]);
      const done = () => [...a.logged('scheduled audit done'), ...b.logged('scheduled audit done')];
      // The catch-up and at least three ticks, seen by both instances.
      await waitUntil(() => done().filter((e) => e.reason === 'tick').length >= 3, 30_000, 'three ticks');
      // A period an instance stood aside for may still be running (or waiting for its retry)
      // at this moment, on a loaded machine; stopping now would cut it off, so wait until
      // every period stood aside for so far is covered: by its own snapshot, or, when audits
      // ran longer than a tick, by a later period's (taken after it; the retry then finds
      // it covered and runs nothing). Periods are ISO instants: as text they sort by time.
      const asideOf = (c: CliChild) => c.logs().filter((e) => STOOD_ASIDE.includes(e.msg ?? ''));
      await waitUntil(
        () => {
          const ran = done().map((e) => String(e.period));
          return [...asideOf(a), ...asideOf(b)].every((e) => ran.some((p) => p >= String(e.period)));
        },
        30_000,
        'every period stood aside for is covered by a snapshot',
      );
      const [ra, rb] = await Promise.all([a.stop(), b.stop()]);
      expect(ra).toEqual({ code: 0, signal: null });
      expect(rb).toEqual({ code: 0, signal: null });

      const handle = await t.reopen({ migrate: false });
      const snapshots = await listSnapshots(handle.db);
      await t.release();

      // Every snapshot is complete and belongs to one period; no period ran twice.
      expect(snapshots.every((s) => s.status === 'complete')).toBe(true);
      const all = done();
      expect(snapshots).toHaveLength(all.length);
      const periods = all.map((e) => e.period as string);
      expect(new Set(periods).size).toBe(periods.length);
      expect(new Set(all.map((e) => e.snapshotId))).toEqual(new Set(snapshots.map((s) => s.id)));
      for (let i = 1; i < snapshots.length; i++) {
        expect(snapshots[i]!.takenAt.getTime()).toBeGreaterThan(snapshots[i - 1]!.takenAt.getTime());
      }

      // Only the crawls that made those snapshots reached the workspace.
      const crawls = [...a.logged('crawl finished'), ...b.logged('crawl finished')];
      expect(crawls).toHaveLength(snapshots.length);
      expect(a.logged('crawl started').length + b.logged('crawl started').length).toBe(snapshots.length);
      // Each crawl is preceded by the pre-flight's one GET / (src/crawl/preflight.ts) and
      // followed by the audit trail's pages (src/crawl/trail.ts).
      const trails = [...a.logged('audit trail read'), ...b.logged('audit trail read')];
      expect(trails).toHaveLength(snapshots.length);
      const trailPages = trails.reduce((n, e) => n + (e.pages as number), 0);
      expect(sim.stats.requests).toBe(crawls.reduce((n, e) => n + 1 + (e.requests as number), trailPages));

      // The losers saw the ticks and stood aside, without an error; every period one of
      // them stood aside for is covered by a snapshot: its own (from the other instance, or
      // from its own retry when the other was busy with an earlier period), or a later one.
      const aside = [...asideOf(a), ...asideOf(b)];
      expect(aside.length).toBeGreaterThanOrEqual(2);
      for (const e of aside) expect(periods.some((p) => p >= String(e.period))).toBe(true);
      const errors = [...a.logs(), ...b.logs()].filter((e) => (e.level ?? 0) >= 50);
      expect(errors).toEqual([]);
    },
  );

  it.skipIf(process.env.TEST_DATABASE_URL)(
    'embedded: the second instance is refused at start, naming DATA_DIR',
    async () => {
      const a = schedule();
      await a.waitForLog(msg('scheduler started'), 30_000);
      const b = schedule();
      const { code } = await b.exited;
      expect(code).toBe(1);
      const lines = b.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: .*DATA_DIR/);
      expect(lines[0]).toContain(t.dataDir);
      expect(b.logged('audit started')).toHaveLength(0);
      expect(await a.stop()).toEqual({ code: 0, signal: null });
    },
  );
});
