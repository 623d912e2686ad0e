/**
 * Closes and opens history rows so that the open rows (valid_to / closed_at IS NULL)
 * become exactly the staged picture, with valid_from / valid_to = this snapshot's
 * taken_at. Runs inside the snapshot's one transaction, after the diff (which reads the
 * open rows as they were).
 *
 * Each relation is versioned by its whole tuple: a user whose email or name changed gets
 * their row closed and a new one opened; the same for a group's name and for a grant
 * whose role name changed. Close first, then open whatever has no open row left.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export async function writeHistory(db: Db, takenAt: Date): Promise<void> {
  const t = sql`${takenAt}::timestamptz`;

  await sql`UPDATE audit.user_history h SET valid_to = ${t}
             WHERE h.valid_to IS NULL
               AND NOT EXISTS (SELECT 1 FROM stage_users s
                                WHERE s.user_id = h.user_id AND s.email = h.email AND s.name = h.name)`.execute(
    db,
  );
  await sql`INSERT INTO audit.user_history (user_id, email, name, valid_from)
            SELECT s.user_id, s.email, s.name, ${t} FROM stage_users s
             WHERE NOT EXISTS (SELECT 1 FROM audit.user_history h
                                WHERE h.valid_to IS NULL AND h.user_id = s.user_id)`.execute(db);

  await sql`UPDATE audit.group_history h SET valid_to = ${t}
             WHERE h.valid_to IS NULL
               AND NOT EXISTS (SELECT 1 FROM stage_groups s WHERE s.group_id = h.group_id AND s.name = h.name)`.execute(
    db,
  );
  await sql`INSERT INTO audit.group_history (group_id, name, valid_from)
            SELECT s.group_id, s.name, ${t} FROM stage_groups s
             WHERE NOT EXISTS (SELECT 1 FROM audit.group_history h
                                WHERE h.valid_to IS NULL AND h.group_id = s.group_id)`.execute(db);

  await sql`UPDATE audit.membership_history h SET valid_to = ${t}
             WHERE h.valid_to IS NULL
               AND NOT EXISTS (SELECT 1 FROM stage_members s
                                WHERE s.group_id = h.group_id AND s.user_id = h.user_id)`.execute(db);
  await sql`INSERT INTO audit.membership_history (user_id, group_id, valid_from)
            SELECT s.user_id, s.group_id, ${t} FROM stage_members s
             WHERE NOT EXISTS (SELECT 1 FROM audit.membership_history h
                                WHERE h.valid_to IS NULL AND h.group_id = s.group_id AND h.user_id = s.user_id)`.execute(
    db,
  );

  await sql`UPDATE audit.grant_history h SET valid_to = ${t}
             WHERE h.valid_to IS NULL
               AND NOT EXISTS (SELECT 1 FROM stage_grants s
                                WHERE s.principal_type = h.principal_type AND s.principal_id = h.principal_id
                                  AND s.role_id = h.role_id AND s.resource_type = h.resource_type
                                  AND s.resource_id = h.resource_id AND s.role_name = h.role_name)`.execute(
    db,
  );
  await sql`INSERT INTO audit.grant_history
              (principal_type, principal_id, role_id, role_name, resource_type, resource_id, valid_from)
            SELECT s.principal_type, s.principal_id, s.role_id, s.role_name, s.resource_type, s.resource_id, ${t}
              FROM stage_grants s
             WHERE NOT EXISTS (SELECT 1 FROM audit.grant_history h
                                WHERE h.valid_to IS NULL AND h.principal_type = s.principal_type
                                  AND h.principal_id = s.principal_id AND h.role_id = s.role_id
                                  AND h.resource_type = s.resource_type AND h.resource_id = s.resource_id)`.execute(
    db,
  );

  // Invites: seen again → last_seen moves on; gone → closed with its outcome; new → opened.
  await sql`UPDATE audit.invite_history i SET last_seen = ${t}
             WHERE i.closed_at IS NULL
               AND EXISTS (SELECT 1 FROM stage_invites s
                            WHERE s.email_key = lower(i.email) AND s.group_key = coalesce(i.group_id, ''))`.execute(
    db,
  );
  await sql`UPDATE audit.invite_history i
               SET closed_at = ${t},
                   outcome = CASE WHEN acc.user_id IS NULL THEN 'withdrawn' ELSE 'accepted' END,
                   accepted_user_id = acc.user_id
              FROM audit.invite_history i2
              LEFT JOIN LATERAL (SELECT min(u.user_id) AS user_id FROM stage_users u
                                  WHERE lower(u.email) = lower(i2.email)) acc ON true
             WHERE i2.id = i.id AND i.closed_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM stage_invites s
                                WHERE s.email_key = lower(i.email) AND s.group_key = coalesce(i.group_id, ''))`.execute(
    db,
  );
  await sql`INSERT INTO audit.invite_history (email, group_id, first_seen, last_seen)
            SELECT s.email, s.group_id, ${t}, ${t} FROM stage_invites s
             WHERE NOT EXISTS (SELECT 1 FROM audit.invite_history i
                                WHERE i.closed_at IS NULL AND lower(i.email) = s.email_key
                                  AND coalesce(i.group_id, '') = s.group_key)`.execute(db);
}
