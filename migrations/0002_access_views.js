// @ts-check
/**
 * Derived access: who can do what, at any instant, from the history relations.
 *
 * - audit.is_privileged(role_name, resource_type): the one definition of a privileged
 *   grant — an owner/admin role (by name, case-insensitive, as a word start) granted on
 *   the WORKSPACE resource, i.e. workspace-wide. Roles scoped to one source or space are
 *   not flagged, whatever their name.
 * - audit.effective_access_at(as_of, only_users): every user × role × resource × via valid
 *   at `as_of`: direct grants (via 'direct') and the grants of each group the user is a
 *   member of (via the group's name, with via_group_id to tell a group named "direct"
 *   apart). `only_users` narrows it to some users (the report pages through users with it).
 *   A plain SQL function so the planner inlines it and pushes filters into the indexes.
 * - audit.effective_access: the same for the current state (after the latest complete
 *   snapshot).
 * - audit.open_invites / audit.stale_invites: invites open at the latest complete
 *   snapshot, with whole days pending counted from first_seen to that snapshot's taken_at;
 *   stale_invites keeps those pending at least the threshold stored with that snapshot.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE FUNCTION audit.is_privileged(role_name text, resource_type text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT resource_type = 'WORKSPACE' AND role_name ~* '\\m(owner|admin)' $$`.execute(db);

  await sql`
    CREATE FUNCTION audit.effective_access_at(as_of timestamptz, only_users text[] DEFAULT NULL)
    RETURNS TABLE (
      user_id text, email text, user_name text,
      role_id text, role_name text, resource_type text, resource_id text,
      via text, via_group_id text, privileged boolean
    )
    LANGUAGE sql STABLE
    AS $$
      SELECT u.user_id, u.email, u.name,
             g.role_id, g.role_name, g.resource_type, g.resource_id,
             'direct', NULL::text, audit.is_privileged(g.role_name, g.resource_type)
        FROM audit.user_history u
        JOIN audit.grant_history g
          ON g.principal_type = 'user' AND g.principal_id = u.user_id
       WHERE u.valid_from <= as_of AND (u.valid_to IS NULL OR u.valid_to > as_of)
         AND g.valid_from <= as_of AND (g.valid_to IS NULL OR g.valid_to > as_of)
         AND (only_users IS NULL OR u.user_id = ANY (only_users))
      UNION ALL
      SELECT u.user_id, u.email, u.name,
             g.role_id, g.role_name, g.resource_type, g.resource_id,
             gr.name, gr.group_id, audit.is_privileged(g.role_name, g.resource_type)
        FROM audit.user_history u
        JOIN audit.membership_history m ON m.user_id = u.user_id
        JOIN audit.group_history gr ON gr.group_id = m.group_id
        JOIN audit.grant_history g
          ON g.principal_type = 'group' AND g.principal_id = m.group_id
       WHERE u.valid_from <= as_of AND (u.valid_to IS NULL OR u.valid_to > as_of)
         AND m.valid_from <= as_of AND (m.valid_to IS NULL OR m.valid_to > as_of)
         AND gr.valid_from <= as_of AND (gr.valid_to IS NULL OR gr.valid_to > as_of)
         AND g.valid_from <= as_of AND (g.valid_to IS NULL OR g.valid_to > as_of)
         AND (only_users IS NULL OR u.user_id = ANY (only_users))
    $$`.execute(db);

  await sql`
    CREATE VIEW audit.effective_access AS
    SELECT * FROM audit.effective_access_at('infinity'::timestamptz)`.execute(db);

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
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`DROP VIEW IF EXISTS audit.stale_invites`.execute(db);
  await sql`DROP VIEW IF EXISTS audit.open_invites`.execute(db);
  await sql`DROP VIEW IF EXISTS audit.effective_access`.execute(db);
  await sql`DROP FUNCTION IF EXISTS audit.effective_access_at(timestamptz, text[])`.execute(db);
  await sql`DROP FUNCTION IF EXISTS audit.is_privileged(text, text)`.execute(db);
}
