/**
 * Whole audit runs (runAudit: crawl → snapshot → diff → history → report) against a
 * faulty copy of a workspace produce exactly what the same runs produce against a clean
 * copy: the same history rows, the same changes, the same snapshot counts and the same
 * report data (its SHA-256). Faults: 10% 5xx, 3% dropped connections, 3% responses slower
 * than the request timeout, a read rate limit, and 429 storms on several routes.
 * Both copies change the same way between runs, through the write API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getReport } from '../../src/store/index.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { dumpComparable } from '../store/helpers.js';
import { audit, mulberry32, mutate, runEnv, startWorkspace, type Workspace } from './helpers.js';

const SHAPE = { seed: 5, users: 60, groups: 6, membersPerGroup: 10, invites: 5, groupInvites: 4 };
const REQUEST_TIMEOUT_MS = 400;
const RUNS = 3;

interface FaultCount {
  requests: number;
  serverErrors: number;
  dropped: number;
  timedOut: number;
  rateLimited: number;
}

/** A fetch that counts what the crawler met (it sees exactly what the client sees). */
function countingFetch(count: FaultCount): typeof fetch {
  return async (input, init) => {
    count.requests++;
    try {
      const response = await fetch(input, init);
      if (response.status >= 500) count.serverErrors++;
      if (response.status === 429) count.rateLimited++;
      return response;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') count.timedOut++;
      else count.dropped++;
      throw error;
    }
  };
}

let clean: Workspace;
let faulty: Workspace;
let a: TestDatabase;
let b: TestDatabase;
let dir: string;

beforeAll(async () => {
  [clean, faulty, a, b] = await Promise.all([
    startWorkspace({ ...SHAPE, inlinePermissions: false }),
    startWorkspace({
      ...SHAPE,
      inlinePermissions: false,
      faults: {
        seed: 77,
        serverErrorRate: 0.1,
        dropRate: 0.03,
        slowRate: 0.03,
        slowMs: 3 * REQUEST_TIMEOUT_MS,
      },
      rateLimit: { limit: 25, windowMs: 250 },
    }),
    openTestDatabase(),
    openTestDatabase(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'access-audit-faults-'));
});

afterAll(async () => {
  await Promise.all([clean?.sim.close(), faulty?.sim.close(), a?.close(), b?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('faults do not change what an audit records', () => {
  it(`${RUNS} runs under 5xx, drops, timeouts, a rate limit and 429 storms equal the fault-free runs`, {
    timeout: 180_000,
  }, async () => {
    const count: FaultCount = { requests: 0, serverErrors: 0, dropped: 0, timedOut: 0, rateLimited: 0 };
    const rngClean = mulberry32(9);
    const rngFaulty = mulberry32(9);
    const crawl = {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      retries: 8,
      client: { minRetryDelayMs: 5, maxRetryDelayMs: 50, pageSize: 10 },
    };
    const storms = ['GET /users', 'GET /groups/{id}/users', 'GET /users/{id}', 'GET /invites'];
    for (let run = 0; run < RUNS; run++) {
      if (run > 0) {
        for (let k = 0; k < 4; k++) {
          const step = run * 10 + k;
          expect(await mutate(faulty, rngFaulty, step)).toBe(await mutate(clean, rngClean, step));
        }
      }
      for (const route of storms) faulty.sim.inject({ route, kind: 'status', status: 429, times: 4 });
      const auditNow = new Date(Date.UTC(2026, 2, 1 + run * 7, 6));
      const envA = runEnv(a, clean.sim, { reportsDir: join(dir, 'clean'), mailTo: '', auditNow });
      const envB = runEnv(b, faulty.sim, { reportsDir: join(dir, 'faulty'), mailTo: '', auditNow });
      const ra = await audit(a.handle, envA, { crawl });
      const rb = await audit(b.handle, envB, { crawl, fetch: countingFetch(count) });
      if (ra instanceof Error) throw ra;
      if (rb instanceof Error) throw rb;
      expect(rb.changes).toEqual(ra.changes);
      expect(rb.counts).toEqual(ra.counts);
      expect(rb.warnings).toEqual(ra.warnings);
      expect(rb.permissionChanges).toBe(ra.permissionChanges);
      expect((await getReport(b.handle.db, rb.snapshotId))?.dataSha256).toBe(
        (await getReport(a.handle.db, ra.snapshotId))?.dataSha256,
      );
      expect(await dumpComparable(b.handle.db)).toEqual(await dumpComparable(a.handle.db));
    }
    // The faults really happened, in the numbers asked for.
    expect(count.serverErrors).toBeGreaterThanOrEqual(Math.floor(count.requests * 0.05));
    expect(count.dropped).toBeGreaterThan(0);
    expect(count.timedOut).toBeGreaterThan(0);
    expect(count.rateLimited).toBeGreaterThanOrEqual(RUNS * storms.length * 4);
    process.stdout.write(
      `fault runs: ${RUNS} audits, ${count.requests} requests, ${count.serverErrors} × 5xx, ` +
        `${count.dropped} dropped, ${count.timedOut} timed out (> ${REQUEST_TIMEOUT_MS} ms), ` +
        `${count.rateLimited} × 429; history, changes and report data equal to the fault-free runs\n`,
    );
  });
});
