/**
 * The change log: one audit.changes row per changed fact, read from the deltas
 * (delta.ts) — so every statement here touches only what changed, joined to the staged
 * picture or the open history rows for labels and details. Never run for the baseline
 * (the first complete snapshot records no changes).
 *
 * Who gets a row of their own:
 * - a user who appears or disappears: ONE user_added / user_removed row whose detail
 *   lists their direct grants and groups; their grants and memberships get no rows;
 * - a group created or deleted: one group_created / group_deleted row whose detail lists
 *   the group's grants (not repeated as permission rows); memberships of users who stay
 *   are membership_added / membership_removed rows (the user did join or leave a group);
 * - a grant to or from a group: one row for the group, never one per member;
 * - a grant whose label scope changed: a permission_revoked of the old labels and a
 *   permission_granted of the new (labels are part of a grant's identity);
 * - a role renamed on an unchanged (principal, role_id, resource), or a group renamed:
 *   not a change of access; history versions it silently, no row here.
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

/** A grant as JSON, from a relation aliased `g`. */
const GRANT_JSON = sql`jsonb_build_object('role_id', g.role_id, 'role_name', g.role_name,
                          'resource_type', g.resource_type, 'resource_id', g.resource_id, 'labels', g.labels)`;
const GRANT_ORDER = sql`g.role_name, g.resource_type, g.resource_id, g.labels`;

/** The pieces every change statement needs: typed parameters and the INSERT heads. */
function statements(ctx: DiffContext) {
  return {
    // Typed here: a bare parameter in a SELECT list would be resolved as text.
    sid: sql`${ctx.snapshotId}::integer`,
    t: sql`${ctx.takenAt}::timestamptz`,
    insert: sql`INSERT INTO audit.changes (snapshot_id, detected_at, kind, subject_type, subject_id,
                  subject_label, role_id, role_name, resource_type, resource_id, group_id, detail)`,
    insertGrant: sql`INSERT INTO audit.changes (snapshot_id, detected_at, kind, subject_type, subject_id,
                       subject_label, role_id, role_name, resource_type, resource_id, group_id, detail, labels)`,
  };
}
type Statements = ReturnType<typeof statements>;

export async function writeChanges(db: Db, ctx: DiffContext): Promise<void> {
  const s = statements(ctx);
  await userChanges(db, s);
  await grantChanges(db, s);
  await membershipChanges(db, s);
  await groupChanges(db, s);
  await inviteChanges(db, s);
}

async function userChanges(db: Db, { sid, t, insert }: Statements): Promise<void> {
  // user_added: the access the new user holds, in the one row.
  await sql`WITH added AS (SELECT user_id, new_email AS email, new_name AS name FROM delta_users WHERE hist_id IS NULL),
         gr AS (SELECT g.principal_id AS user_id, jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) AS grants
                  FROM stage_grants g JOIN added a ON a.user_id = g.principal_id
                 WHERE g.principal_type = 'user' GROUP BY 1),
         gp AS (SELECT m.user_id, jsonb_agg(jsonb_build_object('group_id', m.group_id, 'group_name', sg.name)
                                            ORDER BY sg.name, m.group_id) AS groups
                  FROM stage_members m JOIN added a ON a.user_id = m.user_id
                  LEFT JOIN stage_groups sg ON sg.group_id = m.group_id GROUP BY 1)
    ${insert}
    SELECT ${sid}, ${t}, 'user_added', 'user', a.user_id, a.email, NULL, NULL, NULL, NULL, NULL,
           jsonb_build_object('email', a.email, 'name', a.name,
                              'grants', coalesce(gr.grants, '[]'::jsonb), 'groups', coalesce(gp.groups, '[]'::jsonb))
      FROM added a LEFT JOIN gr ON gr.user_id = a.user_id LEFT JOIN gp ON gp.user_id = a.user_id`.execute(db);

  // user_removed: the access the user held, from the open history rows.
  await sql`WITH removed AS (SELECT user_id, old_email AS email, old_name AS name FROM delta_users WHERE NOT staged),
         gr AS (SELECT g.principal_id AS user_id, jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) AS grants
                  FROM audit.grant_history g JOIN removed r ON r.user_id = g.principal_id
                 WHERE g.valid_to IS NULL AND g.principal_type = 'user' GROUP BY 1),
         gp AS (SELECT m.user_id, jsonb_agg(jsonb_build_object('group_id', m.group_id, 'group_name', gh.name)
                                            ORDER BY gh.name, m.group_id) AS groups
                  FROM audit.membership_history m JOIN removed r ON r.user_id = m.user_id
                  LEFT JOIN audit.group_history gh ON gh.group_id = m.group_id AND gh.valid_to IS NULL
                 WHERE m.valid_to IS NULL GROUP BY 1)
    ${insert}
    SELECT ${sid}, ${t}, 'user_removed', 'user', r.user_id, r.email, NULL, NULL, NULL, NULL, NULL,
           jsonb_build_object('email', r.email, 'name', r.name,
                              'grants', coalesce(gr.grants, '[]'::jsonb), 'groups', coalesce(gp.groups, '[]'::jsonb))
      FROM removed r LEFT JOIN gr ON gr.user_id = r.user_id LEFT JOIN gp ON gp.user_id = r.user_id`.execute(
    db,
  );

  // user_changed: email or name.
  await sql`${insert}
    SELECT ${sid}, ${t}, 'user_changed', 'user', d.user_id, d.new_email, NULL, NULL, NULL, NULL, NULL,
           jsonb_build_object('before', jsonb_build_object('email', d.old_email, 'name', d.old_name),
                              'after', jsonb_build_object('email', d.new_email, 'name', d.new_name))
      FROM delta_users d WHERE d.hist_id IS NOT NULL AND d.staged`.execute(db);
}

async function grantChanges(db: Db, { sid, t, insertGrant }: Statements): Promise<void> {
  // permission_granted / permission_revoked: direct grants of principals that stay.
  await sql`${insertGrant}
    SELECT ${sid}, ${t}, 'permission_granted', g.principal_type, g.principal_id, coalesce(su.email, sg.name),
           g.role_id, g.new_role_name, g.resource_type, g.resource_id,
           CASE WHEN g.principal_type = 'group' THEN g.principal_id END, '{}'::jsonb, g.labels
      FROM delta_grants g
      LEFT JOIN stage_users su ON g.principal_type = 'user' AND su.user_id = g.principal_id
      LEFT JOIN stage_groups sg ON g.principal_type = 'group' AND sg.group_id = g.principal_id
     WHERE g.hist_id IS NULL
       AND NOT (g.principal_type = 'user'
                AND EXISTS (SELECT 1 FROM delta_users d WHERE d.user_id = g.principal_id AND d.hist_id IS NULL))
       AND NOT (g.principal_type = 'group'
                AND EXISTS (SELECT 1 FROM delta_groups d WHERE d.group_id = g.principal_id AND d.hist_id IS NULL))`.execute(
    db,
  );

  await sql`${insertGrant}
    SELECT ${sid}, ${t}, 'permission_revoked', g.principal_type, g.principal_id, coalesce(uh.email, gh.name),
           g.role_id, g.old_role_name, g.resource_type, g.resource_id,
           CASE WHEN g.principal_type = 'group' THEN g.principal_id END, '{}'::jsonb, g.labels
      FROM delta_grants g
      LEFT JOIN audit.user_history uh
             ON g.principal_type = 'user' AND uh.user_id = g.principal_id AND uh.valid_to IS NULL
      LEFT JOIN audit.group_history gh
             ON g.principal_type = 'group' AND gh.group_id = g.principal_id AND gh.valid_to IS NULL
     WHERE NOT g.staged
       AND NOT (g.principal_type = 'user'
                AND EXISTS (SELECT 1 FROM delta_users d WHERE d.user_id = g.principal_id AND NOT d.staged))
       AND NOT (g.principal_type = 'group'
                AND EXISTS (SELECT 1 FROM delta_groups d WHERE d.group_id = g.principal_id AND NOT d.staged))`.execute(
    db,
  );
}

async function membershipChanges(db: Db, { sid, t, insert }: Statements): Promise<void> {
  // membership_added / membership_removed: users who stay (new and gone users carry theirs).
  await sql`${insert}
    SELECT ${sid}, ${t}, 'membership_added', 'user', m.user_id, su.email, NULL, NULL, NULL, NULL, m.group_id,
           jsonb_build_object('group_name', sg.name,
                              'group_created', EXISTS (SELECT 1 FROM delta_groups d
                                                        WHERE d.group_id = m.group_id AND d.hist_id IS NULL))
      FROM delta_members m
      LEFT JOIN stage_users su ON su.user_id = m.user_id
      LEFT JOIN stage_groups sg ON sg.group_id = m.group_id
     WHERE m.staged
       AND NOT EXISTS (SELECT 1 FROM delta_users d WHERE d.user_id = m.user_id AND d.hist_id IS NULL)`.execute(
    db,
  );

  await sql`${insert}
    SELECT ${sid}, ${t}, 'membership_removed', 'user', m.user_id, uh.email, NULL, NULL, NULL, NULL, m.group_id,
           jsonb_build_object('group_name', gh.name,
                              'group_deleted', EXISTS (SELECT 1 FROM delta_groups d
                                                        WHERE d.group_id = m.group_id AND NOT d.staged))
      FROM delta_members m
      LEFT JOIN audit.user_history uh ON uh.user_id = m.user_id AND uh.valid_to IS NULL
      LEFT JOIN audit.group_history gh ON gh.group_id = m.group_id AND gh.valid_to IS NULL
     WHERE NOT m.staged
       AND NOT EXISTS (SELECT 1 FROM delta_users d WHERE d.user_id = m.user_id AND NOT d.staged)`.execute(db);
}

/**
 * One change row per group of CTE `groups` (group_id, name), its detail the group's name,
 * member count (CTE mc) and grants (CTE gr).
 */
function groupRows({ sid, t }: Statements, kind: 'group_created' | 'group_deleted', groups: string) {
  return sql`SELECT ${sid}, ${t}, ${sql.lit(kind)}, 'group', c.group_id, c.name, NULL, NULL, NULL, NULL, c.group_id,
           jsonb_build_object('name', c.name, 'members', coalesce(mc.members, 0),
                              'grants', coalesce(gr.grants, '[]'::jsonb))
      FROM ${sql.table(groups)} c LEFT JOIN gr ON gr.group_id = c.group_id LEFT JOIN mc ON mc.group_id = c.group_id`;
}

async function groupChanges(db: Db, s: Statements): Promise<void> {
  const { insert } = s;
  // group_created / group_deleted, with the group's grants in the detail.
  await sql`WITH created AS (SELECT group_id, new_name AS name FROM delta_groups WHERE hist_id IS NULL),
         gr AS (SELECT g.principal_id AS group_id, jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) AS grants
                  FROM stage_grants g JOIN created c ON c.group_id = g.principal_id
                 WHERE g.principal_type = 'group' GROUP BY 1),
         mc AS (SELECT m.group_id, count(*) AS members FROM stage_members m JOIN created c ON c.group_id = m.group_id
                 GROUP BY 1)
    ${insert}
    ${groupRows(s, 'group_created', 'created')}`.execute(db);

  await sql`WITH deleted AS (SELECT group_id, old_name AS name FROM delta_groups WHERE NOT staged),
         gr AS (SELECT g.principal_id AS group_id, jsonb_agg(${GRANT_JSON} ORDER BY ${GRANT_ORDER}) AS grants
                  FROM audit.grant_history g JOIN deleted d ON d.group_id = g.principal_id
                 WHERE g.valid_to IS NULL AND g.principal_type = 'group' GROUP BY 1),
         mc AS (SELECT m.group_id, count(*) AS members FROM audit.membership_history m
                  JOIN deleted d ON d.group_id = m.group_id WHERE m.valid_to IS NULL GROUP BY 1)
    ${insert}
    ${groupRows(s, 'group_deleted', 'deleted')}`.execute(db);
}

async function inviteChanges(db: Db, { sid, t, insert }: Statements): Promise<void> {
  // Invites.
  await sql`${insert}
    SELECT ${sid}, ${t},
           CASE WHEN d.hist_id IS NULL THEN 'invite_created'
                WHEN d.accepted_user_id IS NULL THEN 'invite_withdrawn'
                ELSE 'invite_accepted' END,
           'invite', d.email, d.email, NULL, NULL, NULL, NULL, d.group_id,
           CASE WHEN d.hist_id IS NULL THEN jsonb_build_object('group_name', coalesce(sg.name, gh.name))
                ELSE jsonb_build_object('first_seen', d.first_seen, 'user_id', d.accepted_user_id,
                                        'group_name', coalesce(gh.name, sg.name)) END
      FROM delta_invites d
      LEFT JOIN stage_groups sg ON sg.group_id = d.group_id
      LEFT JOIN audit.group_history gh ON gh.group_id = d.group_id AND gh.valid_to IS NULL`.execute(db);
}
