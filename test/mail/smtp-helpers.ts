import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export { freePort } from '../helpers/net.js';

/** An in-process SMTP server that keeps what it receives. */
export interface TestSmtp {
  port: number;
  received: { from: string; to: string[]; raw: Buffer }[];
  connections: number;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  port?: number;
  /** user → password; when set, AUTH is required. */
  users?: Record<string, string>;
  /** Answer the first N connections with this error (e.g. 421) and hang up. */
  refuseFirst?: { count: number; code: number; message: string };
  /** Reject every RCPT TO with this code (e.g. 550). */
  rejectRecipients?: { code: number; message: string };
  /** Serve TLS with this (self-signed) certificate: implicit TLS, or STARTTLS offered. */
  tls?: { key: Buffer; cert: Buffer; mode: 'implicit' | 'starttls' };
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const state: TestSmtp = {
    port: 0,
    received: [],
    connections: 0,
    close: async () => {},
  };
  const config: SMTPServerOptions = {
    secure: options.tls?.mode === 'implicit',
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    // Plain SMTP unless a test asks for TLS; the client side keeps verification on regardless.
    disabledCommands: [
      ...(options.tls?.mode === 'starttls' ? [] : ['STARTTLS']),
      ...(options.users ? [] : ['AUTH']),
    ],
    authOptional: !options.users,
    allowInsecureAuth: true,
    logger: false,
    onConnect(_session, callback) {
      state.connections++;
      const refuse = options.refuseFirst;
      if (refuse && state.connections <= refuse.count)
        return callback(smtpError(refuse.code, refuse.message));
      callback();
    },
    onAuth(auth, _session, callback) {
      const users = options.users ?? {};
      if (auth.username !== undefined && users[auth.username] === auth.password) {
        return callback(null, { user: auth.username });
      }
      callback(smtpError(535, 'Authentication credentials invalid'));
    },
    onRcptTo(_address, _session, callback) {
      const reject = options.rejectRecipients;
      if (reject) return callback(smtpError(reject.code, reject.message));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  // A client that hangs up mid-handshake (e.g. on refusing our certificate) is expected here.
  server.on('error', () => {});
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server.server, 'listening');
  state.port = (server.server.address() as { port: number }).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** A throwaway self-signed certificate for 127.0.0.1, or null when openssl is not installed. */
export function selfSignedCertificate(dir: string): { key: Buffer; cert: Buffer } | null {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  if (r.error || r.status !== 0) return null;
  return { key: readFileSync(key), cert: readFileSync(cert) };
}
