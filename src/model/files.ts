/**
 * Facts about the files the product writes that several stages must agree on: the report
 * stage names the workbook, the web stage serves only names of that shape, the mail stage
 * attaches it. Constants only (see workspace.ts for the rule on imports).
 */

/**
 * The report's file name: `access-audit-<YYYY-MM-DD>-s<id>.xlsx`. Ids have at most 12
 * digits, so every name the report stage writes is one the download site serves (and a
 * URL can never smuggle a huge number into a path).
 */
export const REPORT_FILE_NAME = /^access-audit-(\d{4}-\d{2}-\d{2})-s(\d{1,12})\.xlsx$/;

/** The largest snapshot id a report file name holds (12 digits). */
export const MAX_REPORT_SNAPSHOT_ID = 999_999_999_999;

/** The name for a snapshot's report, given the snapshot's local date (YYYY-MM-DD). */
export function reportFileNameFor(localDate: string, snapshotId: number): string {
  return `access-audit-${localDate}-s${snapshotId}.xlsx`;
}

/** The media type of an .xlsx workbook (download responses, email attachments). */
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Where the download site serves a report (`GET /reports/<file>`) beneath SITE_URL (ends in '/'). */
export function reportUrlFor(siteUrl: string, fileName: string): string {
  return `${siteUrl}reports/${encodeURIComponent(fileName)}`;
}
