/**
 * Bookkeeping of written reports (audit.reports): one row per report file. The newest
 * row of a snapshot is "its" report: its data_sha256 chains into the next report's
 * Summary, and its figures feed the download site's listing.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ReportListing } from '../model/site.js';
import { attempt, databaseError } from './errors.js';
import { camelRow, snakeRow } from './rows.js';
import type { Database, ReportsTable } from './schema.js';

export interface ReportRecord {
  id: number;
  snapshotId: number;
  againstSnapshotId: number | null;
  fileName: string;
  bytes: number;
  fileSha256: string;
  dataSha256: string;
  permissionChanges: number;
  staleInvites: number;
  openInvites: number;
  privilegedGrants: number;
  createdAt: Date;
  /** PRIVILEGED_ROLES the report was written with (null: written before they were recorded). */
  privilegedRoles: string[] | null;
}

type ReportFigure = 'permissionChanges' | 'staleInvites' | 'openInvites' | 'privilegedGrants';

/** A report to record: its row but the id, with figures left out counting as 0. */
export type RecordReportInput = Omit<ReportRecord, 'id' | ReportFigure | 'privilegedRoles'> &
  Partial<Pick<ReportRecord, ReportFigure>> & { privilegedRoles?: readonly string[] | null };

function toRecord(r: Selectable<ReportsTable>): ReportRecord {
  return { ...camelRow(r), bytes: Number(r.bytes) };
}

export async function recordReport(db: Kysely<Database>, input: RecordReportInput): Promise<ReportRecord> {
  try {
    const row = await db
      .insertInto('audit.reports')
      // Figures left out count as 0, as the type promises.
      .values(
        snakeRow({ permissionChanges: 0, staleInvites: 0, openInvites: 0, privilegedGrants: 0, ...input }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  } catch (error) {
    throw databaseError(error, `recording the report of snapshot ${input.snapshotId}`);
  }
}

/** The newest report written for a snapshot, or null. */
export async function getReport(db: Kysely<Database>, snapshotId: number): Promise<ReportRecord | null> {
  const row = await attempt(`reading the report of snapshot ${snapshotId}`, () =>
    db
      .selectFrom('audit.reports')
      .selectAll()
      .where('snapshot_id', '=', snapshotId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  );
  return row ? toRecord(row) : null;
}

/**
 * One entry per snapshot that has a report: its newest row (a report rewritten by a later
 * run, because its file had gone, adds a second row for the same file), newest first.
 */
export async function listReports(db: Kysely<Database>): Promise<ReportListing[]> {
  try {
    const rows = await db
      .selectFrom((eb) =>
        eb
          .selectFrom('audit.reports')
          .distinctOn('snapshot_id')
          .selectAll()
          .orderBy('snapshot_id')
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .as('r'),
      )
      .innerJoin('audit.snapshots as s', 's.id', 'r.snapshot_id')
      .select([
        'r.file_name',
        'r.snapshot_id',
        's.taken_at',
        'r.bytes',
        'r.permission_changes',
        'r.stale_invites',
        's.user_count',
        'r.privileged_grants',
        'r.open_invites',
      ])
      .orderBy('s.taken_at', 'desc')
      .orderBy('r.id', 'desc')
      .execute();
    return rows.map((r) => ({
      fileName: r.file_name,
      snapshotId: r.snapshot_id,
      takenAt: r.taken_at,
      bytes: Number(r.bytes),
      permissionChanges: r.permission_changes,
      staleInvites: r.stale_invites,
      users: r.user_count ?? 0,
      privilegedGrants: r.privileged_grants,
      openInvites: r.open_invites,
    }));
  } catch (error) {
    throw databaseError(error, 'listing reports');
  }
}
