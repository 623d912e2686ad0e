import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import { collect } from '../../src/segment/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { TOOL_VERSION } from '../../src/version.js';
import { fastClient, json, tinyServer } from './helpers.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, users: 45, groups: 3, invites: 4, groupInvites: 2 });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setFaults(undefined);
  sim.resetStats();
});

async function failure(promise: Promise<unknown>): Promise<AuditError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuditError);
  return error as AuditError;
}

describe('reading and pagination', () => {
  it('walks every page with count 1000 at most and cursors (with + / =) URL-encoded', async () => {
    const client = fastClient(sim.url, sim.token, { pageSize: 10_000 });
    const all = await collect(client.listUsers());
    expect(all.items.map((u) => u.id).sort()).toEqual(sim.truth().users.map((u) => u.id));
    expect(all.totalEntries).toBe(45);
    expect(sim.stats.maxCountRequested).toBe(1000);
  });

  it('follows cursors over many small pages', async () => {
    const client = fastClient(sim.url, sim.token, { pageSize: 7 });
    const all = await collect(client.listUsers());
    expect(all.pages).toBe(7);
    expect(new Set(all.items.map((u) => u.id)).size).toBe(45);
    expect(sim.stats.maxCountRequested).toBe(7);
  });

  it('reads the workspace, a user with permissions, a group and its members', async () => {
    const client = fastClient(sim.url, sim.token);
    const truth = sim.truth();
    expect(await client.getWorkspace()).toEqual(truth.workspace);
    const user = await client.getUser(truth.users[0]!.id);
    expect(user.email).toBe(truth.users[0]!.email);
    expect(Array.isArray(user.permissions)).toBe(true);
    const group = truth.groups[0]!;
    const members = await collect(client.listUsersFromUserGroup(group.id));
    expect(members.items.map((m) => m.id).sort()).toEqual(group.memberIds);
  });
});

describe('failures end in their own clear error', () => {
  it('a 401 says the token was rejected and what access it needs', async () => {
    const client = fastClient(sim.url, 'not-the-token');
    const e = await failure(client.getWorkspace());
    expect(e.code).toBe('API_UNAUTHORIZED');
    expect(e.message).toMatch(/^GET \/: the Segment API rejected the token \(401\)/);
    expect(e.message).toMatch(/Workspace Owner/);
    expect(sim.stats.requests).toBe(1); // not retried
  });

  it('403, 404 and 422 fail at once with their codes', async () => {
    const client = fastClient(sim.url, sim.token);
    sim.inject({ route: 'GET /roles', kind: 'status', status: 403 });
    expect((await failure(collect(client.listRoles()))).code).toBe('API_FORBIDDEN');
    const notFound = await failure(client.getUser('no-such-user'));
    expect(notFound.code).toBe('API_NOT_FOUND');
    expect(notFound.message).toMatch(/\/users\/no-such-user/);
    sim.inject({ route: 'GET /invites', kind: 'status', status: 422 });
    const rejected = await failure(collect(client.listInvites()));
    expect(rejected.code).toBe('API_REJECTED');
    expect(rejected.message).toMatch(/GET \/invites page 1: .*\(422\): the request is not valid/);
    expect(sim.stats.requests).toBe(3);
  });

  it('a malformed body is API_MALFORMED naming the endpoint and page', async () => {
    const client = fastClient(sim.url, sim.token, { pageSize: 10 });
    sim.inject({ route: 'GET /users', kind: 'malformed' });
    const e = await failure(collect(client.listUsers()));
    expect(e.code).toBe('API_MALFORMED');
    expect(e.message).toBe('GET /users page 1: the response body is not valid JSON');
  });

  it('a missing field is API_MALFORMED naming the endpoint, page and field path', async () => {
    const client = fastClient(sim.url, sim.token, { pageSize: 10 });
    const pages = client.listUsers();
    await pages.next();
    sim.inject({ route: 'GET /users', kind: 'missing-field', field: 'email' });
    const e = await failure(pages.next());
    expect(e.code).toBe('API_MALFORMED');
    expect(e.message).toBe('GET /users page 2: users[5].email is required');
  });

  it('a cursor loop is API_PAGINATION, not a hang', async () => {
    const client = fastClient(sim.url, sim.token, { pageSize: 10 });
    sim.inject({ route: 'GET /users', kind: 'cursor-loop' });
    const e = await failure(collect(client.listUsers()));
    expect(e.code).toBe('API_PAGINATION');
    expect(e.message).toMatch(/^GET \/users page 1: the next cursor points back at page 1.*looping/);
  });

  it('a cursor loop on a later page is caught too', async () => {
    const client = fastClient(sim.url, sim.token, { pageSize: 10 });
    const pages = client.listUsers();
    await pages.next();
    await pages.next();
    sim.inject({ route: 'GET /users', kind: 'cursor-loop' });
    const e = await failure(collect({ [Symbol.asyncIterator]: () => pages }));
    expect(e.code).toBe('API_PAGINATION');
    expect(e.message).toMatch(/^GET \/users page 3: .*page 3/);
  });
});

describe('retries', () => {
  it('retries 5xx and dropped connections and succeeds', async () => {
    const client = fastClient(sim.url, sim.token);
    sim.inject({ route: 'GET /', kind: 'status', status: 503 });
    sim.inject({ route: 'GET /', kind: 'drop' });
    sim.inject({ route: 'GET /', kind: 'status', status: 408 });
    expect((await client.getWorkspace()).id).toBe(sim.truth().workspace.id);
    expect(client.stats.retries).toBe(3);
    expect(client.stats.requests).toBe(4);
  });

  it('gives up with API_UNAVAILABLE naming the endpoint and the last cause', async () => {
    const client = fastClient(sim.url, sim.token, { retries: 2 });
    sim.inject({ route: 'GET /roles', kind: 'status', status: 502, times: 10 });
    const e = await failure(collect(client.listRoles()));
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toMatch(/^GET \/roles page 1: the Segment API could not be reached .*HTTP 502/);
    expect(client.stats.requests).toBe(3);
  });

  it('a request that takes longer than the timeout is retried', async () => {
    const client = fastClient(sim.url, sim.token, { requestTimeoutMs: 150 });
    sim.setFaults({ slowRate: 1, slowMs: 2000 });
    const pending = client.getWorkspace();
    setTimeout(() => sim.setFaults(undefined), 250);
    expect((await pending).id).toBe(sim.truth().workspace.id);
    expect(client.stats.retries).toBeGreaterThanOrEqual(1);
  });

  it('a timeout on every attempt ends in API_UNAVAILABLE saying so', async () => {
    const client = fastClient(sim.url, sim.token, { requestTimeoutMs: 50, retries: 1 });
    sim.setFaults({ slowRate: 1, slowMs: 1000 });
    const e = await failure(client.getWorkspace());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toMatch(/timed out after 50 ms/);
  });

  it('a refused connection ends in API_UNAVAILABLE', async () => {
    const server = await tinyServer(() => {});
    await server.close();
    const client = fastClient(server.url, 'tok-refused-0000', { retries: 1 });
    const e = await failure(client.getWorkspace());
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toMatch(/connection failed/);
  });

  it('a 429 waits msBeforeNext and retries without spending the failure budget', async () => {
    const client = fastClient(sim.url, sim.token, { retries: 0 });
    sim.inject({ route: 'GET /', kind: 'status', status: 429, times: 2 });
    const started = Date.now();
    expect((await client.getWorkspace()).id).toBe(sim.truth().workspace.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190); // 2 × msBeforeNext 100
    expect(client.stats).toMatchObject({ requests: 3, rateLimited: 2, retries: 0 });
    expect(client.stats.rateLimitWaitMs).toBeGreaterThanOrEqual(190);
  });
});

describe('the boundary', () => {
  it('keeps an unknown resource type as data and drops unknown fields', async () => {
    const server = await tinyServer((_url, _req, res) =>
      json(res, 200, {
        data: {
          user: {
            id: 'u1',
            name: 'A',
            email: 'a@x.test',
            extra: true,
            permissions: [{ roleId: 'r', roleName: 'R', resources: [{ id: 'x', type: 'HOLOGRAM' }] }],
          },
        },
      }),
    );
    try {
      const user = await fastClient(server.url, 'tok-0000').getUser('u1');
      expect(user).toEqual({
        id: 'u1',
        name: 'A',
        email: 'a@x.test',
        permissions: [{ roleId: 'r', roleName: 'R', resources: [{ id: 'x', type: 'HOLOGRAM' }] }],
      });
    } finally {
      await server.close();
    }
  });

  it('a wrong type names the field; a missing envelope is malformed', async () => {
    let body: unknown = { data: { workspace: { id: 'w', slug: 7, name: 'n' } } };
    const server = await tinyServer((_url, _req, res) => json(res, 200, body));
    try {
      const client = fastClient(server.url, 'tok-0000');
      const e = await failure(client.getWorkspace());
      expect(e.message).toBe('GET /: workspace.slug: expected string, received number');
      body = { workspace: { id: 'w', slug: 's', name: 'n' } };
      expect((await failure(client.getWorkspace())).message).toBe(
        'GET /: the response has no "data" envelope',
      );
    } finally {
      await server.close();
    }
  });

  it('a list that never ends is API_PAGINATION (beyond the declared total, or maxPages)', async () => {
    let n = 0;
    let total: number | undefined = 10;
    const server = await tinyServer((_url, _req, res) => {
      n++;
      json(res, 200, {
        data: { roles: [], pagination: { current: `c${n}`, next: `c${n + 1}`, totalEntries: total } },
      });
    });
    try {
      const e = await failure(collect(fastClient(server.url, 'tok-0000').listRoles()));
      expect(e.code).toBe('API_PAGINATION');
      expect(e.message).toMatch(/^GET \/roles page 13: 10 entries declared/);
      total = undefined;
      const e2 = await failure(collect(fastClient(server.url, 'tok-0000', { maxPages: 50 }).listRoles()));
      expect(e2.message).toMatch(/^GET \/roles page 51: more than 50 pages/);
    } finally {
      await server.close();
    }
  });

  it('sends the bearer token, Accept, User-Agent and the count as pagination.count', async () => {
    const server = await tinyServer((_url, _req, res) =>
      json(res, 200, { data: { invites: ['a@x.test'], pagination: { current: 'a+b/c=' } } }),
    );
    try {
      const client = fastClient(server.url, 'tok-0123');
      await collect(client.listInvites());
      await client.getWorkspace().catch(() => undefined);
      expect(server.requests).toEqual([
        { url: '/invites?pagination.count=1000', authorization: 'Bearer tok-0123' },
        { url: '/', authorization: 'Bearer tok-0123' },
      ]);
      for (const headers of server.headers) {
        expect(headers.accept).toBe('application/json');
        expect(headers['user-agent']).toBe(`segment-access-audit/${TOOL_VERSION}`);
      }
      expect(TOOL_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      await server.close();
    }
  });
});
