// @ts-check
/**
 * Attribution, second half (0008 kept the events and the author): what the join of the
 * trail to a change row concluded, so the report can say it without redoing it.
 * - `audit.changes.attribution`: `attributed`, `ambiguous` (events of different actors fit:
 *   not guessed), `unexplained` (no event of the period), `untraceable` (no event type
 *   records this kind), `trail-unavailable`; NULL: never examined.
 * - `audit.changes.attribution_flags`: `self-granted`, `by-token`, `no-audit-event`.
 * - `audit.changes.attribution_note`: why a change has no author (two actors fit, the
 *   trail was unavailable, no event type records this kind), NULL when attributed or
 *   never examined (a run from before the trail was read).
 *
 * Invite ages: an invite's "Invite Created" event, when the trail kept it, dates the invite
 * better than the first snapshot that saw it. `audit.open_invites` and
 * `audit.stale_invites` gain `pending_since` (the earlier of the two) and
 * `pending_since_source` (`audit event` / `first seen`); `days_pending` counts from
 * `pending_since`. `first_seen` keeps its meaning.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    ALTER TABLE audit.changes
      ADD COLUMN attribution text CHECK (attribution IN
        ('attributed', 'ambiguous', 'unexplained', 'untraceable', 'trail-unavailable')),
      ADD COLUMN attribution_flags text[] NOT NULL DEFAULT '{}',
      ADD COLUMN attribution_note  text,
      ADD CONSTRAINT changes_attribution_flags CHECK (
        attribution_flags <@ ARRAY['self-granted', 'by-token', 'no-audit-event']::text[])`.execute(db);

  await sql`DROP VIEW IF EXISTS audit.stale_invites`.execute(db);
  await sql`DROP VIEW IF EXISTS audit.open_invites`.execute(db);
  await sql`
    CREATE VIEW audit.open_invites AS
    WITH latest AS (
      SELECT id, taken_at, stale_invite_days
        FROM audit.snapshots
       WHERE status = 'complete'
       ORDER BY taken_at DESC
       LIMIT 1
    ),
    aged AS (
      SELECT i.email, i.group_id, i.first_seen, l.taken_at, l.id AS snapshot_id, l.stale_invite_days,
             (SELECT max(e.occurred_at) FROM audit.audit_events e
               WHERE lower(e.type) = 'invite created'
                 AND (lower(e.resource_id) = lower(i.email) OR lower(e.resource_name) = lower(i.email))
                 AND e.occurred_at <= i.first_seen) AS created_at
        FROM audit.invite_history i
       CROSS JOIN latest l
       WHERE i.first_seen <= l.taken_at
         AND (i.closed_at IS NULL OR i.closed_at > l.taken_at)
    )
    SELECT email, group_id, first_seen,
           floor(extract(epoch FROM (taken_at - coalesce(created_at, first_seen))) / 86400)::integer
             AS days_pending,
           snapshot_id, stale_invite_days,
           coalesce(created_at, first_seen) AS pending_since,
           CASE WHEN created_at IS NULL THEN 'first seen' ELSE 'audit event' END AS pending_since_source
      FROM aged`.execute(db);
  await sql`
    CREATE VIEW audit.stale_invites AS
    SELECT email, group_id, first_seen, days_pending, snapshot_id, stale_invite_days,
           pending_since, pending_since_source
      FROM audit.open_invites
     WHERE days_pending >= stale_invite_days`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`DROP VIEW IF EXISTS audit.stale_invites`.execute(db);
  await sql`DROP VIEW IF EXISTS audit.open_invites`.execute(db);
  await sql`
    CREATE VIEW audit.open_invites AS
    WITH latest AS (
      SELECT id, taken_at, stale_invite_days
        FROM audit.snapshots
       WHERE status = 'complete'
       ORDER BY taken_at DESC
       LIMIT 1
    )
    SELECT i.email, i.group_id, i.first_seen,
           floor(extract(epoch FROM (l.taken_at - i.first_seen)) / 86400)::integer AS days_pending,
           l.id AS snapshot_id, l.stale_invite_days
      FROM audit.invite_history i
     CROSS JOIN latest l
     WHERE i.first_seen <= l.taken_at
       AND (i.closed_at IS NULL OR i.closed_at > l.taken_at)`.execute(db);
  await sql`
    CREATE VIEW audit.stale_invites AS
    SELECT email, group_id, first_seen, days_pending, snapshot_id, stale_invite_days
      FROM audit.open_invites
     WHERE days_pending >= stale_invite_days`.execute(db);
  await sql`
    ALTER TABLE audit.changes
      DROP CONSTRAINT IF EXISTS changes_attribution_flags,
      DROP COLUMN IF EXISTS attribution_note,
      DROP COLUMN IF EXISTS attribution_flags,
      DROP COLUMN IF EXISTS attribution`.execute(db);
}
