// @ts-check
/**
 * Bookkeeping of the report and mail stages, so that a complete snapshot whose report
 * or email went missing (the process died) gets them from the next run, and a report is
 * never mailed as two different messages.
 *
 * - reports: one row per report file written (a rebuild with `report --snapshot` adds
 *   another); data_sha256 of a snapshot's report chains into the next report.
 * - deliveries: one row per snapshot; message_id is stable per snapshot, so a resend
 *   after a crash carries the same Message-ID. status: pending (an attempt started or
 *   was interrupted), sent, failed (the last attempt failed), skipped (no recipients).
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE TABLE audit.reports (
      id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      snapshot_id         integer NOT NULL REFERENCES audit.snapshots (id),
      against_snapshot_id integer REFERENCES audit.snapshots (id),
      file_name           text NOT NULL,
      bytes               bigint NOT NULL CHECK (bytes >= 0),
      file_sha256         text NOT NULL,
      data_sha256         text NOT NULL,
      -- Figures of the report, for the download site's listing and trend chart.
      permission_changes  integer NOT NULL DEFAULT 0,
      stale_invites       integer NOT NULL DEFAULT 0,
      open_invites        integer NOT NULL DEFAULT 0,
      privileged_grants   integer NOT NULL DEFAULT 0,
      created_at          timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX reports_snapshot ON audit.reports (snapshot_id, created_at)`.execute(db);

  await sql`
    CREATE TABLE audit.deliveries (
      id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      snapshot_id     integer NOT NULL UNIQUE REFERENCES audit.snapshots (id),
      message_id      text NOT NULL,
      recipients      text[] NOT NULL,
      status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
      attempts        integer NOT NULL DEFAULT 0,
      last_error      text,
      last_attempt_at timestamptz,
      sent_at         timestamptz,
      created_at      timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`DROP TABLE IF EXISTS audit.deliveries`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.reports`.execute(db);
}
