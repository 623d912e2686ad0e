/**
 * `remediate --apply` killed with SIGKILL at the moments that matter, in a child process:
 * - as soon as an action is recorded `planned` (the request may or may not have gone);
 * - after the simulated workspace applied the write but before its answer arrived (the
 *   simulator answers late; the test kills once the truth shows the change);
 * - once the action is recorded applied.
 * Then a second run, to its end. Every time: the grant is gone, its sibling scope kept, one
 * applied action per decision, and no write sent again once the first one took effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Permission } from '../../src/model/workspace.js';
import { dbEnv, killLeftovers, startCli, waitUntil } from '../helpers/cli.js';
import { at, type Harness, startHarness } from '../pipeline/helpers.js';
import { actions, decide } from './fixtures.js';

let h: Harness;
let ws: string;
let snapshotId: number;
const role = { id: '', name: '' };
let users: { id: string; email: string }[] = [];

const scoped = (value: string) => ({
  roleId: role.id,
  resources: [{ id: ws, type: 'WORKSPACE' }],
  labels: [{ key: 'environment', value }],
});
const held = (userId: string): Permission[] =>
  (h.sim.truth().users.find((u) => u.id === userId)?.permissions ?? []).filter((p) => p.roleId === role.id);
const puts = () => h.sim.stats.byRoute['PUT /users/{id}/permissions'] ?? 0;

function env(): Record<string, string> {
  return {
    SEGMENT_API_URL: h.sim.url,
    SEGMENT_API_TOKEN: h.sim.token,
    SEGMENT_WRITE_TOKEN: h.sim.token,
    REPORTS_DIR: h.reportsDir,
    LOG_LEVEL: 'info',
    ...dbEnv(h.db),
  };
}

beforeAll(async () => {
  h = await startHarness({ seed: 31, users: 8, groups: 2 });
  const truth = h.sim.truth();
  ws = truth.workspace.id;
  users = truth.users.map((u) => ({ id: u.id, email: u.email }));
  const admin = truth.roles.find((r) => r.name === 'Source Admin')!;
  Object.assign(role, { id: admin.id, name: admin.name });
  for (const u of users.slice(0, 3))
    await h.admin.replaceUserPermissions(u.id, [scoped('production'), scoped('staging')]);
  snapshotId = (await h.run(at(0))).snapshotId;
});
afterAll(async () => {
  killLeftovers();
  await h?.db.reopen().catch(() => undefined);
  await h?.close();
});

type Moment = 'planned' | 'sent-unanswered' | 'recorded';

async function trial(n: number, moment: Moment): Promise<void> {
  const u = users[n]!;
  await decide(h.db.handle.db, {
    snapshotId,
    userId: u.id,
    email: u.email,
    roleId: role.id,
    roleName: role.name,
    resourceType: 'WORKSPACE',
    resourceId: ws,
    labels: 'environment:production',
  });
  await h.db.release();
  if (moment === 'sent-unanswered') h.sim.setFaults({ latencyMs: 2000 });
  const before = puts();
  const child = startCli(['remediate', '--apply'], env());
  if (moment === 'sent-unanswered') {
    // The workspace has changed, the answer is still on its way: kill now.
    await waitUntil(() => held(u.id).length === 1, 60_000, 'the write reaching the workspace');
    child.process.kill('SIGKILL');
  } else {
    const msg = moment === 'planned' ? 'remediation action planned' : 'remediation action recorded';
    child.onLog = (entry) => {
      if (entry.msg === msg) child.process.kill('SIGKILL');
    };
    await child.waitForLog((e) => e.msg === msg, 60_000);
  }
  const killed = await child.exited;
  expect(killed.signal).toBe('SIGKILL');
  h.sim.setFaults(undefined);
  const sentByKilled = puts() - before;
  // The kill landed where intended: the action is left planned (outcome unknown) or recorded.
  await h.db.reopen();
  const left = (await actions(h.db.handle.db)).filter((a) => a.target === u.id);
  expect(left).toMatchObject([{ status: moment === 'recorded' ? 'applied' : 'planned' }]);
  await h.db.release();

  const again = startCli(['remediate', '--apply'], env());
  const done = await again.exited;
  expect(done.code, again.stderr()).toBe(0);
  await h.db.reopen();

  expect(held(u.id).map((p) => p.labels)).toEqual([[{ key: 'environment', value: 'staging' }]]);
  const mine = (await actions(h.db.handle.db)).filter((a) => a.target === u.id);
  expect(mine).toMatchObject([{ status: 'applied' }]);
  // Once a write took effect it is never sent again.
  if (sentByKilled > 0) expect(puts() - before).toBe(sentByKilled);
  if (moment === 'sent-unanswered') expect(mine[0]?.outcome).toBe('found-done');
}

describe('remediate --apply killed at any moment', () => {
  it('killed once an action is planned: the next run resolves it, never twice', async () => {
    await trial(0, 'planned');
  });
  it('killed after the workspace applied the write, before its answer: found done, not resent', async () => {
    await trial(1, 'sent-unanswered');
  });
  it('killed once the action is recorded applied: nothing more is sent', async () => {
    await trial(2, 'recorded');
  });
});
