/**
 * The pre-flight before a snapshot (src/crawl/preflight.ts): an API that cannot be reached
 * fails fast, with its cause, and uses no snapshot id; a SEGMENT_API_URL with a path gets
 * a hint naming the variable. Real HTTP throughout: a closed port, a name that does not
 * resolve, the simulator under a path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import type { Progress } from '../../src/log/progress.js';
import { listSnapshots } from '../../src/store/index.js';
import { freePort } from '../helpers/net.js';
import { at, type Harness, startHarness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function recordingProgress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return { lines, update: (text) => lines.push(text), done() {} };
}

async function failure(run: Promise<unknown>): Promise<AuditError> {
  const e = await run.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(AuditError);
  return e as AuditError;
}

const snapshotIds = async () => (await listSnapshots(h.db.handle.db)).map((s) => s.id);

describe('an API that cannot be reached', () => {
  it('a closed port: API_UNAVAILABLE naming the URL and ECONNREFUSED, the retries shown, no snapshot', async () => {
    const port = await freePort();
    const progress = recordingProgress();
    const e = await failure(h.run(at(1), { segmentApiUrl: `http://127.0.0.1:${port}` }, { progress }));
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.exitStatus).toBe(1);
    expect(e.message).toContain(`SEGMENT_API_URL http://127.0.0.1:${port}/`);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).not.toMatch(/[\r\n]/);
    const retry1 = /^GET \/: connection failed: .*ECONNREFUSED.*; retry 1 of 2$/;
    expect(
      progress.lines.some((l) => retry1.test(l)),
      progress.lines.join('\n'),
    ).toBe(true);
    expect(progress.lines.some((l) => /retry 2 of 2$/.test(l))).toBe(true);
    expect(await snapshotIds()).toEqual([]);
  });

  it('a name that does not resolve: API_UNAVAILABLE naming the host and ENOTFOUND, no snapshot', async () => {
    const e = await failure(h.run(at(1), { segmentApiUrl: 'https://nonexistent.invalid' }));
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toContain('nonexistent.invalid');
    expect(e.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(await snapshotIds()).toEqual([]);
  });

  it('the next run with the API back takes snapshot 1: no id was used up', async () => {
    const r = await h.run(at(2), {}, {});
    expect(r.snapshotId).toBe(1);
  });
});

describe('SEGMENT_API_URL with a path', () => {
  it('the 404 says, on one line, that SEGMENT_API_URL has a path and what to set', async () => {
    const e = await failure(h.run(at(3), { segmentApiUrl: `${h.sim.url}/v1` }));
    expect(e.code).toBe('API_NOT_FOUND');
    expect(e.message).toMatch(
      /^GET \/: not found \(404\): \/.*SEGMENT_API_URL has a path \(\/v1\): set it to the API's base URL without one, e\.g\. https:\/\/api\.segmentapis\.com$/,
    );
    expect(e.message).not.toMatch(/[\r\n]/);
  });

  it('a base URL without a path gets no such hint on a 404', async () => {
    h.sim.inject({ route: 'GET /roles', kind: 'status', status: 404 });
    const e = await failure(h.run(at(4)));
    expect(e.code).toBe('API_NOT_FOUND');
    expect(e.message).not.toContain('SEGMENT_API_URL');
  });
});
