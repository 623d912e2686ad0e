import { type ReviewStatusRow, reviewTally } from '../model/review.js';
import { text } from './cells.js';
import type { SummaryLine } from './summary.js';

/**
 * The Summary's review sign-off: who decided, when, and how many of each. It is drawn
 * from the `Review Status` rows alone, which the data hash covers (and so the chain to
 * the next report): a sign-off line cannot say what the hashed rows do not.
 */
export function signOffLines(rows: readonly ReviewStatusRow[]): SummaryLine[] {
  const line = (label: string, value: SummaryLine['value']): SummaryLine => ({ kind: 'field', label, value });
  const lines: SummaryLine[] = [{ kind: 'section', label: 'Review sign-off', value: null }];
  if (rows.length === 0) return [...lines, line('Review decisions', 'none recorded yet')];
  const t = reviewTally(rows);
  // The Summary names everyone who decided, superseded decisions included.
  const reviewers = [...new Set(rows.map((r) => r.reviewer))].sort();
  const times = rows.map((r) => r.decidedAt.getTime());
  lines.push(
    line('Reviewers', text(reviewers.join(', '))),
    line('First decision at', new Date(Math.min(...times))),
    line('Last decision at', new Date(Math.max(...times))),
    line('Decisions standing (Keep)', t.kept),
    line('Decisions standing (Revoke)', t.open + t.remediated),
    line('  Revocations remediated', t.remediated),
    line('  Revocations open', t.open),
    line('Superseded decisions', t.superseded),
  );
  return lines;
}
