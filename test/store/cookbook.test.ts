/**
 * Every SQL block of docs/cookbook.md runs against a three-snapshot history and gives
 * the answer the scripted pictures imply. The store fixtures' pictures, plus label-scoped
 * grants held unchanged from the first snapshot on (so they add no change rows) and the
 * workspace's name, for the questions about labels and names.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspacePicture } from '../../src/model/workspace.js';
import { importRoster } from '../../src/store/roster.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { COOKBOOK, cookbookQueries } from './cookbook.js';
import { picture1, picture2, picture3, ROLE, T1, T2, T3, WS } from './fixtures.js';
import { snapshot } from './helpers.js';

/**
 * carol (u3): Source Read-only on the workspace scoped to prod and team:web; bob (u2): the
 * same role scoped to staging; heidi (u5, from S2): the same role unscoped. `roleName` is
 * the role's name in that picture (picture3 renames it).
 */
function withScopes(p: WorkspacePicture, roleName: string): WorkspacePicture {
  const onWorkspace = (...labels: [key: string, value: string][]) => ({
    roleId: ROLE.srcRead.id,
    roleName,
    resources: [{ type: 'WORKSPACE', id: WS.id }],
    labels: labels.map(([key, value]) => ({ key, value })),
  });
  const extra: Record<string, ReturnType<typeof onWorkspace>> = {
    u2: onWorkspace(['environment', 'staging']),
    u3: onWorkspace(['team', 'web'], ['environment', 'prod']),
    u5: onWorkspace(),
  };
  return {
    ...p,
    users: p.users.map((u) => {
      const grant = extra[u.id];
      return grant ? { ...u, permissions: [...u.permissions, grant] } : u;
    }),
    resources: [{ type: 'WORKSPACE', id: WS.id, name: WS.name }],
  };
}

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
  await snapshot(t.handle.db, withScopes(picture1(), ROLE.srcRead.name), T1);
  // dave (u4, removed at T2) on the roster: active, then terminated with a last day of 5 June
  // (imported between the snapshots: history only moves forward).
  const dave = { email: 'Dave@acme.test', emailKey: 'dave@acme.test', aliases: [] };
  await importRoster(
    t.handle.db,
    [{ ...dave, status: 'active', endDate: null }],
    new Date('2026-06-01T07:00:00Z'),
  );
  await importRoster(t.handle.db, [{ ...dave, status: 'terminated', endDate: '2026-06-05' }], ROSTER_T);
  await snapshot(t.handle.db, withScopes(picture2(), ROLE.srcRead.name), T2);
  await snapshot(t.handle.db, withScopes(picture3(), 'Source Read Only'), T3, { staleInviteDays: 20 });
});
const ROSTER_T = new Date('2026-06-06T09:00:00Z');
afterAll(async () => {
  await t?.close();
});

const queries = cookbookQueries(readFileSync(COOKBOOK, 'utf8'));
const run = async (i: number) =>
  (await sql.raw(queries[i]!.sql).execute(t.handle.db)).rows as Record<string, unknown>[];

describe('the SQL cookbook', () => {
  it('has at least six questions, each with its query', () => {
    expect(queries.length).toBeGreaterThanOrEqual(6);
    expect(queries.map((q) => /^\d+\./.exec(q.question)?.[0])).toEqual(queries.map((_, i) => `${i + 1}.`));
  });

  it('1. who held Workspace Owner on 5 June', async () => {
    expect(await run(0)).toEqual([{ user_id: 'u1', email: 'alice@acme.test', via: 'direct' }]);
  });

  it('2. what alice had on 10 June', async () => {
    expect(await run(1)).toEqual([
      { role_name: 'Source Admin', resource_type: 'SOURCE', resource_id: 'src3', via: 'direct' },
      { role_name: 'Source Admin', resource_type: 'SOURCE', resource_id: 'src4', via: 'Engineers' },
      { role_name: 'Source Read-only', resource_type: 'SOURCE', resource_id: 'src1', via: 'Engineers' },
      { role_name: 'Source Read-only', resource_type: 'SOURCE', resource_id: 'src3', via: 'Engineers' },
      { role_name: 'Workspace Owner', resource_type: 'WORKSPACE', resource_id: 'ws1', via: 'direct' },
    ]);
  });

  it('3. changes of the last 30 days', async () => {
    const rows = await run(2);
    expect(rows).toHaveLength(16 + 4);
    expect(rows.filter((r) => (r.detected_at as Date).getTime() === T3.getTime()).map((r) => r.kind)).toEqual(
      ['invite_accepted', 'permission_revoked', 'user_added', 'user_changed'],
    );
    expect(new Set(rows.map((r) => r.kind)).size).toBe(12);
  });

  it('4. invites open more than 14 days', async () => {
    expect(await run(3)).toEqual([
      { email: 'grace@acme.test', group_id: null, first_seen: T1, days_pending: 21 },
    ]);
  });

  it('5. who joined and left Engineers', async () => {
    expect(await run(4)).toEqual([
      { user_id: 'u2', email: 'Bob@acme.test', joined: T1, left_at: null },
      { user_id: 'u3', email: 'carol@acme.test', joined: T1, left_at: T2 },
      { user_id: 'u1', email: 'alice@acme.test', joined: T2, left_at: null },
      { user_id: 'u5', email: 'heidi@acme.test', joined: T2, left_at: null },
      { user_id: 'u6', email: 'erin@acme.test', joined: T3, left_at: null },
    ]);
  });

  it('6. direct versus through groups', async () => {
    expect(await run(5)).toEqual([
      // The fixtures' four, and withScopes' three (held by users who already had one).
      { how: 'direct', grants: 4 + 3, users: 4 },
      { how: 'through groups', grants: 13, users: 4 },
    ]);
  });

  it('7. privileged grants ever held', async () => {
    expect(await run(6)).toEqual([
      {
        principal_type: 'group',
        principal_id: 'g2',
        role_name: 'Source Admin',
        resource_id: 'ws1',
        valid_from: T1,
        valid_to: T2,
      },
      {
        principal_type: 'user',
        principal_id: 'u1',
        role_name: 'Workspace Owner',
        resource_id: 'ws1',
        valid_from: T1,
        valid_to: T3,
      },
    ]);
  });

  it('8. what happened to each invite', async () => {
    const rows = await run(7);
    expect(rows.map((r) => [r.email, r.group_id, r.outcome])).toEqual([
      ['erin@acme.test', 'g1', 'accepted'],
      ['frank@acme.test', null, 'withdrawn'],
      ['grace@acme.test', null, 'open'],
      ['Heidi@Acme.test', null, 'accepted'],
      ['ivan@acme.test', null, 'open'],
      ['judy@acme.test', 'g1', 'open'],
    ]);
  });

  it('9. who can reach resources labelled environment:prod', async () => {
    // bob's staging scope and carol's Workspace Member are not listed.
    expect(await run(8)).toEqual([
      {
        email: 'carol@acme.test',
        role_name: 'Source Read Only',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: 'environment:prod,team:web',
        via: 'direct',
        reaches: 'resources with these labels',
      },
      {
        email: 'heidi@acme.test',
        role_name: 'Source Read Only',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: '',
        via: 'direct',
        reaches: 'every resource (no label scope)',
      },
    ]);
  });

  it('10. revocations decided but still open after 14 days', async () => {
    // carol's scoped Source Read-only is still held; her Workspace Member too, but that
    // revoke is 3 days old; a revoke of access she no longer holds is not open; heidi's
    // revoke was overturned by a later Keep.
    const decide = (
      userId: string,
      email: string,
      roleId: string,
      labels: string,
      decision: string,
      daysAgo: number,
    ) =>
      sql`INSERT INTO audit.review_decisions
            (snapshot_id, user_id, email, role_id, role_name, resource_type, resource_id, labels, via,
             privileged, decision, reason, reviewer, decided_at, file_sha256)
          VALUES (3, ${userId}, ${email}, ${roleId}, 'a role', 'WORKSPACE', 'ws1', ${labels}, 'direct', false,
                  ${decision}, 'because', 'reviewer@acme.test', now() - ${`${daysAgo} days`}::interval,
                  ${String(daysAgo).padStart(64, '0')})`.execute(t.handle.db);
    await decide('u3', 'carol@acme.test', ROLE.srcRead.id, 'environment:prod,team:web', 'revoke', 20);
    await decide('u3', 'carol@acme.test', ROLE.member.id, '', 'revoke', 3);
    await decide('u3', 'carol@acme.test', 'r-gone', '', 'revoke', 30);
    await decide('u5', 'heidi@acme.test', ROLE.srcRead.id, '', 'revoke', 25);
    await decide('u5', 'heidi@acme.test', ROLE.srcRead.id, '', 'keep', 24);
    const rows = await run(9);
    expect(rows.map((r) => [r.email, r.labels, r.days_open, r.reviewer])).toEqual([
      ['carol@acme.test', 'environment:prod,team:web', 20, 'reviewer@acme.test'],
    ]);
  });

  it('11. who granted Workspace Owner, and 12. what nobody can account for', async () => {
    const db = t.handle.db;
    const s3 = (await sql<{ id: number }>`SELECT max(id) AS id FROM audit.snapshots`.execute(db)).rows[0]?.id;
    await sql`
      INSERT INTO audit.audit_events (id, occurred_at, type, actor, actor_email, resource_id, resource_type,
                                      resource_name, first_fetched_snapshot_id)
      VALUES ('evt-owner', '2026-06-20T10:00:00Z', 'User Policy Updated', 'u1', 'alice@acme.test', 'u3',
              'user', 'carol@acme.test', ${s3})`.execute(db);
    await sql`
      INSERT INTO audit.changes (snapshot_id, detected_at, kind, subject_type, subject_id, subject_label,
                                 role_id, role_name, resource_type, resource_id, labels, detail, changed_by,
                                 event_id, attribution)
      VALUES (${s3}, ${T3}, 'permission_granted', 'user', 'u3', 'carol@acme.test', 'r-owner',
              'Workspace Owner', 'WORKSPACE', 'ws1', '', '{}', 'alice@acme.test', 'evt-owner', 'attributed')`.execute(
      db,
    );
    await sql`
      UPDATE audit.changes SET attribution = 'unexplained', attribution_flags = '{no-audit-event}',
             attribution_note = 'no audit event of the period names this change'
       WHERE kind = 'permission_granted' AND subject_id = 'u1' AND resource_id = 'src3'`.execute(db);
    await sql`
      UPDATE audit.changes SET attribution = 'ambiguous', attribution_note = '2 events of different actors fit'
       WHERE kind = 'permission_revoked' AND subject_id = 'u2'`.execute(db);
    expect(await run(10)).toEqual([
      {
        granted_to: 'carol@acme.test',
        granted_by: 'alice@acme.test',
        granted_at: new Date('2026-06-20T10:00:00Z'),
        detected_at: T3,
        flags: '',
      },
    ]);
    expect((await run(11)).map((r) => [r.kind, r.subject, r.resource_id, r.attribution])).toEqual([
      ['permission_granted', 'alice@acme.test', 'src3', 'unexplained'],
      ['permission_revoked', 'bob@acme.test', 'src2', 'ambiguous'],
    ]);
  });

  it('13. when dave was terminated and when his access ended', async () => {
    expect(await run(12)).toEqual([
      {
        email: 'Dave@acme.test',
        end_date: '2026-06-05',
        terminated_since: ROSTER_T,
        last_seen_with_access: T1,
        access_ended_at: T2,
      },
    ]);
  });
});
