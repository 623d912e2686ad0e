/**
 * Issue 12: `smtp://` without credentials sent the report in clear to a server that does
 * not offer STARTTLS. Now smtp:// to any host but this machine must upgrade or not send:
 * a server on this machine's network address (not loopback) that offers no STARTTLS
 * receives nothing, and the failure names the server, not the message.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/mail/index.js';
import { Secret } from '../../src/secret.js';

/** An IPv4 address of this machine that is not loopback: the client sees another host. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

let server: SMTPServer;
let port: number;
let dir: string;
const received: Buffer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'starttls-'));
  server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(0, '0.0.0.0');
  await once(server.server, 'listening');
  port = (server.server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const message = {
  messageId: '<starttls-test@example.com>',
  from: 'audit@example.com',
  to: ['auditors@example.com'],
  subject: 'Access audit',
  text: 'the report would be attached here',
};
const FAST = { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 1_000 };

describe('smtp:// without credentials', () => {
  it('has a non-loopback address to test with', () => {
    expect(external, 'this machine has no non-loopback IPv4 address').toBeDefined();
  });

  it('refuses to send in clear to another host that offers no STARTTLS', async () => {
    const mailer = createMailer({
      smtpUrl: new Secret(`smtp://${external}:${port}`),
      outboxDir: dir,
      retry: FAST,
    });
    try {
      await expect(mailer.send(message)).rejects.toMatchObject({
        code: 'MAIL_UNDELIVERED',
        message: expect.stringContaining(`smtp://${external}:${port}`),
      });
    } finally {
      mailer.close();
    }
    expect(received).toHaveLength(0);
  });

  it('still sends to a server on this machine (no network in between)', async () => {
    const mailer = createMailer({
      smtpUrl: new Secret(`smtp://127.0.0.1:${port}`),
      outboxDir: dir,
      retry: FAST,
    });
    try {
      await mailer.send(message);
    } finally {
      mailer.close();
    }
    expect(received).toHaveLength(1);
  });
});
