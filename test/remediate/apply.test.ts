/**
 * `remediate` against the simulated workspace over real HTTP and the test database: the
 * plan sends nothing, --apply really replaces the permissions (label scopes respected),
 * twice repeats nothing, the next audit verifies (or flags) and names the action, undo
 * gives the grant back, and the refusals (changed user, 404, 403).
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { isAuditError } from '../../src/errors.js';
import type { Permission } from '../../src/model/workspace.js';
import { runRemediation, undoRemediation } from '../../src/pipeline/remediate.js';
import { remediationText } from '../../src/pipeline/remediate-text.js';
import { Secret } from '../../src/secret.js';
import { at, type Harness, readSheets, records, silent, startHarness } from '../pipeline/helpers.js';
import { actions, decide } from './fixtures.js';

let h: Harness;
let ws: string;
let dee: { id: string; email: string };
let snapshot1: number;
const ROLE = { id: '', name: '' };
const SOURCE_ROLE = { id: '', name: '' };

const scoped = (value: string) => ({
  roleId: ROLE.id,
  resources: [{ id: ws, type: 'WORKSPACE' }],
  labels: [{ key: 'environment', value }],
});

function config(now: Date, write = true): Config {
  return h.config(now, write ? { segmentWriteToken: new Secret(h.sim.token) } : {});
}

const remediate = (now: Date, options: { apply: boolean; deleteUsers?: boolean }) =>
  runRemediation(h.db.handle, config(now), { ...options, now: () => now, logger: silent });

const permissionsOf = (userId: string): Permission[] =>
  h.sim.truth().users.find((u) => u.id === userId)?.permissions ?? [];

const puts = () => h.sim.stats.byRoute['PUT /users/{id}/permissions'] ?? 0;

let users: { id: string; email: string }[] = [];
/** The nth simulated user (id, email) as at the start. */
const user = (n: number) => users[n]!;

beforeAll(async () => {
  h = await startHarness({ seed: 21, users: 12, groups: 2 });
  const truth = h.sim.truth();
  users = truth.users.map((u) => ({ id: u.id, email: u.email }));
  ws = truth.workspace.id;
  const admin = truth.roles.find((r) => r.name === 'Source Admin')!;
  Object.assign(ROLE, { id: admin.id, name: admin.name });
  const read = truth.roles.find((r) => r.name !== 'Source Admin' && r.name !== 'Workspace Owner')!;
  Object.assign(SOURCE_ROLE, { id: read.id, name: read.name });
  // Ann: the same role on two label scopes; Bob: one scope; Cid: deleted later.
  await h.admin.replaceUserPermissions(user(0).id, [scoped('production'), scoped('staging')]);
  await h.admin.replaceUserPermissions(user(1).id, [scoped('production')]);
  await h.admin.replaceUserPermissions(user(2).id, [scoped('production')]);
  // Dee: in no group, one grant only (every row of hers can be revoked).
  const grouped = new Set(truth.groups.flatMap((g) => g.memberIds));
  dee = users.find((u, i) => i > 3 && !grouped.has(u.id))!;
  await h.admin.replaceUserPermissions(dee.id, [scoped('production')]);
  snapshot1 = (await h.run(at(0))).snapshotId;
});
afterAll(async () => {
  await h?.close();
});

const revoke = (n: number, labels = 'environment:production') =>
  decide(h.db.handle.db, {
    snapshotId: snapshot1,
    userId: user(n).id,
    email: user(n).email,
    roleId: ROLE.id,
    roleName: ROLE.name,
    resourceType: 'WORKSPACE',
    resourceId: ws,
    labels,
    decidedAt: at(0.1),
  });

describe('remediate', () => {
  let actionId: string;

  it('plans without sending or recording anything, and writes the plan as CSV', async () => {
    await revoke(0);
    const before = puts();
    const result = await remediate(at(0.2), { apply: false });
    expect(result.steps.map((s) => s.kind)).toEqual(['replace']);
    expect(puts()).toBe(before);
    expect(await actions(h.db.handle.db)).toEqual([]);
    const csv = await readFile(result.planFile, 'utf8');
    expect(csv).toContain(user(0).email);
    expect(csv).toContain('replace_permissions_for_user');
  });

  it('--apply removes only the revoked label scope, recorded applied', async () => {
    const result = await remediate(at(0.3), { apply: true });
    expect(result.actions).toMatchObject([
      { status: 'applied', outcome: 'sent', operation: 'replace_permissions_for_user' },
    ]);
    const held = permissionsOf(user(0).id).filter((p) => p.roleId === ROLE.id);
    expect(held.map((p) => p.labels)).toEqual([[{ key: 'environment', value: 'staging' }]]);
    const [row] = await actions(h.db.handle.db);
    expect(row).toMatchObject({ status: 'applied', target: user(0).id });
    actionId = row!.id;
  });

  it('running it again sends and records nothing', async () => {
    const before = puts();
    const result = await remediate(at(0.4), { apply: true });
    expect(result.actions).toEqual([]);
    expect(puts()).toBe(before);
    expect(await actions(h.db.handle.db)).toHaveLength(1);
  });

  it('the next audit verifies the action and names it as the cause', async () => {
    const run = await h.run(at(1));
    const [row] = await actions(h.db.handle.db);
    expect(row?.verified_snapshot_id).toBe(run.snapshotId);
    const sheets = await readSheets(run.reportPath);
    const lost = records(sheets.rows.get('Permission Changes')).filter((r) => r.Email === user(0).email);
    expect(lost.map((r) => r.Cause)).toEqual([`revoked by remediation action ${actionId}`]);
    const change = await sql<{ detail: { remediationActionId?: string } }>`
      SELECT detail FROM audit.changes
       WHERE snapshot_id = ${run.snapshotId} AND kind = 'permission_revoked' AND subject_id = ${user(0).id}`.execute(
      h.db.handle.db,
    );
    expect(change.rows.map((r) => r.detail.remediationActionId)).toEqual([actionId]);
  });

  it('undo gives the grant back and marks the action undone', async () => {
    const { undo } = await undoRemediation(h.db.handle, config(at(1.1)), actionId, {
      now: () => at(1.1),
      logger: silent,
    });
    expect(undo).toMatchObject({ status: 'applied', operation: 'add_permissions_to_user' });
    const held = permissionsOf(user(0).id).filter((p) => p.roleId === ROLE.id);
    expect(held.map((p) => p.labels?.[0]?.value).sort()).toEqual(['production', 'staging']);
    const rows = await actions(h.db.handle.db);
    expect(rows.find((r) => r.id === actionId)?.status).toBe('undone');
    expect(rows.find((r) => r.undo_of === actionId)?.status).toBe('applied');
    // Undone stays undone: a second undo sends nothing.
    const again = await undoRemediation(h.db.handle, config(at(1.2)), actionId, {
      now: () => at(1.2),
      logger: silent,
    });
    expect(again.undo).toBeUndefined();
  });

  it('a user changed since the decision is listed for a new decision, nothing sent', async () => {
    await revoke(1);
    await h.admin.replaceUserPermissions(user(1).id, [scoped('staging')]);
    const before = puts();
    const result = await remediate(at(1.3), { apply: true });
    expect(result.steps).toMatchObject([{ kind: 'needs-decision', found: ['environment:staging'] }]);
    expect(result.actions).toEqual([]);
    expect(puts()).toBe(before);
  });

  it('a user already gone (404) is recorded as such', async () => {
    await revoke(2);
    await h.admin.deleteUsers([user(2).id]);
    const result = await remediate(at(1.4), { apply: true });
    expect(result.actions).toMatchObject([
      { status: 'applied', outcome: 'already-gone', target: user(2).id },
    ]);
  });

  it('a 404 to the write itself (the user went meanwhile) is recorded as already gone', async () => {
    const eve = users.find((u, i) => i > 3 && u.id !== dee.id)!;
    await h.admin.replaceUserPermissions(eve.id, [scoped('production')]);
    await decide(h.db.handle.db, {
      snapshotId: snapshot1,
      userId: eve.id,
      email: eve.email,
      roleId: ROLE.id,
      roleName: ROLE.name,
      resourceType: 'WORKSPACE',
      resourceId: ws,
      labels: 'environment:production',
    });
    h.sim.inject({ route: 'PUT /users/{id}/permissions', kind: 'status', status: 404 });
    const result = await remediate(at(1.45), { apply: true });
    expect(result.actions).toMatchObject([{ status: 'applied', outcome: 'already-gone', target: eve.id }]);
    expect(result.steps.filter((s) => s.kind === 'replace')).toHaveLength(1);
  });

  it('a token without write rights: action failed, exit 2 naming SEGMENT_WRITE_TOKEN, never its value', async () => {
    await h.admin.replaceUserPermissions(user(3).id, [scoped('production')]);
    await decide(h.db.handle.db, {
      snapshotId: snapshot1,
      userId: user(3).id,
      email: user(3).email,
      roleId: ROLE.id,
      roleName: ROLE.name,
      resourceType: 'WORKSPACE',
      resourceId: ws,
      labels: 'environment:production',
    });
    h.sim.inject({ route: 'PUT /users/{id}/permissions', kind: 'status', status: 403 });
    const error = await remediate(at(1.5), { apply: true }).catch((e: unknown) => e);
    expect(isAuditError(error, 'WRITE_FORBIDDEN')).toBe(true);
    expect((error as Error).message).toContain('SEGMENT_WRITE_TOKEN');
    expect((error as Error).message).not.toContain(h.sim.token);
    const failed = (await actions(h.db.handle.db)).filter((r) => r.target === user(3).id);
    expect(failed).toMatchObject([{ status: 'failed', error: expect.stringContaining('403') }]);
    // A failed attempt leaves the decision open: the next run carries it out.
    const retry = await remediate(at(1.6), { apply: true });
    expect(retry.actions).toMatchObject([{ status: 'applied', target: user(3).id }]);
    expect(permissionsOf(user(3).id).filter((p) => p.roleId === ROLE.id)).toEqual([]);
  });

  it('an action whose effect the next audit does not see is flagged', async () => {
    // Someone grants the access again before the audit.
    await h.admin.addUserPermissions(user(3).id, [scoped('production')]);
    const run = await h.run(at(2));
    const row = (await actions(h.db.handle.db)).find(
      (r) => r.target === user(3).id && r.status === 'applied',
    );
    expect(row?.unverified_snapshot_id).toBe(run.snapshotId);
    expect(row?.verified_snapshot_id).toBeNull();
    // remediate says so too.
    const plan = await remediate(at(2.05), { apply: false });
    // Eve's too: the 404 above was the simulator's injection, her grant is still there.
    expect(plan.flagged.map((a) => a.target).sort()).toEqual(
      [user(3).id, users.find((u, i) => i > 3 && u.id !== dee.id)!.id].sort(),
    );
    expect(remediationText(plan, false)).toContain(
      `action ${row!.id} replace_permissions_for_user ${user(3).id}: snapshot ${run.snapshotId} still saw the access`,
    );
  });

  it('--delete-users deletes a user every one of whose rows was revoked (delete_users)', async () => {
    await decide(h.db.handle.db, {
      snapshotId: snapshot1,
      userId: dee.id,
      email: dee.email,
      roleId: ROLE.id,
      roleName: ROLE.name,
      resourceType: 'WORKSPACE',
      resourceId: ws,
      labels: 'environment:production',
    });
    const plan = await remediate(at(2.1), { apply: false, deleteUsers: true });
    // Bob's changed grant is still listed for a new decision; Dee is deleted, not edited.
    expect(plan.steps.map((s) => s.kind)).toEqual(['delete-user', 'needs-decision']);
    expect(plan.steps[0]).toMatchObject({ user: { userId: dee.id } });
    const result = await remediate(at(2.2), { apply: true, deleteUsers: true });
    expect(result.actions).toMatchObject([{ operation: 'delete_users', status: 'applied', outcome: 'sent' }]);
    expect(h.sim.truth().users.some((u) => u.id === dee.id)).toBe(false);
  });

  it('--withdraw-stale-invites withdraws stale workspace invites (delete_invites)', async () => {
    const invites = h.sim.truth().invites;
    expect(invites.length).toBeGreaterThan(0);
    await h.run(at(30)); // every invite seen since day 0 is stale now
    const result = await runRemediation(h.db.handle, config(at(30.1)), {
      apply: true,
      withdrawStaleInvites: true,
      now: () => at(30.1),
      logger: silent,
    });
    const withdrawn = result.actions.filter((a) => a.operation === 'delete_invites');
    expect(withdrawn.map((a) => a.target).sort()).toEqual([...invites].sort());
    expect(withdrawn.every((a) => a.status === 'applied')).toBe(true);
    expect(h.sim.truth().invites).toEqual([]);
    expect(result.steps.some((s) => s.kind === 'manual-invite')).toBe(true);

    // The next audit no longer sees them: each withdrawal is verified and named.
    const next = await h.run(at(30.5));
    const rows = (await actions(h.db.handle.db)).filter((a) => a.operation === 'delete_invites');
    expect(rows.map((a) => a.verified_snapshot_id)).toEqual(rows.map(() => next.snapshotId));
    const named = await sql<{ email: string; action: string }>`
      SELECT subject_id AS email, detail->>'remediationActionId' AS action FROM audit.changes
       WHERE snapshot_id = ${next.snapshotId} AND kind = 'invite_withdrawn' AND group_id IS NULL`.execute(
      h.db.handle.db,
    );
    const byEmail = (a: { email: string }, b: { email: string }) => a.email.localeCompare(b.email);
    expect([...named.rows].sort(byEmail)).toEqual(
      rows.map((a) => ({ email: a.target, action: a.id })).sort(byEmail),
    );
  });
});
