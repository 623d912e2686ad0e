import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlWorkspace } from '../../src/crawl/index.js';
import { errorLine } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { collect } from '../../src/segment/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { capturingLogger, everyRendering, fastClient, tinyServer } from './helpers.js';

/** Distinctive, so a leak anywhere is found by a plain substring search. */
const TOKEN = 'sgmt-SECRET-token-7f3a9c1e5b';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, users: 12, groups: 2, token: TOKEN });
});
afterAll(() => sim.close());

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

describe('the token never leaks', () => {
  it('appears in no thrown error, however it is printed, nor in any log line', async () => {
    const { logger, text } = capturingLogger();
    // 200 a page: a corruption injected into a first page is not spent on a refused count of 1000.
    const client = (extra = {}) =>
      fastClient(sim.url, TOKEN, { logger, retries: 1, pageSize: 200, ...extra });
    const errors: unknown[] = [];

    sim.inject({ route: 'GET /users', kind: 'status', status: 503, times: 2 });
    errors.push(await thrown(collect(client().listUsers())));
    sim.inject({ route: 'GET /users', kind: 'drop', times: 2 });
    errors.push(await thrown(collect(client().listUsers())));
    sim.inject({ route: 'GET /roles', kind: 'malformed' });
    errors.push(await thrown(collect(client().listRoles())));
    sim.inject({ route: 'GET /users', kind: 'missing-field', field: 'email' });
    errors.push(await thrown(collect(client().listUsers())));
    sim.inject({ route: 'GET /users', kind: 'cursor-loop' });
    errors.push(await thrown(collect(client({ pageSize: 5 }).listUsers())));
    errors.push(await thrown(client().getUser('missing')));
    sim.inject({ route: 'GET /', kind: 'status', status: 403 });
    errors.push(await thrown(client().getWorkspace()));
    sim.setFaults({ slowRate: 1, slowMs: 500 });
    errors.push(await thrown(client({ requestTimeoutMs: 30 }).getWorkspace()));
    sim.setFaults(undefined);

    // A server that is not there (fetch's own error) and one that hangs up mid-request.
    const gone = await tinyServer(() => {});
    await gone.close();
    errors.push(await thrown(fastClient(gone.url, TOKEN, { logger, retries: 1 }).getWorkspace()));
    const rude = await tinyServer((_u, req) => req.socket.destroy());
    errors.push(await thrown(fastClient(rude.url, TOKEN, { logger, retries: 1 }).getWorkspace()));
    await rude.close();

    // A rejected token: the crawl fails at once, with logging on.
    errors.push(
      await thrown(
        crawlWorkspace({ apiUrl: sim.url, token: new Secret(`${TOKEN}-wrong`), logger, retries: 1 }),
      ),
    );

    expect(errors).toHaveLength(11);
    for (const error of errors) {
      const rendered = everyRendering(error) + errorLine(error);
      expect(rendered).not.toContain(TOKEN);
      expect(rendered).not.toMatch(/authorization/i);
    }
    const codes = errors.map((e) => (e as { code?: string }).code);
    expect(codes).toEqual([
      'API_UNAVAILABLE',
      'API_UNAVAILABLE',
      'API_MALFORMED',
      'API_MALFORMED',
      'API_PAGINATION',
      'API_NOT_FOUND',
      'API_FORBIDDEN',
      'API_UNAVAILABLE',
      'API_UNAVAILABLE',
      'API_UNAVAILABLE',
      'API_UNAUTHORIZED',
    ]);
    const logs = text();
    expect(logs).toContain('retrying request');
    expect(logs).not.toContain(TOKEN);
  });

  it('a successful crawl logs start and end, and never the token', async () => {
    const { logger, text } = capturingLogger();
    await crawlWorkspace({ apiUrl: sim.url, token: new Secret(TOKEN), logger });
    const lines = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(['crawl started', 'crawl finished']);
    expect(text()).not.toContain(TOKEN);
  });
});
