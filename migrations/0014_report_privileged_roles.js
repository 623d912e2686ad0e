// @ts-check
/**
 * Each report records the PRIVILEGED_ROLES it was written with (`audit.reports.privileged_roles`,
 * the names as configured). The review import rebuilds a report with its own rule, so a
 * reviewer's file still imports after the configuration changed; reports written before
 * this migration have none and are rebuilt with the rule in force, as before.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`ALTER TABLE audit.reports ADD COLUMN privileged_roles text[]`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`ALTER TABLE audit.reports DROP COLUMN privileged_roles`.execute(db);
}
