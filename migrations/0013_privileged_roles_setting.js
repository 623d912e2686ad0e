// @ts-check
/**
 * "Privileged" defined once: SQL follows PRIVILEGED_ROLES too.
 *
 * - audit.settings: one row (`id` is always true) holding `privileged_roles`, the role
 *   names in force, lower-cased and trimmed. Every command that opens the database with a
 *   configuration writes its PRIVILEGED_ROLES there at start, so an engineer querying the
 *   views and an auditor reading the report see the same "privileged".
 * - audit.is_privileged(role_name, resource_type) keeps its signature (every view, the
 *   cookbook and auditors' own queries keep working) and now reads that row: a role held on
 *   the WORKSPACE resource whose name, trimmed and lower-cased, is in the list. It reads a
 *   table, so it is STABLE, no longer IMMUTABLE. Nothing depends on its volatility: no
 *   index or constraint uses it, and SQL function bodies (effective_access_at) are not
 *   tracked as dependencies, so CREATE OR REPLACE suffices.
 *   Reading a table, it is no longer inlined: a query selecting `privileged` calls it per
 *   row; one that does not (the report's pages) never calls it, the planner drops the column.
 *
 * The seed is a literal copy of DEFAULT_PRIVILEGED_ROLES (src/model/privileged.ts, the one
 * home of the default; a migration never imports application code);
 * test/store/privileged-setting.test.ts fails if the two drift apart.
 */
import { sql } from 'kysely';

/** DEFAULT_PRIVILEGED_ROLES, lower-cased, as this migration shipped it. */
export const SEEDED_PRIVILEGED_ROLES = Object.freeze([
  'workspace owner',
  'source admin',
  'unify and engage admin',
  'warehouse destination admin',
  'functions admin',
]);

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE TABLE audit.settings (
      id               boolean PRIMARY KEY DEFAULT true CHECK (id),
      privileged_roles text[] NOT NULL
    )`.execute(db);
  await sql`INSERT INTO audit.settings (id, privileged_roles) VALUES (true, ${[...SEEDED_PRIVILEGED_ROLES]}::text[])`.execute(
    db,
  );
  // coalesce: with the row deleted by hand nothing is privileged until the next command
  // writes the list again.
  await sql`
    CREATE OR REPLACE FUNCTION audit.is_privileged(role_name text, resource_type text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT resource_type = 'WORKSPACE' AND lower(btrim(role_name)) = ANY (
                   coalesce((SELECT s.privileged_roles FROM audit.settings s), '{}'::text[])) $$`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  // 0002's rule, exactly.
  await sql`
    CREATE OR REPLACE FUNCTION audit.is_privileged(role_name text, resource_type text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT resource_type = 'WORKSPACE' AND role_name ~* '\\m(owner|admin)' $$`.execute(db);
  await sql`DROP TABLE audit.settings`.execute(db);
}
