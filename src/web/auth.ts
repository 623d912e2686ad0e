import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../secret.js';

/**
 * The download site's credentials: `Authorization: Bearer <REPORTS_TOKEN>`, or HTTP Basic
 * with that token as the password (any user name), so a browser's login prompt works.
 * Both sides are hashed before the comparison: timingSafeEqual needs equal lengths, and
 * hashing keeps the comparison constant-time without leaking the token's length.
 */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

export function isAuthorized(req: IncomingMessage, token: Secret): boolean {
  const presented = presentedToken(req);
  // Compare even when nothing was presented, so a missing header costs the same time.
  const ok = timingSafeEqual(digest(presented ?? ''), digest(token.reveal()));
  return ok && presented !== undefined;
}
