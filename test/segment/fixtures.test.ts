import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import { collect } from '../../src/segment/index.js';
import { fastClient, type TinyServer, tinyServer } from './helpers.js';

/*
 * Response bodies shaped exactly like the public SDK's models (model/*.ts of
 * segmentio/public-api-sdk-typescript): optional members absent in some records and null
 * in others, lists without permissions as the real API sends them. Served over HTTP as
 * they are, byte for byte.
 */
function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
}

const ADA = '2TlsQMv3mHdBtDjYrpaMSCdL9OO';
const GRACE = '2TlsQMv3mHdBtDjYrpaMSCdL9OP';
const CONTRACTORS = '2U0MZSz8hRbfx0mX6ZlZkVqxyGF';

/** The recorded body for a read path. */
function bodyFor(url: URL): string | undefined {
  const routes: [RegExp, string][] = [
    [/^\/$/, 'get-workspace'],
    [/^\/roles$/, 'list-roles'],
    [/^\/users$/, url.searchParams.get('pagination.cursor') === 'Mg==' ? 'list-users-2' : 'list-users'],
    [new RegExp(`^/users/${ADA}$`), 'get-user'],
    [new RegExp(`^/users/${GRACE}$`), 'get-user-no-permissions'],
    [/^\/users\/[^/]+\/groups$/, 'list-user-groups-from-user'],
    [/^\/groups$/, 'list-user-groups'],
    [/^\/groups\/[^/]+$/, 'get-user-group'],
    [/^\/groups\/[^/]+\/users$/, 'list-users-from-user-group'],
    [/^\/groups\/[^/]+\/invites$/, 'list-invites-from-user-group'],
    [/^\/invites$/, 'list-invites'],
  ];
  const match = routes.find(([pattern]) => pattern.test(url.pathname));
  return match === undefined ? undefined : fixture(match[1]);
}

/** Errors to answer first, in order, before the recorded success bodies. */
const queued: { status: number; body: string }[] = [];
let server: TinyServer;

beforeAll(async () => {
  server = await tinyServer((url, _req, res) => {
    const error = queued.shift();
    const body = error?.body ?? bodyFor(url);
    res.writeHead(error?.status ?? (body === undefined ? 404 : 200), { 'content-type': 'application/json' });
    res.end(body ?? fixture('error-404'));
  });
});
afterAll(() => server.close());

describe('SDK-shaped success bodies', () => {
  it('the workspace, roles, invites and group lists parse as recorded', async () => {
    const client = fastClient(server.url, 'tok-0000');
    expect(await client.getWorkspace()).toEqual({
      id: '9aQ1Lj62S4bomZKLF4DPqW',
      slug: 'acme-corp',
      name: 'ACME Corp',
    });
    const roles = await collect(client.listRoles());
    expect(roles.items.map((r) => r.name)).toEqual(['Workspace Owner', 'Source Admin']);
    expect(roles.totalEntries).toBe(2);
    const invites = await collect(client.listInvites());
    expect(invites).toMatchObject({
      items: ['new.hire@acme.test', 'contractor@partner.test'],
      totalEntries: 2,
    });
    expect((await collect(client.listInvitesFromUserGroup(CONTRACTORS))).items).toEqual([
      'new.hire@acme.test',
    ]);
    expect((await collect(client.listUsersFromUserGroup(CONTRACTORS))).items.map((u) => u.name)).toEqual([
      'Ada Lovelace',
      'Alan Turing',
    ]);
    expect((await collect(client.listUserGroupsFromUser(ADA))).items).toEqual([
      { id: '2U0MZSz8hRbfx0mX6ZlZkVqxyGD', name: 'Engineers' },
    ]);
  });

  it('users: permissions absent or null read as absent, labels kept, a null total is no total', async () => {
    const client = fastClient(server.url, 'tok-0000');
    const users = await collect(client.listUsers());
    expect(users.pages).toBe(2);
    expect(users.totalEntries).toBeUndefined();
    expect(users.items.map((u) => u.permissions)).toEqual([
      undefined,
      undefined,
      [
        {
          roleName: 'Source Admin',
          roleId: '1wj1qtFbHDcObvBRlWEYQaeQwY6',
          resources: [{ id: '9aQ1Lj62S4bomZKLF4DPqW', type: 'WORKSPACE', labels: [] }],
          labels: [{ key: 'environment', value: 'prod', description: undefined }],
        },
      ],
    ]);
    const ada = await client.getUser(ADA);
    expect(ada.permissions?.[1]).toEqual({
      roleName: 'Source Admin',
      roleId: '1wj1qtFbHDcObvBRlWEYQaeQwY6',
      resources: [
        {
          id: 'qQEHquLrjRDN9j1ByrChyn',
          type: 'SOURCE',
          labels: [{ key: 'environment', value: 'prod', description: 'Production sources' }],
        },
      ],
      labels: undefined,
    });
    expect((await client.getUser(GRACE)).permissions).toBeUndefined();
  });

  it('groups: permissions present, absent or null', async () => {
    const client = fastClient(server.url, 'tok-0000');
    const groups = await collect(client.listUserGroups());
    expect(groups.items.map((g) => [g.name, g.permissions?.length])).toEqual([
      ['Engineers', 1],
      ['Auditors', undefined],
      ['Contractors', undefined],
    ]);
    expect(groups.items[0]?.permissions?.[0]?.labels).toEqual([
      { key: 'environment', value: 'dev', description: undefined },
    ]);
    expect(await client.getUserGroup(CONTRACTORS)).toEqual({
      id: CONTRACTORS,
      name: 'Contractors',
      memberCount: 1,
      permissions: undefined,
    });
  });
});

describe('SDK-shaped error bodies', () => {
  it('a 422 on pagination.count (data null, status member) falls back to 200 items a page', async () => {
    queued.push({ status: 422, body: fixture('error-422-count') });
    const client = fastClient(server.url, 'tok-0000');
    expect((await collect(client.listInvites())).items).toHaveLength(2);
    expect(client.stats.maxPageSize).toBe(200);
  });

  it("a 429 waits the body's msBeforeNext; a 500 with message null is retried", async () => {
    queued.push({ status: 429, body: fixture('error-429') }, { status: 500, body: fixture('error-500') });
    const client = fastClient(server.url, 'tok-0000');
    expect((await client.getWorkspace()).slug).toBe('acme-corp');
    expect(client.stats).toMatchObject({ requests: 3, rateLimited: 1, retries: 1 });
  });

  it('a 404 without message or field is API_NOT_FOUND naming the path', async () => {
    const error = await fastClient(server.url, 'tok-0000')
      .getUser('no-such-user')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditError);
    expect((error as AuditError).message).toBe(
      'GET /users/no-such-user: not found (404): /users/no-such-user',
    );
  });
});
