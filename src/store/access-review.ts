/**
 * The Access Review's rows: audit.effective_access_at(b) with every path to a grant in
 * one row. A reviewer decides on user × role × resource × labels; whether it comes
 * directly or through three groups is context (the `Via` cell: `direct` first, then the
 * groups by name), not three rows of which revoking one would mean nothing.
 *
 * Privileged rows first, then the rest, each part ordered by email (the sheet's order).
 * The database gives the pieces in four reads at b: the grants' targets and the groups in
 * its own order (ranks), the groups' grants, and the users in the sheet's order, each with
 * the ranks of their direct grants' targets and of their groups as text (one row a user).
 * access-paths.ts folds them into rows, handed on a page of users at a time. The same
 * rows as grouping effective_access_at's (test/store/access-review.test.ts holds them to
 * it) at a small part of the database's work: it no longer joins, groups and sorts every
 * row in its collation, page after page. Held in memory meanwhile: the users (their ids,
 * emails and names) and one integer a path.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { roleKey } from '../model/privileged.js';
import type { AccessRow } from '../model/report-data.js';
import { foldUsers, type GroupAt, Lists, type Population, type Target, type UserAt } from './access-paths.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** Rows valid at b, of the table aliased `t`. */
const validAt = (b: Date) =>
  sql`t.valid_from <= ${b}::timestamptz AND (t.valid_to IS NULL OR t.valid_to > ${b}::timestamptz)`;

/** Restricts a read to some users (`column` holds a user id) or, with `only` undefined, to none. */
const onlyFor = (column: RawBuilder<unknown>, only: readonly string[] | undefined) =>
  only ? sql`AND ${column} = ANY(${only}::text[])` : sql``;

/**
 * Every target held at b, in the database's order of the five columns the sheet sorts by
 * (role name, role, resource type, resource, labels), with the resource's name and the
 * privileged test (`roles`: lower-cased names, as the Summary's rule reads them).
 */
async function targetsAt(db: Db, b: Date, roles: readonly string[]): Promise<Target[]> {
  const r = await sql<Omit<Target, 'grant'>>`
    WITH d AS (
      SELECT DISTINCT role_name, role_id, resource_type, resource_id, labels FROM audit.grant_history t
       WHERE ${validAt(b)}),
    rn AS (
      SELECT resource_type, resource_id, min(name) AS name FROM audit.resource_history t
       WHERE ${validAt(b)} GROUP BY 1, 2)
    SELECT d.role_name AS "roleName", d.role_id AS "roleId", d.resource_type AS "resourceType",
           d.resource_id AS "resourceId", d.labels, rn.name AS "resourceName",
           (d.resource_type = 'WORKSPACE' AND lower(btrim(d.role_name)) = ANY(${roles}::text[])) AS privileged
      FROM d LEFT JOIN rn ON rn.resource_type = d.resource_type AND rn.resource_id = d.resource_id
     ORDER BY d.role_name, d.role_id, d.resource_type, d.resource_id, d.labels`.execute(db);
  // A row is one role × resource × labels: its targets differ only by role name.
  const grants = new Map<string, number>();
  return r.rows.map((t) => {
    const key = `${t.roleId}\0${t.resourceType}\0${t.resourceId}\0${t.labels}`;
    const grant = grants.get(key) ?? grants.size;
    grants.set(key, grant);
    return { ...t, grant };
  });
}

/** The targets as a relation k(role_name, role_id, resource_type, resource_id, labels, n), n = rank + 1. */
function targetRelation(targets: readonly Target[]) {
  const col = <K extends keyof Target>(k: K) => targets.map((t) => t[k]);
  return sql`unnest(${col('roleName')}::text[], ${col('roleId')}::text[], ${col('resourceType')}::text[],
                    ${col('resourceId')}::text[], ${col('labels')}::text[]) WITH ORDINALITY
             AS k(role_name, role_id, resource_type, resource_id, labels, n)`;
}

const sameTarget = sql`k.role_name = t.role_name AND k.role_id = t.role_id AND k.resource_type = t.resource_type
                       AND k.resource_id = t.resource_id AND k.labels = t.labels`;

/** The groups valid at b, ranked by (name, id), each with the ranks of its grants' targets. */
async function groupsAt(db: Db, b: Date, targets: readonly Target[]) {
  const named = await sql<{ group_id: string; name: string }>`
    SELECT t.group_id, t.name FROM audit.group_history t WHERE ${validAt(b)} ORDER BY t.name, t.group_id`.execute(
    db,
  );
  const byId = new Map<string, GroupAt>();
  const groups = named.rows.map((g) => {
    const group = { name: g.name, targets: [] };
    byId.set(g.group_id, group);
    return group;
  });
  const grants = await sql<{ holder: string; rank: number }>`
    SELECT t.principal_id AS holder, (k.n - 1)::int AS rank
      FROM audit.grant_history t JOIN ${targetRelation(targets)} ON ${sameTarget}
     WHERE t.principal_type = 'group' AND ${validAt(b)}`.execute(db);
  for (const g of grants.rows) byId.get(g.holder)?.targets.push(g.rank);
  return { ids: named.rows.map((g) => g.group_id), groups };
}

/**
 * The users valid at b in the sheet's order, each with the target ranks of their direct
 * grants and the ranks of their groups, as text lists (one row a user).
 */
function usersWithPaths(
  db: Db,
  b: Date,
  targets: readonly Target[],
  groupIds: readonly string[],
  only?: readonly string[],
) {
  return sql<UserAt & { direct: string | null; groups: string | null }>`
    WITH d AS (
      SELECT t.principal_id AS user_id, string_agg((k.n - 1)::text, ',') AS ranks
        FROM audit.grant_history t JOIN ${targetRelation(targets)} ON ${sameTarget}
       WHERE t.principal_type = 'user' AND ${validAt(b)} ${onlyFor(sql`t.principal_id`, only)}
       GROUP BY t.principal_id),
    m AS (
      SELECT t.user_id, string_agg((g.n - 1)::text, ',') AS ranks
        FROM audit.membership_history t
        JOIN unnest(${groupIds}::text[]) WITH ORDINALITY AS g(group_id, n) ON g.group_id = t.group_id
       WHERE ${validAt(b)} ${onlyFor(sql`t.user_id`, only)}
       GROUP BY t.user_id)
    SELECT t.user_id AS "userId", t.email, t.name AS "userName", d.ranks AS direct, m.ranks AS groups
      FROM audit.user_history t
      LEFT JOIN d ON d.user_id = t.user_id
      LEFT JOIN m ON m.user_id = t.user_id
     WHERE ${validAt(b)} ${onlyFor(sql`t.user_id`, only)}
     ORDER BY t.email, t.user_id`.execute(db);
}

/** Everyone's paths at b (or only some users'), in four reads. */
async function populationAt(
  db: Db,
  b: Date,
  roles: readonly string[],
  only?: readonly string[],
): Promise<Population> {
  const targets = await targetsAt(db, b, roles);
  const groups = await groupsAt(db, b, targets);
  const read = await usersWithPaths(db, b, targets, groups.ids, only);
  const direct = new Lists();
  const member = new Lists();
  const users = read.rows.map((u) => {
    direct.add(u.direct);
    member.add(u.groups);
    // A user of its own: the row's lists are not kept.
    return { userId: u.userId, email: u.email, userName: u.userName };
  });
  const d = direct.done();
  const m = member.done();
  return {
    users,
    targets,
    groupsByRank: groups.groups,
    directFrom: d.from,
    direct: d.values,
    groupsFrom: m.from,
    groups: m.values,
  };
}

/** Hands on the rows of `population` a page of users at a time, those `keep` chooses. */
function* pagesOf(p: Population, pageUsers: number, keep: (t: Target) => boolean): Generator<AccessRow[]> {
  for (let i = 0; i < p.users.length; i += pageUsers) {
    const rows = foldUsers(p, i, Math.min(i + pageUsers, p.users.length), keep);
    if (rows.length > 0) yield rows;
  }
}

/**
 * The Access Review rows of some users at b, by user, each user's rows in the sheet's
 * order; `privileged` false throughout (the caller applies its rule).
 */
export async function accessOfUsersAt(
  db: Db,
  b: Date,
  ids: readonly string[],
): Promise<Map<string, AccessRow[]>> {
  const out = new Map<string, AccessRow[]>();
  if (ids.length === 0) return out;
  const population = await populationAt(db, b, [], ids);
  for (const rows of pagesOf(population, 1000, () => true)) {
    for (const row of rows) {
      const list = out.get(row.userId);
      if (list) list.push(row);
      else out.set(row.userId, [row]);
    }
  }
  return out;
}

/**
 * Streams the review at instant b a page at a time, privileged rows first, then the rest;
 * a factory (each call reads anew). With `readAhead`, the first walk's reads begin at
 * once, not when the walk does: the report makes them while it prepares its other sheets.
 * Privileged means the rule in force (PRIVILEGED_ROLES), not the database's.
 */
export function accessReviewAt(
  db: Db,
  b: Date,
  privilegedRoles: readonly string[],
  options: { pageUsers?: number; readAhead?: boolean } = {},
): () => AsyncIterable<AccessRow[]> {
  const roles = privilegedRoles.map(roleKey);
  // Small pages: a page's rows are garbage before V8's young generation is collected
  // twice, so they never reach the old generation, which then stays as small as what the
  // report holds (the population) without forced collections. Each forced collection left
  // V8 a tight limit and a train of incremental ones behind it: at 100,000 users that was
  // 25 to 39 old-generation collections and a second of the report's time; with pages of
  // 100 users and none forced, 3, and the same peak RSS (260 to 265 MB).
  const pageUsers = options.pageUsers ?? 100;
  const read = () => {
    const population = populationAt(db, b, roles);
    // Awaited by the walk; if it never begins, a failure must not go unhandled.
    population.catch(() => {});
    return population;
  };
  let readAhead = options.readAhead ? read() : undefined;
  return async function* () {
    const population = await (readAhead ?? read());
    readAhead = undefined;
    yield* pagesOf(population, pageUsers, (t) => t.privileged);
    yield* pagesOf(population, pageUsers, (t) => !t.privileged);
  };
}
