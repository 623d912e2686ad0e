import type { ChangeKind, PermissionChangeRow } from '../model/report-data.js';
import { text } from './cells.js';

/**
 * The Cause cell of Permission Changes in words a reader acts on ("joined group
 * Analysts"), not the store's change kinds. `via` is 'direct' or the group the access
 * came through, so one kind reads differently for a direct grant and a group's.
 */
export function causeText(
  row: Pick<PermissionChangeRow, 'cause' | 'via' | 'remediationActionId'>,
): string | null {
  if (row.remediationActionId) return text(`revoked by remediation action ${row.remediationActionId}`);
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
  return text(words[row.cause] ?? row.cause.replaceAll('_', ' '));
}
