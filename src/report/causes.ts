import type { PermissionChangeRow } from '../model/report-data.js';
import { causeWords } from '../text/cause-words.js';
import { text } from './cells.js';

/** The Cause cell of Permission Changes: the shared wording (text/cause-words.ts), kept text. */
export function causeText(
  row: Pick<PermissionChangeRow, 'cause' | 'via' | 'remediationActionId'>,
): string | null {
  // A loss the next audit saw after a remediation action names the action that made it.
  if (row.remediationActionId) return text(`revoked by remediation action ${row.remediationActionId}`);
  return text(causeWords(row));
}
