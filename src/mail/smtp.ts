import { isIP } from 'node:net';
import nodemailer, {
  type NodemailerError,
  type SendMailOptions,
  type SMTPTransportOptions,
} from 'nodemailer';
import pRetry from 'p-retry';
import { parseSmtpUrl } from '../config.js';
import { AuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { type Secret, scrub } from '../secret.js';
import { oneLine } from '../text/one-line.js';

/**
 * Delivery over SMTP (SMTP_URL = smtp://user:pass@host:port or smtps://…). Certificates
 * are always verified: the URL is parsed by config.ts rather than handed to nodemailer,
 * so no query parameter can switch verification off. smtp:// to another host must
 * upgrade with STARTTLS (no report or password in clear); smtps:// is TLS from the first
 * byte.
 *
 * Transient failures (connection refused or reset, timeouts, 4xx replies such as 421)
 * are retried a few times with a short, bounded backoff; a permanent 5xx reply, failed
 * authentication or a TLS failure fails at once. Each attempt opens a new connection.
 * The password never appears in a log line or an error message.
 */

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Bound on the whole delivery, retries included. */
  maxRetryTimeMs: number;
}

const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 8_000,
  maxRetryTimeMs: 60_000,
};

export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}

/** Shorter than nodemailer's (2 min / 30 s / 10 min): a run should not hang on a dead relay. */
const DEFAULT_TIMEOUTS: SmtpTimeouts = { connectionMs: 15_000, greetingMs: 15_000, socketMs: 60_000 };

export interface SmtpTarget {
  options: SMTPTransportOptions;
  /** `smtp://host:port`: safe to show (no user, no password). */
  display: string;
}

/**
 * nodemailer's options for an SMTP_URL. The URL itself is parsed by config.ts (the one
 * parser, run at start so a bad URL is a configuration error before any audit); this
 * only adds what the transport needs: verification, timeouts, no file or URL access.
 */
export function smtpTransportOptions(url: Secret, timeouts: SmtpTimeouts = DEFAULT_TIMEOUTS): SmtpTarget {
  const endpoint = parseSmtpUrl(url);
  const { host } = endpoint;
  const options: SMTPTransportOptions = {
    host,
    port: endpoint.port,
    secure: endpoint.secure,
    // Verification on, always; SNI only for a name (an IP address is not a valid servername).
    tls: isIP(host) === 0 ? { rejectUnauthorized: true, servername: host } : { rejectUnauthorized: true },
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    disableFileAccess: false,
    disableUrlAccess: true,
  };
  if (endpoint.requireTLS) options.requireTLS = true;
  if (endpoint.auth) options.auth = { user: endpoint.auth.user, pass: endpoint.auth.pass.reveal() };
  return { options, display: endpoint.display };
}

const TRANSIENT_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);
/** OpenSSL verification results and Node's TLS/SSL error codes. */
const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|INVALID_CA|^ERR_TLS_|^ERR_SSL_/;
const TRANSIENT_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Whether the same message can succeed on a new attempt (RFC 5321: 4yz yes, 5yz no, 503 yes). */
export function isTransientSmtpError(error: unknown): boolean {
  const e = error as NodemailerError;
  if (typeof e?.responseCode === 'number') {
    if (e.responseCode >= 400 && e.responseCode < 500) return true;
    return e.responseCode === 503;
  }
  if (e?.permanent === true) return false;
  const errno = e?.originalCode ?? e?.errno;
  // A certificate that does not verify (nodemailer reports it as ESOCKET) will not verify
  // on the next attempt either: fail at once rather than retry a security refusal.
  if (e?.code === 'ETLS' || (typeof errno === 'string' && TLS_FAILURE.test(errno))) return false;
  if (typeof e?.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (typeof errno === 'string' && TRANSIENT_ERRNOS.has(errno)) return true;
  return e?.code === 'EDNS' && errno === 'EAI_AGAIN';
}

/** One line about an SMTP failure, with every form of the secret removed. */
function describeSmtpError(error: unknown, secrets: readonly (Secret | string | undefined)[]): string {
  const e = error as NodemailerError;
  const parts: string[] = [];
  if (typeof e?.code === 'string') parts.push(e.code);
  if (typeof e?.responseCode === 'number') parts.push(String(e.responseCode));
  const message = error instanceof Error ? error.message : String(error);
  parts.push(message);
  return scrub(oneLine(parts.join(' ')), secrets);
}

export interface SendOutcome {
  messageId: string;
  accepted: string[];
  attempts: number;
}

export interface SmtpSender {
  display: string;
  send(message: SendMailOptions & { messageId: string }): Promise<SendOutcome>;
  close(): void;
}

function addressText(a: unknown): string {
  if (typeof a === 'string') return a;
  const address = (a as { address?: unknown })?.address;
  return typeof address === 'string' ? address : String(a);
}

export function createSmtpSender(
  url: Secret,
  options: { retry?: RetryPolicy; timeouts?: SmtpTimeouts; logger?: Logger } = {},
): SmtpSender {
  const target = smtpTransportOptions(url, options.timeouts);
  const retry = options.retry ?? DEFAULT_RETRY;
  // Every spelling the password could take in a message: decoded, URL-encoded, with the user.
  const raw = new URL(url.reveal());
  const secrets = [url, target.options.auth?.pass, raw.password, `${raw.username}:${raw.password}`];
  const transporter = nodemailer.createTransport(target.options);

  return {
    display: target.display,
    async send(message) {
      let attempts = 0;
      try {
        const info = await pRetry(
          async () => {
            attempts++;
            return transporter.sendMail(message);
          },
          {
            retries: retry.retries,
            minTimeout: retry.minTimeoutMs,
            maxTimeout: retry.maxTimeoutMs,
            maxRetryTime: retry.maxRetryTimeMs,
            factor: 2,
            randomize: true,
            shouldRetry: ({ error }) => isTransientSmtpError(error),
            onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
              if (retriesLeft > 0 && isTransientSmtpError(error)) {
                options.logger?.warn(
                  {
                    attempt: attemptNumber,
                    retriesLeft,
                    server: target.display,
                    reason: describeSmtpError(error, secrets),
                  },
                  'email delivery failed, retrying',
                );
              }
            },
          },
        );
        return {
          messageId: info.messageId ?? message.messageId,
          accepted: (info.accepted ?? []).map(addressText),
          attempts,
        };
      } catch (error) {
        const reason = describeSmtpError(error, secrets);
        // The cause keeps the SMTP facts (code, reply) but not nodemailer's object, which
        // a careless logger could serialise whole.
        const cause = Object.assign(new Error(reason), {
          code: (error as NodemailerError)?.code,
          responseCode: (error as NodemailerError)?.responseCode,
        });
        throw new AuditError(
          'MAIL_UNDELIVERED',
          `the email ${message.messageId} was not delivered via ${target.display} after ${plural(attempts)}: ${reason}`,
          { cause, details: { server: target.display, attempts, messageId: message.messageId } },
        );
      }
    },
    close() {
      transporter.close();
    },
  };
}

const plural = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`;
