import type { ReviewStatusRow } from '../model/review.js';
import { plural } from './rows.js';

/**
 * The review's state in one line of the email, from the report's Review Status rows (the
 * Summary's sign-off says the same): what stands, how many revocations are still open, who
 * decided. A compliance lead sees an overdue revocation without opening the workbook.
 */
export function signOffText(rows: readonly ReviewStatusRow[]): string {
  const standing = rows.filter((r) => r.state !== 'superseded');
  if (standing.length === 0) return 'no review decisions recorded yet';
  const count = (state: ReviewStatusRow['state']) => standing.filter((r) => r.state === state).length;
  const open = standing.filter((r) => r.state === 'open');
  const oldest = Math.max(0, ...open.map((r) => r.daysOpen ?? 0));
  const reviewers = [...new Set(standing.map((r) => r.reviewer))].sort();
  const openText = open.length === 0 ? '0 open' : `${open.length} open (oldest ${plural(oldest, 'day')})`;
  return (
    `${plural(standing.length, 'decision')} standing: ${count('kept')} Keep, ` +
    `${count('open') + count('remediated')} Revoke (${count('remediated')} remediated, ${openText}); ` +
    `by ${reviewers.join(', ')}`
  );
}
