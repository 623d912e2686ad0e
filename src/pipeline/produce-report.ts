import { join } from 'node:path';
import type { Config } from '../config.js';
import type { MailRows } from '../mail/index.js';
import type { ReportData, ReportSummary } from '../model/report-data.js';
import { writeReport } from '../report/index.js';
import { type DatabaseHandle, getReport, loadReportData, recordReport } from '../store/index.js';
import { TOOL_VERSION } from '../version.js';
import { reconcile } from './reconcile.js';

/**
 * One snapshot's report: read its data from history, write the workbook, record it. Used
 * by `run` for the new snapshot and for any earlier one a dead process left without a
 * report, and by `report --snapshot` (which writes without recording).
 */
export interface ProducedReport {
  path: string;
  fileName: string;
  bytes: number;
  dataSha256: string;
  summary: ReportSummary;
  permissionChanges: number;
  staleInvites: number;
  /** The rows the email names (its headline, changes by person, stale invites, the review). */
  rows: MailRows;
}

type ReportConfig = Pick<Config, 'reportsDir' | 'auditTimezone' | 'privilegedRoles'>;

const rowsOf = (data: ReportData): ProducedReport['rows'] => ({
  permissionChanges: data.permissionChanges,
  staleInvites: data.staleInvites,
  reviewStatus: data.reviewStatus,
});

export async function produceReport(
  handle: DatabaseHandle,
  config: ReportConfig,
  snapshotId: number,
  generatedAt: Date,
): Promise<ProducedReport> {
  const data = await reconcile(
    handle.db,
    await loadReportData(handle.db, {
      snapshotId,
      timezone: config.auditTimezone,
      toolVersion: TOOL_VERSION,
      generatedAt,
      privilegedRoles: config.privilegedRoles,
      readAhead: true,
    }),
  );
  const written = await writeReport(data, { dir: config.reportsDir });
  await recordReport(handle.db, {
    snapshotId,
    againstSnapshotId: data.summary.previous?.id ?? null,
    fileName: written.fileName,
    bytes: written.bytes,
    fileSha256: written.fileSha256,
    dataSha256: written.dataSha256,
    permissionChanges: written.counts.permissionChanges,
    staleInvites: written.counts.staleInvites,
    openInvites: written.counts.invites,
    privilegedGrants: written.counts.privilegedAccess,
    createdAt: generatedAt,
    privilegedRoles: config.privilegedRoles,
  });
  return {
    path: written.path,
    fileName: written.fileName,
    bytes: written.bytes,
    dataSha256: written.dataSha256,
    summary: data.summary,
    permissionChanges: written.counts.permissionChanges,
    staleInvites: written.counts.staleInvites,
    rows: rowsOf(data),
  };
}

/** The recorded report of a snapshot, with the summary the email needs (no rewrite). */
export async function recordedReport(
  handle: DatabaseHandle,
  config: ReportConfig,
  snapshotId: number,
): Promise<ProducedReport | null> {
  const record = await getReport(handle.db, snapshotId);
  if (!record) return null;
  // The summary as it was when the report was written (its generation time included), so
  // an email built again for it is the same message as the first attempt.
  const data = await reconcile(
    handle.db,
    await loadReportData(handle.db, {
      snapshotId,
      againstId: record.againstSnapshotId,
      timezone: config.auditTimezone,
      toolVersion: TOOL_VERSION,
      generatedAt: record.createdAt,
      privilegedRoles: record.privilegedRoles ?? config.privilegedRoles,
    }),
  );
  return {
    path: join(config.reportsDir, record.fileName),
    fileName: record.fileName,
    bytes: record.bytes,
    dataSha256: record.dataSha256,
    summary: data.summary,
    permissionChanges: record.permissionChanges,
    staleInvites: record.staleInvites,
    rows: rowsOf(data),
  };
}
