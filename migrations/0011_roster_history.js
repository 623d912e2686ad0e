// @ts-check
/**
 * The roster: what HR or the identity provider says of each person (active or terminated,
 * and since when), versioned like the workspace's history. Each import is a dated
 * snapshot of the whole roster: a row opens at `valid_from` (the import's time) and closes
 * at `valid_to` when a later import changes the person's status or end date, or no longer
 * lists them. `email_key` is the matching key (lower case, no +tag; src/roster/match.ts),
 * unique among current rows; `aliases` are the person's other addresses' keys.
 *
 * Each snapshot also keeps the reconciliation settings in force for it
 * (ALLOWED_EMAIL_DOMAINS, DORMANT_DAYS), so a report rebuilt later shows the same
 * exceptions whatever the environment says then.
 *
 * Self-contained: it names only audit.snapshots (0001), never later objects.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE TABLE audit.roster_history (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email      text NOT NULL,
      email_key  text NOT NULL CHECK (email_key = lower(email_key) AND email_key LIKE '%_@_%'),
      status     text NOT NULL CHECK (status IN ('active', 'terminated')),
      end_date   date,
      aliases    text NOT NULL DEFAULT '',
      valid_from timestamptz NOT NULL,
      valid_to   timestamptz,
      CONSTRAINT roster_history_validity CHECK (valid_to IS NULL OR valid_to > valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX roster_history_current ON audit.roster_history (email_key)
              WHERE valid_to IS NULL`.execute(db);
  await sql`CREATE INDEX roster_history_key ON audit.roster_history (email_key, valid_from)`.execute(db);
  await sql`
    ALTER TABLE audit.snapshots
      ADD COLUMN allowed_email_domains text[],
      ADD COLUMN dormant_days integer CHECK (dormant_days > 0)`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`
    ALTER TABLE audit.snapshots
      DROP COLUMN IF EXISTS dormant_days,
      DROP COLUMN IF EXISTS allowed_email_domains`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.roster_history`.execute(db);
}
