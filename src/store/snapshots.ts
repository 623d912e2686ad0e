/**
 * The snapshot lifecycle around the one-transaction write (write.ts):
 *   beginSnapshot → `running` row committed at once (a crash leaves a visible trace)
 *   completeSnapshot → data, diff, history and `complete` in one transaction
 *   failSnapshot → `failed` with the reason; history untouched
 *   markAbandoned → `running` rows left by a dead process become `abandoned`
 * Call markAbandoned and beginSnapshot while holding the run lock (run-lock.ts): under
 * it, a `running` row can only be a dead process's.
 */
import type { Kysely, Selectable } from 'kysely';
import { AuditError } from '../errors.js';
import type { SnapshotInfo } from '../model/report-data.js';
import { databaseError } from './errors.js';
import type { Database, SnapshotsTable } from './schema.js';
import { storedMessage } from './text.js';

export type SnapshotRow = Selectable<SnapshotsTable>;

export function toSnapshotInfo(row: SnapshotRow): SnapshotInfo {
  return {
    id: row.id,
    takenAt: row.taken_at,
    finishedAt: row.finished_at,
    status: row.status,
    error: row.error,
    userCount: row.user_count,
    inviteCount: row.invite_count,
    groupCount: row.group_count,
    staleInviteDays: row.stale_invite_days,
  };
}

/** Marks every `running` snapshot `abandoned`; returns their ids. */
export async function markAbandoned(db: Kysely<Database>, now: Date): Promise<number[]> {
  try {
    const rows = await db
      .updateTable('audit.snapshots')
      .set({
        status: 'abandoned',
        finished_at: now,
        error: 'the process writing this snapshot stopped before it finished',
      })
      .where('status', '=', 'running')
      .returning('id')
      .execute();
    return rows.map((r) => r.id).sort((a, b) => a - b);
  } catch (error) {
    throw databaseError(error, 'marking abandoned snapshots');
  }
}

export async function getSnapshotRow(db: Kysely<Database>, id: number): Promise<SnapshotRow | undefined> {
  try {
    return await db.selectFrom('audit.snapshots').selectAll().where('id', '=', id).executeTakeFirst();
  } catch (error) {
    throw databaseError(error, `reading snapshot ${id}`);
  }
}

export async function lastCompleteSnapshot(db: Kysely<Database>): Promise<SnapshotInfo | null> {
  try {
    const row = await db
      .selectFrom('audit.snapshots')
      .selectAll()
      .where('status', '=', 'complete')
      .orderBy('taken_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toSnapshotInfo(row) : null;
  } catch (error) {
    throw databaseError(error, 'reading the last complete snapshot');
  }
}

/** The complete snapshot taken last before `takenAt` (the default "against" of a report). */
export async function previousCompleteSnapshot(
  db: Kysely<Database>,
  takenAt: Date,
): Promise<SnapshotRow | undefined> {
  try {
    return await db
      .selectFrom('audit.snapshots')
      .selectAll()
      .where('status', '=', 'complete')
      .where('taken_at', '<', takenAt)
      .orderBy('taken_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  } catch (error) {
    throw databaseError(error, 'reading the previous snapshot');
  }
}

export function clockNotAfterLast(takenAt: Date, last: { id: number; takenAt: Date }): AuditError {
  return new AuditError(
    'CLOCK_NOT_AFTER_LAST',
    `this run's time ${takenAt.toISOString()} is not later than the last complete snapshot ` +
      `(#${last.id}, taken at ${last.takenAt.toISOString()}); set AUDIT_NOW to a later instant or unset it`,
    { details: { takenAt: takenAt.toISOString(), lastSnapshotId: last.id } },
  );
}

export interface BeginSnapshotInput {
  takenAt: Date;
  staleInviteDays: number;
  apiUrl: string;
}

/** Inserts a `running` snapshot (committed at once) and returns its id. */
export async function beginSnapshot(db: Kysely<Database>, input: BeginSnapshotInput): Promise<number> {
  const last = await lastCompleteSnapshot(db);
  if (last && input.takenAt.getTime() <= last.takenAt.getTime()) throw clockNotAfterLast(input.takenAt, last);
  try {
    const row = await db
      .insertInto('audit.snapshots')
      .values({ taken_at: input.takenAt, api_url: input.apiUrl, stale_invite_days: input.staleInviteDays })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (error) {
    throw databaseError(error, 'starting a snapshot');
  }
}

/**
 * Marks a running snapshot `failed` (or `abandoned`: the process was asked to stop) with
 * the reason (one line). Never touches history.
 */
export async function failSnapshot(
  db: Kysely<Database>,
  id: number,
  message: string,
  now = new Date(),
  status: 'failed' | 'abandoned' = 'failed',
): Promise<void> {
  try {
    await db
      .updateTable('audit.snapshots')
      .set({ status, error: storedMessage(message), finished_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  } catch (error) {
    throw databaseError(error, `marking snapshot ${id} failed`);
  }
}

export interface SnapshotListing extends SnapshotInfo {
  /** Rows of audit.changes detected by this snapshot (null unless complete). */
  changeCount: number | null;
  /**
   * Rows of its report's Permission Changes sheet (the email subject's count; null until a
   * report is written): what the site, `snapshots` and /metrics call "permission changes".
   */
  permissionChanges: number | null;
  membershipCount: number | null;
  grantCount: number | null;
  /** Whether the run read the audit trail; null: not recorded (failed early, or before 0008). */
  trail: { status: 'read' | 'unavailable'; error: string | null; events: number | null } | null;
}

/** Every snapshot, oldest first. */
export async function listSnapshots(db: Kysely<Database>): Promise<SnapshotListing[]> {
  try {
    const rows = await db
      .selectFrom('audit.snapshots as s')
      .selectAll('s')
      .select((eb) =>
        eb
          .selectFrom('audit.reports as r')
          .select('r.permission_changes')
          .whereRef('r.snapshot_id', '=', 's.id')
          .orderBy('r.created_at', 'desc')
          .orderBy('r.id', 'desc')
          .limit(1)
          .as('permission_changes'),
      )
      .orderBy('s.id')
      .execute();
    return rows.map((row) => ({
      ...toSnapshotInfo(row),
      changeCount: row.change_count,
      permissionChanges: row.permission_changes,
      membershipCount: row.membership_count,
      grantCount: row.grant_count,
      trail:
        row.trail_status === null
          ? null
          : { status: row.trail_status, error: row.trail_error, events: row.trail_events },
    }));
  } catch (error) {
    throw databaseError(error, 'listing snapshots');
  }
}
