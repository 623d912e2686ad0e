/**
 * The Access Review's rows: audit.effective_access_at(b) with every path to a grant in
 * one row. A reviewer decides on user × role × resource × labels; whether it comes
 * directly or through three groups is context (the `Via` cell: `direct` first, then the
 * groups by name), not three rows of which revoking one would mean nothing.
 *
 * Privileged rows first, then the rest, each part ordered by email (the sheet's order),
 * read once: the privileged part walks only the users who may hold a privileged grant
 * (few: owners and administrators), the rest walks every user and leaves the privileged
 * rows out. Streamed a page of users at a time (short queries, nothing held open: the
 * embedded database has one connection), the next page read while this one is written.
 */
import { type Kysely, sql } from 'kysely';
import { roleKey } from '../model/privileged.js';
import type { AccessRow } from '../model/report-data.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/**
 * One page of users' rows, in the sheet's order; with `only`, just their privileged rows
 * or just the others, by the rule in force (the lower-cased role names of `only.roles`).
 */
export function accessPage(
  db: Db,
  b: Date,
  page: readonly string[],
  only?: { privileged: boolean; roles: readonly string[] },
) {
  const having = only
    ? sql`HAVING (resource_type = 'WORKSPACE' AND lower(btrim(min(role_name))) = ANY(${only.roles}::text[]))
                 = ${only.privileged}`
    : sql``;
  return sql<Omit<AccessRow, 'privileged'>>`
    SELECT user_id AS "userId", min(email) AS email, min(user_name) AS "userName",
           role_id AS "roleId", min(role_name) AS "roleName",
           resource_type AS "resourceType", resource_id AS "resourceId", min(resource_name) AS "resourceName",
           labels,
           string_agg(via, '; ' ORDER BY via_group_id IS NOT NULL, via, via_group_id) AS via
      FROM audit.effective_access_at(${b}::timestamptz, ${page}::text[])
     GROUP BY user_id, role_id, resource_type, resource_id, labels
    ${having}
     ORDER BY 2, 1, 5, 4, 6, 7, 9`.execute(db);
}

/** The users valid at b, in the sheet's order. */
async function usersAt(db: Db, b: Date): Promise<string[]> {
  const users = await sql<{ user_id: string }>`
    SELECT user_id FROM audit.user_history
     WHERE valid_from <= ${b}::timestamptz AND (valid_to IS NULL OR valid_to > ${b}::timestamptz)
     ORDER BY email, user_id`.execute(db);
  return users.rows.map((u) => u.user_id);
}

/**
 * The users valid at b who may hold a privileged grant, in the sheet's order: a privileged
 * grant of their own or of a group they are a member of. A superset is harmless (their
 * page finds no privileged row). `roles`: PRIVILEGED_ROLES lower-cased (model/privileged.ts).
 */
async function privilegedUsersAt(db: Db, b: Date, roles: readonly string[]): Promise<string[]> {
  const users = await sql<{ user_id: string }>`
    WITH pg AS (
      SELECT g.principal_type, g.principal_id FROM audit.grant_history g
       WHERE g.valid_from <= ${b}::timestamptz AND (g.valid_to IS NULL OR g.valid_to > ${b}::timestamptz)
         AND g.resource_type = 'WORKSPACE' AND lower(btrim(g.role_name)) = ANY(${roles}::text[]))
    SELECT u.user_id FROM audit.user_history u
     WHERE u.valid_from <= ${b}::timestamptz AND (u.valid_to IS NULL OR u.valid_to > ${b}::timestamptz)
       AND (u.user_id IN (SELECT principal_id FROM pg WHERE principal_type = 'user')
            OR u.user_id IN (SELECT m.user_id FROM audit.membership_history m
                              JOIN pg ON pg.principal_type = 'group' AND pg.principal_id = m.group_id
                             WHERE m.valid_from <= ${b}::timestamptz
                               AND (m.valid_to IS NULL OR m.valid_to > ${b}::timestamptz)))
     ORDER BY u.email, u.user_id`.execute(db);
  return users.rows.map((u) => u.user_id);
}

/**
 * Streams the review at instant b a page at a time, privileged rows first (one read: the
 * privileged pass pages only the users who may hold such a row); a factory (each call
 * reads anew). With `readAhead`, the first walk's user lists are asked for at once, not
 * when the walk begins: the report reads them while it prepares its other sheets (at
 * 100,000 users the two lists take about half a second).
 * Privileged means the rule in force (PRIVILEGED_ROLES), not the database's.
 */
export function accessReviewAt(
  db: Db,
  b: Date,
  privilegedRoles: readonly string[],
  options: { pageUsers?: number; readAhead?: boolean } = {},
): () => AsyncIterable<AccessRow[]> {
  const roles = privilegedRoles.map(roleKey);
  const pageUsers = options.pageUsers ?? 1000;
  const userLists = () => {
    // Both lists asked for at once: the second is ready when the privileged pass ends.
    const passes = [
      { privileged: true, users: privilegedUsersAt(db, b, roles) },
      { privileged: false, users: usersAt(db, b) },
    ];
    // Awaited by the walk; if it stops first, or never begins, a failure must not go unhandled.
    for (const pass of passes) pass.users.catch(() => {});
    return passes;
  };
  let readAhead = options.readAhead ? userLists() : undefined;
  return async function* () {
    const passes = readAhead ?? userLists();
    readAhead = undefined;
    for (const { privileged, users } of passes) {
      const ids = await users;
      const read = (i: number) => {
        if (i >= ids.length) return undefined;
        const page = accessPage(db, b, ids.slice(i, i + pageUsers), { privileged, roles });
        // Awaited below; if the reader stops first, its failure must not go unhandled.
        page.catch(() => {});
        return page;
      };
      // The next page is asked for before this one's rows are handed on: PostgreSQL
      // works on it (on the other core) while the report writes these.
      let next = read(0);
      for (let i = 0; next !== undefined; i += pageUsers) {
        const page = await next;
        next = read(i + pageUsers);
        // The driver's fresh objects, ours alone: completed in place rather than copied.
        const rows = page.rows as AccessRow[];
        for (const row of rows) row.privileged = privileged;
        if (rows.length > 0) yield rows;
      }
    }
  };
}
