import crypto from 'node:crypto';
import type { CrossCheckDisagreement } from '../model/workspace.js';
import { compareStrings, sortedUnique } from './normalize.js';

/**
 * The cross-check: for a sample of users, the groups the API lists from the user's side
 * (GET /users/{id}/groups) must be the groups whose member walks listed that user.
 *
 * The sample is the users whose ids have the smallest SHA-256 digests: reproducible (the
 * same workspace always gives the same sample, whatever order pages came in), spread over
 * the whole id space rather than the alphabetically first ids, and needing no seed.
 */
export function chooseSample(userIds: readonly string[], size: number): string[] {
  if (size <= 0) return [];
  return userIds
    .map((id) => ({ id, key: sha256Hex(id) }))
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.id, b.id))
    .slice(0, size)
    .map((x) => x.id)
    .sort(compareStrings);
}

/**
 * The one-shot crypto.hash (Node 20.12 and later) where there is one: a hash object a
 * user was a visible share of a detail-only crawl's CPU (issue 14); the digest is the same.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * Compares one user's two views. Groups deleted during the walk are left out of both
 * sides (the user's side may or may not still list them, depending on timing).
 */
export function compareMemberships(
  userId: string,
  fromUser: Iterable<string>,
  fromGroups: Iterable<string>,
  deletedGroups: ReadonlySet<string>,
): CrossCheckDisagreement | undefined {
  const a = sortedUnique([...fromUser].filter((g) => !deletedGroups.has(g)));
  const b = sortedUnique([...fromGroups].filter((g) => !deletedGroups.has(g)));
  if (a.length === b.length && a.every((g, i) => g === b[i])) return undefined;
  return { userId, fromUser: a, fromGroups: b };
}

export function describeDisagreement(d: CrossCheckDisagreement): string {
  const onlyUser = d.fromUser.filter((g) => !d.fromGroups.includes(g));
  const onlyGroups = d.fromGroups.filter((g) => !d.fromUser.includes(g));
  const parts: string[] = [];
  if (onlyUser.length > 0) parts.push(`GET /users/${d.userId}/groups also lists ${onlyUser.join(', ')}`);
  if (onlyGroups.length > 0)
    parts.push(
      `the member walks of ${onlyGroups.join(', ')} list the user but GET /users/${d.userId}/groups does not`,
    );
  return `cross-check: user ${d.userId}: ${parts.join('; ')}`;
}
