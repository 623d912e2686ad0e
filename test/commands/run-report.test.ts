/**
 * `access-audit run` and `access-audit report` as a user runs them: the CLI's `main` with
 * an environment (a child process where it is killed), against the simulated workspace
 * and the test database. Exit statuses
 * (0, 1, 2, 3), the one `error:` line, the human summary, the token kept out of every
 * output, a process killed after the SMTP server took its message, and report rebuilds.
 */
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getReport, listSnapshots } from '../../src/store/index.js';
import { type CliChild, errorLines, type MainResult, runMain, startCli } from '../helpers/cli.js';
import { startSmtp, type TestSmtp } from '../mail/smtp-helpers.js';
import {
  at,
  fileSha256,
  type Harness,
  readSheets,
  sha256,
  startHarness,
  summaryOf,
} from '../pipeline/helpers.js';

let h: Harness;
let env: Record<string, string | undefined>;

/** The command in this process, with the test's environment and `extra` over it. */
function cli(args: string[], extra: Record<string, string | undefined> = {}): Promise<MainResult> {
  return runMain(args, { ...env, ...extra });
}

beforeAll(async () => {
  h = await startHarness({ seed: 13, users: 16, groups: 3 });
  // A child process owns the embedded database while it runs.
  await h.db.release();
  env = {
    SEGMENT_API_URL: h.sim.url,
    SEGMENT_API_TOKEN: h.sim.token,
    REPORTS_DIR: h.reportsDir,
    MAIL_TO: 'security@example.com',
    MAIL_FROM: 'audit@example.com',
    ...(h.db.databaseUrl ? { DATABASE_URL: h.db.databaseUrl.reveal() } : { DATA_DIR: h.db.dataDir }),
  };
});
afterAll(async () => {
  await h?.db.reopen().catch(() => undefined);
  await h?.close();
});

/** The messages of the logger's warning lines (JSON, level 40) on a stderr. */
function warnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((e) => e.level === 40)
    .map((e) => e.msg);
}

/** Opens the database in this process for a look, and lets it go again. */
async function look<T>(work: (db: Harness['db']['handle']['db']) => Promise<T>): Promise<T> {
  const handle = await h.db.reopen();
  try {
    return await work(handle.db);
  } finally {
    await h.db.release();
  }
}

/** An SMTP server that runs `onMessage` after it has the whole message, before it answers 250. */
async function holdingSmtp(
  onMessage: () => void,
): Promise<{ port: number; raws: Buffer[]; close(): Promise<void> }> {
  const raws: Buffer[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        raws.push(Buffer.concat(chunks));
        onMessage();
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as { port: number }).port,
    raws,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('access-audit run', () => {
  it('exit 2 without SEGMENT_API_TOKEN, naming it, before touching anything', async () => {
    const o = await cli(['run'], { SEGMENT_API_TOKEN: undefined, AUDIT_NOW: at(0).toISOString() });
    expect(o.code).toBe(2);
    expect(errorLines(o.stderr)).toHaveLength(1);
    expect(errorLines(o.stderr)[0]).toContain('SEGMENT_API_TOKEN');
    expect(o.stdout).toBe('');
  });

  it('exit 1 on a 401 from the API; the token appears nowhere', async () => {
    const wrong = 'sim_this-token-is-wrong-0123456789';
    const o = await cli(['run'], { SEGMENT_API_TOKEN: wrong, AUDIT_NOW: at(0).toISOString() });
    expect(o.code).toBe(1);
    expect(errorLines(o.stderr)).toHaveLength(1);
    expect(errorLines(o.stderr)[0]).toMatch(/401|token|unauthori[sz]ed/i);
    for (const text of [o.stdout, o.stderr]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(h.sim.token);
    }
    const snapshots = await look((db) => listSnapshots(db));
    expect(snapshots.map((s) => s.status)).toEqual(['failed']);
  });

  it('exit 0 with the human summary on stdout', async () => {
    const o = await cli(['run'], { AUDIT_NOW: at(0).toISOString() });
    expect(o.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(o.code).toBe(0);
    const name = h.sim.truth().workspace.name;
    expect(o.stdout).toContain(`Snapshot 2 of ${name} taken at ${at(0).toISOString()} (baseline`);
    expect(o.stdout).toMatch(/population: 16 users, \d+ open invites, 3 groups/);
    const report = /report: (.+\.xlsx)/.exec(o.stdout)?.[1];
    expect(report && (await stat(report)).size).toBeGreaterThan(0);
    expect(o.stdout).toMatch(/email: written to .*\.eml \(SMTP_URL is not set\)/);
    // Said before the audit, on stderr: MAIL_TO is set but nothing sends.
    expect(warnings(o.stderr)).toContain(
      `SMTP_URL is not set: emails are written to ${h.reportsDir}/outbox/ and not sent`,
    );
    for (const text of [o.stdout, o.stderr]) expect(text).not.toContain(h.sim.token);
  });

  it('exit 2 for an AUDIT_NOW not later than the last complete snapshot, naming it', async () => {
    const o = await cli(['run'], { AUDIT_NOW: at(0).toISOString() });
    expect(o.code).toBe(2);
    expect(errorLines(o.stderr)).toHaveLength(1);
    expect(errorLines(o.stderr)[0]).toContain('#2');
    expect(errorLines(o.stderr)[0]).toContain(at(0).toISOString());
    expect(errorLines(o.stderr)[0]).toContain('AUDIT_NOW');
    const snapshots = await look((db) => listSnapshots(db));
    expect(snapshots.map((s) => s.status)).toEqual(['failed', 'complete']);
  });

  let smtp: TestSmtp;
  let lastId = 0;
  it('exit 3 when the audit completed but the email was refused; the next run sends it once', async () => {
    const refusing = await startSmtp({ rejectRecipients: { code: 550, message: 'mailbox unavailable' } });
    let o: MainResult;
    try {
      o = await cli(['run'], {
        AUDIT_NOW: at(7).toISOString(),
        SMTP_URL: `smtp://127.0.0.1:${refusing.port}`,
      });
    } finally {
      await refusing.close();
    }
    expect(o.code).toBe(3);
    expect(errorLines(o.stderr)).toHaveLength(1);
    expect(errorLines(o.stderr)[0]).toMatch(
      /^error: the audit completed \(snapshot 3\) but the email was not delivered/,
    );
    expect(o.stdout).toContain('email: NOT delivered');
    expect(o.stdout).toContain('Snapshot 3 of');

    smtp = await startSmtp();
    const next = await cli(['run'], {
      AUDIT_NOW: at(14).toISOString(),
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    });
    expect(next.code).toBe(0);
    // MAIL_TO and SMTP_URL both set: nothing to warn about.
    expect(warnings(next.stderr).filter((w) => /MAIL_TO|SMTP_URL/.test(w))).toEqual([]);
    expect(next.stdout).toContain('recovered snapshot 3: email sent');
    expect(next.stdout).toContain('email: sent to security@example.com via smtp://127.0.0.1:');
    const ids = await Promise.all(smtp.received.map(async (m) => (await simpleParser(m.raw)).messageId));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toContain('.s3.');
    expect(ids[1]).toContain('.s4.');
    await smtp.close();
  });

  it('killed after the SMTP server took the message: the next run resends the same message', {
    timeout: 120_000,
  }, async () => {
    let child: CliChild | undefined;
    const server = await holdingSmtp(() => child?.process.kill('SIGKILL'));
    let first: ParsedMail;
    let again: ParsedMail;
    try {
      // A process of its own: this one is killed.
      child = startCli(['run'], {
        ...env,
        AUDIT_NOW: at(21).toISOString(),
        SMTP_URL: `smtp://127.0.0.1:${server.port}`,
      });
      const killed = await child.exited;
      expect(killed.signal).toBe('SIGKILL');
      expect(server.raws).toHaveLength(1);
      const delivery = await look(async (db) => {
        const { deliveryFor } = await import('../../src/store/index.js');
        return deliveryFor(db, 5);
      });
      expect(delivery?.status).toBe('pending');

      child = undefined;
      const next = await cli(['run'], {
        AUDIT_NOW: at(28).toISOString(),
        SMTP_URL: `smtp://127.0.0.1:${server.port}`,
      });
      expect(next.code).toBe(0);
      expect(next.stdout).toContain('recovered snapshot 5: email sent');
      expect(server.raws).toHaveLength(3);
      [first, again] = await Promise.all([simpleParser(server.raws[0]!), simpleParser(server.raws[1]!)]);
      const own = await simpleParser(server.raws[2]!);
      // Ids come from a sequence: after a crash of the embedded server it may skip ahead.
      const snapshots = await look((db) => listSnapshots(db));
      lastId = snapshots.at(-1)?.id ?? 0;
      expect(snapshots.at(-2)?.id).toBe(5);
      expect(own.messageId).toContain(`.s${lastId}.`);
    } finally {
      await server.close();
    }
    expect(again.messageId).toBe(first.messageId);
    expect(first.messageId).toContain('.s5.');
    expect(again.subject).toBe(first.subject);
    const bytes = (m: ParsedMail) => (m.attachments[0] as { content: Buffer }).content;
    expect(bytes(again).equals(bytes(first))).toBe(true);
    const rec = await look((db) => getReport(db, 5));
    expect(sha256(bytes(first))).toBe(rec?.fileSha256);
  });

  it('MAIL_TO unset: warns that no email will be sent and where the reports are, and exits 0', async () => {
    // Six hours after the last run: the same day, so the report tests' file names hold.
    const o = await cli(['run'], { MAIL_TO: undefined, AUDIT_NOW: at(28.25).toISOString() });
    expect(errorLines(o.stderr)).toEqual([]);
    expect(o.code).toBe(0);
    expect(warnings(o.stderr)).toContain(
      `no email will be sent: MAIL_TO is not set; reports are in ${h.reportsDir}`,
    );
    expect(o.stdout).toContain('email: not sent (MAIL_TO is not set)');

    // --no-email asked for exactly that: no warning.
    const quiet = await cli(['run', '--no-email'], { MAIL_TO: undefined, AUDIT_NOW: at(28.5).toISOString() });
    expect(quiet.code).toBe(0);
    expect(warnings(quiet.stderr).filter((w) => /MAIL_TO|SMTP_URL/.test(w))).toEqual([]);
  });
});

describe('access-audit report', () => {
  const lastComplete = async () => (await look((db) => listSnapshots(db))).at(-1)?.id ?? 0;

  it('--snapshot rebuilds with the recorded data SHA-256', async () => {
    const o = await cli(['report', '--snapshot', '4'], { REPORTS_DIR: join(h.dir, 'rebuilt') });
    expect(o.code).toBe(0);
    const rec = await look((db) => getReport(db, 4));
    expect(o.stdout).toContain(`data SHA-256: ${rec?.dataSha256}`);
    expect(o.stdout).toContain('matches the data of the report recorded');
    expect(o.stdout).toContain('snapshot 4 against 3');
    const path = /report: (.+\.xlsx)/.exec(o.stdout)?.[1] ?? '';
    expect(path).toBe(join(h.dir, 'rebuilt', rec?.fileName ?? ''));
    const wb = await readSheets(path);
    expect(summaryOf(wb.rows.get('Summary')).get('Data SHA-256 (this report)')).toBe(rec?.dataSha256);
  });

  it('--against compares with another snapshot; --out writes there', async () => {
    const out = join(h.dir, 'elsewhere', 'pair.xlsx');
    const last = await lastComplete();
    const o = await cli(['report', '--snapshot', String(last), '--against', '2', '--out', out]);
    expect(o.code).toBe(0);
    expect(o.stdout).toContain(`report: ${out}`);
    expect(o.stdout).toContain(`snapshot ${last} against 2`);
    expect(o.stdout).not.toContain('matches');
    const summary = summaryOf((await readSheets(out)).rows.get('Summary'));
    expect(summary.get('Previous snapshot')).toBe(2);
    expect(summary.get('Current snapshot')).toBe(last);
    expect(await fileSha256(out)).toMatch(/^[0-9a-f]{64}$/);

    const named = await cli(['report', '--snapshot', String(last), '--against', '2']);
    expect(named.code).toBe(0);
    expect(named.stdout).toContain(`access-audit-2026-03-30-s${last}-vs-s2.xlsx`);
  });

  it('exit 2 for a bad id, 1 for a snapshot that is not complete', async () => {
    const bad = await cli(['report', '--snapshot', 'abc']);
    expect(bad.code).toBe(2);
    expect(errorLines(bad.stderr)[0]).toContain('--snapshot');
    const failed = await cli(['report', '--snapshot', '1']);
    expect(failed.code).toBe(1);
    expect(errorLines(failed.stderr)).toHaveLength(1);
    expect(errorLines(failed.stderr)[0]).toContain('snapshot 1 is failed');
  });
});
