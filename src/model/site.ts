/**
 * What the download site shows, as the store reads it from the database. Types only
 * (see workspace.ts for the rule on imports).
 */
import type { SnapshotStatus } from './report-data.js';

/** One report file known to the database (the newest per snapshot). */
export interface ReportListing {
  fileName: string;
  snapshotId: number;
  takenAt: Date;
  bytes: number;
  permissionChanges: number;
  staleInvites: number;
  /** Population figures of the snapshot, for the trend chart. */
  users: number;
  privilegedGrants: number;
  openInvites: number;
}

/** One audit run (a snapshot row), whatever its status: failed runs are listed too. */
export interface RunListing {
  snapshotId: number;
  takenAt: Date;
  status: SnapshotStatus;
  /** Why a failed or abandoned run stopped. */
  error: string | null;
}

/**
 * What the site lists besides the reports: every run, and the scheduled periods that got
 * no snapshot at all (computed from AUDIT_SCHEDULE by the composing command, so web/
 * needs no schedule arithmetic).
 */
export interface RunHistory {
  workspaceName: string | null;
  runs: RunListing[];
  /** Scheduled times whose period has no snapshot, newest first. */
  missed: Date[];
}

/** The figures behind /metrics: the last complete audit run, and failed or abandoned runs so far. */
export interface RunMetrics {
  lastSuccessAt: Date | null;
  lastDurationSeconds: number | null;
  /** Rows of the last complete run's Permission Changes sheet (null before its report). */
  lastPermissionChanges: number | null;
  lastStaleInvites: number | null;
  lastApiRequests: number | null;
  lastApiRateLimited: number | null;
  runsFailed: number;
}
