// @ts-check
/**
 * Label-scoped grants and resource names.
 *
 * - A grant is (role, resource type, resource id, labels): `labels` is the canonical text
 *   of the grant's label scope (`key:value` sorted, joined by `,`; '' when none). Added to
 *   audit.grant_history and audit.changes with a constant default, which PostgreSQL keeps
 *   in the catalogue: existing rows read '' (they had no labels) and no history row is
 *   rewritten. The open-row unique index takes labels in, so the same role on the same
 *   resource under two scopes is two grants, and a change of scope closes one and opens
 *   the other.
 * - audit.resource_history: the names of sources, warehouses, spaces, functions, labels
 *   and the workspace, versioned like every history relation (a rename closes the old
 *   name's row and opens the new one; only complete snapshots open or close rows).
 * - audit.effective_access_at (and the view over it) gain resource_name (the name valid at
 *   the same instant, NULL when the resource was not listed) and labels. Its result type
 *   changes, so it is dropped and created again; the body keeps 0006's page lookups
 *   through the (user_id, valid_from) indexes, and names come from one small lookup of
 *   the resources valid at that instant.
 */
import { sql } from 'kysely';

/**
 * The function's body: 0006's (withNames false, for down) or with labels and names.
 * @param {boolean} withNames
 */
function effectiveAccessAt(withNames) {
  const g = withNames ? ', g.labels' : '';
  const gg = withNames ? ', gg.labels' : '';
  const body = `
      WITH us AS MATERIALIZED (
             SELECT u.user_id, u.email, u.name FROM audit.user_history u
              WHERE only_users IS NULL
                AND u.valid_from <= as_of AND (u.valid_to IS NULL OR u.valid_to > as_of)
             UNION ALL
             SELECT u.user_id, u.email, u.name
               FROM (SELECT DISTINCT x FROM unnest(only_users) AS x) AS wanted
               JOIN LATERAL (SELECT * FROM audit.user_history h
                              WHERE h.user_id = wanted.x
                                AND h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of)) AS u ON true
              WHERE only_users IS NOT NULL),
           ms AS MATERIALIZED (
             SELECT us.user_id, m.group_id FROM us
               JOIN LATERAL (SELECT h.group_id FROM audit.membership_history h
                              WHERE h.user_id = us.user_id
                                AND h.valid_from <= as_of AND (h.valid_to IS NULL OR h.valid_to > as_of)) AS m ON true),
           gs AS MATERIALIZED (
             SELECT gr.group_id, gr.name FROM audit.group_history gr
              WHERE gr.group_id IN (SELECT DISTINCT group_id FROM ms)
                AND gr.valid_from <= as_of AND (gr.valid_to IS NULL OR gr.valid_to > as_of)),
           gg AS MATERIALIZED (
             SELECT gs.group_id, gs.name, g.role_id, g.role_name, g.resource_type, g.resource_id${g} FROM gs
               JOIN audit.grant_history g ON g.principal_type = 'group' AND g.principal_id = gs.group_id
              WHERE g.valid_from <= as_of AND (g.valid_to IS NULL OR g.valid_to > as_of))`;
  if (!withNames) {
    return `${body}
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
        JOIN gg ON gg.group_id = ms.group_id`;
  }
  return `${body},
           acc AS (
             SELECT us.user_id, us.email, us.name,
                    g.role_id, g.role_name, g.resource_type, g.resource_id, g.labels,
                    'direct' AS via, NULL::text AS via_group_id
               FROM us
               JOIN audit.grant_history g ON g.principal_type = 'user' AND g.principal_id = us.user_id
              WHERE g.valid_from <= as_of AND (g.valid_to IS NULL OR g.valid_to > as_of)
             UNION ALL
             SELECT us.user_id, us.email, us.name,
                    gg.role_id, gg.role_name, gg.resource_type, gg.resource_id${gg},
                    gg.name, gg.group_id
               FROM us
               JOIN ms ON ms.user_id = us.user_id
               JOIN gg ON gg.group_id = ms.group_id),
           -- A few hundred names at most: one pass, hashed against the rows above.
           rn AS MATERIALIZED (
             SELECT r.resource_type, r.resource_id, r.name FROM audit.resource_history r
              WHERE r.valid_from <= as_of AND (r.valid_to IS NULL OR r.valid_to > as_of))
      SELECT acc.user_id, acc.email, acc.name,
             acc.role_id, acc.role_name, acc.resource_type, acc.resource_id, rn.name, acc.labels,
             acc.via, acc.via_group_id,
             -- About the role on the WORKSPACE resource: a label scope narrows it, never unflags it.
             audit.is_privileged(acc.role_name, acc.resource_type)
        FROM acc
        LEFT JOIN rn ON rn.resource_type = acc.resource_type AND rn.resource_id = acc.resource_id`;
}

/** @param {import('kysely').Kysely<any>} db @param {boolean} withNames */
async function createAccessAt(db, withNames) {
  const columns = withNames
    ? 'role_id text, role_name text, resource_type text, resource_id text, resource_name text, labels text,'
    : 'role_id text, role_name text, resource_type text, resource_id text,';
  await sql
    .raw(`
    CREATE FUNCTION audit.effective_access_at(as_of timestamptz, only_users text[] DEFAULT NULL)
    RETURNS TABLE (
      user_id text, email text, user_name text,
      ${columns}
      via text, via_group_id text, privileged boolean
    )
    LANGUAGE sql STABLE
    AS $$${effectiveAccessAt(withNames)}
    $$`)
    .execute(db);
  await sql`
    CREATE VIEW audit.effective_access AS
    SELECT * FROM audit.effective_access_at('infinity'::timestamptz)`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
async function dropAccessAt(db) {
  await sql`DROP VIEW audit.effective_access`.execute(db);
  await sql`DROP FUNCTION audit.effective_access_at(timestamptz, text[])`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`ALTER TABLE audit.grant_history ADD COLUMN labels text NOT NULL DEFAULT ''`.execute(db);
  await sql`ALTER TABLE audit.changes ADD COLUMN labels text NOT NULL DEFAULT ''`.execute(db);
  await sql`DROP INDEX audit.grant_history_open`.execute(db);
  await sql`CREATE UNIQUE INDEX grant_history_open
            ON audit.grant_history (principal_type, principal_id, role_id, resource_type, resource_id, labels)
            WHERE valid_to IS NULL`.execute(db);

  await sql`
    CREATE TABLE audit.resource_history (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      resource_type text NOT NULL,
      resource_id   text NOT NULL,
      name          text NOT NULL,
      valid_from    timestamptz NOT NULL,
      valid_to      timestamptz,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX resource_history_open ON audit.resource_history (resource_type, resource_id)
            WHERE valid_to IS NULL`.execute(db);
  await sql`CREATE INDEX resource_history_resource
            ON audit.resource_history (resource_type, resource_id, valid_from)`.execute(db);

  await dropAccessAt(db);
  await createAccessAt(db, true);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await dropAccessAt(db);
  await createAccessAt(db, false);
  await sql`DROP TABLE audit.resource_history`.execute(db);
  // Two open grants that differ only by labels make the old unique index fail: the down
  // migration then stops (in its transaction, changing nothing) rather than drop a grant.
  await sql`DROP INDEX audit.grant_history_open`.execute(db);
  await sql`ALTER TABLE audit.changes DROP COLUMN labels`.execute(db);
  await sql`ALTER TABLE audit.grant_history DROP COLUMN labels`.execute(db);
  await sql`CREATE UNIQUE INDEX grant_history_open
            ON audit.grant_history (principal_type, principal_id, role_id, resource_type, resource_id)
            WHERE valid_to IS NULL`.execute(db);
}
