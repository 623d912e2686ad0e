import { MAX_REPORT_SNAPSHOT_ID, reportFileNameFor } from '../model/files.js';
import { localDate } from '../text/time-zone.js';

/**
 * The report's file name as README.md documents it (pattern in src/model/files.ts), the date being the
 * snapshot's `taken_at` in the audit's time zone (so a Monday 00:30 run in Europe/Berlin
 * is named for Monday, not for Sunday UTC).
 */
export function reportFileName(takenAt: Date, snapshotId: number, timezone: string): string {
  if (!Number.isSafeInteger(snapshotId) || snapshotId < 0 || snapshotId > MAX_REPORT_SNAPSHOT_ID) {
    throw new RangeError(
      `snapshot id must be an integer from 0 to ${MAX_REPORT_SNAPSHOT_ID} (got ${snapshotId})`,
    );
  }
  return reportFileNameFor(localDate(takenAt, timezone), snapshotId);
}
