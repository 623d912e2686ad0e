import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditError } from '../../src/errors.js';
import {
  type AuditMessage,
  createMailer,
  isTransientSmtpError,
  type RetryPolicy,
} from '../../src/mail/index.js';
import { Secret } from '../../src/secret.js';
import { selfSignedCertificate, startSmtp } from './smtp-helpers.js';

const FAST: RetryPolicy = { retries: 3, minTimeoutMs: 20, maxTimeoutMs: 50, maxRetryTimeMs: 10_000 };
const message: AuditMessage = {
  from: 'audit@example.com',
  to: ['sec@example.com'],
  subject: 'tls',
  text: 'tls',
  html: '<p>tls</p>',
  messageId: '<tls-test@segment-access-audit.invalid>',
  date: new Date('2026-06-30T06:00:00Z'),
};

let dir: string;
let cert: { key: Buffer; cert: Buffer } | null;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mail-tls-'));
  cert = selfSignedCertificate(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TLS verification stays on', () => {
  for (const mode of ['implicit', 'starttls'] as const) {
    it(`refuses an unverifiable certificate (${mode}), even when the URL asks otherwise, without retrying`, async (ctx) => {
      if (cert === null) ctx.skip(); // no openssl to make a certificate
      const server = await startSmtp({ tls: { ...cert!, mode }, users: { u: 'p4ssw0rd' } });
      const scheme = mode === 'implicit' ? 'smtps' : 'smtp';
      const url = `${scheme}://u:p4ssw0rd@127.0.0.1:${server.port}/?tls.rejectUnauthorized=false&secure=false`;
      const mailer = createMailer({ smtpUrl: new Secret(url), outboxDir: dir, retry: FAST });
      try {
        const error = (await mailer.send(message).catch((e: unknown) => e)) as AuditError;
        expect(error.code).toBe('MAIL_UNDELIVERED');
        expect(error.message).toContain('after 1 attempt');
        expect(error.message).toMatch(/certificate/i);
        expect(error.message).not.toContain('p4ssw0rd');
        expect(server.received).toHaveLength(0);
      } finally {
        mailer.close();
        await server.close();
      }
    });
  }
});

describe('isTransientSmtpError', () => {
  it('retries what can succeed later, not what cannot', () => {
    const e = (props: Record<string, unknown>) => Object.assign(new Error('x'), props);
    expect(isTransientSmtpError(e({ code: 'ECONNECTION' }))).toBe(true);
    expect(isTransientSmtpError(e({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientSmtpError(e({ code: 'ETIMEDOUT' }))).toBe(true);
    expect(isTransientSmtpError(e({ code: 'EPROTOCOL', responseCode: 421, permanent: false }))).toBe(true);
    expect(isTransientSmtpError(e({ code: 'EENVELOPE', responseCode: 452 }))).toBe(true);
    expect(isTransientSmtpError(e({ code: 'EMESSAGE', responseCode: 503 }))).toBe(true);
    expect(isTransientSmtpError(e({ code: 'EENVELOPE', responseCode: 550, permanent: true }))).toBe(false);
    expect(isTransientSmtpError(e({ code: 'EAUTH', responseCode: 535 }))).toBe(false);
    expect(isTransientSmtpError(e({ code: 'ETLS' }))).toBe(false);
    expect(isTransientSmtpError(e({ code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toBe(
      false,
    );
    expect(isTransientSmtpError(e({ code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }))).toBe(
      false,
    );
    expect(isTransientSmtpError(e({ code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }))).toBe(false);
    expect(isTransientSmtpError(e({ code: 'EDNS', originalCode: 'ENOTFOUND' }))).toBe(false);
    expect(isTransientSmtpError(e({ code: 'EDNS', originalCode: 'EAI_AGAIN' }))).toBe(true);
    expect(isTransientSmtpError(new TypeError('bug'))).toBe(false);
  });
});
