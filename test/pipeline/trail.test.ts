/**
 * "Who changed it" end to end: the simulated workspace keeps an audit trail, writes made as
 * different actors (a person, the person themselves, an API token) put events in it, and
 * runs of `runAudit` over real HTTP keep the events and put the changes down to them.
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSnapshotTable } from '../../src/commands/snapshots.js';
import { crawlWorkspace } from '../../src/crawl/index.js';
import type { WorkspaceUser } from '../../src/model/workspace.js';
import { readTrailForRun, trailWriter } from '../../src/pipeline/trail.js';
import { beginSnapshot, completeSnapshot, listSnapshots } from '../../src/store/index.js';
import { at, type Harness, readSheets, records, silent, startHarness, summaryOf } from './helpers.js';

let h: Harness;
let users: WorkspaceUser[];
let ownerRole: string;
let workspaceId: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await startHarness();
  const t = h.sim.truth();
  users = t.users;
  ownerRole = t.roles.find((r) => r.name === 'Workspace Owner')?.id ?? '';
  workspaceId = t.workspace.id;
});
afterAll(async () => {
  await h?.close();
});

interface Attributed {
  kind: string;
  subject_id: string;
  changed_by: string | null;
  event_id: string | null;
  attribution_flags: string[];
  attribution_note: string | null;
}

async function attributions(snapshotId: number): Promise<Attributed[]> {
  const r = await sql<Attributed>`
    SELECT kind, subject_id, changed_by, event_id, attribution_flags, attribution_note
      FROM audit.changes WHERE snapshot_id = ${snapshotId} ORDER BY kind, subject_id`.execute(h.db.handle.db);
  return r.rows;
}

const owner = () => [{ roleId: ownerRole, resources: [{ id: workspaceId, type: 'WORKSPACE' }] }];
const eventCount = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM audit.audit_events`.execute(h.db.handle.db)).rows[0]
      ?.n,
  );

describe('who changed it', () => {
  let second: number;
  let secondReport: string;
  let secondEmail: string;
  const [ben, carl, dave, erin, fay, gus] = [0, 1, 2, 3, 4, 5] as const;

  it('puts each change down to the event that explains it, and flags what it must', async () => {
    await h.run(at(0));
    const u = (i: number) => users[i] as WorkspaceUser;
    const admin = h.admin;
    // Inside the coming period: a person grants, a person grants themselves, a token grants.
    await admin.setAuditTrail({ now: new Date(at(1).getTime()) });
    await admin.as({ userId: u(ben).id }).addUserPermissions(u(fay).id, owner());
    await admin.as({ userId: u(carl).id }).addUserPermissions(u(carl).id, owner());
    await admin.as({ tokenId: 'tok_ci_pipeline' }).addUserPermissions(u(dave).id, owner());
    // Two actors for one change: not guessed.
    await admin.as({ userId: u(ben).id }).addUserPermissions(u(erin).id, owner());
    await admin.as({ tokenId: 'tok_other' }).addUserPermissions(u(erin).id, owner());
    // A change whose only event lies before the period: nothing in the period explains it.
    await admin.setAuditTrail({ now: new Date(at(0).getTime() - 10 * HOUR) });
    await admin.as({ userId: u(ben).id }).addUserPermissions(u(gus).id, owner());
    // Kept once across overlapping runs: this one is read by the next two runs.
    await admin.setAuditTrail({ now: new Date(at(7).getTime() - HOUR / 2) });
    await admin.as({ userId: u(ben).id }).createInvites([{ email: 'late@example.org' }]);

    const r = await h.run(at(7));
    second = r.snapshotId;
    secondReport = r.reportPath;
    secondEmail = r.email.status === 'outbox' ? r.email.path : '';
    expect(r.trail).toMatchObject({ status: 'read' });
    const rows = await attributions(second);
    const grant = (i: number) =>
      rows.find((x) => x.kind === 'permission_granted' && x.subject_id === u(i).id);
    expect(grant(fay)).toMatchObject({ changed_by: u(ben).email, attribution_flags: [] });
    expect(grant(carl)).toMatchObject({ changed_by: u(carl).email, attribution_flags: ['self-granted'] });
    expect(grant(dave)).toMatchObject({ changed_by: 'tok_ci_pipeline', attribution_flags: ['by-token'] });
    expect(grant(erin)).toMatchObject({ changed_by: null, event_id: null, attribution_flags: [] });
    expect(grant(erin)?.attribution_note).toMatch(/different actors/);
    expect(grant(gus)).toMatchObject({ changed_by: null, attribution_flags: ['no-audit-event'] });
    expect(rows.find((x) => x.kind === 'invite_created')).toMatchObject({ changed_by: u(ben).email });
    const kept = await eventCount();
    // The window starts an hour before the baseline: gus's events predate it.
    const start = at(0).getTime() - HOUR;
    expect(kept).toBe(h.sim.auditEvents().filter((e) => Date.parse(e.timestamp) > start).length);

    const third = await h.run(at(14));
    expect(third.trail).toMatchObject({ status: 'read', events: 1 });
    expect(await eventCount()).toBe(kept);
    const first = await sql<{ s: number }>`
      SELECT first_fetched_snapshot_id AS s FROM audit.audit_events WHERE resource_id = 'late@example.org'`.execute(
      h.db.handle.db,
    );
    expect(first.rows).toEqual([{ s: second }]);
    // Invite ages: the trail's "Invite Created" dates the invite, before the audit first saw it.
    const ages = await sql<{ email: string; pending_since: Date; pending_since_source: string }>`
      SELECT email, pending_since, pending_since_source FROM audit.open_invites ORDER BY email`.execute(
      h.db.handle.db,
    );
    const late = ages.rows.find((x) => x.email === 'late@example.org');
    expect(late).toMatchObject({ pending_since_source: 'audit event' });
    expect(late?.pending_since.getTime()).toBe(at(7).getTime() - HOUR / 2);
    const seeded = ages.rows.find((x) => x.email !== 'late@example.org');
    expect(seeded).toMatchObject({ pending_since_source: 'first seen', pending_since: at(0) });
  });

  it('shows the author and the flags in the report', async () => {
    const { rows } = await readSheets(secondReport);
    const changes = records(rows.get('Permission Changes'));
    const self = changes.find((c) => c.Email === users[carl]?.email && c['Changed by'] !== null);
    expect(self?.Flags).toBe('self-granted');
    const tokenGrant = changes.find((c) => c.Email === users[dave]?.email && c['Changed by'] !== null);
    expect(tokenGrant).toMatchObject({ 'Changed by': 'tok_ci_pipeline', Flags: 'by-token' });
    const unexplained = changes.find((c) => c.Email === users[gus]?.email && c.Via === 'direct');
    expect(unexplained?.Flags).toBe('no-audit-event');
    const ambiguous = changes.find((c) => c.Email === users[erin]?.email && c.Via === 'direct');
    expect(ambiguous?.['Changed by']).toMatch(/^unattributed: .*different actors/);
    const summary = summaryOf(rows.get('Summary'));
    expect(summary.get('Audit trail')).toMatch(/^read: \d+ events/);
    expect(summary.get('Changes attributed')).toBeGreaterThanOrEqual(4);
    expect(summary.get('of which ambiguous (not guessed)')).toBe(1);
    expect(summary.get('Flag self-granted')).toBe(1);
    expect(summary.get('Flag by-token')).toBe(1);
    expect(summary.get('Flag no-audit-event')).toBe(1);
    const email = (await simpleParser(await readFile(secondEmail))).text ?? '';
    expect(email).toContain(`self-granted: ${users[carl]?.email} gained Workspace Owner`);
    expect(email).toContain(`privileged grant by a token: ${users[dave]?.email} gained Workspace Owner`);
  });

  it('completes without the trail, says why, and flags nothing as unexplained', async () => {
    await h.admin.setAuditTrail({ enabled: false, now: new Date(at(20).getTime()) });
    await h.admin.as({ userId: users[ben]?.id ?? '' }).deleteInvites(['late@example.org']);
    const r = await h.run(at(21));
    expect(r.trail).toMatchObject({ status: 'unavailable' });
    const snap = await sql<{ trail_status: string; trail_error: string }>`
      SELECT trail_status, trail_error FROM audit.snapshots WHERE id = ${r.snapshotId}`.execute(
      h.db.handle.db,
    );
    expect(snap.rows[0]?.trail_status).toBe('unavailable');
    expect(snap.rows[0]?.trail_error).toMatch(/403.*Business plan/);
    const rows = await attributions(r.snapshotId);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.attribution_flags).toEqual([]);
      expect(row.changed_by).toBeNull();
    }
    const table = formatSnapshotTable(await listSnapshots(h.db.handle.db), 'UTC');
    expect(table).toMatch(new RegExp(`\\n\\s*${r.snapshotId}\\s.*complete.*audit trail unavailable: `));
    const summary = summaryOf((await readSheets(r.reportPath)).rows.get('Summary'));
    expect(summary.get('Audit trail')).toMatch(/^audit trail unavailable: .*403/);
    expect(summary.get('Flag no-audit-event')).toBe(0);
    if (r.email.status !== 'outbox') throw new Error('expected the outbox');
    expect((await simpleParser(await readFile(r.email.path))).text).toMatch(/audit trail unavailable: /);
    await h.admin.setAuditTrail({ enabled: true });
  });

  it('leaves no event behind when the snapshot fails', async () => {
    await h.admin.setAuditTrail({ now: new Date(at(22).getTime()) });
    await h.admin.as({ userId: users[ben]?.id ?? '' }).createInvites([{ email: 'never@example.org' }]);
    const before = await eventCount();
    const config = h.config(at(23));
    const token = config.segmentApiToken;
    if (!token) throw new Error('no token');
    const deps = { logger: silent };
    const read = await readTrailForRun(h.db.handle, config, deps, token, at(23));
    expect(read.status).toBe('read');
    const id = await beginSnapshot(h.db.handle.db, {
      takenAt: at(23),
      staleInviteDays: 30,
      apiUrl: h.sim.url,
    });
    const picture = await crawlWorkspace({ apiUrl: h.sim.url, token, logger: silent });
    await expect(
      completeSnapshot(h.db.handle.db, id, picture, {
        alsoWrite: trailWriter(read).write,
        onStep: (s) => {
          if (s === 'finish') throw new Error('crash at finish');
        },
      }),
    ).rejects.toThrow(/crash at finish/);
    expect(await eventCount()).toBe(before);
  });
});
