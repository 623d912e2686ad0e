import type { InviteRow, PermissionChangeRow } from '../model/report-data.js';
import type { ReviewStatusRow } from '../model/review.js';

/**
 * The report rows the email names: the Permission Changes and Stale Invites sheets' rows,
 * and the Review Status sheet's (absent: the review is not mentioned).
 */
export interface MailRows {
  permissionChanges: readonly PermissionChangeRow[];
  staleInvites: readonly InviteRow[];
  reviewStatus?: readonly ReviewStatusRow[];
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The first `limit` items, then "and N more …" when there are more. */
export function firstFew(items: readonly string[], limit: number, more: (n: number) => string): string[] {
  if (items.length <= limit) return [...items];
  return [...items.slice(0, limit), more(items.length - limit)];
}
