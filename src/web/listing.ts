/** What the site shows of each report: one entry per report file known to the database. */
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
