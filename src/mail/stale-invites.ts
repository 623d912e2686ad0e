import type { InviteRow } from '../model/report-data.js';

/**
 * A stale invite as a line of the email. An invite already open at the baseline snapshot
 * was open before the audit began: its age is "at least" the days counted, not exactly.
 */
export function staleInviteLine(i: InviteRow): string {
  const where =
    i.groupName !== null ? `group ${i.groupName}` : i.groupId !== null ? `group ${i.groupId}` : 'workspace';
  const age = i.seenAtBaseline ? `at least ${i.daysPending} days` : `${i.daysPending} days`;
  return `${i.email} (${where} invite): pending ${age}`;
}

/** The note that explains "at least", shown only when some invite needs it. */
export const UNKNOWN_AGE_NOTE =
  '"At least": the invite was already open at the first audit, so how long before that is unknown.';
