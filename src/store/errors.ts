/**
 * Database failures become AuditErrors, classified by SQLSTATE (or the Node system error
 * code of a failed connection), never by message text. Messages name the target by host,
 * port and database only: a URL's password never reaches a message.
 */
import { AuditError, type ErrorCode } from '../errors.js';

/** SQLSTATEs (or their class prefixes) that mean "the server cannot be used right now". */
const UNAVAILABLE_STATES = ['08', '28', '3D000', '53300', '57P01', '57P02', '57P03'];
/** Node socket errors of a connection attempt. */
const UNAVAILABLE_SYSCALLS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const BUSY_STATES = new Set(['55P03']);

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function classify(code: string | undefined): ErrorCode {
  if (code === undefined) return 'DB_FAILED';
  if (UNAVAILABLE_SYSCALLS.has(code)) return 'DB_UNAVAILABLE';
  if (UNAVAILABLE_STATES.some((s) => code.startsWith(s))) return 'DB_UNAVAILABLE';
  if (BUSY_STATES.has(code)) return 'DB_BUSY';
  return 'DB_FAILED';
}

/**
 * Wraps a database error. `doing` says what was attempted ("writing snapshot 4").
 * AuditErrors pass through untouched.
 */
export function databaseError(error: unknown, doing: string, target?: string): AuditError {
  if (error instanceof AuditError) return error;
  const code = errorCodeOf(error);
  const kind = classify(code);
  const reason = error instanceof Error ? error.message : String(error);
  const where = target ? ` (${target})` : '';
  const prefix =
    kind === 'DB_UNAVAILABLE'
      ? `the database${where} could not be used while ${doing}`
      : `${doing} failed${where}`;
  return new AuditError(kind, `${prefix}: ${reason}${code ? ` [${code}]` : ''}`, {
    cause: error,
    details: { sqlstate: code },
  });
}

/** Runs one database step, its failure wrapped by `databaseError` with what was being done. */
export async function attempt<T>(doing: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw databaseError(error, doing);
  }
}

/** A failed connection attempt: always DB_UNAVAILABLE, whatever the error looked like. */
export function connectError(error: unknown, target: string): AuditError {
  if (error instanceof AuditError) return error;
  const code = errorCodeOf(error);
  const reason = error instanceof Error ? error.message : String(error);
  return new AuditError(
    'DB_UNAVAILABLE',
    `cannot connect to the database at ${target}: ${reason}${code ? ` [${code}]` : ''} — check DATABASE_URL and that the server is running`,
    { cause: error, details: { sqlstate: code, target } },
  );
}
