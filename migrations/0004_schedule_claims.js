// @ts-check
/**
 * One snapshot per scheduled tick, across instances: an instance claims a period (the
 * scheduled time) before running it; another instance firing for the same period sees the
 * claim and stands aside. A claim whose period never got a complete snapshot (its owner
 * died or failed) can be taken over, so a restart's catch-up still runs it. Concurrency
 * itself stays with the run lock.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE TABLE audit.schedule_claims (
      period     timestamptz PRIMARY KEY,
      instance   text NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`DROP TABLE IF EXISTS audit.schedule_claims`.execute(db);
}
