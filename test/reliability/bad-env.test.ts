/**
 * A bad environment, through the CLI's `main` (`access-audit run` / `serve`; a few cases
 * also as a process of their own, to show the status reaching the OS):
 * - every variable of docs/configuration.md, set to something invalid: exit 2 and one `error:`
 *   line naming the variable (and never echoing a secret it holds);
 * - a database that cannot be reached or refuses the connection: exit 1, the message
 *   names host:port and never the password;
 * - an SMTP server that cannot be reached: exit 3 after the audit completed; the next
 *   run delivers that snapshot's email (once) along with its own.
 * After each failure the database holds exactly what it held before.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS_TOKEN_PLACEHOLDER } from '../../src/config.js';
import { messageIdFor } from '../../src/mail/index.js';
import { errorLines, type MainResult, runCli, runMain } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../mail/smtp-helpers.js';
import { dumpHistory } from '../store/helpers.js';
import {
  audit,
  listFiles,
  type MailCatcher,
  runEnv,
  snapshotRows,
  startMailCatcher,
  startWorkspace,
  type Workspace,
} from './helpers.js';

let t: TestDatabase;
let ws: Workspace;
let mail: MailCatcher;
let dir: string;
let aFile: string;
let closedPort: number;

beforeAll(async () => {
  [t, ws, mail, closedPort] = await Promise.all([
    openTestDatabase(),
    startWorkspace({ seed: 41, users: 12, groups: 3 }),
    startMailCatcher(),
    freePort(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'access-audit-bad-env-'));
  aFile = join(dir, 'a-file');
  await writeFile(aFile, 'not a directory\n');
});

afterAll(async () => {
  await Promise.all([t?.close(), ws?.sim.close(), mail?.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI against the test database (released first in embedded mode). */
async function cli(args: string[], env: Record<string, string>): Promise<MainResult> {
  // Opened again only when the test next looks (t.use()).
  if (t.mode === 'embedded' && (env.DATA_DIR === t.dataDir || env.DATA_DIR === undefined)) await t.release();
  return await runMain(args, env);
}

/** The test database's Kysely, opened again first if a command had it released. */
const db = async () => (await t.use()).db;

describe('invalid configuration of every variable: exit 2, naming it', () => {
  // The variable, its bad value, what the line must say, and (for run) whether it needs no database.
  const SECRET = 'pw-that-must-not-show';
  const cases: [variable: string, value: string | undefined, says: RegExp, command?: string][] = [
    ['SEGMENT_API_TOKEN', undefined, /SEGMENT_API_TOKEN is required/],
    ['SEGMENT_API_URL', 'api.segmentapis.com', /SEGMENT_API_URL is not a URL/],
    [
      'SEGMENT_API_URL',
      'ftp://api.segmentapis.com',
      /SEGMENT_API_URL must start with https:\/\/ or http:\/\//,
    ],
    ['DATABASE_URL', `not a url ${SECRET}`, /DATABASE_URL is not a URL/],
    ['DATABASE_URL', `mysql://audit:${SECRET}@db:3306/audit`, /DATABASE_URL must start with postgres:\/\//],
    [
      'DATA_DIR',
      '(a file)',
      /DATA_DIR \(.*a-file\) cannot hold the embedded database: it is not a directory/,
    ],
    ['SMTP_URL', `http://mail:${SECRET}@relay:25`, /SMTP_URL must start with smtp:\/\/ or smtps:\/\//],
    ['SMTP_URL', `relay ${SECRET}`, /SMTP_URL is not a URL/],
    ['MAIL_FROM', 'audit-bot', /MAIL_FROM is not an email address/],
    ['MAIL_TO', 'ciso@example.com, compliance', /MAIL_TO holds "compliance", which is not an email address/],
    ['STALE_INVITE_DAYS', 'fortnight', /STALE_INVITE_DAYS must be a whole number/],
    ['AUDIT_SCHEDULE', 'every monday', /AUDIT_SCHEDULE is not a cron expression/],
    ['AUDIT_SCHEDULE', '0 6 * * 8', /AUDIT_SCHEDULE is not a cron expression/],
    ['AUDIT_TIMEZONE', 'Mars/Olympus_Mons', /AUDIT_TIMEZONE is not an IANA time zone/],
    ['AUDIT_NOW', 'yesterday', /AUDIT_NOW is not an ISO-8601 instant/],
    ['AUDIT_NOW', '2026-02-30T06:00:00Z', /AUDIT_NOW is not an ISO-8601 instant/],
    ['PORT', '70000', /PORT must be from 1 to 65535/],
    ['REPORTS_TOKEN', 'short', /REPORTS_TOKEN must be at least 32 characters/],
    ['REPORTS_TOKEN', '12345678', /REPORTS_TOKEN must be at least 32 characters/],
    ['REPORTS_TOKEN', REPORTS_TOKEN_PLACEHOLDER, /REPORTS_TOKEN is still the .env.example placeholder/],
    ['REPORTS_TOKEN', undefined, /REPORTS_TOKEN is required/, 'serve'],
    // Issue 12: credentials in the API URL, the token in clear, SMTP_URL half-checked.
    [
      'SEGMENT_API_URL',
      `http://user:${SECRET}@127.0.0.1:9`,
      /SEGMENT_API_URL must not carry a user or password/,
    ],
    [
      'SEGMENT_API_URL',
      'http://api.segmentapis.com',
      /SEGMENT_API_URL must be https:\/\/ for api\.segmentapis\.com/,
    ],
    ['SEGMENT_API_URL', 'http://127.evil.com:8080', /SEGMENT_API_URL must be https:\/\/ for 127\.evil\.com/],
    [
      'SMTP_URL',
      `smtps://mailer:${SECRET}%zz@smtp.example.com:465`,
      /SMTP_URL holds a user name or password that is not valid percent-encoding/,
    ],
    [
      'SEGMENT_API_TOKEN_FILE',
      '/nonexistent/token',
      /SEGMENT_API_TOKEN_FILE \(\/nonexistent\/token\) cannot be read: ENOENT/,
    ],
    ['DATABASE_URL_FILE', '(a file)', /DATABASE_URL and DATABASE_URL_FILE are both set/],
    ['BIND_ADDRESS', 'all-interfaces', /BIND_ADDRESS must be an IP address/, 'serve'],
    ['METRICS_TOKEN', 'metrics', /METRICS_TOKEN must be at least 32 characters/, 'serve'],
  ];

  it(`${cases.length} bad values over every documented variable`, { timeout: 180_000 }, async () => {
    const before = await dumpHistory(await db());
    const envFor = ([variable, value]: (typeof cases)[number]) => {
      // Otherwise valid: a reachable workspace, a database that is never reached (config first).
      const env: Record<string, string> = {
        SEGMENT_API_URL: ws.sim.url,
        SEGMENT_API_TOKEN: ws.sim.token,
        DATABASE_URL: `postgres://audit:x@127.0.0.1:${closedPort}/audit`,
        REPORTS_DIR: join(dir, 'reports'),
        REPORTS_TOKEN: 'a-reports-token-long-enough-for-serve-0123',
      };
      if (variable === 'DATA_DIR') delete env.DATABASE_URL;
      if (variable === 'SEGMENT_API_TOKEN_FILE') delete env.SEGMENT_API_TOKEN;
      if (value === undefined) delete env[variable];
      else env[variable] = value === '(a file)' ? aFile : value;
      return env;
    };
    // Every case through the CLI's main() in this process; three also as processes of their own.
    const results: MainResult[] = [];
    for (const c of cases) results.push(await runMain([c[3] ?? 'run'], envFor(c)));
    const alone = [0, cases.findIndex((c) => c[0] === 'AUDIT_TIMEZONE'), cases.length - 1];
    const processes = await Promise.all(alone.map((i) => runCli([cases[i]![3] ?? 'run'], envFor(cases[i]!))));
    alone.forEach((i, k) => {
      const p = processes[k]!;
      expect(p.code, p.stderr).toBe(2);
      expect(errorLines(p.stderr)).toEqual(errorLines(results[i]!.stderr));
    });
    const covered = new Set([...cases.map((c) => c[0]), 'REPORTS_DIR' /* below: it needs the database */]);
    // Every variable of docs/configuration.md's first Environment rows (those a run reads at start).
    for (const variable of [
      'SEGMENT_API_TOKEN',
      'SEGMENT_API_URL',
      'DATABASE_URL',
      'DATA_DIR',
      'REPORTS_DIR',
      'SMTP_URL',
      'MAIL_FROM',
      'MAIL_TO',
      'STALE_INVITE_DAYS',
      'AUDIT_SCHEDULE',
      'AUDIT_TIMEZONE',
      'AUDIT_NOW',
      'PORT',
      'REPORTS_TOKEN',
    ])
      expect(covered, variable).toContain(variable);
    cases.forEach(([variable, value, says], i) => {
      const r = results[i]!;
      const what = `${variable}=${JSON.stringify(value)}: ${r.stderr.slice(-300)}`;
      expect(r.code, what).toBe(2);
      expect(errorLines(r.stderr), what).toHaveLength(1);
      expect(errorLines(r.stderr)[0], what).toMatch(new RegExp(`^error: ${says.source}`));
      expect(r.stderr + r.stdout, what).not.toContain(SECRET);
    });
    expect(await dumpHistory(await db())).toEqual(before);
  });

  it('REPORTS_DIR that is a file: exit 2 before anything is crawled or written', {
    timeout: 60_000,
  }, async () => {
    const before = {
      history: await dumpHistory(await db()),
      snapshots: await snapshotRows(await db()),
    };
    const r = await cli(['run'], runEnv(t, ws.sim, { reportsDir: aFile, smtpPort: mail.port }));
    expect(r.code, r.stderr).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringMatching(/^error: REPORTS_DIR \(.*a-file\) cannot hold reports: it is not a directory/),
    ]);
    expect({
      history: await dumpHistory(await db()),
      snapshots: await snapshotRows(await db()),
    }).toEqual(before);
    expect(mail.messages).toHaveLength(0);
  });

  it.each([
    ['/proc/access-audit-reports', /cannot hold reports: ENOENT/],
    ['/proc/access-audit/deeper/reports', /cannot hold reports: ENOENT/],
    ['/dev/null/reports', /cannot hold reports: it is not a directory/],
  ])(
    'REPORTS_DIR %s: exit 2, one line, no stack trace, nothing crawled',
    {
      timeout: 60_000,
    },
    async (reportsDir, says) => {
      const before = await snapshotRows(await db());
      const r = await cli(['run'], runEnv(t, ws.sim, { reportsDir, smtpPort: mail.port }));
      expect(r.code, r.stderr).toBe(2);
      expect(errorLines(r.stderr)).toEqual([
        expect.stringMatching(new RegExp(`^error: REPORTS_DIR \\(${reportsDir}\\) ${says.source}`)),
      ]);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack frame
      expect(await snapshotRows(await db())).toEqual(before);
    },
  );

  it('AUDIT_NOW not later than the last complete snapshot: exit 2, nothing written', {
    timeout: 60_000,
  }, async () => {
    const reportsDir = join(dir, 'now-reports');
    const at = '2026-05-04T06:00:00Z';
    const first = await audit(await t.use(), runEnv(t, ws.sim, { reportsDir, auditNow: new Date(at) }), {
      sendEmail: false,
    });
    if (first instanceof Error) throw first;
    const before = { history: await dumpHistory(await db()), files: await listFiles(reportsDir) };
    const again = await cli(['run', '--no-email'], runEnv(t, ws.sim, { reportsDir, auditNow: new Date(at) }));
    expect(again.code, again.stderr).toBe(2);
    expect(errorLines(again.stderr)).toEqual([
      expect.stringMatching(
        /^error: this run's time .* is not later than the last complete snapshot .*AUDIT_NOW/,
      ),
    ]);
    expect({ history: await dumpHistory(await db()), files: await listFiles(reportsDir) }).toEqual(before);
    expect((await snapshotRows(await db())).map((s) => s.status)).not.toContain('running');
  });
});

describe('a database that is not there', () => {
  let refuser: Server;
  let refuserPort: number;
  beforeAll(async () => {
    // Accepts the connection and hangs up at once (a proxy with no backend, a dying server).
    refuser = createServer((socket) => socket.destroy());
    refuser.listen(0, '127.0.0.1');
    await once(refuser, 'listening');
    refuserPort = (refuser.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => refuser.close(() => resolve())));

  it.each([
    ['a closed port', () => closedPort],
    ['a server that hangs up', () => refuserPort],
  ])('%s: exit 1, naming host:port, never the password', { timeout: 60_000 }, async (_name, port) => {
    const r = await runMain(['run'], {
      SEGMENT_API_URL: ws.sim.url,
      SEGMENT_API_TOKEN: ws.sim.token,
      DATABASE_URL: `postgres://auditor:Sup3rSecretPw@127.0.0.1:${port()}/audit`,
      REPORTS_DIR: join(dir, 'db-reports'),
    });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringContaining(`127.0.0.1:${port()}`)]);
    expect(errorLines(r.stderr)[0]).toMatch(/^error: cannot connect to the database at /);
    expect(r.stderr + r.stdout).not.toContain('Sup3rSecretPw');
    expect(await listFiles(join(dir, 'db-reports'))).toEqual([]);
  });
});

describe('an SMTP server that is not there', () => {
  it('exit 3 after a complete audit; the next run delivers that email once, and its own', {
    timeout: 120_000,
  }, async () => {
    const reportsDir = join(dir, 'smtp-reports');
    const base = Date.UTC(2026, 6, 1, 6);
    const down = await cli(
      ['run'],
      runEnv(t, ws.sim, {
        reportsDir,
        auditNow: new Date(base),
        extra: { SMTP_URL: `smtp://127.0.0.1:${closedPort}` },
      }),
    );
    expect(down.code, down.stderr).toBe(3);
    const [line] = errorLines(down.stderr);
    expect(line).toMatch(
      new RegExp(
        `^error: the audit completed \\(snapshot (\\d+)\\) but the email was not delivered: .*127\\.0\\.0\\.1:${closedPort}`,
      ),
    );
    const failedId = Number(/snapshot (\d+)/.exec(line!)![1]);
    const rows = await snapshotRows(await db());
    expect(rows.find((s) => s.id === failedId)?.status).toBe('complete');
    expect(mail.messages).toHaveLength(0);

    // The next run (in this process: the same runAudit the CLI calls).
    const up = await audit(
      await t.use(),
      runEnv(t, ws.sim, { reportsDir, auditNow: new Date(base + 3_600_000), smtpPort: mail.port }),
    );
    if (up instanceof Error) throw up;
    expect(up.recovered).toEqual([expect.objectContaining({ snapshotId: failedId, report: false })]);
    const workspaceId = ws.sim.truth().workspace.id;
    const lastId = (await snapshotRows(await db())).at(-1)!.id;
    // Snapshots before the failed one were audited with --no-email (skipped on purpose).
    expect([...mail.countsById()]).toEqual([
      [messageIdFor(workspaceId, failedId), 1],
      [messageIdFor(workspaceId, lastId), 1],
    ]);
  });
});
