/**
 * The set difference between the staged picture (load.ts) and the open history rows
 * (= the last complete snapshot: only complete snapshots open or close history rows),
 * computed ONCE per relation with a full outer join, into temporary delta tables that
 * both the change log (diff.ts) and the history update (history.ts) read. A hash full
 * join over the whole population, then everything else touches only what changed.
 *
 * Each delta row has the open history row's id (hist_id, NULL: new) and a flag for the
 * staged side (NULL / false: gone). A row present on both sides is in the delta only
 * when a non-key attribute differs (a user's email or name, a group's name, a grant's
 * role name, a resource's name): history versions it, the diff decides whether that is a
 * change. A grant's labels are part of its key: another scope is another grant.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** Builds the delta tables; returns how many history rows they will open or close. */
export async function computeDeltas(db: Db, options: { baseline: boolean }): Promise<number> {
  // Temporary tables are never auto-analyzed. Before a diff, give the planner real
  // statistics of the picture; the baseline only copies it into history (no diff).
  if (!options.baseline) {
    await sql`ANALYZE stage_users, stage_groups, stage_members, stage_grants, stage_invites, stage_resources`.execute(
      db,
    );
  }

  await sql`CREATE TEMP TABLE delta_users ON COMMIT DROP AS
    SELECT h.id AS hist_id, coalesce(s.user_id, h.user_id) AS user_id,
           h.email AS old_email, h.name AS old_name,
           s.user_id IS NOT NULL AS staged, s.email AS new_email, s.name AS new_name
      FROM stage_users s
      FULL JOIN (SELECT id, user_id, email, name FROM audit.user_history WHERE valid_to IS NULL) h
        ON h.user_id = s.user_id
     WHERE h.id IS NULL OR s.user_id IS NULL OR h.email <> s.email OR h.name <> s.name`.execute(db);

  await sql`CREATE TEMP TABLE delta_groups ON COMMIT DROP AS
    SELECT h.id AS hist_id, coalesce(s.group_id, h.group_id) AS group_id,
           h.name AS old_name, s.group_id IS NOT NULL AS staged, s.name AS new_name
      FROM stage_groups s
      FULL JOIN (SELECT id, group_id, name FROM audit.group_history WHERE valid_to IS NULL) h
        ON h.group_id = s.group_id
     WHERE h.id IS NULL OR s.group_id IS NULL OR h.name <> s.name`.execute(db);

  await sql`CREATE TEMP TABLE delta_members ON COMMIT DROP AS
    SELECT h.id AS hist_id, coalesce(s.group_id, h.group_id) AS group_id, coalesce(s.user_id, h.user_id) AS user_id,
           s.user_id IS NOT NULL AS staged
      FROM stage_members s
      FULL JOIN (SELECT id, group_id, user_id FROM audit.membership_history WHERE valid_to IS NULL) h
        ON h.group_id = s.group_id AND h.user_id = s.user_id
     WHERE h.id IS NULL OR s.user_id IS NULL`.execute(db);

  await sql`CREATE TEMP TABLE delta_grants ON COMMIT DROP AS
    SELECT h.id AS hist_id,
           coalesce(s.principal_type, h.principal_type) AS principal_type,
           coalesce(s.principal_id, h.principal_id) AS principal_id,
           coalesce(s.role_id, h.role_id) AS role_id,
           coalesce(s.resource_type, h.resource_type) AS resource_type,
           coalesce(s.resource_id, h.resource_id) AS resource_id,
           coalesce(s.labels, h.labels) AS labels,
           h.role_name AS old_role_name, s.principal_id IS NOT NULL AS staged, s.role_name AS new_role_name
      FROM stage_grants s
      FULL JOIN (SELECT id, principal_type, principal_id, role_id, role_name, resource_type, resource_id, labels
                   FROM audit.grant_history WHERE valid_to IS NULL) h
        ON h.principal_type = s.principal_type AND h.principal_id = s.principal_id AND h.role_id = s.role_id
       AND h.resource_type = s.resource_type AND h.resource_id = s.resource_id AND h.labels = s.labels
     WHERE h.id IS NULL OR s.principal_id IS NULL OR h.role_name <> s.role_name`.execute(db);

  // Resource names: no change rows (a rename is not a change of access), history only.
  await sql`CREATE TEMP TABLE delta_resources ON COMMIT DROP AS
    SELECT h.id AS hist_id, coalesce(s.resource_type, h.resource_type) AS resource_type,
           coalesce(s.resource_id, h.resource_id) AS resource_id,
           s.resource_id IS NOT NULL AS staged, s.name AS new_name
      FROM stage_resources s
      FULL JOIN (SELECT id, resource_type, resource_id, name FROM audit.resource_history WHERE valid_to IS NULL) h
        ON h.resource_type = s.resource_type AND h.resource_id = s.resource_id
     WHERE h.id IS NULL OR s.resource_id IS NULL OR h.name <> s.name`.execute(db);

  // Invites, keyed (lower(email), group): a gone invite was accepted when a user with that
  // email (case-insensitive) is in the picture.
  await sql`CREATE TEMP TABLE delta_invites ON COMMIT DROP AS
    SELECT h.id AS hist_id, coalesce(s.email, h.email) AS email, coalesce(s.group_id, h.group_id) AS group_id,
           h.first_seen, s.email_key IS NOT NULL AS staged, acc.user_id AS accepted_user_id
      FROM stage_invites s
      FULL JOIN (SELECT id, email, group_id, first_seen, lower(email) AS email_key,
                        coalesce(group_id, '') AS group_key
                   FROM audit.invite_history WHERE closed_at IS NULL) h
        ON h.email_key = s.email_key AND h.group_key = s.group_key
      LEFT JOIN (SELECT lower(email) AS email_key, min(user_id) AS user_id FROM stage_users GROUP BY 1) acc
        ON s.email_key IS NULL AND acc.email_key = h.email_key
     WHERE h.id IS NULL OR s.email_key IS NULL`.execute(db);

  const r = await sql<{ n: number }>`
    SELECT (SELECT count(*) FROM delta_users) + (SELECT count(*) FROM delta_groups)
         + (SELECT count(*) FROM delta_members) + (SELECT count(*) FROM delta_grants)
         + (SELECT count(*) FROM delta_invites) + (SELECT count(*) FROM delta_resources) AS n`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
