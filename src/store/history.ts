/**
 * Closes and opens history rows from the deltas (delta.ts), so that the open rows
 * (valid_to / closed_at IS NULL) become exactly the staged picture, with valid_from /
 * valid_to = this snapshot's taken_at. Runs in the snapshot's one transaction, after the
 * change log (diff.ts) has read the open rows as they were.
 *
 * Each relation is versioned by its whole tuple: a user whose email or name changed has
 * their row closed and a new one opened; the same for a group's name and a grant's role
 * name, and a resource's name. Closing goes by the open row's id; opening takes the
 * staged side of the delta.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/**
 * The first snapshot into an empty history: every staged row opens a history row, no
 * delta needed (the full joins would only copy the picture once more).
 */
export async function writeFirstHistory(db: Db, takenAt: Date): Promise<void> {
  const t = sql`${takenAt}::timestamptz`;
  await sql`INSERT INTO audit.user_history (user_id, email, name, valid_from)
            SELECT user_id, email, name, ${t} FROM stage_users`.execute(db);
  await sql`INSERT INTO audit.group_history (group_id, name, valid_from)
            SELECT group_id, name, ${t} FROM stage_groups`.execute(db);
  await sql`INSERT INTO audit.membership_history (user_id, group_id, valid_from)
            SELECT user_id, group_id, ${t} FROM stage_members`.execute(db);
  await sql`INSERT INTO audit.grant_history
              (principal_type, principal_id, role_id, role_name, resource_type, resource_id, labels, valid_from)
            SELECT principal_type, principal_id, role_id, role_name, resource_type, resource_id, labels, ${t}
              FROM stage_grants`.execute(db);
  await sql`INSERT INTO audit.resource_history (resource_type, resource_id, name, valid_from)
            SELECT resource_type, resource_id, name, ${t} FROM stage_resources`.execute(db);
  await sql`INSERT INTO audit.invite_history (email, group_id, first_seen, last_seen)
            SELECT email, group_id, ${t}, ${t} FROM stage_invites`.execute(db);
}

/** True when no history row is open: nothing to diff against, nothing to close. */
export async function historyIsEmpty(db: Db): Promise<boolean> {
  const r = await sql<{ empty: boolean }>`
    SELECT NOT (EXISTS (SELECT 1 FROM audit.user_history WHERE valid_to IS NULL)
             OR EXISTS (SELECT 1 FROM audit.group_history WHERE valid_to IS NULL)
             OR EXISTS (SELECT 1 FROM audit.membership_history WHERE valid_to IS NULL)
             OR EXISTS (SELECT 1 FROM audit.grant_history WHERE valid_to IS NULL)
             OR EXISTS (SELECT 1 FROM audit.resource_history WHERE valid_to IS NULL)
             OR EXISTS (SELECT 1 FROM audit.invite_history WHERE closed_at IS NULL)) AS empty`.execute(db);
  return r.rows[0]?.empty === true;
}

export async function writeHistory(db: Db, takenAt: Date): Promise<void> {
  const t = sql`${takenAt}::timestamptz`;

  await sql`UPDATE audit.user_history h SET valid_to = ${t}
              FROM delta_users d WHERE h.id = d.hist_id`.execute(db);
  await sql`INSERT INTO audit.user_history (user_id, email, name, valid_from)
            SELECT user_id, new_email, new_name, ${t} FROM delta_users WHERE staged`.execute(db);

  await sql`UPDATE audit.group_history h SET valid_to = ${t}
              FROM delta_groups d WHERE h.id = d.hist_id`.execute(db);
  await sql`INSERT INTO audit.group_history (group_id, name, valid_from)
            SELECT group_id, new_name, ${t} FROM delta_groups WHERE staged`.execute(db);

  await sql`UPDATE audit.membership_history h SET valid_to = ${t}
              FROM delta_members d WHERE h.id = d.hist_id`.execute(db);
  await sql`INSERT INTO audit.membership_history (user_id, group_id, valid_from)
            SELECT user_id, group_id, ${t} FROM delta_members WHERE staged`.execute(db);

  await sql`UPDATE audit.grant_history h SET valid_to = ${t}
              FROM delta_grants d WHERE h.id = d.hist_id`.execute(db);
  await sql`INSERT INTO audit.grant_history
              (principal_type, principal_id, role_id, role_name, resource_type, resource_id, labels, valid_from)
            SELECT principal_type, principal_id, role_id, new_role_name, resource_type, resource_id, labels, ${t}
              FROM delta_grants WHERE staged`.execute(db);

  await sql`UPDATE audit.resource_history h SET valid_to = ${t}
              FROM delta_resources d WHERE h.id = d.hist_id`.execute(db);
  await sql`INSERT INTO audit.resource_history (resource_type, resource_id, name, valid_from)
            SELECT resource_type, resource_id, new_name, ${t} FROM delta_resources WHERE staged`.execute(db);

  // Invites: gone → closed with their outcome; every other open one was seen again → last_seen
  // moves on; new → opened.
  await sql`UPDATE audit.invite_history i
               SET closed_at = ${t},
                   outcome = CASE WHEN d.accepted_user_id IS NULL THEN 'withdrawn' ELSE 'accepted' END,
                   accepted_user_id = d.accepted_user_id
              FROM delta_invites d
             WHERE i.id = d.hist_id AND NOT d.staged`.execute(db);
  await sql`UPDATE audit.invite_history SET last_seen = ${t} WHERE closed_at IS NULL`.execute(db);
  await sql`INSERT INTO audit.invite_history (email, group_id, first_seen, last_seen)
            SELECT email, group_id, ${t}, ${t} FROM delta_invites WHERE hist_id IS NULL`.execute(db);
}
