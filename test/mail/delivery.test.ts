import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditError, errorLine, isAuditError } from '../../src/errors.js';
import {
  type AuditMessage,
  buildAuditMessage,
  createMailer,
  type RetryPolicy,
} from '../../src/mail/index.js';
import { writeReport } from '../../src/report/index.js';
import { Secret } from '../../src/secret.js';
import { withChanges } from '../report/fixtures.js';
import { freePort, startSmtp } from './smtp-helpers.js';

const FAST: RetryPolicy = { retries: 3, minTimeoutMs: 20, maxTimeoutMs: 50, maxRetryTimeMs: 10_000 };
const PASSWORD = 's3cr3t-p@ss/word';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let reportPath: string;
let message: AuditMessage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mail-'));
  const data = withChanges(null);
  const report = await writeReport(data, { dir });
  reportPath = report.path;
  message = buildAuditMessage({
    summary: data.summary,
    counts: report.counts,
    rows: data,
    report,
    from: 'audit@example.com',
    to: ['sec@example.com', 'it@example.com'],
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A logger that records what it is given (to look for secrets) and can act on a retry. */
function recordingLogger(onWarn?: () => void) {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(line);
        if (onWarn && line.includes('retrying')) onWarn();
      },
    },
  );
  return { logger, lines };
}

describe('SMTP', () => {
  it('delivers subject, recipients, Message-ID, bodies and the report byte for byte', async () => {
    const server = await startSmtp();
    const mailer = createMailer({
      smtpUrl: new Secret(`smtp://127.0.0.1:${server.port}`),
      outboxDir: dir,
      retry: FAST,
    });
    try {
      expect(mailer.kind).toBe('smtp');
      expect(mailer.target).toBe(`smtp://127.0.0.1:${server.port}`);
      const sent = await mailer.send(message);
      expect(sent.messageId).toBe(message.messageId);
      expect(sent.accepted.sort()).toEqual(['it@example.com', 'sec@example.com']);
      expect(server.received).toHaveLength(1);
      const got = server.received[0]!;
      expect(got.from).toBe('audit@example.com');
      expect(got.to.sort()).toEqual(['it@example.com', 'sec@example.com']);
      const parsed = await simpleParser(got.raw);
      // The one change that matters is named in the subject and first in both bodies.
      expect(parsed.subject).toBe(
        '[access-audit] Acme (acme): Workspace Owner granted to user2@example.com — 3 permission changes, 1 stale invite — 2026-06-30',
      );
      expect(parsed.text).toMatch(
        /\n\nNeeds attention:\n {2}- Workspace Owner granted to user2@example\.com\n/,
      );
      expect(parsed.text).toContain(
        'user3@example.com: left group Engineers: lost Source Read-only on Website (environment:prod)',
      );
      expect(parsed.html).toContain('<li>Workspace Owner granted to user2@example.com</li>');
      expect(parsed.messageId).toBe(message.messageId);
      expect(parsed.date?.toISOString()).toBe('2026-06-30T06:05:00.000Z');
      expect(parsed.text).toContain('Permission changes');
      expect(parsed.html).toContain('<table>');
      expect(parsed.headers.get('x-access-audit-snapshot')).toBe('2');
      expect(parsed.attachments).toHaveLength(1);
      const attachment = parsed.attachments[0]!;
      expect(attachment.filename).toBe('access-audit-2026-06-30-s2.xlsx');
      expect(attachment.contentType).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      expect(sha256(attachment.content)).toBe(sha256(await readFile(reportPath)));
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('authenticates with the URL’s user and (URL-encoded) password', async () => {
    const server = await startSmtp({ users: { auditor: PASSWORD } });
    const url = `smtp://auditor:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`;
    const mailer = createMailer({ smtpUrl: new Secret(url), outboxDir: dir, retry: FAST });
    try {
      await mailer.send(message);
      expect(server.received).toHaveLength(1);
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('a wrong password fails at once with MAIL_UNDELIVERED and no password anywhere', async () => {
    const server = await startSmtp({ users: { auditor: 'the-right-one' } });
    const url = `smtp://auditor:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`;
    const { logger, lines } = recordingLogger();
    const mailer = createMailer({ smtpUrl: new Secret(url), outboxDir: dir, retry: FAST, logger });
    try {
      const error = await mailer.send(message).catch((e: unknown) => e);
      expect(isAuditError(error, 'MAIL_UNDELIVERED')).toBe(true);
      const e = error as AuditError;
      expect(e.exitStatus).toBe(3);
      expect(e.message).toMatch(/after 1 attempt: EAUTH 535/);
      expect(server.connections).toBe(1);
      const everything = [
        errorLine(e),
        e.message,
        JSON.stringify(e.details),
        String((e.cause as Error).message),
        ...lines,
      ].join('\n');
      for (const form of [PASSWORD, encodeURIComponent(PASSWORD), url])
        expect(everything).not.toContain(form);
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('retries a 421 greeting and sends the message once', async () => {
    const server = await startSmtp({ refuseFirst: { count: 2, code: 421, message: 'Try again later' } });
    const { logger, lines } = recordingLogger();
    const mailer = createMailer({
      smtpUrl: new Secret(`smtp://127.0.0.1:${server.port}`),
      outboxDir: dir,
      retry: FAST,
      logger,
    });
    try {
      await mailer.send(message);
      expect(server.connections).toBe(3);
      expect(server.received).toHaveLength(1);
      expect(lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('rides out a server that is down, then up: retried, sent once', async () => {
    const port = await freePort();
    let started: Promise<Awaited<ReturnType<typeof startSmtp>>> | undefined;
    // The first failed attempt (connection refused) brings the server up: no sleeping.
    const { logger } = recordingLogger(() => {
      started ??= startSmtp({ port });
    });
    const mailer = createMailer({
      smtpUrl: new Secret(`smtp://127.0.0.1:${port}`),
      outboxDir: dir,
      retry: FAST,
      logger,
    });
    try {
      await mailer.send(message);
      const server = await started!;
      expect(server.received).toHaveLength(1);
      expect(server.connections).toBe(1);
      await server.close();
    } finally {
      mailer.close();
    }
  });

  it('gives up after a bounded number of attempts while the server stays down', async () => {
    const port = await freePort();
    const mailer = createMailer({
      smtpUrl: new Secret(`smtp://user:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`),
      outboxDir: dir,
      retry: FAST,
    });
    try {
      const error = (await mailer.send(message).catch((e: unknown) => e)) as AuditError;
      expect(error.code).toBe('MAIL_UNDELIVERED');
      expect(error.message).toContain('after 4 attempts');
      expect(error.message).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
      expect(error.message).not.toContain(PASSWORD);
      expect(error.message).not.toContain(encodeURIComponent(PASSWORD));
    } finally {
      mailer.close();
    }
  });

  it('a permanent 5xx fails at once with MAIL_UNDELIVERED', async () => {
    const server = await startSmtp({ rejectRecipients: { code: 550, message: 'No such mailbox' } });
    const mailer = createMailer({
      smtpUrl: new Secret(`smtp://127.0.0.1:${server.port}`),
      outboxDir: dir,
      retry: FAST,
    });
    try {
      const error = (await mailer.send(message).catch((e: unknown) => e)) as AuditError;
      expect(error.code).toBe('MAIL_UNDELIVERED');
      expect(error.message).toContain('after 1 attempt');
      expect(error.message).toContain('550');
      expect(errorLine(error)).toMatch(
        /^error: the email <access-audit\.ws_123\.s2\.[0-9a-f]+@[^>]+> was not delivered/,
      );
      expect(errorLine(error)).not.toMatch(/\n/);
      expect(server.connections).toBe(1);
      expect(server.received).toHaveLength(0);
    } finally {
      mailer.close();
      await server.close();
    }
  });
});

describe('outbox', () => {
  it('writes a parseable .eml with the attachment; sending again replaces the same file', async () => {
    const outboxDir = join(dir, 'outbox');
    const mailer = createMailer({ outboxDir });
    try {
      expect(mailer.kind).toBe('outbox');
      const first = await mailer.send(message);
      const second = await mailer.send(message);
      expect(second.location).toBe(first.location);
      expect(first.accepted.sort()).toEqual(['it@example.com', 'sec@example.com']);
      const files = await readdir(outboxDir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^access-audit\.ws_123\.s2\.[0-9a-f]{16}@segment-access-audit\.invalid\.eml$/);
      const raw = await readFile(first.location!);
      expect(raw.includes('\r\n')).toBe(true);
      const parsed = await simpleParser(raw);
      expect(parsed.messageId).toBe(message.messageId);
      expect(parsed.subject).toBe(message.subject);
      expect(parsed.attachments).toHaveLength(1);
      expect(sha256(parsed.attachments[0]!.content)).toBe(sha256(await readFile(reportPath)));
    } finally {
      mailer.close();
    }
  });

  it('an over-limit report is not attached and the .eml says where it is', async () => {
    const outboxDir = join(dir, 'outbox-big');
    const big = join(dir, 'big.xlsx');
    await writeFile(big, Buffer.alloc(5000, 1));
    const data = withChanges(null);
    const m = buildAuditMessage({
      summary: data.summary,
      counts: { permissionChanges: 3, staleInvites: 1 },
      rows: data,
      report: { path: big, fileName: 'big.xlsx', bytes: 5000 },
      from: 'audit@example.com',
      to: ['sec@example.com'],
      attachLimitBytes: 4096,
    });
    const mailer = createMailer({ outboxDir });
    try {
      const sent = await mailer.send(m);
      const parsed = await simpleParser(await readFile(sent.location!));
      expect(parsed.attachments).toHaveLength(0);
      expect(parsed.text).toContain(`It is in the reports directory: ${big}`);
    } finally {
      mailer.close();
    }
  });

  it('a failure to write the file is MAIL_UNDELIVERED', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const mailer = createMailer({ outboxDir: join(blocker, 'outbox') });
    try {
      await expect(mailer.send(message)).rejects.toMatchObject({ code: 'MAIL_UNDELIVERED' });
    } finally {
      mailer.close();
    }
  });
});
