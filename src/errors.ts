/**
 * The one catalogue of errors. Every failure the tool reports is an AuditError with a
 * code from this table; the code decides the process exit status (README.md: 1 run
 * failed, 2 bad usage or configuration, 3 audit done but email not delivered).
 *
 * Messages are one line, name what was wrong and where, and never contain a secret:
 * callers pass only the parts of a request that are safe to show (method, path).
 */
import { oneLine } from './text/one-line.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, undelivered: 3 } as const;
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

const catalogue = {
  // Configuration and usage (exit 2).
  CONFIG_INVALID: { exit: EXIT.usage, summary: 'invalid configuration' },
  USAGE: { exit: EXIT.usage, summary: 'bad usage' },
  CLOCK_NOT_AFTER_LAST: {
    exit: EXIT.usage,
    summary: 'AUDIT_NOW is not later than the last complete snapshot',
  },

  /** A review workbook that is not an unaltered report of this database, or decisions that break a rule (nothing recorded). */
  REVIEW_REFUSED: { exit: EXIT.usage, summary: 'the review workbook was refused' },

  // The Segment API (exit 1).
  API_UNAUTHORIZED: { exit: EXIT.failed, summary: 'the Segment API rejected the token' },
  API_FORBIDDEN: { exit: EXIT.failed, summary: 'the token may not read this' },
  API_NOT_FOUND: { exit: EXIT.failed, summary: 'the Segment API answered 404' },
  API_REJECTED: { exit: EXIT.failed, summary: 'the Segment API rejected the request' },
  API_UNAVAILABLE: { exit: EXIT.failed, summary: 'the Segment API could not be reached' },
  API_MALFORMED: { exit: EXIT.failed, summary: 'the Segment API sent a malformed response' },
  API_PAGINATION: { exit: EXIT.failed, summary: 'the Segment API pagination did not end' },
  API_INCONSISTENT: { exit: EXIT.failed, summary: 'the Segment API sent inconsistent data' },
  API_TOO_LARGE: { exit: EXIT.failed, summary: 'the Segment API sent more than the client accepts' },
  API_TLS: { exit: EXIT.failed, summary: "the Segment API's TLS certificate was not accepted" },

  // Remediation (the IAM write API).
  WRITE_FORBIDDEN: { exit: EXIT.usage, summary: 'SEGMENT_WRITE_TOKEN may not write IAM permissions' },
  REMEDIATION_INCOMPLETE: { exit: EXIT.failed, summary: 'some remediation actions were not applied' },

  // The database (exit 1).
  DB_UNAVAILABLE: { exit: EXIT.failed, summary: 'the database could not be reached' },
  DB_BUSY: { exit: EXIT.failed, summary: 'another audit run holds the database' },
  DB_FAILED: { exit: EXIT.failed, summary: 'a database operation failed' },
  SNAPSHOT_NOT_FOUND: { exit: EXIT.failed, summary: 'no such snapshot' },
  /** A scheduled run found its period covered once it held the run lock: nothing to do. */
  PERIOD_COVERED: { exit: EXIT.ok, summary: 'a complete snapshot already covers this period' },

  // Report and mail.
  REPORT_FAILED: { exit: EXIT.failed, summary: 'the report could not be written' },
  MAIL_UNDELIVERED: { exit: EXIT.undelivered, summary: 'the email could not be delivered' },

  // Anything else (a bug): still one clear line, exit 1.
  INTERNAL: { exit: EXIT.failed, summary: 'internal error' },
} as const satisfies Record<string, { exit: ExitStatus; summary: string }>;

export type ErrorCode = keyof typeof catalogue;

export class AuditError extends Error {
  override readonly name = 'AuditError';
  readonly code: ErrorCode;
  /** Safe, structured context for logs (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  get exitStatus(): ExitStatus {
    return catalogue[this.code].exit;
  }
}

export function isAuditError(error: unknown, code?: ErrorCode): error is AuditError {
  return error instanceof AuditError && (code === undefined || error.code === code);
}

/** Turns anything thrown into an AuditError, keeping the original as `cause`. */
export function coerceError(error: unknown): AuditError {
  if (error instanceof AuditError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AuditError('INTERNAL', message, { cause: error });
}

/** The one stderr line README.md documents: `error: <message>` on a single line. */
export function errorLine(error: unknown): string {
  const e = coerceError(error);
  return `error: ${oneLine(e.message).trim()}`;
}

/**
 * A directory named by a variable (REPORTS_DIR, DATA_DIR) that cannot be used: the one
 * wording of the configuration error, naming the variable, the path, why (a file where
 * a directory should be reads "it is not a directory"), and the fix.
 */
export function unusableDirectory(
  variable: string,
  dir: string,
  purpose: string,
  fix: string,
  cause: unknown,
): AuditError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
  const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'it is not a directory' : code;
  return new AuditError('CONFIG_INVALID', `${variable} (${dir}) cannot hold ${purpose}: ${why}; ${fix}`, {
    cause,
    details: { variable },
  });
}

export function exitStatusOf(error: unknown): ExitStatus {
  return coerceError(error).exitStatus;
}
