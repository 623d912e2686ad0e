/**
 * End to end over three runs of `runAudit` against the simulated workspace, days apart:
 * a baseline, a run after a scripted mutation that produces every change kind of
 * docs/schema.md, and a run with nothing changed. Expectations come from the simulator's own
 * state (an independent oracle), never from the store's queries.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeKind } from '../../src/model/report-data.js';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import { causeText } from '../../src/report/causes.js';
import { SHEET_NAMES } from '../../src/report/sheets.js';
import type { SimulatedTruth } from '../../src/simulator/index.js';
import { getReport } from '../../src/store/index.js';
import {
  type AccessKey,
  accessKey,
  at,
  type ChangeRow,
  changesOf,
  DAY,
  effectiveAccess,
  effectiveAccessInDb,
  type Harness,
  type ReadCell,
  readSheets,
  records,
  startHarness,
  summaryOf,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type Cause = ChangeKind;
const nonZero = (c: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(c).filter(([, n]) => (n ?? 0) > 0));
interface Gained extends AccessKey {
  change: 'granted' | 'revoked';
  cause: Cause;
}

/** Permission Changes computed from two states of the simulator. */
function permissionChangesBetween(before: SimulatedTruth, after: SimulatedTruth): string[] {
  const key = (r: AccessKey) => [r.userId, r.roleName, r.resourceType, r.resourceId, r.via].join('|');
  const a = effectiveAccess(before);
  const b = effectiveAccess(after);
  const aKeys = new Set(a.map(key));
  const bKeys = new Set(b.map(key));
  const usersOf = (t: SimulatedTruth) => new Set(t.users.map((u) => u.id));
  const groupsOf = (t: SimulatedTruth) => new Map(t.groups.map((g) => [g.name, g]));
  const out: Gained[] = [];
  for (const r of b.filter((x) => !aKeys.has(key(x)))) {
    const g = groupsOf(before).get(r.via);
    const cause = !usersOf(before).has(r.userId)
      ? 'user_added'
      : r.via === 'direct'
        ? 'permission_granted'
        : !g
          ? 'group_created'
          : !g.memberIds.includes(r.userId)
            ? 'membership_added'
            : 'permission_granted';
    out.push({ ...r, change: 'granted', cause });
  }
  for (const r of a.filter((x) => !bKeys.has(key(x)))) {
    const g = groupsOf(after).get(r.via);
    const cause = !usersOf(after).has(r.userId)
      ? 'user_removed'
      : r.via === 'direct'
        ? 'permission_revoked'
        : !g
          ? 'group_deleted'
          : !g.memberIds.includes(r.userId)
            ? 'membership_removed'
            : 'permission_revoked';
    out.push({ ...r, change: 'revoked', cause });
  }
  // The sheet says the cause in words (the report's wording, unit-tested in test/report).
  return out.map((r) => `${r.change}|${accessKey(r)}|${causeText(r)}`).sort();
}

function sheetPermissionChanges(rows: Record<string, ReadCell>[]): string[] {
  return rows
    .map(
      (r) =>
        `${r.Change}|${[r['User ID'], r.Email, r.Role, r['Resource type'], r['Resource ID'], r.Via].join('|')}|${r.Cause}`,
    )
    .sort();
}

/** The Access Review's rows, one key per path (its Via cell lists every path, `; ` between). */
function sheetAccess(rows: Record<string, ReadCell>[]): string[] {
  return rows
    .flatMap((r) =>
      String(r.Via)
        .split('; ')
        .map((via) => [r['User ID'], r.Email, r.Role, r['Resource type'], r['Resource ID'], via].join('|')),
    )
    .sort();
}

/** Open invites of a state as (email, group id). */
function openInvites(t: SimulatedTruth): string[] {
  return [
    ...t.invites.map((e) => `${e}|`),
    ...t.groups.flatMap((g) => g.inviteEmails.map((e) => `${e}|${g.id}`)),
  ].sort();
}

function memberships(t: SimulatedTruth): Set<string> {
  return new Set(t.groups.flatMap((g) => g.memberIds.map((u) => `${u}|${g.id}`)));
}

let truth0: SimulatedTruth;
let truth1: SimulatedTruth;
const firstSeen = new Map<string, Date>();
let r1: RunResult;
let r2: RunResult;
let r3: RunResult;

describe('three runs: baseline, every change kind, no changes', () => {
  it('baseline: no changes, the whole population, invites aged from first sight', async () => {
    truth0 = h.sim.truth();
    r1 = await h.run(at(0));
    expect(r1.baseline).toBe(true);
    expect(nonZero(r1.changes)).toEqual({});
    expect(r1.permissionChanges).toBe(0);
    expect(await changesOf(h.db.handle.db, r1.snapshotId)).toEqual([]);
    for (const i of openInvites(truth0)) firstSeen.set(i, at(0));

    const wb = await readSheets(r1.reportPath);
    expect(wb.names).toEqual(SHEET_NAMES);
    expect(records(wb.rows.get('Permission Changes'))).toEqual([]);
    expect(records(wb.rows.get('Membership Changes'))).toEqual([]);
    expect(records(wb.rows.get('Stale Invites'))).toEqual([]);
    const expected = effectiveAccess(truth0).map(accessKey).sort();
    expect(expected.length).toBeGreaterThan(20);
    expect(sheetAccess(records(wb.rows.get('Access Review')))).toEqual(expected);
    expect(await effectiveAccessInDb(h.db.handle.db)).toEqual(expected);
    const invites = records(wb.rows.get('Invites'));
    expect(invites.map((r) => `${r.Email}|${r['Group ID'] ?? ''}`).sort()).toEqual(openInvites(truth0));
    expect(invites.every((r) => r['Days pending'] === 0)).toBe(true);

    const summary = summaryOf(wb.rows.get('Summary'));
    expect(summary.get('Workspace name')).toBe(truth0.workspace.name);
    expect(summary.get('API base URL')).toBe(h.sim.url);
    expect(summary.get('Data SHA-256 (previous report)')).toBe('none (baseline)');
    expect(summary.get('Data SHA-256 (this report)')).toBe(
      (await getReport(h.db.handle.db, r1.snapshotId))?.dataSha256,
    );
    expect(summary.get('Users')).toBe(truth0.users.length);
  });

  it('a scripted mutation produces every change kind, exactly, and nothing spurious', async () => {
    const t = truth0;
    const a = h.admin;
    const role = (name: string) => {
      const r = t.roles.find((x) => x.name === name);
      if (!r) throw new Error(`no role ${name}`);
      return r;
    };
    const [gGrant, gRevoke, gDel, gMove] = [
      t.groups.find((g) => g.inviteEmails.length > 0 && g.permissions.length > 0),
      t.groups.filter((g) => g.inviteEmails.length > 0)[1],
      t.groups.find((g) => g.inviteEmails.length === 0),
      t.groups.filter((g) => g.inviteEmails.length > 0)[2],
    ];
    if (!gGrant || !gRevoke || !gDel || !gMove) throw new Error('seeded groups do not fit the scenario');
    expect(new Set([gGrant.id, gRevoke.id, gDel.id, gMove.id]).size).toBe(4);
    const inGroups = (id: string) => t.groups.some((g) => g.memberIds.includes(id));
    const used = new Set<string>();
    const pick = (ok: (u: SimulatedTruth['users'][number]) => boolean) => {
      const u = t.users.find((x) => !used.has(x.id) && ok(x));
      if (!u) throw new Error('no user fits');
      used.add(u.id);
      return u;
    };
    const removed = pick((u) => u.permissions.length > 0 && inGroups(u.id) && !gDel.memberIds.includes(u.id));
    const renamed = pick((u) => u.permissions.length > 0);
    const granted = pick((u) => !u.permissions.some((p) => p.roleName === 'Source Admin'));
    const revoked = pick((u) => u.permissions.length >= 2);
    const joiner = pick((u) => !gMove.memberIds.includes(u.id));
    const leaver = pick((u) => gMove.memberIds.includes(u.id) && !gDel.memberIds.includes(u.id));
    const auditor = pick(() => true);
    const source = t.users
      .flatMap((u) => u.permissions.flatMap((p) => p.resources))
      .find((r) => r.type === 'SOURCE');
    if (!source) throw new Error('no source');
    const accepted = t.invites.find((e) => e !== e.toLowerCase());
    const withdrawn = t.invites.find(
      (e) => e !== accepted && !t.groups.some((g) => g.inviteEmails.includes(e)),
    );
    if (!accepted || !withdrawn) throw new Error('seeded invites do not fit the scenario');
    if (t.groups.some((g) => g.inviteEmails.some((e) => e.toLowerCase() === accepted.toLowerCase())))
      throw new Error('the accepted invite must be a workspace invite only');

    // The mutation, through the simulated Public API.
    await a.deleteUsers([removed.id]);
    await a.updateUser(renamed.id, { name: 'Renamed Person', email: 'renamed.person@hooli.example.com' });
    await a.addUserPermissions(granted.id, [
      { roleId: role('Source Admin').id, resources: [{ id: source.id, type: 'SOURCE' }] },
    ]);
    const [lost, ...kept] = revoked.permissions;
    await a.replaceUserPermissions(
      revoked.id,
      kept.map((p) => ({
        roleId: p.roleId,
        resources: p.resources.map((r) => ({ id: r.id, type: r.type })),
      })),
    );
    await a.addGroupPermissions(gGrant.id, [
      { roleId: role('Source Read-only').id, resources: [{ id: source.id, type: 'SOURCE' }] },
    ]);
    await a.replaceGroupPermissions(gRevoke.id, []);
    await a.addGroupMembers(gMove.id, [joiner.email]);
    await a.removeGroupMembers(gMove.id, [leaver.email]);
    const created = await a.createGroup('Auditors');
    await a.addGroupPermissions(created.id, [
      { roleId: role('Workspace Member').id, resources: [{ id: t.workspace.id, type: 'WORKSPACE' }] },
    ]);
    await a.addGroupMembers(created.id, [auditor.email]);
    await a.deleteGroup(gDel.id);
    await a.createInvites([{ email: 'new.hire@example.org' }]);
    await a.addGroupMembers(gGrant.id, ['contractor@example.org']); // not a user: invited
    await a.deleteInvites([withdrawn]);
    // Accepted with the email in another case: matched case-insensitively.
    const newcomer = await a.acceptInvite(accepted.toLowerCase(), 'Newly Joined');
    truth1 = h.sim.truth();
    firstSeen.set('new.hire@example.org|', at(7));
    firstSeen.set(`contractor@example.org|${gGrant.id}`, at(7));

    r2 = await h.run(at(7));
    expect(r2.baseline).toBe(false);

    // The exact audit.changes rows (detail checked separately below).
    const got = await changesOf(h.db.handle.db, r2.snapshotId);
    const row = (
      kind: string,
      subjectType: string,
      subjectId: string,
      label: string | null,
      extra: Partial<ChangeRow> = {},
    ) => ({
      kind,
      subject_type: subjectType,
      subject_id: subjectId,
      subject_label: label,
      role_name: null,
      resource_type: null,
      resource_id: null,
      group_id: null,
      ...extra,
    });
    const grantRows = (
      kind: string,
      type: 'user' | 'group',
      id: string,
      label: string,
      perms: { roleName: string; resources: { id: string; type: string }[] }[],
    ) =>
      perms.flatMap((p) =>
        p.resources.map((r) =>
          row(kind, type, id, label, {
            role_name: p.roleName,
            resource_type: r.type,
            resource_id: r.id,
            group_id: type === 'group' ? id : null,
          }),
        ),
      );
    const expected = [
      row('user_added', 'user', newcomer.id, newcomer.email),
      row('user_removed', 'user', removed.id, removed.email),
      row('user_changed', 'user', renamed.id, 'renamed.person@hooli.example.com'),
      ...grantRows('permission_granted', 'user', granted.id, granted.email, [
        { roleName: 'Source Admin', resources: [source] },
      ]),
      ...grantRows('permission_revoked', 'user', revoked.id, revoked.email, lost ? [lost] : []),
      ...grantRows('permission_granted', 'group', gGrant.id, gGrant.name, [
        { roleName: 'Source Read-only', resources: [source] },
      ]),
      ...grantRows('permission_revoked', 'group', gRevoke.id, gRevoke.name, gRevoke.permissions),
      row('membership_added', 'user', joiner.id, joiner.email, { group_id: gMove.id }),
      row('membership_added', 'user', auditor.id, auditor.email, { group_id: created.id }),
      row('membership_removed', 'user', leaver.id, leaver.email, { group_id: gMove.id }),
      ...gDel.memberIds
        .filter((id) => id !== removed.id)
        .map((id) => {
          const u = t.users.find((x) => x.id === id);
          return row('membership_removed', 'user', id, u?.email ?? null, { group_id: gDel.id });
        }),
      row('group_created', 'group', created.id, 'Auditors', { group_id: created.id }),
      row('group_deleted', 'group', gDel.id, gDel.name, { group_id: gDel.id }),
      row('invite_created', 'invite', 'new.hire@example.org', 'new.hire@example.org'),
      row('invite_created', 'invite', 'contractor@example.org', 'contractor@example.org', {
        group_id: gGrant.id,
      }),
      row('invite_accepted', 'invite', accepted, accepted),
      row('invite_withdrawn', 'invite', withdrawn, withdrawn),
    ];
    const strip = (r: ChangeRow | ReturnType<typeof row>) => {
      const { detail: _d, ...rest } = r as ChangeRow;
      return JSON.stringify(rest);
    };
    expect(got.map(strip).sort()).toEqual(expected.map(strip).sort());

    // Details: what a user or group held, before and after of a user change, the acceptance.
    const one = (kind: string, id: string) => got.find((c) => c.kind === kind && c.subject_id === id)?.detail;
    const grantsOf = (perms: { roleName: string; resources: { id: string; type: string }[] }[]) =>
      perms
        .flatMap((p) => p.resources.map((r) => `${p.roleName}|${r.type}|${r.id}`))
        .sort()
        .join(',');
    const detailGrants = (d: Record<string, unknown> | undefined) =>
      ((d?.grants as { role_name: string; resource_type: string; resource_id: string }[]) ?? [])
        .map((g) => `${g.role_name}|${g.resource_type}|${g.resource_id}`)
        .sort()
        .join(',');
    const removedDetail = one('user_removed', removed.id);
    expect(detailGrants(removedDetail)).toBe(grantsOf(removed.permissions));
    expect(((removedDetail?.groups as { group_id: string }[]) ?? []).map((g) => g.group_id).sort()).toEqual(
      t.groups
        .filter((g) => g.memberIds.includes(removed.id))
        .map((g) => g.id)
        .sort(),
    );
    expect(detailGrants(one('user_added', newcomer.id))).toBe(grantsOf(newcomer.permissions));
    expect(one('user_changed', renamed.id)).toEqual({
      before: { email: renamed.email, name: renamed.name },
      after: { email: 'renamed.person@hooli.example.com', name: 'Renamed Person' },
    });
    expect(one('group_created', created.id)).toMatchObject({ name: 'Auditors', members: 1 });
    expect(detailGrants(one('group_created', created.id))).toBe(
      `Workspace Member|WORKSPACE|${t.workspace.id}`,
    );
    expect(one('group_deleted', gDel.id)).toMatchObject({ name: gDel.name, members: gDel.memberIds.length });
    expect(detailGrants(one('group_deleted', gDel.id))).toBe(grantsOf(gDel.permissions));
    expect(one('invite_accepted', accepted)).toMatchObject({ user_id: newcomer.id });
    expect(nonZero(r2.changes)).toEqual(
      Object.fromEntries(
        [...new Set(expected.map((e) => e.kind))].map((k) => [
          k,
          expected.filter((e) => e.kind === k).length,
        ]),
      ),
    );

    // The workbook.
    const wb = await readSheets(r2.reportPath);
    expect(wb.names).toEqual(SHEET_NAMES);
    const pc = records(wb.rows.get('Permission Changes'));
    expect(sheetPermissionChanges(pc)).toEqual(permissionChangesBetween(truth0, truth1));
    // Every cause appears, in words.
    const causes = [
      /^user added$/,
      /^user removed$/,
      /^(granted directly|granted to group .+)$/,
      /^(revoked directly|revoked from group .+)$/,
      /^joined group .+$/,
      /^left group .+$/,
      /^group .+ created$/,
      /^group .+ deleted$/,
    ];
    for (const c of causes)
      expect(
        pc.some((r) => c.test(String(r.Cause))),
        String(c),
      ).toBe(true);
    for (const r of pc)
      expect(
        causes.some((c) => c.test(String(r.Cause))),
        String(r.Cause),
      ).toBe(true);
    expect(pc.length).toBe(r2.permissionChanges);
    // The via column names the group a grant came through.
    expect(pc.some((r) => r.Via === gGrant.name && r.Cause === `granted to group ${gGrant.name}`)).toBe(true);

    const mc = records(wb.rows.get('Membership Changes'));
    const m0 = memberships(truth0);
    const m1 = memberships(truth1);
    expect(mc.map((r) => `${r.Change}|${r['User ID']}|${r['Group ID']}`).sort()).toEqual(
      [
        ...[...m1].filter((m) => !m0.has(m)).map((m) => `added|${m}`),
        ...[...m0].filter((m) => !m1.has(m)).map((m) => `removed|${m}`),
      ].sort(),
    );
    const detectedAt = Object.keys(mc[0] ?? {}).find((k) => k.startsWith('Detected at'));
    expect(detectedAt).toBe('Detected at (UTC)');
    expect(mc.every((r) => (r[detectedAt ?? ''] as Date).getTime() === at(7).getTime())).toBe(true);

    const expectedAccess = effectiveAccess(truth1).map(accessKey).sort();
    expect(sheetAccess(records(wb.rows.get('Access Review')))).toEqual(expectedAccess);
    expect(await effectiveAccessInDb(h.db.handle.db)).toEqual(expectedAccess);

    const invites = records(wb.rows.get('Invites'));
    expect(invites.map((r) => `${r.Email}|${r['Group ID'] ?? ''}`).sort()).toEqual(openInvites(truth1));
    for (const r of invites) {
      const seen = firstSeen.get(`${r.Email}|${r['Group ID'] ?? ''}`);
      expect(seen, `${r.Email}|${r['Group ID'] ?? ''}`).toBeDefined();
      expect(r['Days pending']).toBe(Math.floor((at(7).getTime() - (seen?.getTime() ?? 0)) / DAY));
    }
    expect(records(wb.rows.get('Stale Invites'))).toEqual([]);

    const summary = summaryOf(wb.rows.get('Summary'));
    const rec1 = await getReport(h.db.handle.db, r1.snapshotId);
    const rec2 = await getReport(h.db.handle.db, r2.snapshotId);
    expect(summary.get('Data SHA-256 (previous report)')).toBe(rec1?.dataSha256);
    expect(summary.get('Data SHA-256 (this report)')).toBe(rec2?.dataSha256);
    expect(summary.get('Previous snapshot')).toBe(r1.snapshotId);
    expect(summary.get('Current snapshot')).toBe(r2.snapshotId);
    expect(summary.get('user_added')).toBe(1);
    expect(summary.get('invite_withdrawn')).toBe(1);
  });

  it('a run with nothing changed has no change rows; stale invites appear as they age', async () => {
    r3 = await h.run(at(20));
    expect(nonZero(r3.changes)).toEqual({});
    expect(r3.permissionChanges).toBe(0);
    expect(await changesOf(h.db.handle.db, r3.snapshotId)).toEqual([]);
    const wb = await readSheets(r3.reportPath);
    expect(wb.names).toEqual(SHEET_NAMES);
    expect(records(wb.rows.get('Permission Changes'))).toEqual([]);
    expect(records(wb.rows.get('Membership Changes'))).toEqual([]);
    const expectedAccess = effectiveAccess(truth1).map(accessKey).sort();
    expect(sheetAccess(records(wb.rows.get('Access Review')))).toEqual(expectedAccess);

    // Open since the baseline: 20 days ≥ 14, stale; opened at day 7: 13 days, not stale.
    const stale = records(wb.rows.get('Stale Invites'));
    const expectedStale = openInvites(truth1).filter((k) => firstSeen.get(k)?.getTime() === at(0).getTime());
    expect(stale.map((r) => `${r.Email}|${r['Group ID'] ?? ''}`).sort()).toEqual(expectedStale);
    expect(stale.every((r) => r['Days pending'] === 20)).toBe(true);
    expect(r3.staleInvites).toBe(expectedStale.length);
    const view = await sql<{ email: string; group_id: string | null; days_pending: number }>`
      SELECT email, group_id, days_pending FROM audit.stale_invites`.execute(h.db.handle.db);
    expect(view.rows.map((r) => `${r.email}|${r.group_id ?? ''}`).sort()).toEqual(expectedStale);

    const summary = summaryOf(wb.rows.get('Summary'));
    const rec2 = await getReport(h.db.handle.db, r2.snapshotId);
    const rec3 = await getReport(h.db.handle.db, r3.snapshotId);
    expect(summary.get('Data SHA-256 (previous report)')).toBe(rec2?.dataSha256);
    expect(summary.get('Data SHA-256 (this report)')).toBe(rec3?.dataSha256);
    // Same population, no changes: still a different data hash (the invites aged).
    expect(rec3?.dataSha256).not.toBe(rec2?.dataSha256);
    expect(rec3?.againstSnapshotId).toBe(r2.snapshotId);
  });
});
