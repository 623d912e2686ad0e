/**
 * The auditors' download site in a real browser: headless Chromium (Debian's package,
 * /usr/bin/chromium) driven by playwright-core. The site serves real reports: two audit
 * cycles of the simulated workspace with the demo's changes in between, in a database
 * of their own (the server when TEST_DATABASE_URL is set, else embedded). The browser
 * logs in with HTTP Basic, sees the report list and the trend chart, downloads a report
 * (the bytes must equal the file) and leaves a screenshot in test/artifacts/.
 */
import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDownloadSite } from '../../src/commands/serve.js';
import { loadConfig } from '../../src/config.js';
import { applyDemoChanges } from '../../src/demo/scenario.js';
import { silentLogger } from '../../src/log/logger.js';
import { type RunResult, runAudit } from '../../src/pipeline/run-audit.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import type { RunningSite } from '../../src/web/server.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/net.js';

const CHROMIUM = '/usr/bin/chromium';
/** The flags that work on this kind of machine (closed network, running as root). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const TOKEN = 'browser-test-token-0123456789abcdef';
const DAY = 24 * 60 * 60 * 1000;

let sim: RunningSimulator;
let t: TestDatabase;
let dir: string;
let site: RunningSite;
let browser: Browser;
const runs: RunResult[] = [];

beforeAll(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`,
    );
  });
  sim = await startSimulator({ seed: 7, users: 40, groups: 5, invites: 5, groupInvites: 3 });
  t = await openTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'browser-'));
  const env = {
    SEGMENT_API_TOKEN: sim.token,
    SEGMENT_API_URL: sim.url,
    REPORTS_DIR: join(dir, 'reports'),
    REPORTS_TOKEN: TOKEN,
    AUDIT_TIMEZONE: 'Europe/Berlin',
  };
  const config = (at: Date) => ({
    ...loadConfig({ ...env, AUDIT_NOW: at.toISOString() }),
    databaseUrl: t.databaseUrl,
    dataDir: t.dataDir,
  });
  const now = Date.now();
  runs.push(await runAudit(t.handle, config(new Date(now - 15 * DAY)), { logger: silentLogger() }));
  await applyDemoChanges(sim);
  runs.push(await runAudit(t.handle, config(new Date(now)), { logger: silentLogger() }));

  site = await startDownloadSite(t.handle, loadConfig(env), silentLogger(), await freePort());
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await sim?.close();
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the download site in Chromium', () => {
  it('asks for credentials (HTTP Basic), and refuses a wrong password', async () => {
    const anonymous = await browser.newContext();
    const wrong = await browser.newContext({
      httpCredentials: { username: 'auditor', password: 'wrong-password' },
    });
    try {
      const answer = await anonymous.request.get(`${site.url}/`);
      expect(answer.status()).toBe(401);
      expect(answer.headers()['www-authenticate']).toMatch(/^Basic realm=/);
      expect(await answer.text()).not.toContain('access-audit-');
      // The browser answers the challenge with a wrong password: still refused (Chromium
      // either shows the 401 page or ends the navigation with an auth error).
      const page = await wrong.newPage();
      const refused = await page.goto(`${site.url}/`).catch((error: Error) => error);
      if (refused instanceof Error) expect(refused.message).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/);
      else expect(refused?.status()).toBe(401);
      expect(await page.content()).not.toContain('access-audit-');
    } finally {
      await anonymous.close();
      await wrong.close();
    }
  });

  it('lists the reports with the trend chart, and downloads a report byte for byte', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'auditor', password: TOKEN },
      acceptDownloads: true,
      viewport: { width: 1000, height: 700 },
    });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${site.url}/`);
      expect(response?.status()).toBe(200);

      // The list: one row per report, newest first, each with its link (rows of missed
      // scheduled periods between the two runs stand among them, without links).
      const rows = page.locator('tbody tr.complete');
      await expect.poll(() => rows.count()).toBe(2);
      const names = runs.map((r) => basename(r.reportPath));
      const links = await page.locator('tbody a').allTextContents();
      expect(links).toEqual([names[1], names[0]]);
      const latest = await rows.first().locator('td').allTextContents();
      expect(latest[1]).toBe(String(runs[1]!.snapshotId));
      expect(latest[2]).toBe(String(runs[1]!.permissionChanges));
      expect(runs[1]!.permissionChanges).toBeGreaterThan(0); // the demo's changes show

      // The workspace by name, and the trend: one inline SVG chart per measure, each with
      // a line, a labelled value axis and dated ticks, actually laid out on the page.
      expect(await page.locator('.workspace strong').textContent()).toBe(sim.truth().workspace.name);
      const trend = page.locator('section[aria-label="Trend across snapshots"]');
      await expect.poll(() => trend.isVisible()).toBe(true);
      const charts = trend.locator('svg[role="img"]');
      expect(await charts.count()).toBe(5);
      expect(await trend.locator('polyline').count()).toBe(5);
      const privileged = trend.locator('svg[aria-label="Privileged grants across snapshots"]');
      const box = await privileged.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(50);
      expect(await privileged.locator('text').first().textContent()).toMatch(/^Privileged grants: \d+$/);
      const dates = await privileged.locator('text[text-anchor="middle"]').allTextContents();
      expect(dates[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(dates.length).toBeGreaterThanOrEqual(2);

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'download-site.png'), fullPage: true });

      // The download, as an auditor clicks it.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`a[href="reports/${names[1]}"]`).click(),
      ]);
      expect(download.suggestedFilename()).toBe(names[1]);
      const saved = join(dir, `downloaded-${names[1]}`);
      await download.saveAs(saved);
      const [got, want] = await Promise.all([readFile(saved), readFile(runs[1]!.reportPath)]);
      expect(got.length).toBe(runs[1]!.reportBytes);
      expect(got.equals(want)).toBe(true);
    } finally {
      await context.close();
    }
  });
});
