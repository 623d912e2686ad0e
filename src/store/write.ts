/**
 * completeSnapshot: the one transaction that turns a `running` snapshot into a complete
 * one — load the picture (load.ts), diff it against the last complete snapshot (diff.ts),
 * close/open history rows (history.ts), store counts and metadata, mark it `complete`.
 * Whole or not at all: a crash or error at any step rolls everything back, leaving the
 * last complete snapshot and every history row exactly as they were (the snapshot stays
 * `running` until failSnapshot or the next run's markAbandoned).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { AuditError } from '../errors.js';
import { CHANGE_KINDS, type ChangeKind } from '../model/report-data.js';
import type { WorkspacePicture } from '../model/workspace.js';
import { computeDeltas } from './delta.js';
import { writeChanges } from './diff.js';
import { databaseError } from './errors.js';
import { historyIsEmpty, writeFirstHistory, writeHistory } from './history.js';
import { loadPicture, type StageCounts } from './load.js';
import type { Database } from './schema.js';
import { clockNotAfterLast } from './snapshots.js';
import { storable } from './text.js';

/** The steps of a snapshot write, in order; the test hook runs after each, inside the transaction. */
export const SNAPSHOT_STEPS = ['begin', 'load', 'diff', 'history', 'finish'] as const;
export type SnapshotStep = (typeof SNAPSHOT_STEPS)[number];

export interface CompleteSnapshotOptions {
  /** Test hook: called after each step inside the transaction (throw or die to simulate a crash). */
  onStep?: (step: SnapshotStep) => void | Promise<void>;
  /** finished_at (default: the real clock). */
  finishedAt?: Date;
  /**
   * More of the same run's facts, written in the snapshot's transaction after its changes
   * and history (the audit trail's events and the changes' authors): they commit or vanish
   * with the snapshot.
   */
  alsoWrite?: AlsoWrite;
}

export type AlsoWrite = (trx: Transaction<Database>, snapshot: SnapshotPeriod) => Promise<void>;

/** The snapshot being completed and the one its changes are counted from. */
export interface SnapshotPeriod {
  id: number;
  takenAt: Date;
  /** The last complete snapshot's time; undefined for the baseline. */
  previousTakenAt: Date | undefined;
}

export interface CompleteSnapshotResult {
  snapshotId: number;
  takenAt: Date;
  baseline: boolean;
  changes: Record<ChangeKind, number>;
  counts: StageCounts;
}

/** History rows opened or closed by one snapshot above which the statistics are refreshed. */
const ANALYZE_AFTER_ROWS = 2_000;

function emptyChangeCounts(): Record<ChangeKind, number> {
  return Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
}

/**
 * Locks snapshot `id` for the transaction (nobody else can complete or fail it meanwhile) and
 * checks it may be completed: it is running, and later than the last complete snapshot.
 */
async function lockRunningSnapshot(
  trx: Transaction<Database>,
  id: number,
): Promise<{ takenAt: Date; last: { id: number; taken_at: Date } | undefined }> {
  const snap = await trx
    .selectFrom('audit.snapshots')
    .select(['id', 'status', 'taken_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!snap) throw new AuditError('SNAPSHOT_NOT_FOUND', `snapshot ${id} does not exist`);
  if (snap.status !== 'running') {
    throw new AuditError(
      'DB_FAILED',
      `snapshot ${id} is ${snap.status}, not running: it cannot be completed`,
    );
  }
  const last = await trx
    .selectFrom('audit.snapshots')
    .select(['id', 'taken_at'])
    .where('status', '=', 'complete')
    .orderBy('taken_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last && last.taken_at.getTime() >= snap.taken_at.getTime()) {
    throw clockNotAfterLast(snap.taken_at, { id: last.id, takenAt: last.taken_at });
  }
  return { takenAt: snap.taken_at, last };
}

export async function completeSnapshot(
  db: Kysely<Database>,
  id: number,
  crawled: WorkspacePicture,
  options: CompleteSnapshotOptions = {},
): Promise<CompleteSnapshotResult> {
  const picture = storable(crawled);
  const step = async (s: SnapshotStep) => {
    await options.onStep?.(s);
  };
  try {
    const written = await db.transaction().execute(async (trx) => {
      const { takenAt, last } = await lockRunningSnapshot(trx, id);
      // Hash joins over the whole population want more than the 4 MB default; this
      // transaction only.
      await sql`SET LOCAL work_mem = '64MB'`.execute(trx);
      const baseline = last === undefined;
      await step('begin');

      const counts = await loadPicture(trx, picture);
      await step('load');

      // The baseline into an empty history skips the deltas: everything opens.
      const first = baseline && (await historyIsEmpty(trx));
      const moved = first ? counts.users + counts.grants : await computeDeltas(trx, { baseline });
      if (!baseline) await writeChanges(trx, { snapshotId: id, takenAt });
      await step('diff');

      if (first) await writeFirstHistory(trx, takenAt);
      else await writeHistory(trx, takenAt);
      await step('history');
      await options.alsoWrite?.(trx, { id, takenAt, previousTakenAt: last?.taken_at });

      const kinds = await sql<{ kind: ChangeKind; n: number }>`
        SELECT kind, count(*)::int AS n FROM audit.changes WHERE snapshot_id = ${id} GROUP BY kind`.execute(
        trx,
      );
      const changes = emptyChangeCounts();
      for (const r of kinds.rows) changes[r.kind] = r.n;
      const changeCount = kinds.rows.reduce((sum, r) => sum + r.n, 0);

      await trx
        .updateTable('audit.snapshots')
        .set({
          status: 'complete',
          finished_at: options.finishedAt ?? new Date(),
          error: null,
          user_count: counts.users,
          invite_count: counts.invites,
          group_count: counts.groups,
          membership_count: counts.memberships,
          grant_count: counts.grants,
          change_count: changeCount,
          workspace_id: picture.workspace.id,
          workspace_name: picture.workspace.name,
          workspace_slug: picture.workspace.slug,
          api_url: picture.apiUrl,
          completeness: JSON.stringify(picture.completeness),
          crawl_stats: JSON.stringify(picture.stats),
          roles: JSON.stringify(picture.roles),
        })
        .where('id', '=', id)
        .execute();
      await step('finish');
      return { result: { snapshotId: id, takenAt, baseline, changes, counts }, moved };
    });
    // Point-in-time queries (the report's) plan by the history tables' statistics; after a
    // large change (the baseline above all) they are stale until autovacuum comes by, and
    // the embedded database has no autovacuum at all. Refresh them now, outside the
    // transaction: a failure here costs nothing but speed.
    if (written.moved >= ANALYZE_AFTER_ROWS) {
      await sql`ANALYZE audit.user_history, audit.group_history, audit.membership_history,
                        audit.grant_history, audit.invite_history, audit.resource_history`
        .execute(db)
        .catch(() => {});
    }
    return written.result;
  } catch (error) {
    throw databaseError(error, `writing snapshot ${id}`);
  }
}
