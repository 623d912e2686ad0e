/**
 * audit.review_decisions (migration 0009): signed Keep/Revoke decisions, append-only.
 * A row is user × role × resource × labels; the latest decision per row stands. What a
 * decision became (kept, open, remediated) is read from history as at a snapshot, so a
 * report rebuilt later from history shows the same Review Status (and the same data hash).
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { AuditError } from '../errors.js';
import { roleKey } from '../model/privileged.js';
import type { OpenRevocation, ReviewDecision, ReviewProgress, ReviewStatusRow } from '../model/review.js';
import { attempt, databaseError } from './errors.js';
import type { Database, ReviewDecisionsTable } from './schema.js';

type Db = Kysely<Database>;

const rowKey = (d: Pick<ReviewDecision, 'userId' | 'roleId' | 'resourceType' | 'resourceId' | 'labels'>) =>
  JSON.stringify([d.userId, d.roleId, d.resourceType, d.resourceId, d.labels]);

export interface RecordedDecisions {
  recorded: number;
  /** Decisions equal to the one already standing for their row (a re-import): not recorded again. */
  unchanged: number;
}

/** The decision standing now for each row of these users. */
async function standingFor(db: Db, userIds: readonly string[]) {
  const r = await sql<{ key: string; decision: string; reason: string | null; reviewer: string }>`
    SELECT DISTINCT ON (user_id, role_id, resource_type, resource_id, labels)
           json_build_array(user_id, role_id, resource_type, resource_id, labels)::text AS key,
           decision, reason, reviewer
      FROM audit.review_decisions
     WHERE user_id = ANY(${[...userIds]}::text[])
     ORDER BY user_id, role_id, resource_type, resource_id, labels, decided_at DESC, id DESC`.execute(db);
  return new Map(r.rows.map((row) => [JSON.stringify(JSON.parse(row.key)), row]));
}

/**
 * Records a workbook's decisions in one transaction: all or nothing. A decision equal to
 * the one standing for its row (same decision, reason and reviewer) adds nothing, so
 * importing the same file, or a re-saved copy of it, twice records nothing new; the
 * unique index (file, snapshot, row) is the last word on the same file.
 */
export async function recordDecisions(
  db: Db,
  decisions: readonly ReviewDecision[],
  fileSha256: string,
): Promise<RecordedDecisions> {
  try {
    return await db.transaction().execute(async (tx) => {
      const standing = await standingFor(tx, [...new Set(decisions.map((d) => d.userId))]);
      const fresh = decisions.filter((d) => {
        const s = standing.get(rowKey(d));
        return !(s && s.decision === d.decision && s.reason === d.reason && s.reviewer === d.reviewer);
      });
      for (let i = 0; i < fresh.length; i += 500) {
        await tx
          .insertInto('audit.review_decisions')
          .values(
            fresh.slice(i, i + 500).map((d) => ({
              snapshot_id: d.snapshotId,
              user_id: d.userId,
              email: d.email,
              role_id: d.roleId,
              role_name: d.roleName,
              resource_type: d.resourceType,
              resource_id: d.resourceId,
              labels: d.labels,
              via: d.via,
              privileged: d.privileged,
              decision: d.decision,
              reason: d.reason,
              reviewer: d.reviewer,
              decided_at: d.decidedAt,
              file_sha256: fileSha256,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      return { recorded: fresh.length, unchanged: decisions.length - fresh.length };
    });
  } catch (error) {
    throw databaseError(error, 'recording review decisions');
  }
}

/**
 * Every decision made by instant `b` (the snapshot's taken_at), ranked per row (1: the
 * one standing), with the first complete snapshot after its own (and by `b`) that no
 * longer saw the access, and the change row of that snapshot that recorded the loss.
 */
function decisionsAt(b: Date) {
  return sql`
    WITH d AS (
      SELECT d.*, s.taken_at AS seen_at,
             row_number() OVER (PARTITION BY d.user_id, d.role_id, d.resource_type, d.resource_id, d.labels
                                ORDER BY d.decided_at DESC, d.id DESC) AS rank
        FROM audit.review_decisions d JOIN audit.snapshots s ON s.id = d.snapshot_id
       WHERE d.decided_at <= ${b}::timestamptz)
    SELECT d.*, gone.id AS gone_id,
           (SELECT c.id FROM audit.changes c
             WHERE c.snapshot_id = gone.id
               AND ((c.subject_type = 'user' AND c.subject_id = d.user_id
                     AND (c.kind IN ('user_removed', 'membership_removed')
                          OR (c.kind = 'permission_revoked' AND c.role_id = d.role_id
                              AND c.resource_id = d.resource_id AND c.labels = d.labels)))
                    OR (c.subject_type = 'group' AND c.kind = 'permission_revoked' AND c.role_id = d.role_id
                        AND c.resource_id = d.resource_id AND c.labels = d.labels))
             ORDER BY (c.kind = 'permission_revoked') DESC, c.kind = 'user_removed' DESC, c.id
             LIMIT 1) AS change_id
      FROM d
      LEFT JOIN LATERAL (
        SELECT s2.id FROM audit.snapshots s2
         WHERE d.rank = 1 AND d.decision = 'revoke' AND s2.status = 'complete'
           AND s2.taken_at > d.seen_at AND s2.taken_at <= ${b}::timestamptz
           AND NOT EXISTS (
             SELECT 1 FROM audit.effective_access_at(s2.taken_at, ARRAY[d.user_id]) e
              WHERE e.role_id = d.role_id AND e.resource_type = d.resource_type
                AND e.resource_id = d.resource_id AND e.labels = d.labels)
         ORDER BY s2.taken_at LIMIT 1) gone ON true`;
}

type DecisionAtRow = Selectable<ReviewDecisionsTable> & {
  rank: string | number;
  gone_id: number | null;
  change_id: string | null;
};

const DAY_MS = 86_400_000;
const daysBetween = (from: Date, to: Date) =>
  Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));

function stateOf(r: DecisionAtRow): ReviewStatusRow['state'] {
  if (Number(r.rank) > 1) return 'superseded';
  if (r.decision === 'keep') return 'kept';
  return r.gone_id === null ? 'open' : 'remediated';
}

/**
 * The `Review Status` sheet of snapshot `snapshotId`: every decision made by its
 * taken_at, oldest first, each with where it stands as at that snapshot.
 */
export async function reviewStatusAt(db: Db, snapshotId: number, b: Date): Promise<ReviewStatusRow[]> {
  const r = await attempt(`reading the review status of snapshot ${snapshotId}`, () =>
    sql<DecisionAtRow & { resource_name: string | null }>`
      WITH x AS (${decisionsAt(b)})
      SELECT x.*, (SELECT r.name FROM audit.resource_history r
                    WHERE r.resource_type = x.resource_type AND r.resource_id = x.resource_id
                      AND r.valid_from <= ${b}::timestamptz ORDER BY r.valid_from DESC LIMIT 1) AS resource_name
        FROM x ORDER BY x.decided_at, x.id`.execute(db),
  );
  return r.rows.map((row) => {
    const state = stateOf(row);
    return {
      decisionId: String(row.id),
      decidedAt: row.decided_at,
      reviewer: row.reviewer,
      decision: row.decision,
      state,
      daysOpen: state === 'open' ? daysBetween(row.decided_at, b) : null,
      privileged: row.privileged,
      email: row.email,
      roleName: row.role_name,
      resourceType: row.resource_type,
      resourceName: row.resource_name,
      labels: row.labels,
      via: row.via,
      reason: row.reason,
      decisionSnapshotId: row.snapshot_id,
      remediatedSnapshotId: state === 'remediated' ? row.gone_id : null,
      changeId: state === 'remediated' && row.change_id !== null ? String(row.change_id) : null,
      userId: row.user_id,
      roleId: row.role_id,
      resourceId: row.resource_id,
    };
  });
}

/**
 * What the database knows of the report a workbook claims to be: the snapshot's
 * workspace (null: no such snapshot), and the recorded report with that data hash.
 */
export async function reviewedReport(db: Db, snapshotId: number, dataSha256: string) {
  return attempt(`looking up the report of snapshot ${snapshotId}`, async () => {
    const snapshot = await db
      .selectFrom('audit.snapshots')
      .select(['workspace_id', 'status'])
      .where('id', '=', snapshotId)
      .executeTakeFirst();
    const report = await db
      .selectFrom('audit.reports')
      .select(['against_snapshot_id', 'privileged_roles'])
      .where('snapshot_id', '=', snapshotId)
      .where('data_sha256', '=', dataSha256)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return {
      workspaceId: snapshot === undefined ? null : (snapshot.workspace_id ?? ''),
      report:
        report === undefined
          ? null
          : { againstSnapshotId: report.against_snapshot_id, privilegedRoles: report.privileged_roles },
    };
  });
}

/**
 * The snapshot whose review `review status` shows: the one asked for (complete), else
 * that of the newest decision (the review in progress), else the latest complete one.
 */
export async function reviewSnapshot(
  db: Db,
  asked: number | undefined,
): Promise<{ id: number; takenAt: Date }> {
  const row = await attempt('finding the snapshot under review', async () => {
    const complete = db
      .selectFrom('audit.snapshots')
      .select(['id', 'taken_at'])
      .where('status', '=', 'complete');
    if (asked !== undefined) return complete.where('id', '=', asked).executeTakeFirst();
    const reviewed = await db
      .selectFrom('audit.review_decisions')
      .select('snapshot_id')
      .orderBy('decided_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (reviewed) return complete.where('id', '=', reviewed.snapshot_id).executeTakeFirst();
    return complete.orderBy('taken_at', 'desc').limit(1).executeTakeFirst();
  });
  if (row === undefined) {
    throw new AuditError(
      'SNAPSHOT_NOT_FOUND',
      asked === undefined
        ? 'no complete snapshot yet: run `access-audit run` first'
        : `snapshot ${asked} is not a complete snapshot`,
    );
  }
  return { id: row.id, takenAt: row.taken_at };
}

/** Rows of the snapshot's Access Review, and how many of them have a decision made on that snapshot's report. */
async function decidedCounts(db: Db, snapshotId: number, b: Date, privilegedRoles: readonly string[]) {
  // The rule in force (model/privileged.ts), not the database's: what the sheet marked privileged.
  const keys = privilegedRoles.map(roleKey);
  const r = await sql<{
    total: number;
    decided: number;
    privileged_total: number;
    privileged_decided: number;
  }>`
    WITH rows AS (
           SELECT user_id, role_id, resource_type, resource_id, labels,
                  bool_or(resource_type = 'WORKSPACE' AND lower(btrim(role_name)) = ANY(${keys}::text[])) AS privileged
             FROM audit.effective_access_at(${b}::timestamptz)
            GROUP BY user_id, role_id, resource_type, resource_id, labels),
         decided AS (
           SELECT DISTINCT user_id, role_id, resource_type, resource_id, labels
             FROM audit.review_decisions WHERE snapshot_id = ${snapshotId})
    SELECT count(*)::int AS total,
           count(d.user_id)::int AS decided,
           count(*) FILTER (WHERE r.privileged)::int AS privileged_total,
           count(d.user_id) FILTER (WHERE r.privileged)::int AS privileged_decided
      FROM rows r LEFT JOIN decided d USING (user_id, role_id, resource_type, resource_id, labels)`.execute(
    db,
  );
  return r.rows[0] ?? { total: 0, decided: 0, privileged_total: 0, privileged_decided: 0 };
}

/**
 * `review status`: the snapshot's review progress, and every standing revocation that no
 * complete snapshot so far has seen carried out, aged to `now`.
 */
export async function reviewProgress(
  db: Db,
  input: { snapshotId: number; takenAt: Date; now: Date; privilegedRoles: readonly string[] },
): Promise<ReviewProgress> {
  try {
    const counts = await decidedCounts(db, input.snapshotId, input.takenAt, input.privilegedRoles);
    const rows = await reviewStatusAt(db, input.snapshotId, input.now);
    const standing = rows.filter(
      (r) => r.state !== 'superseded' && r.decisionSnapshotId === input.snapshotId,
    );
    const open: OpenRevocation[] = rows
      .filter((r) => r.state === 'open')
      .map((r) => ({
        decisionId: r.decisionId,
        email: r.email,
        roleName: r.roleName,
        resourceType: r.resourceType,
        resourceId: r.resourceId,
        labels: r.labels,
        reviewer: r.reviewer,
        decidedAt: r.decidedAt,
        days: r.daysOpen ?? 0,
      }));
    return {
      snapshotId: input.snapshotId,
      total: counts.total,
      decided: counts.decided,
      privilegedTotal: counts.privileged_total,
      privilegedDecided: counts.privileged_decided,
      keep: standing.filter((r) => r.decision === 'keep').length,
      revoke: standing.filter((r) => r.decision === 'revoke').length,
      remediated: rows.filter((r) => r.state === 'remediated').length,
      open,
    };
  } catch (error) {
    throw databaseError(error, `reading the review status of snapshot ${input.snapshotId}`);
  }
}
