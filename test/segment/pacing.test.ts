import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/segment/index.js';
import { Pacer } from '../../src/segment/pacer.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { fastClient, json, tinyServer } from './helpers.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, users: 30, groups: 4, invites: 3 });
});
afterAll(() => sim.close());

/*
 * X-RateLimit-Reset is an HTTP date (one-second resolution), so the pacer can only time
 * windows to the second: these tests use 1000 ms windows. A fresh simulator per test, as a
 * limit changed mid-window carries the window's count over.
 */
describe('pacing from the rate-limit headers', () => {
  it('concurrent requests under a limit never get a 429 and take the windows they need', async () => {
    const limited = await startSimulator({ seed: 11, users: 30, rateLimit: { limit: 8, windowMs: 1000 } });
    try {
      const client = fastClient(limited.url, limited.token);
      const ids = limited.truth().users.map((u) => u.id);
      // 30 detail reads, 6 at a time, through one client: one budget for all of them.
      let next = 0;
      const worker = async () => {
        while (next < ids.length) await client.getUser(ids[next++]!);
      };
      const started = Date.now();
      await Promise.all(Array.from({ length: 6 }, worker));
      const elapsed = Date.now() - started;
      expect(limited.stats.rateLimited).toBe(0);
      expect(client.stats.rateLimited).toBe(0);
      expect(client.stats.requests).toBe(30);
      // 30 requests at 8 a window need 3 more windows after the (partial) first.
      expect(elapsed).toBeGreaterThanOrEqual(2000);
      expect(elapsed).toBeLessThan(4300);
      expect(client.stats.rateLimitWaitMs).toBeGreaterThan(1000);
    } finally {
      await limited.close();
    }
  });

  it('a paginated walk under a limit gets every page and no 429', async () => {
    const limited = await startSimulator({ seed: 11, users: 30, rateLimit: { limit: 3, windowMs: 1000 } });
    try {
      const client = fastClient(limited.url, limited.token, { pageSize: 6 });
      const users = await collect(client.listUsers());
      expect(users.items).toHaveLength(30);
      expect(limited.stats.rateLimited).toBe(0);
    } finally {
      await limited.close();
    }
  });

  it('after a 429 everyone waits, then the window is fresh', async () => {
    const pacer = new Pacer({ marginMs: 0 });
    await pacer.acquire();
    pacer.release({ remaining: 10, resetAt: Date.now() + 60_000, consumed: 0 }, true);
    await pacer.acquire();
    pacer.rateLimited(Date.now() + 120);
    pacer.release(undefined, false);
    const started = Date.now();
    await Promise.all([pacer.acquire(), pacer.acquire()]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(pacer.inFlight).toBe(2);
  });

  it('without rate-limit headers there is no pacing beyond a single first probe', async () => {
    const server = await tinyServer((_url, _req, res) =>
      json(res, 200, { data: { workspace: { id: 'w', slug: 's', name: 'n' } } }),
    );
    try {
      const client = fastClient(server.url, 'tok-0000');
      await Promise.all(Array.from({ length: 20 }, () => client.getWorkspace()));
      expect(client.stats).toMatchObject({ requests: 20, rateLimitWaitMs: 0 });
    } finally {
      await server.close();
    }
  });

  it('a budget spent by someone else (lower Remaining than expected) is respected', async () => {
    const pacer = new Pacer({ marginMs: 0 });
    const resetAt = Date.now() + 150;
    await pacer.acquire();
    pacer.release({ remaining: 10, resetAt, consumed: 0 }, true);
    await pacer.acquire();
    // Another client took 9 in the meantime: only what the server says is left may go.
    pacer.release({ remaining: 0, resetAt, consumed: 10 }, true);
    const started = Date.now();
    await pacer.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});
