/**
 * The store stage: the audit database (server or embedded), snapshots, the SQL diff,
 * history, and the queries the report and mail stages need. Import from here.
 */

export {
  auditEventsBetween,
  changeSubjects,
  insertAuditEvents,
  recordTrailOutcome,
  writeAttributions,
} from './audit-events.js';
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
export {
  flaggedActions,
  fullyRevokedUsers,
  getAction,
  insertPlanned,
  markUndone,
  type Outcome,
  openRevokes,
  pendingActions,
  type RemediationAction,
  recordOutcome,
  staleInvites,
  updateRequest,
} from './remediation-actions.js';
export { verifyRemediation } from './remediation-verify.js';
export { loadReportData } from './report-data.js';
export {
  getReport,
  listReports,
  recordReport,
} from './reports.js';
export {
  recordDecisions,
  reviewedReport,
  reviewProgress,
  reviewSnapshot,
} from './review-decisions.js';
export {
  accessOfUsers,
  importRoster,
  lastActivity,
  reconciliationSettings,
  recordReconciliationSettings,
  rosterAt,
  usersWithFirstSeen,
} from './roster.js';
export { acquireRunLock } from './run-lock.js';
export { listRuns } from './runs.js';
export { claimPeriod, releasePeriod } from './schedule-claims.js';
export type { Database } from './schema.js';
export { recordPrivilegedRoles } from './settings.js';
export {
  beginSnapshot,
  clockNotAfterLast,
  failSnapshot,
  lastCompleteSnapshot,
  listSnapshots,
  markAbandoned,
  type SnapshotListing,
} from './snapshots.js';
export { type AlsoWrite, completeSnapshot } from './write.js';
