/**
 * What a failed fetch says, told apart: TLS refusals (final: the certificate will not be
 * different on the next attempt) from everything else (a dropped or refused connection,
 * worth another try). undici wraps the socket's error as the `cause` of a TypeError.
 */

/** OpenSSL's verification codes and Node's own for a certificate that was not accepted. */
const TLS_REFUSALS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
  // An https URL pointing at a server that does not speak TLS: no retry changes that either.
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function causes(error: unknown): Error[] {
  const out: Error[] = [];
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 4; depth++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The TLS refusal behind a fetch failure (`{ code, message }`), or undefined when it was none. */
export function tlsRefusal(error: unknown): { code: string; message: string } | undefined {
  for (const e of causes(error)) {
    const code = codeOf(e);
    if (code !== undefined && TLS_REFUSALS.has(code)) return { code, message: e.message };
  }
  return undefined;
}

/** A safe one-line description of whatever fetch threw (no headers, no token). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [first, ...rest] = causes(error);
  const parts = [first?.name === 'TimeoutError' ? 'timed out' : (first?.message ?? '')];
  for (const cause of rest) {
    const code = codeOf(cause);
    parts.push(code === undefined ? cause.message : `${cause.message} (${code})`);
  }
  return parts.join(': ');
}

/** Retry-After is seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at - now;
}
