/**
 * `access-audit serve` as a real process over a real database holding real reports: two
 * audit cycles of the simulated workspace (as `demo` runs them), plus a report that a
 * later run wrote again (a second row for the same snapshot). The page lists each report
 * once, from the store's listReports; /metrics shows the store's runMetrics.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ReportListing, RunMetrics } from '../../src/model/site.js';
import { type RunResult, runAudit } from '../../src/pipeline/run-audit.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { getReport, listReports, recordReport, runMetrics } from '../../src/store/index.js';
import { escapeHtml } from '../../src/text/html.js';
import { type CliChild, dbEnv, killLeftovers, startCli } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/net.js';

const TOKEN = 'serve-test-token-0123456789abcdef0123';
const DAY = 24 * 60 * 60 * 1000;
let sim: RunningSimulator;
let t: TestDatabase;
let dir: string;
let runs: RunResult[];
let listing: ReportListing[];
let metrics: RunMetrics;
let child: CliChild;
let base: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 9, users: 14, groups: 3, invites: 3, groupInvites: 2 });
  t = await openTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'serve-'));
  const env = {
    SEGMENT_API_TOKEN: sim.token,
    SEGMENT_API_URL: sim.url,
    REPORTS_DIR: join(dir, 'reports'),
    AUDIT_TIMEZONE: 'Europe/Berlin',
  };
  const now = Date.now();
  runs = [];
  for (const at of [new Date(now - 15 * DAY), new Date(now - DAY)]) {
    const config = {
      ...loadConfig({ ...env, AUDIT_NOW: at.toISOString() }),
      databaseUrl: t.databaseUrl,
      dataDir: t.dataDir,
    };
    runs.push(await runAudit(t.handle, config, { logger: silentLogger(), sendEmail: false }));
  }
  // A later run that found the second report's file gone wrote it again: a second row.
  const { id: _first, ...second } = (await getReport(t.handle.db, runs[1]!.snapshotId))!;
  await recordReport(t.handle.db, { ...second, createdAt: new Date() });
  listing = await listReports(t.handle.db);
  metrics = await runMetrics(t.handle.db);
  await t.release();

  const port = await freePort();
  child = startCli(['serve'], {
    ...dbEnv(t),
    PORT: String(port),
    REPORTS_TOKEN: TOKEN,
    REPORTS_DIR: env.REPORTS_DIR,
    AUDIT_TIMEZONE: 'Europe/Berlin',
    // Daily: the two runs, 14 days apart, leave about 13 scheduled days without a snapshot.
    AUDIT_SCHEDULE: '0 6 * * *',
  });
  await child.waitForLog((e) => e.msg === 'download site listening', 30_000);
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  killLeftovers();
  await sim?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const auth = { Authorization: `Bearer ${TOKEN}` };

describe('serve over a real database', () => {
  it('lists each report once, from the store', async () => {
    expect(listing.map((r) => r.snapshotId)).toEqual([runs[1]!.snapshotId, runs[0]!.snapshotId]);
    const res = await fetch(`${base}/`, { headers: auth });
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const run of runs) {
      const name = run.reportPath.split('/').pop()!;
      expect(html.split(`href="reports/${name}"`)).toHaveLength(2); // exactly one link
    }
    expect((html.match(/<tr class="complete"><td>/g) ?? []).length).toBe(2);
    expect(html).toMatch(/<section[^>]*aria-label="Trend across snapshots"/);
    expect(html).toContain(`Users: ${listing[0]!.users}`);
    expect(html).toContain(`Workspace: <strong>${escapeHtml(sim.truth().workspace.name)}</strong>`);
    // The days of AUDIT_SCHEDULE between and after the runs that got no snapshot.
    const missed = (html.match(/<tr class="missed">/g) ?? []).length;
    expect(missed).toBeGreaterThanOrEqual(12);
    expect(missed).toBeLessThanOrEqual(15);
  });

  it('needs credentials', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('serves the metrics of the last complete run', async () => {
    const text = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    expect(text).toContain(`access_audit_last_api_requests ${runs[1]!.crawlStats.requests}`);
    expect(text).toContain(`access_audit_last_api_rate_limited ${runs[1]!.crawlStats.rateLimited}`);
    expect(text).toContain(
      `access_audit_last_success_timestamp_seconds ${metrics.lastSuccessAt!.getTime() / 1000}`,
    );
    expect(text).toContain(`access_audit_last_permission_changes ${metrics.lastPermissionChanges}`);
    expect(text).toContain('access_audit_runs_failed_total 0');
  });

  it('downloads a report byte for byte', async () => {
    const name = runs[1]!.reportPath.split('/').pop()!;
    const res = await fetch(`${base}/reports/${name}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(runs[1]!.reportPath))).toBe(true);
  });

  it('stops on SIGTERM with exit 0', async () => {
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(child.logged('stopping the download site')).toHaveLength(1);
  });
});
