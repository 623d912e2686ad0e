// @ts-check
/**
 * The audit trail ("who changed it"): Segment keeps its events 90 days and only on the
 * Business plan, so every event fetched is kept here for good, once per event id however
 * many runs fetch it (the windows overlap on purpose). Change rows gain the author an
 * event explains them with, and each snapshot records whether its run could read the trail
 * at all: without that, "no event explains this change" would be indistinguishable from
 * "the trail was never read".
 *
 * Self-contained: it names only objects of 0001 (snapshots, changes), never those of
 * later migrations, so it applies whatever else runs beside it.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE TABLE audit.audit_events (
      id                        text PRIMARY KEY,
      occurred_at               timestamptz NOT NULL,
      type                      text NOT NULL,
      actor                     text NOT NULL,
      actor_email               text,
      resource_id               text NOT NULL,
      resource_type             text NOT NULL,
      resource_name             text NOT NULL,
      first_fetched_snapshot_id integer NOT NULL REFERENCES audit.snapshots (id),
      first_fetched_at          timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Attribution looks events up by period, and by the resource a change names.
  await sql`CREATE INDEX audit_events_occurred_at ON audit.audit_events (occurred_at)`.execute(db);
  await sql`CREATE INDEX audit_events_resource ON audit.audit_events (resource_id, occurred_at)`.execute(db);
  // "Dormant" (no event as actor for N days) asks per actor.
  await sql`CREATE INDEX audit_events_actor_email ON audit.audit_events (lower(actor_email), occurred_at)
            WHERE actor_email IS NOT NULL`.execute(db);

  await sql`
    ALTER TABLE audit.changes
      ADD COLUMN changed_by text,
      ADD COLUMN event_id   text REFERENCES audit.audit_events (id),
      ADD CONSTRAINT changes_attribution CHECK ((changed_by IS NULL) = (event_id IS NULL))`.execute(db);
  await sql`CREATE INDEX changes_event ON audit.changes (event_id) WHERE event_id IS NOT NULL`.execute(db);

  // NULL: a run from before the trail was read (or that failed before reaching it).
  await sql`
    ALTER TABLE audit.snapshots
      ADD COLUMN trail_status text CHECK (trail_status IN ('read', 'unavailable')),
      ADD COLUMN trail_error  text,
      ADD COLUMN trail_events integer CHECK (trail_events >= 0),
      ADD CONSTRAINT snapshots_trail_error CHECK (
        (trail_status = 'unavailable' AND trail_error IS NOT NULL)
        OR (trail_status IS DISTINCT FROM 'unavailable' AND trail_error IS NULL))`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`
    ALTER TABLE audit.snapshots
      DROP CONSTRAINT IF EXISTS snapshots_trail_error,
      DROP COLUMN IF EXISTS trail_events,
      DROP COLUMN IF EXISTS trail_error,
      DROP COLUMN IF EXISTS trail_status`.execute(db);
  await sql`DROP INDEX IF EXISTS audit.changes_event`.execute(db);
  await sql`
    ALTER TABLE audit.changes
      DROP CONSTRAINT IF EXISTS changes_attribution,
      DROP COLUMN IF EXISTS event_id,
      DROP COLUMN IF EXISTS changed_by`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.audit_events`.execute(db);
}
