// @ts-check
/**
 * Review decisions: a reviewer's signed Keep/Revoke on a row of an Access Review sheet,
 * recorded by `review import` (or the download site's upload) from a workbook this
 * database produced. Append-only: a later file adds decisions and the latest per row
 * stands, so the table is the evidence of who decided what and when. A trigger refuses
 * UPDATE and DELETE, so not even a mistaken script can rewrite a sign-off.
 *
 * A row is identified as on the sheet: user × role × resource × labels. `via` keeps the
 * paths the reviewer saw (direct, or group names), which decides later whether a revoke
 * can be carried out through the API (a direct grant) or is a manual step (a group's).
 *
 * Self-contained: it names only audit.snapshots (0001), never later objects.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE TABLE audit.review_decisions (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      snapshot_id   integer NOT NULL REFERENCES audit.snapshots (id),
      user_id       text NOT NULL,
      email         text NOT NULL,
      role_id       text NOT NULL,
      role_name     text NOT NULL,
      resource_type text NOT NULL,
      resource_id   text NOT NULL,
      labels        text NOT NULL DEFAULT '',
      via           text NOT NULL,
      privileged    boolean NOT NULL,
      decision      text NOT NULL CHECK (decision IN ('keep', 'revoke')),
      reason        text,
      reviewer      text NOT NULL,
      decided_at    timestamptz NOT NULL,
      file_sha256   text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
      recorded_at   timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT review_decisions_reason CHECK (
        decision = 'keep' AND NOT privileged OR length(btrim(coalesce(reason, ''))) > 0)
    )`.execute(db);
  // "The latest per row stands" and "re-importing the same file records nothing new".
  await sql`CREATE INDEX review_decisions_row ON audit.review_decisions
              (user_id, role_id, resource_type, resource_id, labels, decided_at DESC, id DESC)`.execute(db);
  await sql`CREATE UNIQUE INDEX review_decisions_once ON audit.review_decisions
              (file_sha256, snapshot_id, user_id, role_id, resource_type, resource_id, labels)`.execute(db);
  await sql`
    CREATE FUNCTION audit.review_decisions_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit.review_decisions is append-only'
        USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER review_decisions_append_only
      BEFORE UPDATE OR DELETE ON audit.review_decisions
      FOR EACH ROW EXECUTE FUNCTION audit.review_decisions_append_only()`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`DROP TABLE IF EXISTS audit.review_decisions`.execute(db);
  await sql`DROP FUNCTION IF EXISTS audit.review_decisions_append_only()`.execute(db);
}
