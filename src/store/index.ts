/**
 * The store stage: the audit database (server or embedded), snapshots, the SQL diff,
 * history, and the queries the report and mail stages need. Import from here.
 */
export {
  deliveryFor,
  markDelivered,
  markDeliverySkipped,
  type PendingWork,
  recordDeliveryAttempt,
  recordDeliveryFailure,
  snapshotsNeedingReportOrMail,
} from './deliveries.js';
export { runMetrics } from './metrics.js';
export { migrateToLatest } from './migrate.js';
export {
  type DatabaseHandle,
  openDatabase,
} from './open.js';
export { loadReportData } from './report-data.js';
export {
  getReport,
  listReports,
  recordReport,
} from './reports.js';
export { acquireRunLock } from './run-lock.js';
export { listRuns } from './runs.js';
export { claimPeriod, releasePeriod } from './schedule-claims.js';
export {
  beginSnapshot,
  clockNotAfterLast,
  failSnapshot,
  lastCompleteSnapshot,
  listSnapshots,
  markAbandoned,
  type SnapshotListing,
} from './snapshots.js';
export { completeSnapshot } from './write.js';
