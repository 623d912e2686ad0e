// @ts-check
/**
 * Remediation actions: the IAM users API calls `remediate --apply` makes to carry out
 * recorded Revoke decisions (and, when asked, to withdraw stale invites or delete users).
 *
 * Crash safety is a database fact here: an action is inserted `planned` and committed
 * BEFORE its request is sent, and turns `applied`/`failed` with the API's answer after.
 * A `planned` row found by a later run is an action whose outcome is unknown (the process
 * died around the request): that run re-reads the user and decides, never sends blind.
 * `plan_key` names what an action does (e.g. the decisions it carries out); at most one
 * live (planned, applied or undone) action per key, so re-planning the same decisions
 * never adds a second one, while a failed attempt stays as evidence beside its retry.
 *
 * `verified_snapshot_id` is the first complete snapshot taken after the action that no
 * longer saw the revoked access; `unverified_snapshot_id` the one that still saw it
 * (the action is then flagged). `undo_of` links an `add_permissions_to_user` undo to the
 * action it reverses.
 *
 * Names only audit.snapshots (0001) and audit.review_decisions (0009).
 */
import { sql } from 'kysely';

/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql`
    CREATE TABLE audit.remediation_actions (
      id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      plan_key       text NOT NULL,
      decision_id    bigint REFERENCES audit.review_decisions (id),
      decision_ids   bigint[] NOT NULL DEFAULT '{}',
      operation      text NOT NULL CHECK (operation IN (
                       'replace_permissions_for_user', 'add_permissions_to_user',
                       'delete_invites', 'delete_users')),
      target         text NOT NULL,
      request        jsonb NOT NULL,
      revoked        jsonb NOT NULL DEFAULT '[]',
      status         text NOT NULL DEFAULT 'planned'
                       CHECK (status IN ('planned', 'applied', 'failed', 'undone')),
      outcome        text CHECK (outcome IN ('sent', 'already-gone', 'found-done')),
      response       jsonb,
      error          text,
      undo_of        bigint REFERENCES audit.remediation_actions (id),
      recorded_at    timestamptz NOT NULL,
      applied_at     timestamptz,
      undone_at      timestamptz,
      verified_snapshot_id   integer REFERENCES audit.snapshots (id),
      unverified_snapshot_id integer REFERENCES audit.snapshots (id),
      CONSTRAINT remediation_actions_applied CHECK (status NOT IN ('applied', 'undone') OR applied_at IS NOT NULL)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX remediation_actions_live ON audit.remediation_actions (plan_key)
              WHERE status <> 'failed'`.execute(db);
  await sql`CREATE INDEX remediation_actions_decisions ON audit.remediation_actions
              USING gin (decision_ids)`.execute(db);
}

/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql`DROP TABLE IF EXISTS audit.remediation_actions`.execute(db);
}
