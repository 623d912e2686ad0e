import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AuditError } from '../errors.js';
import { DECISIONS, REASON_MAX_LENGTH, reportDataSha256, reportSheetCells } from '../report/index.js';
import { compareWithReport } from '../review/compare.js';
import { DecisionCollector } from '../review/decisions.js';
import { isValidTimeZone, reviewerOf, verifyClaims } from '../review/verify.js';
import { openReviewWorkbook, refused, reportClaims } from '../review/workbook.js';
import { loadReportData, recordDecisions, reviewedReport } from '../store/index.js';
import type { Database } from '../store/schema.js';
import { TOOL_VERSION } from '../version.js';
import { reconcile } from './reconcile.js';

/**
 * `review import` and the download site's upload: a filled-in report becomes recorded
 * decisions, or is refused whole. The workbook's Summary only says which report it
 * claims to be; the database rebuilds that report from history, its data hash must be
 * the one recorded, and every data cell of the workbook must equal the rebuild's.
 */
export interface ReviewImportInput {
  bytes: Buffer;
  /** How the file is named in messages (its path, or the uploaded file's name). */
  source: string;
  /** undefined: the workbook's "last modified by", if an email address. */
  reviewer: string | undefined;
  now: Date;
  /**
   * PRIVILEGED_ROLES in force: the rebuilt report marks rows by the report's own recorded
   * list, and by this one only for a report written before lists were recorded.
   */
  privilegedRoles: readonly string[];
}

export interface ReviewImportResult {
  snapshotId: number;
  reviewer: string;
  decisions: number;
  keep: number;
  revoke: number;
  recorded: number;
  unchanged: number;
}

export async function importReview(
  db: Kysely<Database>,
  input: ReviewImportInput,
): Promise<ReviewImportResult> {
  const { source } = input;
  const wb = await openReviewWorkbook(input.bytes, source);
  const claims = reportClaims(wb, source);
  const reviewer = reviewerOf(input.reviewer, wb);
  if (!isValidTimeZone(claims.timezone)) throw refused(source, 'its Summary names no valid time zone');
  const known = await reviewedReport(db, claims.snapshotId, claims.dataSha256);
  verifyClaims(claims, { workspaceId: known.workspaceId, recorded: known.report !== null }, source);
  // Rebuilt as `run` wrote it: with the snapshot's reconciliation (Exceptions, suggestions).
  const data = await reconcile(
    db,
    await loadReportData(db, {
      snapshotId: claims.snapshotId,
      againstId: known.report?.againstSnapshotId ?? null,
      timezone: claims.timezone,
      toolVersion: TOOL_VERSION,
      generatedAt: input.now,
      privilegedRoles: known.report?.privilegedRoles ?? input.privilegedRoles,
    }),
  );
  // A decision dated before its snapshot would change that snapshot's rebuilt Review Status.
  if (input.now.getTime() < data.summary.current.takenAt.getTime()) {
    throw new AuditError(
      'USAGE',
      `the decision time ${input.now.toISOString()} (AUDIT_NOW) is before snapshot ${claims.snapshotId} was taken`,
    );
  }
  if ((await reportDataSha256(data)) !== claims.dataSha256) {
    throw refused(
      source,
      `this database no longer rebuilds snapshot ${claims.snapshotId}'s report with its recorded data hash`,
    );
  }
  const collector = new DecisionCollector({
    snapshotId: claims.snapshotId,
    reviewer,
    decidedAt: input.now,
    source,
    decisions: DECISIONS,
    reasonMaxLength: REASON_MAX_LENGTH,
  });
  await compareWithReport(wb, reportSheetCells(data), {
    source,
    timezone: claims.timezone,
    onSignOff: collector.visit,
  });
  const decisions = collector.finish();
  const fileSha256 = createHash('sha256').update(input.bytes).digest('hex');
  const saved = await recordDecisions(db, decisions, fileSha256);
  return {
    snapshotId: claims.snapshotId,
    reviewer,
    decisions: decisions.length,
    keep: decisions.filter((d) => d.decision === 'keep').length,
    revoke: decisions.filter((d) => d.decision === 'revoke').length,
    ...saved,
  };
}

/** The one-line outcome of an import (also the download site's answer). */
export function importSummary(r: ReviewImportResult): string {
  return `snapshot ${r.snapshotId}: ${r.decisions} decisions by ${r.reviewer} (${r.keep} keep, ${r.revoke} revoke): ${r.recorded} recorded, ${r.unchanged} already recorded`;
}
