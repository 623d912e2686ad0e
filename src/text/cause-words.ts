import type { ChangeKind, PermissionChangeRow } from '../model/report-data.js';

/**
 * Why a row of access changed, in words a reader acts on ("joined group Analysts"), not
 * the store's change kinds. `via` is 'direct' or the group the access came through, so
 * one kind reads differently for a direct grant and a group's. Shared by the report's
 * Cause cell and the email, so both say the same thing.
 */
export function causeWords(row: Pick<PermissionChangeRow, 'cause' | 'via'>): string {
  const direct = row.via === 'direct';
  const group = `group ${row.via}`;
  const words: Partial<Record<ChangeKind, string>> = {
    user_added: 'user added',
    user_removed: 'user removed',
    membership_added: `joined ${group}`,
    membership_removed: `left ${group}`,
    group_created: `${group} created`,
    group_deleted: `${group} deleted`,
    permission_granted: direct ? 'granted directly' : `granted to ${group}`,
    permission_revoked: direct ? 'revoked directly' : `revoked from ${group}`,
  };
  // Other kinds never cause a permission change; should one appear, it still reads as words.
  return words[row.cause] ?? row.cause.replaceAll('_', ' ');
}
