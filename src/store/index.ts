/**
 * The store stage: the audit database (server or embedded), snapshots, the SQL diff,
 * history, and the queries the report and mail stages need. Import from here.
 */

export { accessReviewAt } from './access-review.js';
export {
  type Delivery,
  type DeliveryAttemptInput,
  type DeliveryStatus,
  deliveryFor,
  markDelivered,
  markDeliverySkipped,
  type PendingWork,
  recordDeliveryAttempt,
  recordDeliveryFailure,
  snapshotsNeedingReportOrMail,
} from './deliveries.js';
export { runMetrics } from './metrics.js';
export { migrateDown, migrateTo, migrateToLatest, migrationStates, NO_MIGRATIONS } from './migrate.js';
export {
  type DatabaseHandle,
  type DatabaseMode,
  describeUrl,
  type OpenDatabaseOptions,
  openDatabase,
} from './open.js';
export {
  invitesAt,
  type LoadReportDataInput,
  loadReportData,
  membershipChanges,
  permissionChanges,
} from './report-data.js';
export {
  getReport,
  listReports,
  type RecordReportInput,
  type ReportRecord,
  recordReport,
} from './reports.js';
export { acquireRunLock, type ReleaseRunLock } from './run-lock.js';
export { claimPeriod, releasePeriod } from './schedule-claims.js';
export type { Database } from './schema.js';
export {
  type BeginSnapshotInput,
  beginSnapshot,
  clockNotAfterLast,
  failSnapshot,
  getSnapshot,
  lastCompleteSnapshot,
  listSnapshots,
  markAbandoned,
  type SnapshotListing,
} from './snapshots.js';
export {
  type CompleteSnapshotOptions,
  type CompleteSnapshotResult,
  completeSnapshot,
  SNAPSHOT_STEPS,
  type SnapshotStep,
} from './write.js';
