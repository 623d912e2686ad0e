import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RefusalBackoff } from '../../src/segment/retry.js';
import { capturingLogger, fastClient, json, tinyServer } from './helpers.js';

/** The planned waits the client logged for its 429s, in order. */
function plannedWaits(logText: string): number[] {
  return logText
    .split('\n')
    .filter((line) => line.includes('rate limited (429): waiting'))
    .map((line) => (JSON.parse(line) as { waitMs: number }).waitMs);
}

const WORKSPACE = { data: { workspace: { id: 'w', slug: 's', name: 'n' } } };

/** Each way a 429 can give no usable timing. */
const untimed: [string, (res: ServerResponse) => void][] = [
  ['no body, no headers', (res) => res.writeHead(429).end()],
  [
    'data null',
    (res) => json(res, 429, { errors: [{ type: 'RequestError', message: 'Too many requests', data: null }] }),
  ],
  [
    'msBeforeNext 0',
    (res) => json(res, 429, { errors: [{ type: 'RequestError', data: { msBeforeNext: 0 } }] }),
  ],
  [
    'a reset header in the past',
    (res) =>
      json(
        res,
        429,
        { errors: [] },
        {
          'x-ratelimit-consumed': '10',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': new Date(Date.now() - 5000).toUTCString(),
        },
      ),
  ],
  ['Retry-After 0', (res) => json(res, 429, { errors: [] }, { 'retry-after': '0' })],
];

describe('the back-off after 429s (pure)', () => {
  it('doubles from the base to the cap while refusals go on, and starts over after a success', () => {
    const backoff = new RefusalBackoff(1000, 60_000);
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const wait = backoff.next(undefined, now, now);
      waits.push(wait);
      now += wait;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    backoff.succeeded();
    expect(backoff.next(undefined, now, now)).toBe(1000);
  });

  it("trusts the server's first timing, then no less than the doubling wait", () => {
    const backoff = new RefusalBackoff(1000, 60_000);
    expect(backoff.next(5, 0, 0)).toBe(5);
    expect(backoff.next(5, 10, 10)).toBe(1000);
    expect(backoff.next(5000, 2000, 2000)).toBe(5000);
    expect(backoff.next(5, 9000, 9000)).toBe(4000);
  });

  it('a burst of 429s to requests sent before the wait ended doubles once', () => {
    const backoff = new RefusalBackoff(1000, 60_000);
    expect(backoff.next(undefined, 0, 10)).toBe(1000);
    // Two more answers to requests sent at 0 and 5, arriving at 20 and 30: same burst.
    expect(backoff.next(undefined, 0, 20)).toBe(990);
    expect(backoff.next(undefined, 5, 30)).toBe(980);
    expect(backoff.next(undefined, 1010, 1020)).toBe(2000);
  });
});

describe('a 429 without timing over HTTP', () => {
  it.each(untimed)('%s: waits 1, 2, 4 … base units up to the cap, then succeeds', async (_name, refuse) => {
    let refusals = 6;
    const server = await tinyServer((_url, _req, res) => {
      if (refusals-- > 0) refuse(res);
      else json(res, 200, WORKSPACE);
    });
    const { logger, text } = capturingLogger();
    try {
      const client = fastClient(server.url, 'tok-0000', {
        logger,
        retries: 0,
        rateLimitBackoffMs: 5,
        maxRateLimitBackoffMs: 40,
      });
      expect((await client.getWorkspace()).id).toBe('w');
      expect(plannedWaits(text())).toEqual([5, 10, 20, 40, 40, 40]);
      expect(client.stats).toMatchObject({ requests: 7, rateLimited: 6, retries: 0 });
      // A success resets it: the next refusals start from the base again.
      refusals = 2;
      await client.getWorkspace();
      expect(plannedWaits(text()).slice(6)).toEqual([5, 10]);
    } finally {
      await server.close();
    }
  });

  it('the back-off belongs to one client: another client starts from the base', async () => {
    let refusals = 3;
    const server = await tinyServer((_url, _req, res) => {
      if (refusals-- > 0) res.writeHead(429).end();
      else json(res, 200, WORKSPACE);
    });
    const a = capturingLogger();
    const b = capturingLogger();
    try {
      const options = { retries: 0, rateLimitBackoffMs: 5, maxRateLimitBackoffMs: 40 };
      await fastClient(server.url, 'tok-0000', { ...options, logger: a.logger }).getWorkspace();
      refusals = 1;
      await fastClient(server.url, 'tok-0000', { ...options, logger: b.logger }).getWorkspace();
      expect(plannedWaits(a.text())).toEqual([5, 10, 20]);
      expect(plannedWaits(b.text())).toEqual([5]);
    } finally {
      await server.close();
    }
  });

  it('a server that refuses everything at once gets a few requests, not thousands (default back-off)', async () => {
    const server = await tinyServer((_url, _req, res) =>
      json(res, 429, { errors: [{ type: 'RequestError', data: { msBeforeNext: 0 } }] }),
    );
    try {
      // Eight callers sharing one client, for 1.5 s: waits of 1 s then 2 s leave room for two rounds.
      const client = fastClient(server.url, 'tok-0000', { signal: AbortSignal.timeout(1500) });
      const calls = Array.from({ length: 8 }, () => client.getWorkspace().catch((e: unknown) => e));
      await Promise.all(calls);
      // Before: 22,658 requests in 20 s. Now one probe, everyone waits 1 s, one more probe, 2 s.
      expect(server.requests.length).toBeLessThanOrEqual(3);
      expect(server.requests.length).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});
