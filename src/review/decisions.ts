import type { AuditError } from '../errors.js';
import type { ReviewDecision } from '../model/review.js';
import type { ExpectedCell, SignOff, SignOffVisitor } from './compare.js';
import { refused } from './workbook.js';

/**
 * The sign-off cells of the Access Review become decisions, under the review's rules: a
 * Decision from the list; a `Revoke`, and a `Keep` on a privileged row, with a reason; no
 * row of the reviewer's own account. Any breach refuses the whole file (nothing is
 * recorded), naming the rows, so a reviewer fixes the workbook and imports it again.
 */

const REVIEW_SHEET = 'Access Review';

export interface DecisionRules {
  snapshotId: number;
  reviewer: string;
  decidedAt: Date;
  source: string;
  /** The Decision list as the workbook offers it (`Keep`, `Revoke`). */
  decisions: readonly string[];
  reasonMaxLength: number;
}

/** "rows 4, 9 and 3 more": enough to find them, short enough for one line. */
function rowList(rows: readonly number[]): string {
  const shown = rows.slice(0, 5).join(', ');
  const more = rows.length > 5 ? ` and ${rows.length - 5} more` : '';
  return `${rows.length === 1 ? 'row' : 'rows'} ${shown}${more}`;
}

const str = (cell: ExpectedCell | undefined): string => (typeof cell === 'string' ? cell : '');

export class DecisionCollector {
  readonly #rules: DecisionRules;
  readonly #decisions: ReviewDecision[] = [];
  readonly #missingReason: number[] = [];
  readonly #own: number[] = [];

  constructor(rules: DecisionRules) {
    this.#rules = rules;
  }

  readonly visit: SignOffVisitor = (sheet, rowNumber, row, signOff) => {
    if (sheet !== REVIEW_SHEET) return;
    const decision = this.#decisionOf(rowNumber, signOff);
    if (decision === null) return;
    const privileged = row.privileged === 'yes';
    if (signOff.reason === null && (decision === 'revoke' || privileged)) this.#missingReason.push(rowNumber);
    if (str(row.email).toLowerCase() === this.#rules.reviewer.toLowerCase()) this.#own.push(rowNumber);
    this.#decisions.push({
      snapshotId: this.#rules.snapshotId,
      userId: str(row.userId),
      email: str(row.email),
      roleId: str(row.roleId),
      roleName: str(row.roleName),
      resourceType: str(row.resourceType),
      resourceId: str(row.resourceId),
      labels: str(row.labels),
      via: str(row.via),
      privileged,
      decision,
      reason: signOff.reason,
      reviewer: this.#rules.reviewer,
      decidedAt: this.#rules.decidedAt,
    });
  };

  #refuse(why: string): AuditError {
    return refused(this.#rules.source, `sheet '${REVIEW_SHEET}' ${why}`);
  }

  #decisionOf(rowNumber: number, s: SignOff): 'keep' | 'revoke' | null {
    const { decisions, reasonMaxLength } = this.#rules;
    if (s.reason !== null && s.reason.length > reasonMaxLength) {
      throw this.#refuse(`row ${rowNumber}: the Reason is longer than ${reasonMaxLength} characters`);
    }
    if (s.decision === null) {
      if (s.reason !== null) throw this.#refuse(`row ${rowNumber}: a Reason without a Decision`);
      return null;
    }
    const chosen = decisions.find((d) => d.toLowerCase() === s.decision?.toLowerCase());
    if (chosen === undefined) {
      const shown = s.decision.length > 40 ? `${s.decision.slice(0, 40)}…` : s.decision;
      throw this.#refuse(`row ${rowNumber}: Decision '${shown}' is not one of ${decisions.join(', ')}`);
    }
    return chosen.toLowerCase() === 'revoke' ? 'revoke' : 'keep';
  }

  /** The decisions, once every row was read; refuses a missing reason or a reviewer's own rows. */
  finish(): ReviewDecision[] {
    if (this.#missingReason.length > 0) {
      throw this.#refuse(
        `${rowList(this.#missingReason)}: a Revoke, and a Keep on a privileged row, need a Reason`,
      );
    }
    if (this.#own.length > 0) {
      throw this.#refuse(
        `${rowList(this.#own)}: reviewer ${this.#rules.reviewer} may not decide rows of their own account`,
      );
    }
    return this.#decisions;
  }
}
