import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportListing } from '../../src/model/site.js';
import { Secret } from '../../src/secret.js';
import { type RunningSite, startSite } from '../../src/web/server.js';

const TOKEN = 'reports-token-for-tests-0123';
const FILE = 'access-audit-2026-06-29-s2.xlsx';
let dir: string;
let outside: string;
let site: RunningSite;
const fileBytes = Buffer.from('PK\u0003\u0004 pretend workbook bytes');

const listing: ReportListing[] = [
  {
    fileName: 'access-audit-2026-06-22-s1.xlsx',
    snapshotId: 1,
    takenAt: new Date('2026-06-22T06:00:00Z'),
    bytes: 1000,
    permissionChanges: 0,
    staleInvites: 1,
    users: 10,
    privilegedGrants: 2,
    openInvites: 3,
  },
  {
    fileName: FILE,
    snapshotId: 2,
    takenAt: new Date('2026-06-29T06:00:00Z'),
    bytes: fileBytes.length,
    permissionChanges: 4,
    staleInvites: 2,
    users: 12,
    privilegedGrants: 3,
    openInvites: 2,
  },
];

/** Raw HTTP (not fetch) so that paths such as /reports/../x reach the server unnormalised. */
function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(site.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'site-'));
  dir = join(root, 'reports');
  outside = join(root, 'secret.xlsx');
  await mkdir(dir);
  await writeFile(join(dir, FILE), fileBytes);
  await writeFile(outside, 'not for you');
  await writeFile(join(root, 'access-audit-2026-01-01-s9.xlsx'), 'outside the reports dir');
  await symlink(outside, join(dir, 'access-audit-2026-06-30-s3.xlsx'));
  listing[0]!.fileName = 'access-audit-2026-06-22-s1.xlsx';
  site = await startSite({
    reportsDir: dir,
    token: new Secret(TOKEN),
    timeZone: 'Europe/Berlin',
    port: 0,
    host: '127.0.0.1',
    title: 'Reports of <b>Acme</b>',
    listReports: async () => listing,
    runHistory: async () => ({
      workspaceName: 'Acme <img src=x onerror=alert(1)>',
      runs: [
        {
          snapshotId: 3,
          takenAt: new Date('2026-07-01T06:00:00Z'),
          status: 'failed',
          error: 'GET /users: <script>boom</script>',
        },
        { snapshotId: 2, takenAt: listing[1]!.takenAt, status: 'complete', error: null },
        { snapshotId: 1, takenAt: listing[0]!.takenAt, status: 'complete', error: null },
      ],
      missed: [new Date('2026-07-06T06:00:00Z')],
    }),
    metrics: async () => ({
      lastSuccessAt: new Date('2026-06-29T06:00:30Z'),
      lastDurationSeconds: 12.5,
      lastPermissionChanges: 4,
      lastStaleInvites: 2,
      lastApiRequests: 321,
      lastApiRateLimited: 0,
      runsFailed: 1,
    }),
  });
});

afterAll(async () => {
  await site.close();
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('download site', () => {
  it('answers /healthz without credentials', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('ok\n');
  });

  it.each(['/', '/metrics', `/reports/${FILE}`])(
    'refuses %s without credentials, prompting a browser',
    async (path) => {
      const r = await get(path);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect(r.body.toString()).not.toContain('access-audit-2026');
    },
  );

  it('refuses a wrong bearer token and a wrong Basic password', async () => {
    expect((await get('/', { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get('/', { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    const basic = Buffer.from(`auditor:${TOKEN.slice(0, -1)}`).toString('base64');
    expect((await get('/', { Authorization: `Basic ${basic}` })).status).toBe(401);
    expect((await get('/', { Authorization: 'Digest abc' })).status).toBe(401);
  });

  it('accepts HTTP Basic with the token as password, any user', async () => {
    const basic = Buffer.from(`auditor:${TOKEN}`).toString('base64');
    expect((await get('/', { Authorization: `Basic ${basic}` })).status).toBe(200);
  });

  it('lists every report newest first, escapes data, and draws the trend chart', async () => {
    const r = await get('/', bearer);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const html = r.body.toString();
    expect(html).toContain('Reports of &lt;b&gt;Acme&lt;/b&gt;');
    expect(html).not.toContain('<b>Acme</b>');
    expect(html.indexOf('s2.xlsx')).toBeLessThan(html.indexOf('s1.xlsx'));
    expect(html).toContain(`href="reports/${FILE}"`);
    expect(html).toContain('2026-06-29 08:00'); // 06:00 UTC shown in Europe/Berlin
    expect(html).toMatch(/<svg[^>]*role="img"/);
    // One small chart per measure, each with its own labelled axes: dates and values.
    expect((html.match(/<polyline/g) ?? []).length).toBe(5);
    expect(html).toContain('aria-label="Permission changes across snapshots"');
    expect(html).toContain('>2026-06-22</text>');
    expect(html).toContain('>2026-06-29</text>');
    expect(html).toContain('<title>2026-06-29: 12</title>'); // users at the second snapshot
  });

  it('names the workspace and lists failed runs and missed periods, all escaped', async () => {
    const html = (await get('/', bearer)).body.toString();
    expect(html).toContain('Workspace: <strong>Acme &lt;img src=x onerror=alert(1)&gt;</strong>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    const rows = html.match(/<tr class="[a-z]+">.*<\/tr>/g) ?? [];
    // Newest first: the missed Monday, the failed run, then the two reports.
    expect(rows.map((r) => /class="([a-z]+)"/.exec(r)![1])).toEqual([
      'missed',
      'failed',
      'complete',
      'complete',
    ]);
    expect(rows[0]).toContain('2026-07-06 08:00');
    expect(rows[0]).toContain('missed: no snapshot for this scheduled period');
    expect(rows[1]).toContain('failed: GET /users: &lt;script&gt;boom&lt;/script&gt;');
  });

  it('serves a report byte for byte with download headers', async () => {
    const r = await get(`/reports/${FILE}`, bearer);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(r.headers['content-disposition']).toBe(`attachment; filename="${FILE}"`);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(
      createHash('sha256').update(fileBytes).digest('hex'),
    );
  });

  it('answers HEAD with the size and no body', async () => {
    const r = await get(`/reports/${FILE}`, bearer, 'HEAD');
    expect(r.status).toBe(200);
    expect(Number(r.headers['content-length'])).toBe(fileBytes.length);
    expect(r.body.length).toBe(0);
  });

  it.each([
    '/reports/../secret.xlsx',
    '/reports/..%2Fsecret.xlsx',
    '/reports/%2e%2e%2fsecret.xlsx',
    '/reports/%2e%2e/access-audit-2026-01-01-s9.xlsx',
    '/reports/..%2Faccess-audit-2026-01-01-s9.xlsx',
    `/reports/%2F${encodeURIComponent(join(dir ?? '/tmp', FILE))}`,
    '/reports/%252e%252e%252fsecret.xlsx',
    '/reports/access-audit-2026-06-30-s3.xlsx', // a symlink to a file outside
    '/reports/access-audit-2026-06-29-s2.xlsx%00.txt',
    '/reports/nope.xlsx',
    '/reports/',
    '/nowhere',
    '/../../etc/passwd',
  ])('never serves anything outside the reports directory: %s', async (path) => {
    const r = await get(path, bearer);
    expect(r.status).toBe(404);
    expect(r.body.toString()).not.toContain('not for you');
    expect(r.body.toString()).not.toContain('outside the reports dir');
  });

  it('exposes metrics in Prometheus text format', async () => {
    const r = await get('/metrics', bearer);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = r.body.toString();
    expect(text).toContain('access_audit_last_success_timestamp_seconds 1782712830');
    expect(text).toContain('access_audit_last_duration_seconds 12.5');
    expect(text).toContain('access_audit_last_permission_changes 4');
    expect(text).toContain('access_audit_last_stale_invites 2');
    expect(text).toContain('access_audit_last_api_requests 321');
    expect(text).toContain('access_audit_last_api_rate_limited 0');
    expect(text).toMatch(/# TYPE access_audit_runs_failed_total counter\naccess_audit_runs_failed_total 1/);
  });

  it('refuses other methods', async () => {
    expect((await get('/', bearer, 'POST')).status).toBe(405);
  });
});
