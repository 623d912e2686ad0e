import { type ReviewStatusRow, reviewTally } from '../model/review.js';
import { plural } from './rows.js';

/**
 * The review's state in one line of the email, from the report's Review Status rows (the
 * Summary's sign-off says the same): what stands, how many revocations are still open, who
 * decided. A compliance lead sees an overdue revocation without opening the workbook.
 */
export function signOffText(rows: readonly ReviewStatusRow[]): string {
  const t = reviewTally(rows);
  if (t.standing === 0) return 'no review decisions recorded yet';
  const openText = t.open === 0 ? '0 open' : `${t.open} open (oldest ${plural(t.oldestOpenDays, 'day')})`;
  return (
    `${plural(t.standing, 'decision')} standing: ${t.kept} Keep, ` +
    `${t.open + t.remediated} Revoke (${t.remediated} remediated, ${openText}); ` +
    `by ${t.reviewers.join(', ')}`
  );
}
