/**
 * Review decisions and their state, as the store reads them and the report and the
 * review room use them. Types only (see workspace.ts for the rule on imports).
 */

/** One signed decision on an Access Review row (user × role × resource × labels). */
export interface ReviewDecision {
  snapshotId: number;
  userId: string;
  email: string;
  roleId: string;
  roleName: string;
  resourceType: string;
  resourceId: string;
  labels: string;
  via: string;
  privileged: boolean;
  decision: 'keep' | 'revoke';
  /** Trimmed; null when none was given (only a Keep on a non-privileged row may lack one). */
  reason: string | null;
  reviewer: string;
  decidedAt: Date;
}

/**
 * Where a decision stands at a snapshot: `kept`; a `Revoke` `open` (the access is still
 * there) or `remediated` (a later complete snapshot no longer saw it); `superseded` when a
 * later decision on the same row stands instead.
 */
export type ReviewState = 'kept' | 'open' | 'remediated' | 'superseded';

/** One row of the report's `Review Status` sheet. */
export interface ReviewStatusRow {
  decisionId: string;
  decidedAt: Date;
  reviewer: string;
  decision: 'keep' | 'revoke';
  state: ReviewState;
  /** Whole days from the decision to the report's snapshot, for an open Revoke. */
  daysOpen: number | null;
  privileged: boolean;
  email: string;
  roleName: string;
  resourceType: string;
  resourceName: string | null;
  labels: string;
  via: string;
  reason: string | null;
  /** The snapshot whose report the decision was made on. */
  decisionSnapshotId: number;
  /** The first complete snapshot that no longer saw the access (remediated only). */
  remediatedSnapshotId: number | null;
  /** The audit.changes row that recorded the loss, when one names it. */
  changeId: string | null;
  userId: string;
  roleId: string;
  resourceId: string;
}

/** An open revocation for `review status`. */
export interface OpenRevocation {
  decisionId: string;
  email: string;
  roleName: string;
  resourceType: string;
  resourceId: string;
  labels: string;
  reviewer: string;
  decidedAt: Date;
  days: number;
}

/** `review status`: the progress of one snapshot's review and the open revocations. */
export interface ReviewProgress {
  snapshotId: number;
  total: number;
  decided: number;
  privilegedTotal: number;
  privilegedDecided: number;
  keep: number;
  revoke: number;
  remediated: number;
  open: OpenRevocation[];
}

/** What a report's Review Status rows add up to: the Summary's sign-off and the email say it. */
export interface ReviewTally {
  /** Decisions not superseded by a later one on the same row. */
  standing: number;
  kept: number;
  open: number;
  remediated: number;
  superseded: number;
  /** Reviewers of the standing decisions, sorted. */
  reviewers: string[];
  /** Age in days of the oldest open Revoke (0 when none is open). */
  oldestOpenDays: number;
}

export function reviewTally(rows: readonly ReviewStatusRow[]): ReviewTally {
  const standing = rows.filter((r) => r.state !== 'superseded');
  const count = (state: ReviewState) => standing.filter((r) => r.state === state).length;
  const open = standing.filter((r) => r.state === 'open');
  return {
    standing: standing.length,
    kept: count('kept'),
    open: open.length,
    remediated: count('remediated'),
    superseded: rows.length - standing.length,
    reviewers: [...new Set(standing.map((r) => r.reviewer))].sort(),
    oldestOpenDays: Math.max(0, ...open.map((r) => r.daysOpen ?? 0)),
  };
}
