/**
 * `access-audit schedule` as a real process against a real database (the server when
 * TEST_DATABASE_URL is set, else embedded) and the simulated workspace: configuration
 * errors, the next run time, catch-up when due and not otherwise, and a fast schedule
 * that fires every two seconds without ever running two audits at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextScheduledTime } from '../../src/schedule/period.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { listSnapshots } from '../../src/store/index.js';
import { type CliChild, dbEnv, killLeftovers, type LogEntry, runMain, startCli } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';

let sim: RunningSimulator;
let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, users: 12, groups: 3, invites: 2, groupInvites: 1 });
  t = await openTestDatabase();
  await t.release(); // the children own the database; the test reopens it to look
  dir = await mkdtemp(join(tmpdir(), 'schedule-cmd-'));
});

afterAll(async () => {
  killLeftovers();
  await sim?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

function scheduleEnv(expression: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...dbEnv(t),
    SEGMENT_API_URL: sim.url,
    SEGMENT_API_TOKEN: sim.token,
    REPORTS_DIR: join(dir, 'reports'),
    AUDIT_SCHEDULE: expression,
    AUDIT_TIMEZONE: 'Europe/Berlin',
    ...extra,
  };
}

function schedule(expression: string, extra: Record<string, string> = {}): CliChild {
  return startCli(['schedule'], scheduleEnv(expression, extra));
}

async function snapshots() {
  const handle = await t.reopen({ migrate: false });
  try {
    return await listSnapshots(handle.db);
  } finally {
    await t.release();
  }
}

const msg = (m: string) => (e: LogEntry) => e.msg === m;

describe('schedule: configuration', () => {
  it.each([
    ['AUDIT_SCHEDULE', { AUDIT_SCHEDULE: '61 * * * *' }],
    ['AUDIT_SCHEDULE', { AUDIT_SCHEDULE: '* * * *' }],
    ['AUDIT_TIMEZONE', { AUDIT_TIMEZONE: 'Mars/Olympus' }],
  ])('a bad %s exits 2 naming it', async (name, env) => {
    // In this process: a configuration error ends before anything a process would show.
    const listeners = process.listenerCount('SIGTERM');
    const r = await runMain(['schedule'], scheduleEnv('0 6 * * 1', env));
    expect(r.code).toBe(2);
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: ${name} `));
  });
});

describe('schedule: catch-up and the next run time', () => {
  it('catches up once at start when no complete snapshot is newer than the last tick', async () => {
    const child = schedule('0 6 * * 1');
    const started = await child.waitForLog(msg('scheduler started'), 30_000);
    expect(started.nextRun).toBe(
      nextScheduledTime('0 6 * * 1', 'Europe/Berlin', new Date(started.time as number))?.toISOString(),
    );
    await child.waitForLog(msg('scheduled audit done'), 30_000);
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(
      child.logged('catching up: no complete snapshot since the most recent scheduled time'),
    ).toHaveLength(1);
    expect(child.logged('audit started')).toHaveLength(1);
    const done = child.logged('scheduled audit done');
    expect(done).toHaveLength(1);
    expect(done[0]?.reason).toBe('catch-up');
    expect(child.logged('next audit scheduled')[0]?.nextRun).toBe(started.nextRun);
    const all = await snapshots();
    expect(all.map((s) => s.status)).toEqual(['complete']);
    // No MAIL_TO: said once, at start, as a warning.
    const warned = child.logged(
      `no email will be sent: MAIL_TO is not set; reports are in ${join(dir, 'reports')}`,
    );
    expect(warned.map((e) => e.level)).toEqual([40]);
  });

  it('does not catch up when a complete snapshot is newer than the most recent tick', async () => {
    const child = schedule('0 6 * * 1', { MAIL_TO: 'security@example.com' });
    const none = await child.waitForLog(msg('no catch-up needed'), 30_000);
    expect(new Date(none.lastComplete as string).getTime()).toBeGreaterThan(
      new Date(none.mostRecent as string).getTime(),
    );
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(child.logged('audit started')).toHaveLength(0);
    expect(await snapshots()).toHaveLength(1);
    const outbox = `SMTP_URL is not set: emails are written to ${join(dir, 'reports')}/outbox/ and not sent`;
    expect(child.logged(outbox).map((e) => e.level)).toEqual([40]);
  });
});

describe('schedule: a fast expression', () => {
  it('fires every two seconds, one audit at a time, each period once', async () => {
    const child = schedule('*/2 * * * * *');
    await child.waitForLog(msg('scheduler started'), 30_000);
    // Two audits started by ticks (not by the catch-up) have finished.
    const ticks = () => child.logged('scheduled audit done').filter((e) => e.reason === 'tick');
    await child.waitForLog(() => ticks().length >= 2, 30_000);
    expect(await child.stop()).toEqual({ code: 0, signal: null });

    // Never two at once: every 'audit started' is followed by its 'audit complete'
    // before the next one starts.
    const sequence = child
      .logs()
      .filter((e) => e.msg === 'audit started' || e.msg === 'audit complete')
      .map((e) => `${e.msg}:${e.snapshotId}`);
    for (let i = 0; i < sequence.length; i++) {
      expect(sequence[i]).toMatch(i % 2 === 0 ? /^audit started:/ : /^audit complete:/);
    }
    const periods = child.logged('scheduled audit done').map((e) => e.period as string);
    expect(new Set(periods).size).toBe(periods.length);
    for (const p of periods) expect(new Date(p).getUTCSeconds() % 2).toBe(0);

    const all = await snapshots();
    expect(all.length).toBeGreaterThanOrEqual(3); // the first test's, plus at least two ticks
    expect(all.every((s) => s.status === 'complete')).toBe(true);
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.takenAt.getTime()).toBeGreaterThan(all[i - 1]!.takenAt.getTime());
    }
  });
});
