import { localDate } from '../text/time-zone.js';

/**
 * The report's file name as README.md documents it: `access-audit-<YYYY-MM-DD>-s<id>.xlsx`,
 * the date being the snapshot's `taken_at` in the audit's time zone (so a Monday 00:30
 * run in Europe/Berlin is named for Monday, not for Sunday UTC).
 */
export function reportFileName(takenAt: Date, snapshotId: number, timezone: string): string {
  if (!Number.isSafeInteger(snapshotId) || snapshotId < 0) {
    throw new RangeError(`snapshot id must be a non-negative integer (got ${snapshotId})`);
  }
  return `access-audit-${localDate(takenAt, timezone)}-s${snapshotId}.xlsx`;
}

/** The pattern of report file names, e.g. for listing a reports directory. */
export const REPORT_FILE_NAME = /^access-audit-(\d{4}-\d{2}-\d{2})-s(\d+)\.xlsx$/;
