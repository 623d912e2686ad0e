/**
 * The snapshot write over three scripted pictures: the baseline records nothing, every
 * change kind appears exactly where expected and nothing else does, history answers
 * point-in-time questions, invites keep first/last seen and their outcome.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import {
  beginSnapshot,
  failSnapshot,
  lastCompleteSnapshot,
  listSnapshots,
  markAbandoned,
} from '../../src/store/snapshots.js';
import { completeSnapshot } from '../../src/store/write.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { EXPECTED_S2, EXPECTED_S3, picture1, picture2, picture3, T1, T2, T3, T4 } from './fixtures.js';
import { dumpHistory, snapshot } from './helpers.js';

let t: TestDatabase;
const db = () => t.handle.db;

beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

async function changesOf(snapshotId: number) {
  const rows = await db()
    .selectFrom('audit.changes')
    .select(['kind', 'subject_type', 'subject_id', 'role_name', 'resource_id', 'group_id'])
    .where('snapshot_id', '=', snapshotId)
    .execute();
  return rows
    .map((r) =>
      [r.kind, r.subject_id, r.role_name, r.resource_id, r.group_id].filter((x) => x !== null).join(' | '),
    )
    .sort();
}

/** Who held role R on resource X at instant T, from history alone. */
async function holders(roleName: string, resourceId: string, at: Date): Promise<string[]> {
  const r = await sql<{ user_id: string; via: string }>`
    SELECT user_id, via FROM audit.effective_access_at(${at}::timestamptz)
     WHERE role_name = ${roleName} AND resource_id = ${resourceId} ORDER BY user_id, via`.execute(db());
  return r.rows.map((x) => `${x.user_id}/${x.via}`);
}

describe('a snapshot sequence', () => {
  let s1: number;
  let s2: number;
  let s3: number;

  it('records the baseline without changes', async () => {
    const r = await snapshot(db(), picture1(), T1);
    s1 = r.snapshotId;
    expect(r.baseline).toBe(true);
    expect(Object.values(r.changes).every((n) => n === 0)).toBe(true);
    expect(r.counts).toEqual({ users: 4, groups: 2, memberships: 4, grants: 7, invites: 4, resources: 0 });
    const n = await db()
      .selectFrom('audit.changes')
      .select(db().fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(Number(n?.n)).toBe(0);
    const last = await lastCompleteSnapshot(db());
    expect(last).toMatchObject({ id: s1, status: 'complete', userCount: 4, inviteCount: 4, groupCount: 2 });
  });

  it('produces every change kind, exactly the expected rows', async () => {
    const r = await snapshot(db(), picture2(), T2);
    s2 = r.snapshotId;
    expect(r.baseline).toBe(false);
    expect(r.changes).toEqual(EXPECTED_S2);
    expect(await changesOf(s2)).toEqual(
      [
        'user_added | u5',
        'user_removed | u4',
        'user_changed | u3',
        'permission_granted | u1 | Source Admin | src3',
        'permission_granted | g1 | Source Admin | src4 | g1',
        'permission_revoked | u2 | Source Admin | src2',
        'membership_added | u1 | g1',
        'membership_added | u2 | g3',
        'membership_removed | u3 | g1',
        'membership_removed | u1 | g2',
        'group_created | g3 | g3',
        'group_deleted | g2 | g2',
        'invite_created | ivan@acme.test',
        'invite_created | judy@acme.test | g1',
        'invite_accepted | Heidi@Acme.test',
        'invite_withdrawn | frank@acme.test',
      ].sort(),
    );
  });

  it('lists the access a new or removed user holds in the one row', async () => {
    const rows = await db()
      .selectFrom('audit.changes')
      .select(['kind', 'subject_label', 'detail', 'detected_at'])
      .where('snapshot_id', '=', s2)
      .where('kind', 'in', ['user_added', 'user_removed', 'user_changed', 'group_created', 'group_deleted'])
      .orderBy('kind')
      .execute();
    const byKind = Object.fromEntries(rows.map((r) => [r.kind, r]));
    expect(byKind.user_added?.detected_at).toEqual(T2);
    expect(byKind.user_added?.detail).toMatchObject({
      email: 'heidi@acme.test',
      grants: [{ role_name: 'Source Read-only', resource_type: 'SOURCE', resource_id: 'src2' }],
      groups: [{ group_id: 'g1', group_name: 'Engineers' }],
    });
    expect(byKind.user_removed?.detail).toMatchObject({
      email: 'dave@acme.test',
      groups: [{ group_id: 'g2' }],
    });
    expect(byKind.user_changed?.detail).toEqual({
      before: { email: 'carol@acme.test', name: 'Carol King' },
      after: { email: 'carol@acme.test', name: 'Carol Smith' },
    });
    expect(byKind.group_created?.detail).toMatchObject({ name: 'Analysts', members: 1 });
    expect(byKind.group_deleted?.detail).toMatchObject({
      name: 'Ops',
      grants: [{ role_name: 'Source Admin', resource_type: 'WORKSPACE' }],
    });
  });

  it('treats a role rename as no change and an email case change as user_changed', async () => {
    const r = await snapshot(db(), picture3(), T3, { staleInviteDays: 20 });
    s3 = r.snapshotId;
    const expected = Object.fromEntries(Object.keys(EXPECTED_S2).map((k) => [k, 0]));
    expect(r.changes).toEqual({ ...expected, ...EXPECTED_S3 });
    expect(await changesOf(s3)).toEqual(
      [
        'user_added | u6',
        'user_changed | u2',
        'permission_revoked | u1 | Workspace Owner | ws1',
        'invite_accepted | erin@acme.test | g1',
      ].sort(),
    );
    // The renamed role's grants were versioned: closed under the old name, opened under the new.
    const versions = await db()
      .selectFrom('audit.grant_history')
      .select(['role_name', 'valid_from', 'valid_to'])
      .where('principal_id', '=', 'u5')
      .orderBy('id')
      .execute();
    expect(versions).toEqual([
      { role_name: 'Source Read-only', valid_from: T2, valid_to: T3 },
      { role_name: 'Source Read Only', valid_from: T3, valid_to: null },
    ]);
  });

  it('records nothing for an unchanged workspace', async () => {
    const before = await dumpHistory(db());
    const r = await snapshot(db(), picture3(), T4, { staleInviteDays: 20 });
    expect(Object.values(r.changes).every((n) => n === 0)).toBe(true);
    const after = await dumpHistory(db());
    // Only the open invites' last_seen moved on.
    expect({ ...after, invites: [], complete: [] }).toEqual({ ...before, invites: [], complete: [] });
  });

  it('answers who held a role on a resource at any instant', async () => {
    const between = new Date('2026-06-05T00:00:00Z');
    expect(await holders('Workspace Owner', 'ws1', T1)).toEqual(['u1/direct']);
    expect(await holders('Workspace Owner', 'ws1', between)).toEqual(['u1/direct']);
    expect(await holders('Workspace Owner', 'ws1', T2)).toEqual(['u1/direct']);
    expect(await holders('Workspace Owner', 'ws1', T3)).toEqual([]);
    expect(await holders('Source Admin', 'ws1', T1)).toEqual(['u1/Ops', 'u4/Ops']);
    expect(await holders('Source Admin', 'ws1', T2)).toEqual([]);
    expect(await holders('Source Admin', 'src4', T2)).toEqual([
      'u1/Engineers',
      'u2/Engineers',
      'u5/Engineers',
    ]);
    expect(await holders('Source Admin', 'src4', T3)).toEqual([
      'u1/Engineers',
      'u2/Engineers',
      'u5/Engineers',
      'u6/Engineers',
    ]);
    expect(await holders('Source Admin', 'src4', T1)).toEqual([]);
    expect(await holders('Source Admin', 'src2', T1)).toEqual(['u2/direct']);
    expect(await holders('Source Admin', 'src2', T2)).toEqual([]);
    // Before the first snapshot nothing is known.
    expect(await holders('Workspace Owner', 'ws1', new Date('2026-05-01T00:00:00Z'))).toEqual([]);
  });

  it('keeps invite history: first seen, last seen, closed at, outcome', async () => {
    const rows = await db()
      .selectFrom('audit.invite_history')
      .select(['email', 'group_id', 'first_seen', 'last_seen', 'closed_at', 'outcome', 'accepted_user_id'])
      .orderBy('email')
      .orderBy('group_id')
      .execute();
    expect(rows).toEqual([
      {
        email: 'Heidi@Acme.test',
        group_id: null,
        first_seen: T1,
        last_seen: T1,
        closed_at: T2,
        outcome: 'accepted',
        accepted_user_id: 'u5',
      },
      {
        email: 'erin@acme.test',
        group_id: 'g1',
        first_seen: T1,
        last_seen: T2,
        closed_at: T3,
        outcome: 'accepted',
        accepted_user_id: 'u6',
      },
      {
        email: 'frank@acme.test',
        group_id: null,
        first_seen: T1,
        last_seen: T1,
        closed_at: T2,
        outcome: 'withdrawn',
        accepted_user_id: null,
      },
      {
        email: 'grace@acme.test',
        group_id: null,
        first_seen: T1,
        last_seen: T4,
        closed_at: null,
        outcome: null,
        accepted_user_id: null,
      },
      {
        email: 'ivan@acme.test',
        group_id: null,
        first_seen: T2,
        last_seen: T4,
        closed_at: null,
        outcome: null,
        accepted_user_id: null,
      },
      {
        email: 'judy@acme.test',
        group_id: 'g1',
        first_seen: T2,
        last_seen: T4,
        closed_at: null,
        outcome: null,
        accepted_user_id: null,
      },
    ]);
  });

  it('lists stale invites with the threshold stored with the latest snapshot', async () => {
    // T4 = 28 days after T1 and 21 after T2; the T4 snapshot's threshold is 20 days.
    const stale = await sql`SELECT email, group_id, first_seen, days_pending FROM audit.stale_invites
                             ORDER BY email`.execute(db());
    expect(stale.rows).toEqual([
      { email: 'grace@acme.test', group_id: null, first_seen: T1, days_pending: 28 },
      { email: 'ivan@acme.test', group_id: null, first_seen: T2, days_pending: 21 },
      { email: 'judy@acme.test', group_id: 'g1', first_seen: T2, days_pending: 21 },
    ]);
  });

  it('shows current effective access, direct and through groups', async () => {
    const r = await sql<{
      user_id: string;
      role_name: string;
      resource_id: string;
      via: string;
      privileged: boolean;
    }>`
      SELECT user_id, role_name, resource_id, via, privileged FROM audit.effective_access
       WHERE user_id IN ('u1', 'u3') ORDER BY user_id, role_name, resource_id, via`.execute(db());
    expect(r.rows).toEqual([
      { user_id: 'u1', role_name: 'Source Admin', resource_id: 'src3', via: 'direct', privileged: false },
      { user_id: 'u1', role_name: 'Source Admin', resource_id: 'src4', via: 'Engineers', privileged: false },
      {
        user_id: 'u1',
        role_name: 'Source Read Only',
        resource_id: 'src1',
        via: 'Engineers',
        privileged: false,
      },
      {
        user_id: 'u1',
        role_name: 'Source Read Only',
        resource_id: 'src3',
        via: 'Engineers',
        privileged: false,
      },
      { user_id: 'u3', role_name: 'Workspace Member', resource_id: 'ws1', via: 'direct', privileged: false },
    ]);
    const owner = await sql<{ privileged: boolean }>`
      SELECT privileged FROM audit.effective_access_at(${T1}::timestamptz) WHERE role_name = 'Workspace Owner'`.execute(
      db(),
    );
    expect(owner.rows).toEqual([{ privileged: true }]);
  });

  it('refuses a time not later than the last complete snapshot (CLOCK_NOT_AFTER_LAST)', async () => {
    for (const at of [T4, T2]) {
      const error = await beginSnapshot(db(), { takenAt: at, staleInviteDays: 14, apiUrl: 'x' }).catch(
        (e) => e,
      );
      expect(isAuditError(error, 'CLOCK_NOT_AFTER_LAST')).toBe(true);
      expect(error.exitStatus).toBe(2);
    }
    const list = await listSnapshots(db());
    expect(list.every((s) => s.status === 'complete')).toBe(true);
  });

  it('a failed snapshot changes no history and never becomes a baseline', async () => {
    const before = await dumpHistory(db());
    const at = new Date('2026-07-06T06:00:00Z');
    const id = await beginSnapshot(db(), { takenAt: at, staleInviteDays: 14, apiUrl: 'x' });
    const error = await completeSnapshot(db(), id, picture1(), {
      onStep: (step) => {
        if (step === 'history') throw new Error('the crawl was incomplete');
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    await failSnapshot(db(), id, 'the crawl was incomplete');
    expect(await dumpHistory(db())).toEqual(before);
    const list = await listSnapshots(db());
    expect(list.at(-1)).toMatchObject({ id, status: 'failed', error: 'the crawl was incomplete' });
    expect((await lastCompleteSnapshot(db()))?.takenAt).toEqual(T4);
    // A later run diffs against T4's picture (picture3), not against the failed one.
    const next = await snapshot(db(), picture3(), new Date('2026-07-07T06:00:00Z'));
    expect(Object.values(next.changes).every((n) => n === 0)).toBe(true);
  });

  it('marks a snapshot left running as abandoned', async () => {
    const at = new Date('2026-07-08T06:00:00Z');
    const id = await beginSnapshot(db(), { takenAt: at, staleInviteDays: 14, apiUrl: 'x' });
    expect(await markAbandoned(db(), new Date('2026-07-08T07:00:00Z'))).toEqual([id]);
    const list = await listSnapshots(db());
    expect(list.find((s) => s.id === id)).toMatchObject({ status: 'abandoned' });
    const again = await completeSnapshot(db(), id, picture1()).catch((e) => e);
    expect(isAuditError(again)).toBe(true);
    expect(await markAbandoned(db(), at)).toEqual([]);
  });
});
