/**
 * The IAM write limit, both sides: the simulator allows 60 writes a minute per endpoint
 * (the 61st is a 429 with the API's headers and body), and the write client, paced by the
 * headers, never receives one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.js';
import { SegmentWriteClient } from '../../src/segment/write-client.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const client = (s: RunningSimulator) => new SegmentWriteClient({ apiUrl: s.url, token: new Secret(s.token) });

describe('the IAM write limit', () => {
  it('the simulator answers the 61st write of a minute with a 429, headers and body as documented', async () => {
    const fixed = Date.UTC(2026, 5, 1, 12, 0, 10);
    sim = await startSimulator({ seed: 3, users: 4, now: () => fixed });
    const userId = sim.truth().users[0]!.id;
    const put = () =>
      fetch(`${sim!.url}/users/${userId}/permissions`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${sim!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ permissions: [] }),
      });
    for (let i = 1; i <= 60; i++) {
      const ok = await put();
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(60 - i));
      await ok.arrayBuffer();
    }
    const limited = await put();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-consumed')).toBe('61');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(
      new Date(Date.UTC(2026, 5, 1, 12, 1, 0)).toUTCString(),
    );
    const body = (await limited.json()) as {
      errors: { type: string; message: string; data: Record<string, number> }[];
    };
    expect(body.errors[0]).toMatchObject({
      type: 'RequestError',
      message: 'Too many requests',
      data: { remainingPoints: 0, msBeforeNext: 50_000, consumedPoints: 61 },
    });
    // Another endpoint has a budget of its own.
    const other = await fetch(`${sim.url}/invites?emails.0=${encodeURIComponent(sim.truth().invites[0]!)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sim.token}` },
    });
    expect(other.status).toBe(200);
  });

  it('the write client paces itself from the headers across windows and sees no 429', async () => {
    sim = await startSimulator({ seed: 3, users: 4, writeLimitPerMinute: 2, writeWindowMs: 1000 });
    const userId = sim.truth().users[0]!.id;
    const writer = client(sim);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await writer.replacePermissionsForUser(userId, [])).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(sim.stats.rateLimited).toBe(0);
    expect(sim.stats.byRoute['PUT /users/{id}/permissions']).toBe(5);
  });

  it('a 429 that comes anyway is waited out and the write sent again (it was not carried out)', async () => {
    sim = await startSimulator({ seed: 3, users: 4 });
    const userId = sim.truth().users[0]!.id;
    sim.inject({ route: 'PUT /users/{id}/permissions', kind: 'status', status: 429 });
    const answer = await client(sim).replacePermissionsForUser(userId, []);
    expect(answer.status).toBe(200);
    expect(sim.stats.byRoute['PUT /users/{id}/permissions']).toBe(2);
  });

  it('answers other statuses as they came, and a lost answer as an unknown outcome', async () => {
    sim = await startSimulator({ seed: 3, users: 4 });
    const writer = client(sim);
    expect((await writer.deleteUsers(['no-such-user'])).status).toBe(404);
    sim.inject({ route: 'DELETE /users', kind: 'drop' });
    const lost = await writer.deleteUsers([sim.truth().users[0]!.id]).catch((e: unknown) => e);
    expect((lost as Error).message).toMatch(/outcome is unknown/);
    expect((lost as Error).message).not.toContain(sim.token);
  });
});
