import type { PermissionChangeRow } from '../model/report-data.js';
import { causeWords } from '../text/cause-words.js';
import { text } from './cells.js';

/** The Cause cell of Permission Changes: the shared wording (text/cause-words.ts), kept text. */
export function causeText(row: Pick<PermissionChangeRow, 'cause' | 'via'>): string | null {
  return text(causeWords(row));
}
