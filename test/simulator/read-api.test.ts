import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { call, walk } from './http.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, users: 437, groups: 9, invites: 23, groupInvites: 11 });
});
afterAll(() => sim.close());

describe('envelope and auth', () => {
  it('answers 401 with an errors body without a token or with a wrong one', async () => {
    for (const token of [null, 'sim_wrong']) {
      const a = await call(sim, '/users', { token });
      expect(a.status).toBe(401);
      expect(a.body.errors[0]).toMatchObject({ type: expect.any(String), message: expect.any(String) });
      expect(a.body.data).toBeUndefined();
    }
  });

  it('answers both documented media types, and JSON to any other Accept (406 is not documented)', async () => {
    const vendor = await call(sim, '/');
    expect(vendor.status).toBe(200);
    expect(vendor.headers.get('content-type')).toBe('application/vnd.segment.v1+json');
    const plain = await call(sim, '/', { accept: 'application/json' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(plain.body).toEqual({ data: { workspace: sim.truth().workspace } });
    const html = await call(sim, '/', { accept: 'text/html' });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('application/json');
  });

  it('answers 404 with an errors body for unknown routes and ids', async () => {
    for (const path of [
      '/nope',
      '/users/not-a-user',
      '/users/not-a-user/groups',
      '/groups/x',
      '/groups/x/users',
    ]) {
      const a = await call(sim, path);
      expect(a.status, path).toBe(404);
      expect(a.body.errors).toEqual([{ type: 'NotFound', message: expect.any(String), status: 404 }]);
      expect(a.body.data).toBeUndefined();
    }
  });
});

describe('determinism', () => {
  it('two simulators with one seed serve byte-identical pages (cursors included)', async () => {
    const twin = await startSimulator({ seed: 3, users: 437, groups: 9, invites: 23, groupInvites: 11 });
    try {
      for (const path of [
        '/',
        '/users?pagination.count=7',
        '/groups?pagination.count=3',
        '/invites',
        '/roles',
      ]) {
        expect((await call(twin, path)).text, path).toBe((await call(sim, path)).text);
      }
      expect(twin.truth()).toEqual(sim.truth());
    } finally {
      await twin.close();
    }
  });
});

describe('pagination', () => {
  it('walks every user exactly once, next omitted on the last page, totals declared', async () => {
    const { items, pages } = await walk(sim, '/users', 'users', 50);
    expect(items.map((u) => u.id)).toEqual(sim.truth().users.map((u) => u.id));
    expect(new Set(items.map((u) => u.id)).size).toBe(437);
    expect(pages).toHaveLength(9);
    const last = pages.at(-1);
    expect('next' in last).toBe(false);
    expect(last.previous).toEqual(expect.any(String));
    expect('previous' in pages[0]).toBe(false);
    expect(pages.every((p) => p.totalEntries === 437)).toBe(true);
    // Cursors are opaque base64 carrying + / and =.
    expect(pages[1].current).toMatch(/\+/);
    expect(pages[1].current).toMatch(/\//);
    expect(pages[1].current).toMatch(/=$/);
  });

  it('walks every list of the spec', async () => {
    const t = sim.truth();
    expect((await walk(sim, '/roles', 'roles', 5)).items).toEqual(t.roles);
    expect((await walk(sim, '/invites', 'invites', 4)).items).toEqual(t.invites);
    const groups = (await walk(sim, '/groups', 'userGroups', 2)).items;
    expect(groups.map((g) => [g.id, g.name, g.memberCount, g.permissions])).toEqual(
      t.groups.map((g) => [g.id, g.name, g.memberCount, g.permissions]),
    );
    const g = t.groups[0]!;
    const members = (await walk(sim, `/groups/${g.id}/users`, 'users', 7)).items;
    expect(members.map((u) => u.id)).toEqual(g.memberIds);
    expect(Object.keys(members[0]).sort()).toEqual(['email', 'id', 'name']);
    const invited = t.groups.find((x) => x.inviteEmails.length > 0)!;
    expect((await walk(sim, `/groups/${invited.id}/invites`, 'emails', 1)).items).toEqual(
      invited.inviteEmails,
    );
    const user = g.memberIds[0]!;
    const ofUser = (await walk(sim, `/users/${user}/groups`, 'groups', 1)).items;
    expect(ofUser).toEqual(
      t.groups.filter((x) => x.memberIds.includes(user)).map((x) => ({ id: x.id, name: x.name })),
    );
  });

  it('refuses count 0, 1001 and non-integers with 422, and records the largest count asked for', async () => {
    sim.resetStats();
    for (const count of ['0', '1001', '1.5', 'abc', '']) {
      const a = await call(sim, `/users?pagination.count=${count}`);
      expect(a.status, count).toBe(422);
      expect(a.body).toEqual({
        errors: [
          {
            type: 'ValidationFailure',
            message: `pagination.count must be an integer from 1 to 1000 (got '${count}')`,
            field: 'pagination.count',
            status: 422,
          },
        ],
      });
    }
    expect(sim.stats.maxCountRequested).toBe(1001);
    expect((await call(sim, '/users?pagination.count=1000')).body.data.users).toHaveLength(437);
    expect((await call(sim, '/users?pagination.count=1')).body.data.users).toHaveLength(1);
    expect(sim.stats.maxCountRequested).toBe(1001);
  });

  it('maxPageCount: 200 answers like older API versions: 1000 and 201 are refused, 200 served', async () => {
    const old = await startSimulator({ seed: 3, users: 437, groups: 2, maxPageCount: 200 });
    try {
      for (const count of ['1000', '201']) {
        const a = await call(old, `/users?pagination.count=${count}`);
        expect(a.status, count).toBe(422);
        expect(a.body.errors[0]).toMatchObject({ type: 'ValidationFailure', field: 'pagination.count' });
        expect(a.body.errors[0].message).toMatch(/from 1 to 200/);
      }
      expect((await call(old, '/groups?pagination.count=1000')).status).toBe(422);
      expect((await call(old, '/users?pagination.count=200')).body.data.users).toHaveLength(200);
    } finally {
      await old.close();
    }
    await expect(startSimulator({ maxPageCount: 1001 })).rejects.toThrow(/maxPageCount/);
  });

  it('defaults to 10 items when no count is given', async () => {
    expect((await call(sim, '/users')).body.data.users).toHaveLength(10);
  });

  it('accepts the pagination[count] / pagination[cursor] spelling', async () => {
    const first = await call(sim, `/users?${encodeURIComponent('pagination[count]')}=3`);
    expect(first.body.data.users).toHaveLength(3);
    const next = first.body.data.pagination.next as string;
    const second = await call(
      sim,
      `/users?pagination[count]=3&pagination[cursor]=${encodeURIComponent(next)}`,
    );
    const dotted = await call(sim, `/users?pagination.count=3&pagination.cursor=${encodeURIComponent(next)}`);
    expect(second.body.data.users).toEqual(dotted.body.data.users);
    expect(second.body.data.users[0].id).not.toBe(first.body.data.users[0].id);
  });

  it('refuses a cursor sent without URL-encoding (its + becomes a space) and garbage cursors', async () => {
    const next = (await call(sim, '/users?pagination.count=3')).body.data.pagination.next as string;
    expect(next).toContain('+');
    const raw = await call(sim, `/users?pagination.count=3&pagination.cursor=${next}`);
    expect(raw.status).toBe(422);
    expect(raw.body.errors[0].field).toBe('pagination.cursor');
    for (const bad of ['abc', 'MA==', encodeURIComponent('+++/notjson==')]) {
      expect((await call(sim, `/users?pagination.cursor=${bad}`)).status, bad).toBe(422);
    }
    // A cursor from another list is not valid here.
    const inviteCursor = (await call(sim, '/invites?pagination.count=1')).body.data.pagination.next as string;
    expect((await call(sim, `/users?pagination.cursor=${encodeURIComponent(inviteCursor)}`)).status).toBe(
      422,
    );
  });

  it('omits totalEntries when asked to', async () => {
    const quiet = await startSimulator({ seed: 3, users: 30, omitTotalEntries: true });
    try {
      const { pages } = await walk(quiet, '/users', 'users', 7);
      expect(pages.every((p) => !('totalEntries' in p))).toBe(true);
    } finally {
      await quiet.close();
    }
  });
});

describe('permissions inline or detail-only', () => {
  it('by default group lists carry permissions and user lists do not, as the real API', async () => {
    const users = (await walk(sim, '/users', 'users')).items;
    expect(users.some((u) => 'permissions' in u)).toBe(false);
    expect(Object.keys(users[0]).sort()).toEqual(['email', 'id', 'name']);
    const groups = (await walk(sim, '/groups', 'userGroups')).items;
    expect(groups.every((g) => Array.isArray(g.permissions))).toBe(true);
    // Members of a group are MinimalUserV1 whatever the mode.
    const members = (await walk(sim, `/groups/${groups[0].id}/users`, 'users')).items;
    expect(members.some((u) => 'permissions' in u)).toBe(false);
  });

  it('inline mode (the old shape) puts permissions in both lists; restoring gives the real shape', async () => {
    sim.setInlinePermissions(true);
    try {
      const inline = await call(sim, '/users?pagination.count=200');
      expect(inline.body.data.users.every((u: object) => 'permissions' in u)).toBe(true);
    } finally {
      sim.setInlinePermissions(undefined);
    }
    const real = await call(sim, '/users?pagination.count=200');
    expect(real.body.data.users.some((u: object) => 'permissions' in u)).toBe(false);
  });

  it('detail-only mode puts permissions in neither list; each detail GET has them', async () => {
    const t = sim.truth();
    sim.setInlinePermissions(false);
    try {
      const users = (await walk(sim, '/users', 'users')).items;
      expect(users.some((u) => 'permissions' in u)).toBe(false);
      const groups = (await walk(sim, '/groups', 'userGroups')).items;
      expect(groups.some((g) => 'permissions' in g)).toBe(false);
      // Each item's own GET carries them, and they match the truth.
      const someone = t.users.find((u) => u.permissions.length > 1)!;
      expect((await call(sim, `/users/${someone.id}`)).body.data.user).toEqual({
        id: someone.id,
        name: someone.name,
        email: someone.email,
        permissions: someone.permissions,
      });
      const g = t.groups[1]!;
      expect((await call(sim, `/groups/${g.id}`)).body.data.userGroup).toEqual({
        id: g.id,
        name: g.name,
        memberCount: g.memberCount,
        permissions: g.permissions,
      });
    } finally {
      sim.setInlinePermissions(undefined);
    }
  });

  it('an empty permissions array is sent as [] (not omitted) for users without direct access', async () => {
    const bare = sim.truth().users.find((u) => u.permissions.length === 0)!;
    expect((await call(sim, `/users/${bare.id}`)).body.data.user.permissions).toEqual([]);
  });
});
