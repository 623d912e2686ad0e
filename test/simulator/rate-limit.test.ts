import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { call } from './http.js';

const started: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<RunningSimulator> {
  const sim = await startSimulator({ users: 20, groups: 2, ...options });
  started.push(sim);
  return sim;
}

describe('read rate limit', () => {
  it('sends the three headers on every response, counting down within a window', async () => {
    // A fake clock 300 ms into a 1000 ms window: the window resets on the next whole second.
    let now = Date.UTC(2026, 0, 5, 9, 30, 15, 300);
    const sim = await simulator({ rateLimit: { limit: 3, windowMs: 1_000 }, now: () => now });
    const answers = [await call(sim, '/'), await call(sim, '/users'), await call(sim, '/roles')];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.headers.get('x-ratelimit-consumed'))).toEqual(['1', '2', '3']);
    expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0']);
    expect(answers[0]!.headers.get('x-ratelimit-reset')).toBe('Mon, 05 Jan 2026 09:30:16 GMT');

    const limited = await call(sim, '/users');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      errors: [
        {
          type: 'RequestError',
          message: 'Too many requests',
          data: { remainingPoints: 0, msBeforeNext: 700, consumedPoints: 4 },
        },
      ],
    });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(sim.stats.rateLimited).toBe(1);

    // A 401 costs nothing but still tells the client where it stands.
    const unauthorized = await call(sim, '/users', { token: 'bad' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-ratelimit-consumed')).toBe('4');

    now += 700; // exactly the reset instant
    const fresh = await call(sim, '/users');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-ratelimit-consumed')).toBe('1');
    expect(fresh.headers.get('x-ratelimit-reset')).toBe('Mon, 05 Jan 2026 09:30:17 GMT');
  });

  it('rounds Retry-After up to whole seconds and the reset date up to the next second', async () => {
    let now = Date.UTC(2026, 0, 5, 9, 30, 15, 100);
    const sim = await simulator({ rateLimit: { limit: 1, windowMs: 2_500 }, now: () => now });
    await call(sim, '/');
    const limited = await call(sim, '/');
    // Windows align to multiples of 2500 ms since the epoch; this one ends at …:17.500.
    const end = Math.floor(now / 2_500) * 2_500 + 2_500;
    expect(limited.body.errors[0].data.msBeforeNext).toBe(end - now);
    expect(limited.headers.get('retry-after')).toBe(String(Math.ceil((end - now) / 1000)));
    expect(new Date(limited.headers.get('x-ratelimit-reset')!).getTime()).toBe(Math.ceil(end / 1000) * 1000);
    now = end;
    expect((await call(sim, '/')).status).toBe(200);
  });

  it('resets after a real 200 ms window', async () => {
    const sim = await simulator({ rateLimit: { limit: 2, windowMs: 200 } });
    // Start right after a window boundary so both requests fall in one window.
    await new Promise((r) => setTimeout(r, 200 - (Date.now() % 200) + 5));
    expect((await call(sim, '/')).status).toBe(200);
    expect((await call(sim, '/')).status).toBe(200);
    const limited = await call(sim, '/');
    expect(limited.status).toBe(429);
    const wait = limited.body.errors[0].data.msBeforeNext as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(200);
    await new Promise((r) => setTimeout(r, wait + 5));
    expect((await call(sim, '/')).status).toBe(200);
  });

  it('can be switched on and off at run time; unlimited still sends the headers', async () => {
    const sim = await simulator({});
    const free = await call(sim, '/');
    expect(Number(free.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(1000);
    expect(free.headers.get('x-ratelimit-reset')).toMatch(/GMT$/);
    sim.setRateLimit({ limit: 1, windowMs: 60_000 });
    const statuses = [(await call(sim, '/')).status, (await call(sim, '/')).status];
    expect(statuses).toContain(429);
    sim.setRateLimit(undefined);
    expect((await call(sim, '/')).status).toBe(200);
  });
});
