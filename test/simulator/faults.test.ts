import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { call } from './http.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 5, users: 60, groups: 4 });
});
afterAll(() => sim.close());

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('injections', () => {
  it('status: answers the status with an errors envelope, `times` times, on that route only', async () => {
    sim.inject({ route: 'GET /users', kind: 'status', status: 503, times: 2 });
    expect((await call(sim, '/roles')).status).toBe(200);
    const first = await call(sim, '/users');
    expect(first.status).toBe(503);
    expect(first.body.errors[0].type).toEqual(expect.any(String));
    expect((await call(sim, '/users')).status).toBe(503);
    expect((await call(sim, '/users')).status).toBe(200);
  });

  it('status 429: shaped like the real rate-limit answer', async () => {
    sim.inject({ route: 'GET /groups', kind: 'status', status: 429 });
    const a = await call(sim, '/groups');
    expect(a.status).toBe(429);
    expect(a.body.errors[0]).toMatchObject({
      type: 'RequestError',
      data: { msBeforeNext: expect.any(Number) },
    });
    expect(a.headers.get('retry-after')).toBe('1');
  });

  it('matches route templates: an id route is not the list route', async () => {
    const id = sim.truth().users[0]!.id;
    sim.inject({ route: 'GET /users/{id}', kind: 'status', status: 500 });
    expect((await call(sim, '/users?pagination.count=1')).status).toBe(200);
    expect((await call(sim, `/users/${id}`)).status).toBe(500);
    expect((await call(sim, `/users/${id}`)).status).toBe(200);
  });

  it('malformed: a 200 whose body is not JSON', async () => {
    sim.inject({ route: 'GET /users', kind: 'malformed' });
    const a = await call(sim, '/users?pagination.count=5');
    expect(a.status).toBe(200);
    expect(isJson(a.text)).toBe(false);
    expect(a.text.startsWith('{"data"')).toBe(true);
  });

  it('missing-field: one item lacks the field, the state is untouched', async () => {
    sim.inject({ route: 'GET /users', kind: 'missing-field', field: 'email' });
    const users = (await call(sim, '/users?pagination.count=5')).body.data.users as object[];
    expect(users.filter((u) => !('email' in u))).toHaveLength(1);
    const again = (await call(sim, '/users?pagination.count=5')).body.data.users as object[];
    expect(again.every((u) => 'email' in u)).toBe(true);
    // On a detail route it removes the field from the single object.
    const id = sim.truth().users[0]!.id;
    sim.inject({ route: 'GET /users/{id}', kind: 'missing-field', field: 'permissions' });
    expect('permissions' in (await call(sim, `/users/${id}`)).body.data.user).toBe(false);
    // A key of `data` itself (here the pagination object) can go too.
    sim.inject({ route: 'GET /invites', kind: 'missing-field', field: 'pagination' });
    expect((await call(sim, '/invites')).body.data.pagination).toBeUndefined();
  });

  it('cursor-loop: next points back at the page the client is on', async () => {
    const first = (await call(sim, '/users?pagination.count=10')).body.data.pagination;
    const cursor = encodeURIComponent(first.next);
    sim.inject({ route: 'GET /users', kind: 'cursor-loop', times: 2 });
    const looped = (await call(sim, `/users?pagination.count=10&pagination.cursor=${cursor}`)).body.data
      .pagination;
    expect(looped.next).toBe(first.next);
    expect(looped.current).toBe(first.next);
    // Even on a first page (no cursor sent) next equals current.
    const top = (await call(sim, '/users?pagination.count=10')).body.data.pagination;
    expect(top.next).toBe(top.current);
  });

  it('drop: the connection closes without an answer', async () => {
    sim.inject({ route: 'GET /', kind: 'drop' });
    await expect(call(sim, '/')).rejects.toThrow();
    expect((await call(sim, '/')).status).toBe(200);
  });

  it('refuses an injection for a route that does not exist', () => {
    expect(() => sim.inject({ route: 'GET /userz', kind: 'drop' })).toThrow(/no simulator route/);
  });
});

describe('random faults', () => {
  it('serverErrorRate 1: every read is a 5xx with an errors envelope; writes are untouched', async () => {
    sim.setFaults({ serverErrorRate: 1 });
    try {
      for (let i = 0; i < 6; i++) {
        const a = await call(sim, '/roles');
        expect([500, 502, 503]).toContain(a.status);
        expect(a.body.errors).toHaveLength(1);
      }
      const g = await call(sim, '/groups', { method: 'POST', body: { name: 'Fault Free' } });
      expect(g.status).toBe(200);
    } finally {
      sim.setFaults(undefined);
    }
  });

  it('rates are honoured roughly and the dice are deterministic for a fault seed', async () => {
    const run = async () => {
      sim.setFaults({ seed: 9, serverErrorRate: 0.3 });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await call(sim, '/')).status);
      sim.setFaults(undefined);
      return statuses;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    const failures = a.filter((s) => s >= 500).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(30);
  });

  it('dropRate, malformedRate and missingFieldRate at 1', async () => {
    sim.setFaults({ dropRate: 1 });
    await expect(call(sim, '/users')).rejects.toThrow();
    sim.setFaults({ malformedRate: 1 });
    expect(isJson((await call(sim, '/users')).text)).toBe(false);
    sim.setFaults({ missingFieldRate: 1 });
    const users = (await call(sim, '/users')).body.data.users as object[];
    expect(users.filter((u) => !('email' in u))).toHaveLength(1);
    const groups = (await call(sim, '/groups')).body.data.userGroups as object[];
    expect(groups.filter((g) => !('name' in g))).toHaveLength(1);
    sim.setFaults(undefined);
  });

  it('latency and slow responses delay the answer', async () => {
    sim.setFaults({ latencyMs: 60 });
    const t = performance.now();
    await call(sim, '/');
    expect(performance.now() - t).toBeGreaterThanOrEqual(55);
    // A slow answer far past the client's timeout: the client gives up first (no upper time
    // bound asserted, which a loaded machine would break).
    sim.setFaults({ slowRate: 1, slowMs: 10_000 });
    const controller = AbortSignal.timeout(50);
    await expect(
      fetch(`${sim.url}/`, { headers: { authorization: `Bearer ${sim.token}` }, signal: controller }),
    ).rejects.toThrow();
    sim.setFaults(undefined);
  });
});
