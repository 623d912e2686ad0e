// @ts-check
/**
 * audit.effective_access_at, same result, evaluated users first. The planner misjudged
 * how many members the groups with grants have (group ids are rare values among the
 * grants' principal ids) and, for a page of users, expanded every group's membership
 * before filtering: fine at 20,000 users, quadratic over a 100,000-user Access Review.
 * The MATERIALIZED steps fix the order: the users asked for, their memberships, the
 * groups those name, then each principal's grants through its index.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE OR REPLACE FUNCTION audit.effective_access_at(as_of timestamptz, only_users text[] DEFAULT NULL)
    RETURNS TABLE (
      user_id text, email text, user_name text,
      role_id text, role_name text, resource_type text, resource_id text,
      via text, via_group_id text, privileged boolean
    )
    LANGUAGE sql STABLE
    AS $$
      WITH us AS MATERIALIZED (
             SELECT u.user_id, u.email, u.name FROM audit.user_history u
              WHERE u.valid_from <= as_of AND (u.valid_to IS NULL OR u.valid_to > as_of)
                AND (only_users IS NULL OR u.user_id = ANY (only_users))),
           ms AS MATERIALIZED (
             SELECT m.user_id, m.group_id FROM us
               JOIN audit.membership_history m ON m.user_id = us.user_id
              WHERE m.valid_from <= as_of AND (m.valid_to IS NULL OR m.valid_to > as_of)),
           gs AS MATERIALIZED (
             SELECT gr.group_id, gr.name FROM audit.group_history gr
              WHERE gr.group_id IN (SELECT DISTINCT group_id FROM ms)
                AND gr.valid_from <= as_of AND (gr.valid_to IS NULL OR gr.valid_to > as_of)),
           gg AS MATERIALIZED (
             SELECT gs.group_id, gs.name, g.role_id, g.role_name, g.resource_type, g.resource_id FROM gs
               JOIN audit.grant_history g ON g.principal_type = 'group' AND g.principal_id = gs.group_id
              WHERE g.valid_from <= as_of AND (g.valid_to IS NULL OR g.valid_to > as_of))
      SELECT us.user_id, us.email, us.name,
             g.role_id, g.role_name, g.resource_type, g.resource_id,
             'direct', NULL::text, audit.is_privileged(g.role_name, g.resource_type)
        FROM us
        JOIN audit.grant_history g ON g.principal_type = 'user' AND g.principal_id = us.user_id
       WHERE g.valid_from <= as_of AND (g.valid_to IS NULL OR g.valid_to > as_of)
      UNION ALL
      SELECT us.user_id, us.email, us.name,
             gg.role_id, gg.role_name, gg.resource_type, gg.resource_id,
             gg.name, gg.group_id, audit.is_privileged(gg.role_name, gg.resource_type)
        FROM us
        JOIN ms ON ms.user_id = us.user_id
        JOIN gg ON gg.group_id = ms.group_id
    $$`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`
    CREATE OR REPLACE FUNCTION audit.effective_access_at(as_of timestamptz, only_users text[] DEFAULT NULL)
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
}
