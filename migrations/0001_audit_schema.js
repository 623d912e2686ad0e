// @ts-check
/**
 * The audit schema: snapshots, the five history relations and the change log.
 *
 * History rows are versions of one fact: `valid_from` is the taken_at of the first
 * complete snapshot that saw the version, `valid_to` the taken_at of the first complete
 * snapshot that no longer saw it (NULL while current). A fact is valid at instant T when
 * `valid_from <= T AND (valid_to IS NULL OR valid_to > T)`; the indexes below serve that
 * test per entity, and the partial unique indexes on the open rows (`valid_to IS NULL`)
 * both guarantee one current version per key and make the diff's anti-joins cheap.
 *
 * Append-only: never edit this file once shipped; add a new migration instead.
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`CREATE SCHEMA IF NOT EXISTS audit`.execute(db);

  await sql`
    CREATE TABLE audit.snapshots (
      id                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      taken_at          timestamptz NOT NULL,
      started_at        timestamptz NOT NULL DEFAULT now(),
      finished_at       timestamptz,
      status            text NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'complete', 'failed', 'abandoned')),
      error             text,
      user_count        integer,
      invite_count      integer,
      group_count       integer,
      membership_count  integer,
      grant_count       integer,
      change_count      integer,
      workspace_id      text,
      workspace_name    text,
      workspace_slug    text,
      api_url           text NOT NULL,
      stale_invite_days integer NOT NULL CHECK (stale_invite_days > 0),
      completeness      jsonb,
      crawl_stats       jsonb,
      roles             jsonb
    )`.execute(db);
  // Complete snapshots are the timeline: their taken_at values are unique, so a history
  // bound (valid_from / valid_to) names exactly one complete snapshot.
  await sql`CREATE UNIQUE INDEX snapshots_complete_taken_at ON audit.snapshots (taken_at)
            WHERE status = 'complete'`.execute(db);
  await sql`CREATE INDEX snapshots_running ON audit.snapshots (id) WHERE status = 'running'`.execute(db);

  await sql`
    CREATE TABLE audit.user_history (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id    text NOT NULL,
      email      text NOT NULL,
      name       text NOT NULL,
      valid_from timestamptz NOT NULL,
      valid_to   timestamptz,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX user_history_open ON audit.user_history (user_id) WHERE valid_to IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX user_history_user ON audit.user_history (user_id, valid_from)`.execute(db);
  await sql`CREATE INDEX user_history_email ON audit.user_history (lower(email), valid_from)`.execute(db);

  await sql`
    CREATE TABLE audit.group_history (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      group_id   text NOT NULL,
      name       text NOT NULL,
      valid_from timestamptz NOT NULL,
      valid_to   timestamptz,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX group_history_open ON audit.group_history (group_id) WHERE valid_to IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX group_history_group ON audit.group_history (group_id, valid_from)`.execute(db);

  await sql`
    CREATE TABLE audit.membership_history (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id    text NOT NULL,
      group_id   text NOT NULL,
      valid_from timestamptz NOT NULL,
      valid_to   timestamptz,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX membership_history_open ON audit.membership_history (group_id, user_id)
            WHERE valid_to IS NULL`.execute(db);
  await sql`CREATE INDEX membership_history_user ON audit.membership_history (user_id, valid_from)`.execute(
    db,
  );
  await sql`CREATE INDEX membership_history_group ON audit.membership_history (group_id, valid_from)`.execute(
    db,
  );

  await sql`
    CREATE TABLE audit.grant_history (
      id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      principal_type text NOT NULL CHECK (principal_type IN ('user', 'group')),
      principal_id   text NOT NULL,
      role_id        text NOT NULL,
      role_name      text NOT NULL,
      resource_type  text NOT NULL,
      resource_id    text NOT NULL,
      valid_from     timestamptz NOT NULL,
      valid_to       timestamptz,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX grant_history_open
            ON audit.grant_history (principal_type, principal_id, role_id, resource_type, resource_id)
            WHERE valid_to IS NULL`.execute(db);
  await sql`CREATE INDEX grant_history_principal ON audit.grant_history (principal_id, valid_from)`.execute(
    db,
  );
  // "Who held role R on resource X at T" starts from the role and the resource.
  await sql`CREATE INDEX grant_history_role_resource
            ON audit.grant_history (role_name, resource_type, resource_id, valid_from)`.execute(db);

  // An invite is identified by (lower(email), group_id): see the store's README note.
  await sql`
    CREATE TABLE audit.invite_history (
      id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email             text NOT NULL,
      group_id          text,
      first_seen        timestamptz NOT NULL,
      last_seen         timestamptz NOT NULL,
      closed_at         timestamptz,
      outcome           text CHECK (outcome IN ('accepted', 'withdrawn')),
      accepted_user_id  text,
      CHECK ((closed_at IS NULL) = (outcome IS NULL)),
      CHECK (last_seen >= first_seen),
      CHECK (closed_at IS NULL OR closed_at > last_seen)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX invite_history_open
            ON audit.invite_history (lower(email), coalesce(group_id, ''))
            WHERE closed_at IS NULL`.execute(db);
  await sql`CREATE INDEX invite_history_email ON audit.invite_history (lower(email), first_seen)`.execute(db);
  await sql`CREATE INDEX invite_history_first_seen ON audit.invite_history (first_seen)`.execute(db);

  await sql`
    CREATE TABLE audit.changes (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      snapshot_id   integer NOT NULL REFERENCES audit.snapshots (id),
      detected_at   timestamptz NOT NULL,
      kind          text NOT NULL CHECK (kind IN (
                      'user_added', 'user_removed', 'user_changed',
                      'permission_granted', 'permission_revoked',
                      'membership_added', 'membership_removed',
                      'group_created', 'group_deleted',
                      'invite_created', 'invite_accepted', 'invite_withdrawn')),
      subject_type  text NOT NULL CHECK (subject_type IN ('user', 'group', 'invite')),
      subject_id    text NOT NULL,
      subject_label text,
      role_id       text,
      role_name     text,
      resource_type text,
      resource_id   text,
      group_id      text,
      detail        jsonb NOT NULL DEFAULT '{}'::jsonb
    )`.execute(db);
  await sql`CREATE INDEX changes_snapshot ON audit.changes (snapshot_id, kind)`.execute(db);
  await sql`CREATE INDEX changes_detected_at ON audit.changes (detected_at)`.execute(db);
  await sql`CREATE INDEX changes_subject ON audit.changes (subject_id, detected_at)`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  // The schema itself stays: Kysely's own migration tables live in it.
  await sql`DROP TABLE IF EXISTS audit.changes`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.invite_history`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.grant_history`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.membership_history`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.group_history`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.user_history`.execute(db);
  await sql`DROP TABLE IF EXISTS audit.snapshots`.execute(db);
}
