/**
 * No owed report or email can block the next audit. Before, a run first redid what
 * earlier runs owed, and any failure there (issue 12: a 200 MB workspace name, stored,
 * made every later run fail while building the owed email) stopped the run before it
 * crawled: audits stayed off until someone edited the database. Here the owed snapshot's
 * report cannot be written (a directory stands where its file goes): every run still
 * audits, exits 3 naming the owed snapshot, and once the obstacle is gone the next run
 * delivers the owed report and email, once.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/mail/index.js';
import { undeliveredError } from '../../src/pipeline/undelivered.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import {
  audit,
  DAY,
  type MailCatcher,
  runEnv,
  snapshotRows,
  startMailCatcher,
  startWorkspace,
  type Workspace,
} from './helpers.js';

let t: TestDatabase;
let ws: Workspace;
let mail: MailCatcher;
let dir: string;
const BASE = Date.UTC(2026, 8, 7, 6);

beforeAll(async () => {
  [t, ws, mail] = await Promise.all([
    openTestDatabase(),
    startWorkspace({ seed: 23, users: 9, groups: 2, invites: 2 }),
    startMailCatcher(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'access-audit-owed-'));
});

afterAll(async () => {
  await Promise.all([t?.close(), ws?.sim.close(), mail?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('owed work never blocks the next audit', () => {
  it('audits through a failing owed report, exit 3 naming it, and delivers it once it can', {
    timeout: 120_000,
  }, async () => {
    const reportsDir = join(dir, 'reports');
    const env = (day: number) =>
      runEnv(t, ws.sim, { reportsDir, smtpPort: mail.port, auditNow: new Date(BASE + day * DAY) });
    // The first snapshot of this fresh database is 1: put a directory where its report goes.
    const obstacle = join(reportsDir, 'access-audit-2026-09-07-s1.xlsx');
    await mkdir(obstacle, { recursive: true });
    await writeFile(join(obstacle, 'keep'), 'x');

    const first = await audit(t.handle, env(0));
    expect(first).toBeInstanceOf(Error); // its report failed: snapshot 1 is stored, its report owed
    expect((await snapshotRows(t.handle.db)).map((s) => [s.id, s.status])).toEqual([[1, 'complete']]);

    // Every later run audits regardless (before: each failed here, before crawling).
    for (const day of [1, 2]) {
      const r = await audit(t.handle, env(day));
      if (r instanceof Error) throw r;
      expect(r.recovered).toEqual([
        {
          snapshotId: 1,
          report: false,
          email: { status: 'failed', error: expect.objectContaining({ code: 'MAIL_UNDELIVERED' }) },
        },
      ]);
      expect(r.email.status).toBe('sent');
      const verdict = undeliveredError(r);
      expect(verdict?.exitStatus).toBe(3);
      expect(verdict?.message).toMatch(
        new RegExp(
          `^the audit completed \\(snapshot ${r.snapshotId}\\) but the email of snapshot 1 was not delivered: the owed report or email could not be produced: could not write the report access-audit-2026-09-07-s1\\.xlsx`,
        ),
      );
    }
    expect((await snapshotRows(t.handle.db)).map((s) => s.status)).toEqual([
      'complete',
      'complete',
      'complete',
    ]);

    // The obstacle goes: the next run writes and sends the owed report, then its own.
    await rm(obstacle, { recursive: true });
    const r = await audit(t.handle, env(3));
    if (r instanceof Error) throw r;
    expect(r.recovered).toEqual([
      expect.objectContaining({
        snapshotId: 1,
        report: true,
        email: expect.objectContaining({ status: 'sent' }),
      }),
    ]);
    expect(undeliveredError(r)).toBeNull();
    expect((await stat(obstacle)).isFile()).toBe(true);
    const workspaceId = ws.sim.truth().workspace.id;
    const counts = mail.countsById();
    for (const id of [1, 2, 3, 4])
      expect(counts.get(messageIdFor(workspaceId, id)), `snapshot ${id}`).toBe(1);
  });
});
