/**
 * The diff, in SQL, of the staged picture (load.ts) against the open history rows — which
 * are exactly the last complete snapshot, because only complete snapshots open or close
 * history rows. Writes one audit.changes row per changed fact. Never called for the
 * baseline (the first complete snapshot records no changes).
 *
 * Who gets a row of their own:
 * - a user who appears or disappears: ONE user_added / user_removed row whose detail
 *   lists their direct grants and groups; their grants and memberships get no rows;
 * - a group created or deleted: one group_created / group_deleted row whose detail lists
 *   the group's grants (not repeated as permission rows); memberships of users who stay
 *   are membership_added / membership_removed rows (the user did join or leave a group);
 * - a grant to or from a group: one row for the group, never one per member;
 * - a role's name changing on an unchanged (principal, role_id, resource) is not a change
 *   of access: history versions it silently (history.ts), no row here.
 * Invites, keyed (lower(email), group_id): invite_created; when gone, invite_accepted if
 * a user with that email (case-insensitive) is in the picture, else invite_withdrawn.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface DiffContext {
  snapshotId: number;
  takenAt: Date;
}

/** Grants of a principal as a JSON array, from a relation aliased `g`. */
const GRANT_JSON = sql`jsonb_build_object('role_id', g.role_id, 'role_name', g.role_name,
                          'resource_type', g.resource_type, 'resource_id', g.resource_id)`;
const GRANT_ORDER = sql`g.role_name, g.resource_type, g.resource_id`;

export async function writeChanges(db: Db, ctx: DiffContext): Promise<void> {
  // Typed here: a bare parameter in a SELECT list would be resolved as text.
  const sid = sql`${ctx.snapshotId}::integer`;
  const t = sql`${ctx.takenAt}::timestamptz`;

  // Who appeared and who disappeared, used by every rule below.
  await sql`CREATE TEMP TABLE users_added ON COMMIT DROP AS
              SELECT s.user_id FROM stage_users s
               WHERE NOT EXISTS (SELECT 1 FROM audit.user_history h
                                  WHERE h.valid_to IS NULL AND h.user_id = s.user_id)`.execute(db);
  await sql`CREATE TEMP TABLE users_removed ON COMMIT DROP AS
              SELECT h.user_id FROM audit.user_history h
               WHERE h.valid_to IS NULL
                 AND NOT EXISTS (SELECT 1 FROM stage_users s WHERE s.user_id = h.user_id)`.execute(db);
  await sql`CREATE TEMP TABLE groups_created ON COMMIT DROP AS
              SELECT s.group_id FROM stage_groups s
               WHERE NOT EXISTS (SELECT 1 FROM audit.group_history h
                                  WHERE h.valid_to IS NULL AND h.group_id = s.group_id)`.execute(db);
  await sql`CREATE TEMP TABLE groups_deleted ON COMMIT DROP AS
              SELECT h.group_id FROM audit.group_history h
               WHERE h.valid_to IS NULL
                 AND NOT EXISTS (SELECT 1 FROM stage_groups s WHERE s.group_id = h.group_id)`.execute(db);

  const insert = sql`INSERT INTO audit.changes (snapshot_id, detected_at, kind, subject_type, subject_id,
                       subject_label, role_id, role_name, resource_type, resource_id, group_id, detail)`;

  // user_added: the access the new user holds, in the detail.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'user_added', 'user', s.user_id, s.email, NULL, NULL, NULL, NULL, NULL,
           jsonb_build_object(
             'email', s.email, 'name', s.name,
             'grants', coalesce((SELECT jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) FROM stage_grants g
                                  WHERE g.principal_type = 'user' AND g.principal_id = s.user_id), '[]'::jsonb),
             'groups', coalesce((SELECT jsonb_agg(jsonb_build_object('group_id', m.group_id, 'group_name', sg.name)
                                                  ORDER BY sg.name, m.group_id)
                                   FROM stage_members m LEFT JOIN stage_groups sg ON sg.group_id = m.group_id
                                  WHERE m.user_id = s.user_id), '[]'::jsonb))
      FROM stage_users s JOIN users_added a ON a.user_id = s.user_id`.execute(db);

  // user_removed: the access the user held, from the open history rows.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'user_removed', 'user', h.user_id, h.email, NULL, NULL, NULL, NULL, NULL,
           jsonb_build_object(
             'email', h.email, 'name', h.name,
             'grants', coalesce((SELECT jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) FROM audit.grant_history g
                                  WHERE g.valid_to IS NULL AND g.principal_type = 'user'
                                    AND g.principal_id = h.user_id), '[]'::jsonb),
             'groups', coalesce((SELECT jsonb_agg(jsonb_build_object('group_id', m.group_id, 'group_name', gh.name)
                                                  ORDER BY gh.name, m.group_id)
                                   FROM audit.membership_history m
                                   LEFT JOIN audit.group_history gh ON gh.group_id = m.group_id AND gh.valid_to IS NULL
                                  WHERE m.valid_to IS NULL AND m.user_id = h.user_id), '[]'::jsonb))
      FROM audit.user_history h JOIN users_removed r ON r.user_id = h.user_id
     WHERE h.valid_to IS NULL`.execute(db);

  // user_changed: email or name.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'user_changed', 'user', s.user_id, s.email, NULL, NULL, NULL, NULL, NULL,
           jsonb_build_object('before', jsonb_build_object('email', h.email, 'name', h.name),
                              'after', jsonb_build_object('email', s.email, 'name', s.name))
      FROM stage_users s JOIN audit.user_history h ON h.user_id = s.user_id AND h.valid_to IS NULL
     WHERE h.email IS DISTINCT FROM s.email OR h.name IS DISTINCT FROM s.name`.execute(db);

  // permission_granted: a direct grant new to a principal that already existed.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'permission_granted', g.principal_type, g.principal_id, coalesce(su.email, sg.name),
           g.role_id, g.role_name, g.resource_type, g.resource_id,
           CASE WHEN g.principal_type = 'group' THEN g.principal_id END, '{}'::jsonb
      FROM stage_grants g
      LEFT JOIN stage_users su ON g.principal_type = 'user' AND su.user_id = g.principal_id
      LEFT JOIN stage_groups sg ON g.principal_type = 'group' AND sg.group_id = g.principal_id
     WHERE NOT EXISTS (SELECT 1 FROM audit.grant_history h
                        WHERE h.valid_to IS NULL AND h.principal_type = g.principal_type
                          AND h.principal_id = g.principal_id AND h.role_id = g.role_id
                          AND h.resource_type = g.resource_type AND h.resource_id = g.resource_id)
       AND NOT (g.principal_type = 'user' AND EXISTS (SELECT 1 FROM users_added a WHERE a.user_id = g.principal_id))
       AND NOT (g.principal_type = 'group' AND EXISTS (SELECT 1 FROM groups_created c
                                                        WHERE c.group_id = g.principal_id))`.execute(db);

  // permission_revoked: an open grant gone from a principal that still exists.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'permission_revoked', h.principal_type, h.principal_id, coalesce(uh.email, gh.name),
           h.role_id, h.role_name, h.resource_type, h.resource_id,
           CASE WHEN h.principal_type = 'group' THEN h.principal_id END, '{}'::jsonb
      FROM audit.grant_history h
      LEFT JOIN audit.user_history uh
             ON h.principal_type = 'user' AND uh.user_id = h.principal_id AND uh.valid_to IS NULL
      LEFT JOIN audit.group_history gh
             ON h.principal_type = 'group' AND gh.group_id = h.principal_id AND gh.valid_to IS NULL
     WHERE h.valid_to IS NULL
       AND NOT EXISTS (SELECT 1 FROM stage_grants g
                        WHERE g.principal_type = h.principal_type AND g.principal_id = h.principal_id
                          AND g.role_id = h.role_id AND g.resource_type = h.resource_type
                          AND g.resource_id = h.resource_id)
       AND NOT (h.principal_type = 'user' AND EXISTS (SELECT 1 FROM users_removed r WHERE r.user_id = h.principal_id))
       AND NOT (h.principal_type = 'group' AND EXISTS (SELECT 1 FROM groups_deleted d
                                                        WHERE d.group_id = h.principal_id))`.execute(db);

  // membership_added / membership_removed: users who stay (new and gone users carry theirs).
  await sql`${insert}
    SELECT ${sid}, ${t}, 'membership_added', 'user', m.user_id, su.email, NULL, NULL, NULL, NULL, m.group_id,
           jsonb_build_object('group_name', sg.name,
                              'group_created', EXISTS (SELECT 1 FROM groups_created c WHERE c.group_id = m.group_id))
      FROM stage_members m
      LEFT JOIN stage_users su ON su.user_id = m.user_id
      LEFT JOIN stage_groups sg ON sg.group_id = m.group_id
     WHERE NOT EXISTS (SELECT 1 FROM audit.membership_history h
                        WHERE h.valid_to IS NULL AND h.group_id = m.group_id AND h.user_id = m.user_id)
       AND NOT EXISTS (SELECT 1 FROM users_added a WHERE a.user_id = m.user_id)`.execute(db);

  await sql`${insert}
    SELECT ${sid}, ${t}, 'membership_removed', 'user', h.user_id, uh.email, NULL, NULL, NULL, NULL, h.group_id,
           jsonb_build_object('group_name', gh.name,
                              'group_deleted', EXISTS (SELECT 1 FROM groups_deleted d WHERE d.group_id = h.group_id))
      FROM audit.membership_history h
      LEFT JOIN audit.user_history uh ON uh.user_id = h.user_id AND uh.valid_to IS NULL
      LEFT JOIN audit.group_history gh ON gh.group_id = h.group_id AND gh.valid_to IS NULL
     WHERE h.valid_to IS NULL
       AND NOT EXISTS (SELECT 1 FROM stage_members m WHERE m.group_id = h.group_id AND m.user_id = h.user_id)
       AND NOT EXISTS (SELECT 1 FROM users_removed r WHERE r.user_id = h.user_id)`.execute(db);

  // group_created / group_deleted, with the group's grants in the detail.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'group_created', 'group', s.group_id, s.name, NULL, NULL, NULL, NULL, s.group_id,
           jsonb_build_object(
             'name', s.name,
             'members', (SELECT count(*) FROM stage_members m WHERE m.group_id = s.group_id),
             'grants', coalesce((SELECT jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) FROM stage_grants g
                                  WHERE g.principal_type = 'group' AND g.principal_id = s.group_id), '[]'::jsonb))
      FROM stage_groups s JOIN groups_created c ON c.group_id = s.group_id`.execute(db);

  await sql`${insert}
    SELECT ${sid}, ${t}, 'group_deleted', 'group', h.group_id, h.name, NULL, NULL, NULL, NULL, h.group_id,
           jsonb_build_object(
             'name', h.name,
             'members', (SELECT count(*) FROM audit.membership_history m
                          WHERE m.valid_to IS NULL AND m.group_id = h.group_id),
             'grants', coalesce((SELECT jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) FROM audit.grant_history g
                                  WHERE g.valid_to IS NULL AND g.principal_type = 'group'
                                    AND g.principal_id = h.group_id), '[]'::jsonb))
      FROM audit.group_history h JOIN groups_deleted d ON d.group_id = h.group_id
     WHERE h.valid_to IS NULL`.execute(db);

  // Invites.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'invite_created', 'invite', s.email, s.email, NULL, NULL, NULL, NULL, s.group_id,
           jsonb_build_object('group_name', sg.name)
      FROM stage_invites s LEFT JOIN stage_groups sg ON sg.group_id = s.group_id
     WHERE NOT EXISTS (SELECT 1 FROM audit.invite_history i
                        WHERE i.closed_at IS NULL AND lower(i.email) = s.email_key
                          AND coalesce(i.group_id, '') = s.group_key)`.execute(db);

  await sql`${insert}
    SELECT ${sid}, ${t}, CASE WHEN acc.user_id IS NULL THEN 'invite_withdrawn' ELSE 'invite_accepted' END,
           'invite', i.email, i.email, NULL, NULL, NULL, NULL, i.group_id,
           jsonb_build_object('first_seen', i.first_seen, 'user_id', acc.user_id, 'group_name', gh.name)
      FROM audit.invite_history i
      LEFT JOIN audit.group_history gh ON gh.group_id = i.group_id AND gh.valid_to IS NULL
      LEFT JOIN LATERAL (SELECT min(u.user_id) AS user_id FROM stage_users u
                          WHERE lower(u.email) = lower(i.email)) acc ON true
     WHERE i.closed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM stage_invites s
                        WHERE s.email_key = lower(i.email) AND s.group_key = coalesce(i.group_id, ''))`.execute(
    db,
  );
}
