/**
 * The download site against a local attacker and a hostile network client:
 * - a symbolic link swapped in under a report name while requests run, a hard link and a
 *   FIFO under a report name: nothing but the real report file is ever served;
 * - failed logins throttled per client address (429 with Retry-After);
 * - METRICS_TOKEN guards /metrics alone;
 * - a connection cap, and clients that send their headers too slowly are cut.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { link, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.js';
import { openReport } from '../../src/web/files.js';
import { type RunningSite, type SiteLimits, startSite } from '../../src/web/server.js';
import { createLoginThrottle } from '../../src/web/throttle.js';

const TOKEN = 'reports-token-for-hardening-tests-0123456789';
const METRICS = 'metrics-token-for-hardening-tests-0123456789';
const NAME = 'access-audit-2026-06-29-s2.xlsx';
let root: string;
let dir: string;
let outside: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'site-hardening-'));
  dir = join(root, 'reports');
  outside = join(root, 'secret.txt');
  await mkdir(dir);
  await writeFile(outside, 'OUTSIDE the reports directory');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readOpened(name: string): Promise<string | undefined> {
  const found = await openReport(dir, name);
  if (!found) return undefined;
  try {
    return (await found.file.readFile()).toString();
  } finally {
    await found.file.close();
  }
}

describe('serving only the checked file', () => {
  it('never serves a symbolic link swapped in between the check and the open (400 tries)', {
    timeout: 60_000,
  }, async () => {
    const target = join(dir, 'access-audit-2026-07-06-s3.xlsx');
    // Another process swaps a regular file and a symlink to a file outside, atomically
    // (rename), as fast as it can, while this one asks for the report.
    const swapper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const [target, outside] = process.argv.slice(1);
         for (;;) {
           fs.writeFileSync(target + '.f', 'INSIDE');
           fs.renameSync(target + '.f', target);
           try { fs.unlinkSync(target + '.l'); } catch {}
           fs.symlinkSync(outside, target + '.l');
           fs.renameSync(target + '.l', target);
         }`,
        target,
        outside,
      ],
      { stdio: 'ignore' },
    );
    try {
      // The swapper is running once the name exists (a node process takes a moment to start).
      while (!(await stat(target).catch(() => null))) await new Promise((r) => setTimeout(r, 5));
      const seen = { inside: 0, outside: 0, refused: 0 };
      for (let i = 0; i < 400; i++) {
        const text = await readOpened('access-audit-2026-07-06-s3.xlsx');
        if (text === undefined) seen.refused++;
        else if (text.includes('OUTSIDE')) seen.outside++;
        else seen.inside++;
      }
      expect(seen.outside).toBe(0);
      // Both states were met: the swap really raced the requests.
      expect(seen.inside + seen.refused).toBe(400);
      expect(seen.refused).toBeGreaterThan(0);
    } finally {
      swapper.kill('SIGKILL');
      await once(swapper, 'exit');
    }
  });

  it('refuses a hard link under a report name (it could be any file of this user)', async () => {
    const hard = 'access-audit-2026-07-13-s4.xlsx';
    await link(outside, join(dir, hard));
    expect(await openReport(dir, hard)).toBeUndefined();
    // And a real report that gained a second link is refused too, until it has one again.
    await writeFile(join(dir, NAME), 'PK report bytes');
    expect(await readOpened(NAME)).toBe('PK report bytes');
    await link(join(dir, NAME), join(root, 'second-link'));
    expect(await openReport(dir, NAME)).toBeUndefined();
    await rm(join(root, 'second-link'));
    expect(await readOpened(NAME)).toBe('PK report bytes');
  });

  it('refuses a FIFO under a report name without hanging', async () => {
    const fifo = 'access-audit-2026-07-20-s5.xlsx';
    const made = spawnSync('mkfifo', [join(dir, fifo)]);
    expect(made.status).toBe(0);
    expect(await openReport(dir, fifo)).toBeUndefined();
  });
});

/** Raw HTTP from a chosen local address (127.0.0.x are all this machine on Linux). */
function get(
  site: RunningSite,
  path: string,
  headers: Record<string, string> = {},
  localAddress = '127.0.0.1',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(site.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path, headers, localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function siteWith(extra: { clock?: () => number; limits?: Partial<SiteLimits>; metricsToken?: string }) {
  return startSite({
    reportsDir: dir,
    token: new Secret(TOKEN),
    ...(extra.metricsToken ? { metricsToken: new Secret(extra.metricsToken) } : {}),
    throttle: createLoginThrottle({ maxFailures: 5, windowMs: 60_000, now: extra.clock ?? Date.now }),
    timeZone: 'UTC',
    port: 0,
    host: '127.0.0.1',
    ...(extra.limits ? { limits: extra.limits } : {}),
    listReports: async () => [],
    metrics: async () => ({
      lastSuccessAt: null,
      lastDurationSeconds: null,
      lastPermissionChanges: 3,
      lastStaleInvites: null,
      lastApiRequests: null,
      lastApiRateLimited: null,
      runsFailed: 0,
    }),
  });
}

describe('failed logins are throttled per client address', () => {
  let site: RunningSite;
  let now = 1_000_000;
  beforeAll(async () => {
    site = await siteWith({ clock: () => now });
  });
  afterAll(() => site.close());

  it('answers 429 with Retry-After after 5 failures, even to the right token, per address', async () => {
    const wrong = { Authorization: 'Bearer guess-0000000000000000000000000000000' };
    const good = { Authorization: `Bearer ${TOKEN}` };
    // A request without credentials (a browser's first) is not a failure.
    for (let i = 0; i < 8; i++) expect((await get(site, '/')).status).toBe(401);
    expect((await get(site, '/', good)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get(site, '/', wrong)).status).toBe(401);
    const refused = await get(site, '/', good);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect((await get(site, `/reports/${NAME}`, good)).status).toBe(429);
    expect((await get(site, '/metrics', good)).status).toBe(429);
    // /healthz needs no login and stays open; another address is not affected.
    expect((await get(site, '/healthz')).status).toBe(200);
    expect((await get(site, '/', good, '127.0.0.2')).status).toBe(200);
    // The window ends: the address may try again.
    now += 30_000;
    expect((await get(site, '/', good)).headers['retry-after']).toBe('30');
    now += 30_000;
    expect((await get(site, '/', good)).status).toBe(200);
  });
});

describe('METRICS_TOKEN', () => {
  let site: RunningSite;
  beforeAll(async () => {
    site = await siteWith({ metricsToken: METRICS });
  });
  afterAll(() => site.close());

  it('opens /metrics and nothing else; the reports token no longer opens /metrics', async () => {
    const m = await get(site, '/metrics', { Authorization: `Bearer ${METRICS}` });
    expect(m.status).toBe(200);
    expect(m.body).toContain('access_audit_last_permission_changes 3');
    expect((await get(site, '/metrics', { Authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    expect((await get(site, '/', { Authorization: `Bearer ${METRICS}` })).status).toBe(401);
    expect((await get(site, '/', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});

function connectTo(site: RunningSite): Promise<Socket> {
  const u = new URL(site.url);
  const socket = connect(Number(u.port), u.hostname);
  socket.on('error', () => {}); // a reset is how the server refuses: closedBy() sees it
  return once(socket, 'connect').then(() => socket);
}

/** Resolves with what the server sent once it closed the connection. */
function closedBy(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks).toString())));
}

describe('connections are capped and slow clients cut', () => {
  let site: RunningSite;
  beforeAll(async () => {
    site = await siteWith({ limits: { maxConnections: 3, headersTimeoutMs: 300, checkIntervalMs: 50 } });
  });
  afterAll(() => site.close());

  it('cuts a client that never finishes its headers (slowloris) with 408', { timeout: 10_000 }, async () => {
    const slow = await connectTo(site);
    const done = closedBy(slow);
    slow.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
    expect(await done).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes connections beyond the cap at once, and serves again when they go', {
    timeout: 10_000,
  }, async () => {
    const held = await Promise.all([connectTo(site), connectTo(site), connectTo(site)]);
    for (const s of held) s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // unfinished
    const extra = await connectTo(site);
    const extraDone = closedBy(extra);
    extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extraDone).toBe(''); // dropped without an answer
    for (const s of held) s.destroy();
    await Promise.all(held.map((s) => (s.closed ? undefined : once(s, 'close'))));
    // The server notices the closes on its side asynchronously: retry the healthz briefly.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await get(site, '/healthz').then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
  });
});

describe('listening', () => {
  it('names BIND_ADDRESS when it is not an address of this machine, and PORT when it is taken', async () => {
    await expect(
      startSite({
        reportsDir: dir,
        token: new Secret(TOKEN),
        timeZone: 'UTC',
        port: 0,
        host: '203.0.113.7', // TEST-NET-3: never this machine's
        listReports: async () => [],
        metrics: async () => {
          throw new Error('unused');
        },
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^BIND_ADDRESS 203\.0\.113\.7 is not an address of this machine/),
    });
    const first = await siteWith({});
    try {
      const port = Number(new URL(first.url).port);
      await expect(
        startSite({
          reportsDir: dir,
          token: new Secret(TOKEN),
          timeZone: 'UTC',
          port,
          host: '127.0.0.1',
          listReports: async () => [],
          metrics: async () => {
            throw new Error('unused');
          },
        }),
      ).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/^PORT \d+ is already in use/),
      });
    } finally {
      await first.close();
    }
  });
});
