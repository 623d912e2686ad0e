import { type Kysely, sql } from 'kysely';
import type { AuditEvent, ChangeToAttribute } from '../model/audit-event.js';
import type { Database } from './schema.js';

/**
 * The audit trail kept for good (migration 0008). Every function takes `db` first so the
 * pipeline passes the snapshot's transaction: events, the trail's status and the change
 * rows' authors commit or vanish together with the snapshot, so a failed run leaves none
 * of them behind. Inserts go through `unnest` arrays (COPY through the embedded socket
 * hangs), in batches so array parameters stay small in memory.
 */

const BATCH = 5000;

/**
 * Keeps each event once: an id already kept (an earlier run's overlapping window, or a
 * repeat within this batch) is left as it was, with the snapshot that first fetched it.
 * Returns how many were new.
 */
export async function insertAuditEvents(
  db: Kysely<Database>,
  snapshotId: number,
  events: readonly AuditEvent[],
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < events.length; start += BATCH) {
    const batch = events.slice(start, start + BATCH);
    const r = await sql<{ id: string }>`
      INSERT INTO audit.audit_events
        (id, occurred_at, type, actor, actor_email, resource_id, resource_type, resource_name,
         first_fetched_snapshot_id)
      SELECT e.*, ${snapshotId}::integer
        FROM unnest(${batch.map((e) => e.id)}::text[],
                    ${batch.map((e) => e.occurredAt.toISOString())}::timestamptz[],
                    ${batch.map((e) => e.type)}::text[],
                    ${batch.map((e) => e.actor)}::text[],
                    ${batch.map((e) => e.actorEmail ?? null)}::text[],
                    ${batch.map((e) => e.resourceId)}::text[],
                    ${batch.map((e) => e.resourceType)}::text[],
                    ${batch.map((e) => e.resourceName)}::text[]) AS e
      ON CONFLICT (id) DO NOTHING
      RETURNING id`.execute(db);
    inserted += r.rows.length;
  }
  return inserted;
}

export type TrailOutcome = { status: 'read'; events: number } | { status: 'unavailable'; reason: string };

/** What the run learnt of the trail, on its snapshot row (read by the Summary and `snapshots`). */
export async function recordTrailOutcome(
  db: Kysely<Database>,
  snapshotId: number,
  outcome: TrailOutcome,
): Promise<void> {
  const read = outcome.status === 'read';
  await sql`
    UPDATE audit.snapshots
       SET trail_status = ${outcome.status},
           trail_error = ${read ? null : outcome.reason},
           trail_events = ${read ? outcome.events : null}::integer
     WHERE id = ${snapshotId}`.execute(db);
}

/** Every kept event with `from < occurred_at <= to`, oldest first (a period's candidates). */
export async function auditEventsBetween(db: Kysely<Database>, from: Date, to: Date): Promise<AuditEvent[]> {
  const r = await sql<{
    id: string;
    occurred_at: Date;
    type: string;
    actor: string;
    actor_email: string | null;
    resource_id: string;
    resource_type: string;
    resource_name: string;
  }>`
    SELECT id, occurred_at, type, actor, actor_email, resource_id, resource_type, resource_name
      FROM audit.audit_events
     WHERE occurred_at > ${from.toISOString()}::timestamptz AND occurred_at <= ${to.toISOString()}::timestamptz
     ORDER BY occurred_at, id`.execute(db);
  return r.rows.map((e) => ({
    id: e.id,
    occurredAt: e.occurred_at,
    type: e.type,
    actor: e.actor,
    actorEmail: e.actor_email ?? undefined,
    resourceId: e.resource_id,
    resourceType: e.resource_type,
    resourceName: e.resource_name,
  }));
}

export interface ChangeAttribution {
  /** `audit.changes.id` (bigint, as text). */
  changeId: string;
  /** Both set, or both undefined (no event explains the change). */
  changedBy: string | undefined;
  eventId: string | undefined;
  /** attributed, ambiguous, unexplained, untraceable, trail-unavailable. */
  status: string;
  flags: readonly string[];
  /** Why there is no author (one line), when there is none. */
  note: string | undefined;
}

/** Writes what attribution concluded for each change row; returns the rows updated. */
export async function writeAttributions(
  db: Kysely<Database>,
  attributions: readonly ChangeAttribution[],
): Promise<number> {
  let updated = 0;
  for (let start = 0; start < attributions.length; start += BATCH) {
    const batch = attributions.slice(start, start + BATCH);
    // Flags travel as one comma-joined text per row (unnest cannot take a ragged text[][]).
    const r = await sql`
      UPDATE audit.changes AS c
         SET changed_by = a.changed_by, event_id = a.event_id, attribution = a.status,
             attribution_flags = CASE WHEN a.flags = '' THEN '{}'::text[] ELSE string_to_array(a.flags, ',') END,
             attribution_note = a.note
        FROM unnest(${batch.map((a) => a.changeId)}::bigint[],
                    ${batch.map((a) => a.changedBy ?? null)}::text[],
                    ${batch.map((a) => a.eventId ?? null)}::text[],
                    ${batch.map((a) => a.status)}::text[],
                    ${batch.map((a) => a.flags.join(','))}::text[],
                    ${batch.map((a) => a.note ?? null)}::text[])
                    AS a (id, changed_by, event_id, status, flags, note)
       WHERE c.id = a.id`.execute(db);
    updated += Number(r.numAffectedRows ?? 0n);
  }
  return updated;
}

/** A snapshot's change rows as attribution reads them, in id order. */
export async function changeSubjects(db: Kysely<Database>, snapshotId: number): Promise<ChangeToAttribute[]> {
  const r = await sql<ChangeToAttribute>`
    SELECT id::text AS id, kind, subject_type AS "subjectType", subject_id AS "subjectId",
           subject_label AS "subjectLabel", group_id AS "groupId", detail->>'group_name' AS "groupName"
      FROM audit.changes WHERE snapshot_id = ${snapshotId} ORDER BY id`.execute(db);
  return r.rows;
}
