import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorAdmin, SimulatorAdminError } from '../../src/simulator/client.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { call, walk } from './http.js';

let sim: RunningSimulator;
let admin: SimulatorAdmin;
beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    users: 40,
    groups: 4,
    invites: 6,
    groupInvites: 4,
    writeLimitPerMinute: 1_000,
  });
  admin = new SimulatorAdmin(sim);
});
afterAll(() => sim.close());

const roleId = (name: string) => sim.truth().roles.find((r) => r.name === name)!.id;
const sourceOf = () =>
  sim
    .truth()
    .users.flatMap((u) => u.permissions)
    .flatMap((p) => p.resources)
    .find((r) => r.type === 'SOURCE')!;
const readUser = async (id: string) => (await call(sim, `/users/${id}`)).body.data.user;

describe('user permissions', () => {
  it('POST adds (merging into the role already held), PUT replaces; reads and truth follow', async () => {
    const user = sim.truth().users.find((u) => u.permissions.length === 0)!;
    const source = sourceOf();
    const added = await admin.addUserPermissions(user.id, [
      { roleId: roleId('Source Admin'), resources: [{ id: source.id, type: 'SOURCE' }] },
    ]);
    expect(added).toEqual([
      {
        roleId: roleId('Source Admin'),
        roleName: 'Source Admin',
        resources: [{ id: source.id, type: 'SOURCE' }],
      },
    ]);
    await admin.addUserPermissions(user.id, [
      { roleId: roleId('Source Admin'), resources: [{ id: 'another-source', type: 'SOURCE' }] },
    ]);
    const merged = (await readUser(user.id)).permissions;
    expect(merged).toHaveLength(1);
    expect(merged[0].resources.map((r: { id: string }) => r.id).sort()).toEqual(
      ['another-source', source.id].sort(),
    );
    expect(sim.truth().users.find((u) => u.id === user.id)!.permissions).toEqual(merged);

    const ws = sim.truth().workspace.id;
    await admin.replaceUserPermissions(user.id, [
      { roleId: roleId('Workspace Owner'), resources: [{ id: ws, type: 'WORKSPACE' }] },
    ]);
    expect((await readUser(user.id)).permissions).toEqual([
      {
        roleId: roleId('Workspace Owner'),
        roleName: 'Workspace Owner',
        resources: [{ id: ws, type: 'WORKSPACE' }],
      },
    ]);
    await admin.replaceUserPermissions(user.id, []);
    expect((await readUser(user.id)).permissions).toEqual([]);
  });

  it('refuses an unknown role (422) and an unknown user (404)', async () => {
    const user = sim.truth().users[0]!;
    const bad = await call(sim, `/users/${user.id}/permissions`, {
      method: 'POST',
      body: { permissions: [{ roleId: 'nope', resources: [] }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('permissions.0.roleId');
    await expect(admin.addUserPermissions('no-such-user', [])).rejects.toMatchObject({ status: 404 });
  });

  it('labels go on the WORKSPACE resource only (PermissionResourceV1)', async () => {
    const user = sim.truth().users[5]!;
    const ws = sim.truth().workspace.id;
    const prod = [{ key: 'environment', value: 'prod' }];
    await admin.replaceUserPermissions(user.id, [
      { roleId: roleId('Source Admin'), resources: [{ id: ws, type: 'WORKSPACE', labels: prod }] },
    ]);
    expect((await readUser(user.id)).permissions).toEqual([
      {
        roleId: roleId('Source Admin'),
        roleName: 'Source Admin',
        resources: [{ id: ws, type: 'WORKSPACE', labels: prod }],
      },
    ]);
    const onSource = await call(sim, `/users/${user.id}/permissions`, {
      method: 'POST',
      body: {
        permissions: [{ roleId: roleId('Source Admin'), resources: [{ ...sourceOf(), labels: prod }] }],
      },
    });
    expect(onSource.status).toBe(422);
    expect(onSource.body.errors[0].field).toBe('permissions.0.resources.0.labels');
  });

  it('simulation route: a name and email change (Segment has no endpoint for it)', async () => {
    const user = sim.truth().users[1]!;
    await admin.updateUser(user.id, { name: 'Zoë Renamed', email: 'zoe.renamed@example.org' });
    expect(await readUser(user.id)).toMatchObject({ name: 'Zoë Renamed', email: 'zoe.renamed@example.org' });
    const taken = sim.truth().users[2]!.email;
    await expect(admin.updateUser(user.id, { email: taken })).rejects.toMatchObject({ status: 409 });
  });
});

describe('invites', () => {
  it('POST /invites creates, DELETE /invites?emails.N removes; an existing user cannot be invited', async () => {
    const emails = await admin.createInvites([
      {
        email: 'new.person@example.org',
        permissions: [{ roleId: roleId('Workspace Member'), resources: [] }],
      },
      { email: 'other.person@example.org' },
    ]);
    expect(emails).toEqual(['new.person@example.org', 'other.person@example.org']);
    expect((await walk(sim, '/invites', 'invites')).items).toContain('new.person@example.org');
    await expect(admin.createInvites([{ email: 'NEW.person@example.org' }])).rejects.toMatchObject({
      status: 409,
    });
    await expect(admin.createInvites([{ email: sim.truth().users[3]!.email }])).rejects.toMatchObject({
      status: 409,
    });
    await admin.deleteInvites(['other.person@example.org']);
    expect(sim.truth().invites).not.toContain('other.person@example.org');
    await expect(admin.deleteInvites(['never.invited@example.org'])).rejects.toMatchObject({ status: 404 });
  });

  it('accepting an invite makes a user with its permissions and turns group invites into memberships', async () => {
    const group = sim.truth().groups[0]!;
    const source = sourceOf();
    await admin.createInvites([
      {
        email: 'Accepting.Person@Example.org',
        permissions: [{ roleId: roleId('Source Read-only'), resources: [{ id: source.id, type: 'SOURCE' }] }],
      },
    ]);
    await admin.addGroupMembers(group.id, ['accepting.person@example.org']);
    expect(sim.truth().groups[0]!.inviteEmails).toContain('accepting.person@example.org');

    const user = await admin.acceptInvite('accepting.person@example.org', 'Accepting Person');
    const t = sim.truth();
    expect(t.invites).not.toContain('Accepting.Person@Example.org');
    expect(t.groups[0]!.inviteEmails).not.toContain('accepting.person@example.org');
    expect(t.groups[0]!.memberIds).toContain(user.id);
    expect(t.groups[0]!.memberCount).toBe(group.memberCount + 1);
    expect(t.users.find((u) => u.id === user.id)!.permissions).toEqual([
      {
        roleId: roleId('Source Read-only'),
        roleName: 'Source Read-only',
        resources: [{ id: source.id, type: 'SOURCE' }],
      },
    ]);
    const groupsOfUser = (await walk(sim, `/users/${user.id}/groups`, 'groups')).items;
    expect(groupsOfUser).toEqual([{ id: group.id, name: group.name }]);
    await expect(admin.acceptInvite('nobody@example.org', 'Nobody')).rejects.toMatchObject({ status: 404 });
  });
});

describe('users and groups', () => {
  it('DELETE /users?userIds.N removes users and their memberships', async () => {
    const t = sim.truth();
    const group = t.groups.find((g) => g.memberIds.length > 2)!;
    const leaving = group.memberIds[0]!;
    await admin.deleteUsers([leaving]);
    expect((await call(sim, `/users/${leaving}`)).status).toBe(404);
    const after = sim.truth();
    expect(after.users.map((u) => u.id)).not.toContain(leaving);
    const g = after.groups.find((x) => x.id === group.id)!;
    expect(g.memberIds).not.toContain(leaving);
    expect((await call(sim, `/groups/${group.id}`)).body.data.userGroup.memberCount).toBe(
      group.memberCount - 1,
    );
    expect((await walk(sim, '/users', 'users')).items).toHaveLength(after.users.length);
  });

  it('creates, renames, fills (users and invitees by email), grants, empties and deletes a group', async () => {
    const created = await admin.createGroup('Auditors – EMEA');
    expect(created).toMatchObject({ name: 'Auditors – EMEA', memberCount: 0, permissions: [] });
    await expect(admin.createGroup('Auditors – EMEA')).rejects.toMatchObject({ status: 409 });
    expect(await admin.renameGroup(created.id, 'Auditors – Europe')).toMatchObject({
      name: 'Auditors – Europe',
    });
    await expect(admin.renameGroup(created.id, sim.truth().groups[0]!.name)).rejects.toMatchObject({
      status: 409,
    });
    const [a, b] = sim.truth().users;
    // POST /groups/{id}/users: users join (email in any case), other emails are invited.
    const withMembers = await admin.addGroupMembers(created.id, [
      a!.email,
      b!.email.toUpperCase(),
      'stranger@example.org',
    ]);
    expect(withMembers.memberCount).toBe(2);
    expect(sim.truth().groups.find((g) => g.id === created.id)!.inviteEmails).toEqual([
      'stranger@example.org',
    ]);
    await expect(admin.addGroupMembers(created.id, ['not an email'])).rejects.toMatchObject({ status: 422 });
    const members = (await walk(sim, `/groups/${created.id}/users`, 'users')).items.map((u) => u.id);
    expect(members).toEqual([a!.id, b!.id].sort());
    expect((await walk(sim, `/users/${a!.id}/groups`, 'groups')).items.map((g) => g.id)).toContain(
      created.id,
    );

    const ws = sim.truth().workspace.id;
    await admin.addGroupPermissions(created.id, [
      { roleId: roleId('Workspace Member'), resources: [{ id: ws, type: 'WORKSPACE' }] },
    ]);
    await admin.addGroupPermissions(created.id, [
      { roleId: roleId('Functions Admin'), resources: [{ id: 'fn1', type: 'FUNCTION' }] },
    ]);
    expect((await call(sim, `/groups/${created.id}`)).body.data.userGroup.permissions).toHaveLength(2);
    await admin.replaceGroupPermissions(created.id, [
      { roleId: roleId('Functions Admin'), resources: [{ id: 'fn2', type: 'FUNCTION' }] },
    ]);
    expect(sim.truth().groups.find((g) => g.id === created.id)!.permissions).toEqual([
      {
        roleId: roleId('Functions Admin'),
        roleName: 'Functions Admin',
        resources: [{ id: 'fn2', type: 'FUNCTION' }],
      },
    ]);

    // DELETE /group/{id}/users?emails.N: members or invitees by email.
    await admin.removeGroupMembers(created.id, [a!.email, 'Stranger@example.org']);
    let now = sim.truth().groups.find((g) => g.id === created.id)!;
    expect(now.memberIds).toEqual([b!.id]);
    expect(now.inviteEmails).toEqual([]);
    await expect(admin.removeGroupMembers(created.id, [a!.email])).rejects.toMatchObject({ status: 404 });

    // PUT /group/{id}/users: exactly these emails, users as members and others as invitees.
    const replaced = await admin.replaceGroupMembers(created.id, [a!.email, 'pending.two@example.org']);
    expect(replaced.memberCount).toBe(1);
    now = sim.truth().groups.find((g) => g.id === created.id)!;
    expect(now.memberIds).toEqual([a!.id]);
    expect((await walk(sim, `/groups/${created.id}/invites`, 'emails')).items).toEqual([
      'pending.two@example.org',
    ]);
    expect((await walk(sim, `/users/${b!.id}/groups`, 'groups')).items.map((g) => g.id)).not.toContain(
      created.id,
    );

    await admin.deleteGroup(created.id);
    expect((await call(sim, `/groups/${created.id}`)).status).toBe(404);
    expect((await walk(sim, `/users/${a!.id}/groups`, 'groups')).items.map((g) => g.id)).not.toContain(
      created.id,
    );
    expect(sim.truth().groups.map((g) => g.id)).not.toContain(created.id);
  });

  it('has no routes the real API lacks', async () => {
    const group = sim.truth().groups[0]!;
    const user = sim.truth().users[0]!;
    for (const [method, path] of [
      ['DELETE', `/groups/${group.id}/users?userIds.0=${user.id}`],
      ['POST', `/groups/${group.id}/invites`],
      ['DELETE', `/groups/${group.id}/invites?emails.0=x@example.org`],
      ['PATCH', `/users/${user.id}`],
    ] as const) {
      const a = await call(sim, path, {
        method,
        body: method === 'DELETE' ? undefined : { emails: ['x@example.org'] },
      });
      expect(a.status, `${method} ${path}`).toBe(404);
    }
  });

  it('validates bodies and query lists', async () => {
    expect((await call(sim, '/groups', { method: 'POST', body: {} })).status).toBe(422);
    expect((await call(sim, '/invites', { method: 'DELETE' })).status).toBe(422);
    const broken = await fetch(`${sim.url}/groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(broken.status).toBe(422);
    expect((await call(sim, '/users', { method: 'DELETE', token: 'wrong' })).status).toBe(401);
  });
});

describe('write limit', () => {
  it('each write endpoint allows writeLimitPerMinute requests, then 429 with msBeforeNext', async () => {
    const limited = await startSimulator({ seed: 2, users: 10, groups: 1, writeLimitPerMinute: 2 });
    try {
      const ids = limited.truth().users.map((u) => u.id);
      const patch = (id: string) =>
        call(limited, `/users/${id}/permissions`, { method: 'PUT', body: { permissions: [] } });
      expect((await patch(ids[0]!)).status).toBe(200);
      const second = await patch(ids[1]!);
      expect(second.status).toBe(200);
      expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
      const third = await patch(ids[2]!);
      expect(third.status).toBe(429);
      expect(third.body.errors[0]).toMatchObject({ type: 'RequestError', data: { remainingPoints: 0 } });
      expect(third.body.errors[0].data.msBeforeNext).toBeGreaterThan(0);
      expect(limited.stats.rateLimited).toBe(1);
      // Another endpoint has its own budget; reads are not affected.
      expect((await call(limited, '/groups', { method: 'POST', body: { name: 'G' } })).status).toBe(200);
      expect((await call(limited, '/users')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('SimulatorAdmin waits msBeforeNext on a 429 and succeeds', async () => {
    // A clock whose 60 s write window ends ~150 ms after the test starts, so waiting is short.
    const realStart = Date.now();
    const base = 60_000 * 1_000_000 + 60_000 - 150;
    const paced = await startSimulator({
      seed: 2,
      users: 10,
      groups: 1,
      writeLimitPerMinute: 1,
      now: () => base + Date.now() - realStart,
    });
    try {
      const client = new SimulatorAdmin(paced);
      const [a, b] = paced.truth().users;
      await client.replaceUserPermissions(a!.id, []);
      await client.replaceUserPermissions(b!.id, []);
      expect(client.waitedMs).toBeGreaterThan(0);
      expect(client.waitedMs).toBeLessThan(1_000);
      expect(paced.stats.rateLimited).toBe(1);
      expect(paced.truth().users.find((u) => u.id === b!.id)!.permissions).toEqual([]);
      // The total wait is bounded: the new window's one write is spent, and waiting ~60 s is too long.
      const impatient = new SimulatorAdmin(paced, { maxWaitMs: 1_000 });
      await expect(impatient.replaceUserPermissions(b!.id, [])).rejects.toBeInstanceOf(SimulatorAdminError);
    } finally {
      await paced.close();
    }
  });
});
