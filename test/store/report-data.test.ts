/**
 * ReportData from history for any pair of complete snapshots, and the report / delivery
 * bookkeeping the report and mail stages rely on.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import type { AccessRow, ReportData } from '../../src/model/report-data.js';
import {
  deliveryFor,
  markDelivered,
  markDeliverySkipped,
  recordDeliveryAttempt,
  recordDeliveryFailure,
  snapshotsNeedingReportOrMail,
} from '../../src/store/deliveries.js';
import { loadReportData } from '../../src/store/report-data.js';
import { getReport, listReports, recordReport } from '../../src/store/reports.js';
import { beginSnapshot, failSnapshot } from '../../src/store/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { picture1, picture2, picture3, T1, T2, T3 } from './fixtures.js';
import { snapshot } from './helpers.js';

let t: TestDatabase;
const ids: number[] = [];
const db = () => t.handle.db;
const load = (snapshotId: number, againstId?: number | null) =>
  loadReportData(db(), {
    snapshotId,
    againstId,
    timezone: 'Europe/Berlin',
    toolVersion: '9.9.9',
    generatedAt: new Date('2026-07-01T00:00:00Z'),
    accessPageUsers: 2,
  });

async function collect(data: ReportData): Promise<AccessRow[]> {
  const out: AccessRow[] = [];
  for await (const page of data.accessReview()) out.push(...page);
  return out;
}

const perm = (r: ReportData['permissionChanges'][number]) =>
  `${r.change} ${r.userId} ${r.roleName} ${r.resourceType}:${r.resourceId} via ${r.via} (${r.cause})${r.privileged ? ' !' : ''}`;

beforeAll(async () => {
  t = await openTestDatabase();
  ids.push((await snapshot(db(), picture1(), T1)).snapshotId);
  ids.push((await snapshot(db(), picture2(), T2)).snapshotId);
  const failed = await beginSnapshot(db(), {
    takenAt: new Date('2026-06-10T00:00:00Z'),
    staleInviteDays: 14,
    apiUrl: 'x',
  });
  await failSnapshot(db(), failed, 'boom');
  ids.push((await snapshot(db(), picture3(), T3, { staleInviteDays: 20 })).snapshotId);
});
afterAll(async () => {
  await t?.close();
});

describe('loadReportData', () => {
  it('makes the baseline report: no changes, every open invite, the whole population', async () => {
    const data = await load(ids[0]!);
    expect(data.summary.previous).toBeNull();
    expect(data.summary.workspace).toEqual({ id: 'ws1', slug: 'acme', name: 'Acme Inc' });
    expect(data.summary.current).toMatchObject({ id: ids[0], userCount: 4, inviteCount: 4, groupCount: 2 });
    expect(data.summary.completeness?.walked.users).toBe(4);
    expect(data.summary.changeCounts).toEqual({});
    expect(data.permissionChanges).toEqual([]);
    expect(data.membershipChanges).toEqual([]);
    expect(data.invites.map((i) => [i.email, i.groupId, i.daysPending, i.stale])).toEqual([
      ['erin@acme.test', 'g1', 0, false],
      ['frank@acme.test', null, 0, false],
      ['grace@acme.test', null, 0, false],
      ['Heidi@Acme.test', null, 0, false],
    ]);
    const access = await collect(data);
    // u1: owner (direct) + Source Admin on ws1 via Ops; u2: 2 direct + 2 via Engineers;
    // u3: member + 2 via Engineers; u4: 1 via Ops.
    expect(access).toHaveLength(10);
    expect(access.filter((a) => a.privileged).map((a) => `${a.userId} ${a.roleName} ${a.via}`)).toEqual([
      'u1 Source Admin Ops',
      'u1 Workspace Owner direct',
      'u4 Source Admin Ops',
    ]);
    // Privileged rows first (the direct owner and those through a group alike), each part
    // ordered by email across pages of two users, and walkable twice.
    const privileged = access.filter((a) => a.privileged);
    const rest = access.filter((a) => !a.privileged);
    expect(access).toEqual([...privileged, ...rest]);
    for (const part of [privileged, rest]) {
      expect(part.map((a) => a.email)).toEqual([...part.map((a) => a.email)].sort());
    }
    expect(await collect(data)).toEqual(access);
  });

  it('reads the Access Review the same with its user lists read ahead, and anew on a second walk', async () => {
    const plain = await collect(await load(ids[1]!));
    const ahead = await loadReportData(db(), {
      snapshotId: ids[1]!,
      timezone: 'Europe/Berlin',
      toolVersion: '9.9.9',
      generatedAt: new Date('2026-07-01T00:00:00Z'),
      accessPageUsers: 2,
      readAhead: true,
    });
    expect(plain.length).toBeGreaterThan(4);
    expect(await collect(ahead)).toEqual(plain);
    expect(await collect(ahead)).toEqual(plain);
  });

  it('lists every effective-access change with its cause', async () => {
    const data = await load(ids[1]!);
    expect(data.summary.previous?.id).toBe(ids[0]);
    expect(data.summary.changeCounts).toMatchObject({ user_added: 1, group_deleted: 1, invite_created: 2 });
    expect(data.permissionChanges.map(perm).sort()).toEqual(
      [
        'granted u1 Source Admin SOURCE:src3 via direct (permission_granted)',
        'granted u1 Source Admin SOURCE:src4 via Engineers (membership_added)',
        'granted u1 Source Read-only SOURCE:src1 via Engineers (membership_added)',
        'granted u1 Source Read-only SOURCE:src3 via Engineers (membership_added)',
        'revoked u1 Source Admin WORKSPACE:ws1 via Ops (group_deleted) !',
        'granted u2 Source Admin SOURCE:src4 via Engineers (permission_granted)',
        'granted u2 Source Read-only SPACE:sp1 via Analysts (group_created)',
        'revoked u2 Source Admin SOURCE:src2 via direct (permission_revoked)',
        'revoked u3 Source Read-only SOURCE:src1 via Engineers (membership_removed)',
        'revoked u3 Source Read-only SOURCE:src3 via Engineers (membership_removed)',
        'revoked u4 Source Admin WORKSPACE:ws1 via Ops (user_removed) !',
        'granted u5 Source Admin SOURCE:src4 via Engineers (user_added)',
        'granted u5 Source Read-only SOURCE:src1 via Engineers (user_added)',
        'granted u5 Source Read-only SOURCE:src2 via direct (user_added)',
        'granted u5 Source Read-only SOURCE:src3 via Engineers (user_added)',
      ].sort(),
    );
    expect(
      data.membershipChanges.map(
        (m) => `${m.change} ${m.email} ${m.groupName} ${m.detectedAt.toISOString()}`,
      ),
    ).toEqual([
      `added alice@acme.test Engineers ${T2.toISOString()}`,
      `removed alice@acme.test Ops ${T2.toISOString()}`,
      `added bob@acme.test Analysts ${T2.toISOString()}`,
      `removed carol@acme.test Engineers ${T2.toISOString()}`,
      `removed dave@acme.test Ops ${T2.toISOString()}`,
      `added heidi@acme.test Engineers ${T2.toISOString()}`,
    ]);
  });

  it('skips failed snapshots, ignores role renames and ages invites with the stored threshold', async () => {
    const data = await load(ids[2]!);
    expect(data.summary.previous?.id).toBe(ids[1]);
    expect(data.summary.staleInviteDays).toBe(20);
    expect(data.permissionChanges.map(perm).sort()).toEqual(
      [
        'revoked u1 Workspace Owner WORKSPACE:ws1 via direct (permission_revoked) !',
        'granted u6 Source Admin SOURCE:src4 via Engineers (user_added)',
        'granted u6 Source Read Only SOURCE:src1 via Engineers (user_added)',
        'granted u6 Source Read Only SOURCE:src3 via Engineers (user_added)',
      ].sort(),
    );
    expect(data.invites.map((i) => [i.email, i.groupName, i.daysPending, i.stale])).toEqual([
      ['grace@acme.test', null, 21, true],
      ['ivan@acme.test', null, 14, false],
      ['judy@acme.test', 'Engineers', 14, false],
    ]);
    expect(data.staleInvites.map((i) => i.email)).toEqual(['grace@acme.test']);
  });

  it('compares any pair from history (--against) and rejects bad pairs', async () => {
    const data = await load(ids[2]!, ids[0]!);
    expect(data.summary.previous?.id).toBe(ids[0]);
    expect(data.summary.changeCounts.user_added).toBe(2);
    expect(data.permissionChanges.some((r) => r.userId === 'u4' && r.cause === 'user_removed')).toBe(true);
    const baseline = await load(ids[2]!, null);
    expect(baseline.permissionChanges).toEqual([]);
    const backwards = await load(ids[0]!, ids[2]!).catch((e: unknown) => e);
    expect(isAuditError(backwards, 'USAGE')).toBe(true);
    const missing = await load(999).catch((e: unknown) => e);
    expect(isAuditError(missing, 'SNAPSHOT_NOT_FOUND')).toBe(true);
  });

  it('lists the membership changes of every pair as the sets of memberships at both instants differ', async () => {
    // The store looks only at rows opened or closed between the two instants; this is the
    // definition itself, straight from history: (user, group) pairs valid at one, not the other.
    const pairsAt = async (at: Date) => {
      const r = await sql<{ pair: string }>`
        SELECT user_id || ' ' || group_id AS pair FROM audit.membership_history
         WHERE valid_from <= ${at}::timestamptz AND (valid_to IS NULL OR valid_to > ${at}::timestamptz)`.execute(
        db(),
      );
      return new Set(r.rows.map((row) => row.pair));
    };
    // A member who left and joined again between two snapshots: no change across them.
    const day = 24 * 60 * 60 * 1000;
    await sql`
      INSERT INTO audit.membership_history (user_id, group_id, valid_from, valid_to) VALUES
        ('u-rejoin', 'g1', ${new Date(T1.getTime() - day)}::timestamptz, ${new Date(T1.getTime() + day)}::timestamptz),
        ('u-rejoin', 'g1', ${new Date(T2.getTime() - day)}::timestamptz, NULL)`.execute(db());
    const takenAt = [T1, T2, T3];
    let compared = 0;
    for (const [i, j] of [
      [0, 1],
      [1, 2],
      [0, 2],
    ] as const) {
      const data = await load(ids[j]!, ids[i]!);
      const [a, b] = [await pairsAt(takenAt[i]!), await pairsAt(takenAt[j]!)];
      const expected = [
        ...[...b].filter((p) => !a.has(p)).map((p) => `added ${p}`),
        ...[...a].filter((p) => !b.has(p)).map((p) => `removed ${p}`),
      ].sort();
      const got = data.membershipChanges.map((m) => `${m.change} ${m.userId} ${m.groupId}`).sort();
      expect(got).toEqual(expected);
      expect(got.some((c) => c.includes('u-rejoin'))).toBe(false);
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(0);
  });
});

describe('report and delivery bookkeeping', () => {
  it('chains the previous report data hash and lists reports', async () => {
    expect((await load(ids[1]!)).summary.previousDataSha256).toBeNull();
    await recordReport(db(), {
      snapshotId: ids[0]!,
      againstSnapshotId: null,
      fileName: 'access-audit-2026-06-01-s1.xlsx',
      bytes: 1234,
      fileSha256: 'f'.repeat(64),
      dataSha256: 'a'.repeat(64),
      permissionChanges: 0,
      staleInvites: 0,
      openInvites: 4,
      privilegedGrants: 3,
      createdAt: new Date('2026-06-01T06:01:00Z'),
    });
    expect((await load(ids[1]!)).summary.previousDataSha256).toBe('a'.repeat(64));
    expect((await getReport(db(), ids[0]!))?.bytes).toBe(1234);
    expect(await listReports(db())).toEqual([
      expect.objectContaining({
        snapshotId: ids[0],
        users: 4,
        openInvites: 4,
        privilegedGrants: 3,
        bytes: 1234,
      }),
    ]);
  });

  it('keeps one Message-ID per snapshot across attempts and finds missing work', async () => {
    const at = new Date('2026-06-08T06:05:00Z');
    let needs = await snapshotsNeedingReportOrMail(db());
    expect(needs.map((n) => [n.snapshotId, n.needsReport, n.needsMail])).toEqual([
      [ids[0], false, true],
      [ids[1], true, true],
      [ids[2], true, true],
    ]);
    const first = await recordDeliveryAttempt(db(), {
      snapshotId: ids[0]!,
      messageId: '<s1@x>',
      recipients: ['a@x'],
      at,
    });
    expect(first).toMatchObject({ status: 'pending', attempts: 1, messageId: '<s1@x>' });
    await recordDeliveryFailure(db(), ids[0]!, 'smtp down\nreally', at);
    expect(await deliveryFor(db(), ids[0]!)).toMatchObject({
      status: 'failed',
      lastError: 'smtp down really',
    });
    const second = await recordDeliveryAttempt(db(), {
      snapshotId: ids[0]!,
      messageId: '<other@x>',
      recipients: ['a@x'],
      at,
    });
    expect(second).toMatchObject({ status: 'pending', attempts: 2, messageId: '<s1@x>' });
    await markDelivered(db(), ids[0]!, at);
    const third = await recordDeliveryAttempt(db(), {
      snapshotId: ids[0]!,
      messageId: '<s1@x>',
      recipients: ['a@x'],
      at,
    });
    expect(third).toMatchObject({ status: 'sent', attempts: 2 });
    await markDeliverySkipped(db(), { snapshotId: ids[1]!, messageId: '<s2@x>', at });
    needs = await snapshotsNeedingReportOrMail(db());
    expect(needs.map((n) => [n.snapshotId, n.needsReport, n.needsMail])).toEqual([
      [ids[1], true, false],
      [ids[2], true, true],
    ]);
  });
});
