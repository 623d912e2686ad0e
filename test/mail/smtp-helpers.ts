import { once } from 'node:events';
import { createServer } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

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
}

export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
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
    secure: false,
    // No TLS in tests (no certificate to verify); the client side keeps verification on.
    disabledCommands: options.users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
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
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server.server, 'listening');
  state.port = (server.server.address() as { port: number }).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
