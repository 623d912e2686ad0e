/**
 * Reconciliation end to end: runs against the simulated workspace with a roster
 * (ROSTER_FILE) and ALLOWED_EMAIL_DOMAINS, the report read back (Exceptions right after the
 * Summary, counts on the Summary, suggested decisions on the Access Review), the email's
 * headline, dormancy only once the trail is read, and a bad ROSTER_FILE refused before any
 * snapshot.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import { reconcile } from '../../src/pipeline/reconcile.js';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import { CONTRACTOR, LEAVER } from '../../src/simulator/index.js';
import { insertAuditEvents } from '../../src/store/audit-events.js';
import { loadReportData } from '../../src/store/index.js';
import { at, type Harness, readSheets, records, startHarness, summaryOf } from './helpers.js';

let h: Harness;
let domain: string;
let leaverEmail: string;
let rosterFile: string;
let first: RunResult;

beforeAll(async () => {
  // A workspace whose trail cannot be read (no Business plan): dormancy is not checked until
  // the last test marks a snapshot's trail read.
  h = await startHarness({ auditTrail: { enabled: false } });
  const truth = h.sim.truth();
  leaverEmail = truth.users.find((u) => u.name === LEAVER.name)!.email;
  domain = leaverEmail.split('@')[1]!;
  // A BambooHR export with its headers renamed (docs/roster.md), and a column to ignore.
  const lines = ['Employee #,email,status,end_date'];
  for (const u of truth.users) {
    if (u.email === CONTRACTOR.email) continue;
    // Upper case and a +tag on the roster side: matching ignores both.
    const listed = u.email === leaverEmail ? leaverEmail.toUpperCase() : u.email.replace('@', '+hr@');
    lines.push(u.email === leaverEmail ? `7,${listed},Inactive,2026-02-20` : `8,${listed},Active,`);
  }
  rosterFile = join(h.dir, 'roster.csv');
  await writeFile(rosterFile, `\uFEFF${lines.join('\r\n')}\r\n`);
});
afterAll(async () => {
  await h?.close();
});

const snapshotCount = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit.snapshots`.execute(h.db.handle.db)).rows[0]
    ?.n;

describe('reconciliation in a run', () => {
  it('a bad ROSTER_FILE fails the run before any snapshot, naming the variable (exit 2)', async () => {
    const bad = join(h.dir, 'bad.csv');
    await writeFile(bad, 'mail,status\na@x.com,active\n');
    const error = await h.run(at(0), { rosterFile: bad }).catch((e: unknown) => e);
    expect(isAuditError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^ROSTER_FILE \(.*bad\.csv\) has no "email" column/);
    expect(await snapshotCount()).toBe(0);
  });

  it('puts Exceptions right after the Summary, privileged first, the leaver at the top', async () => {
    first = await h.run(at(0), { rosterFile, allowedEmailDomains: [domain] });
    const wb = await readSheets(first.reportPath);
    expect(wb.names.slice(0, 2)).toEqual(['Summary', 'Exceptions']);
    const rows = records(wb.rows.get('Exceptions'));
    expect(rows[0]).toMatchObject({
      Exception: 'terminated',
      Privileged: 'yes',
      Email: leaverEmail,
      Name: LEAVER.name,
      Days: 10,
      Detail: 'terminated on the roster, end date 2026-02-20',
    });
    expect(String(rows[0]?.['Access held'])).toContain('Workspace Owner on WORKSPACE ');
    const contractor = rows.filter((r) => r.Email === CONTRACTOR.email).map((r) => r.Exception);
    expect(contractor).toEqual(['not-in-roster', 'outside-domain']);
    // Privileged first throughout.
    const flags = rows.map((r) => r.Privileged === 'yes');
    expect(flags).toEqual([...flags].sort((a, b) => Number(b) - Number(a)));
    const outside = h.sim.truth().users.filter((u) => !u.email.endsWith(`@${domain}`)).length;
    const summary = summaryOf(wb.rows.get('Summary'));
    expect(summary.get('Terminated, still holding access')).toBe(1);
    expect(summary.get('Not in the roster')).toBe(1);
    expect(rows.filter((r) => r.Exception === 'outside-domain' && r.Account === 'user')).toHaveLength(
      outside,
    );
    expect(summary.get('Dormant')).toBe('not checked: the audit trail was not read for this snapshot');
  });

  it('pre-fills a suggested decision apart from the empty Decision', async () => {
    const wb = await readSheets(first.reportPath);
    const review = records(wb.rows.get('Access Review'));
    const leaver = review.filter((r) => r.Email === leaverEmail);
    expect(leaver.length).toBeGreaterThan(0);
    for (const r of leaver)
      expect(r).toMatchObject({ 'Suggested decision': 'Revoke (terminated)', Decision: null });
    expect(review.find((r) => r.Email === CONTRACTOR.email)?.['Suggested decision']).toBe(
      'Check (not-in-roster, outside-domain)',
    );
    expect(review.filter((r) => r['Suggested decision'] === null).length).toBeGreaterThan(0);
  });

  it('names the leaver first in the email, with each count', async () => {
    expect(first.email.status).toBe('outbox');
    const eml = await readFile((first.email as { path: string }).path, 'utf8');
    const text = eml.replace(/=\r?\n/g, '');
    expect(text).toMatch(/Subject: .*exceptions?/i);
    const alert = text.indexOf(`!! ${leaverEmail} is terminated (end date 2026-02-20, 10 days ago)`);
    expect(alert).toBeGreaterThan(0);
    expect(alert).toBeLessThan(
      text.indexOf('compared with') === -1 ? text.indexOf('Baseline') : text.indexOf('compared with'),
    );
    expect(text).toMatch(/Not in the roster: +1/);
    expect(text).toContain(`not-in-roster: ${CONTRACTOR.email}`);
  });

  it('finds the dormant only once the trail is read, never a user younger than DORMANT_DAYS', async () => {
    const second = await h.run(at(100), { rosterFile, allowedEmailDomains: [domain], dormantDays: 90 });
    const db = h.db.handle.db;
    const input = { snapshotId: second.snapshotId, timezone: 'UTC', toolVersion: 't', generatedAt: at(100) };
    const unread = await reconcile(db, await loadReportData(db, input));
    expect(unread.exceptions?.filter((e) => e.kind === 'dormant')).toEqual([]);
    expect(unread.summary.reconciliation?.dormantDays).toBeNull();

    const active = h.sim.truth().users[0]!;
    await insertAuditEvents(db, second.snapshotId, [
      {
        id: 'ev-1',
        occurredAt: at(95),
        type: 'Source Modified',
        actor: active.id,
        actorEmail: active.email.toUpperCase(),
        resourceId: 'src',
        resourceType: 'SOURCE',
        resourceName: 'web',
      },
    ]);
    await sql`UPDATE audit.snapshots SET trail_status = 'read', trail_error = NULL, trail_events = 1 WHERE id = ${second.snapshotId}`.execute(
      db,
    );
    const read = await reconcile(db, await loadReportData(db, input));
    const dormant = (read.exceptions ?? []).filter((e) => e.kind === 'dormant').map((e) => e.email);
    expect(dormant).toContain(leaverEmail);
    expect(dormant).not.toContain(active.email);
    expect(dormant).toHaveLength(h.sim.truth().users.length - 1);
    expect(read.summary.reconciliation?.counts.dormant).toBe(dormant.length);
  });
});
