/**
 * What the download site shows, as the store reads it from the database. Types only
 * (see workspace.ts for the rule on imports).
 */

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

/** The figures behind /metrics: the last complete audit run, and failed or abandoned runs so far. */
export interface RunMetrics {
  lastSuccessAt: Date | null;
  lastDurationSeconds: number | null;
  lastChanges: number | null;
  lastStaleInvites: number | null;
  lastApiRequests: number | null;
  lastApiRateLimited: number | null;
  runsFailed: number;
}
