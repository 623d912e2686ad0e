/**
 * The Access Review's rows, folded in memory from the store's plain reads
 * (store/access-review.ts), are exactly the rows of grouping audit.effective_access_at(b)
 * in SQL, in the same order: privileged first, then by email, user, role name, role,
 * resource type, resource and labels in the database's collation; `via` direct first,
 * then the groups by name and id.
 *
 * The history is random and written straight into the history tables, so it holds what
 * snapshots rarely make: one role under two names at once (a rename between the grants'
 * snapshots), the same grant through several groups and directly, names that differ by
 * case or accent only, two groups of one name, members of a group not valid at b, grants
 * of users not valid at b, resources without a name, label scopes.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRow } from '../../src/model/report-data.js';
import { accessOfUsersAt, accessReviewAt } from '../../src/store/access-review.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (day: number) => new Date(T0 + day * DAY);
/** r0 is seen under two names (renamed between snapshots); r1's name is r0's up to case and spaces. */
const ROLES = [
  { role_id: 'r0', role_name: 'Workspace Owner' },
  { role_id: 'r0', role_name: 'Owner (old name)' },
  { role_id: 'r1', role_name: ' workspace owner ' },
  { role_id: 'r2', role_name: 'Source Admin' },
  { role_id: 'r3', role_name: 'Source Read-only' },
];
const NAMES = ['Ann', 'ann', 'Ánn', 'Bob', 'bob ', 'Zoë', '_x', 'Émile', 'émile', 'Zed'];
const PRIVILEGED = ['Workspace Owner', 'Source Admin'];

/** A deterministic pseudo-random source (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = Record<string, unknown>;

/** Back-to-back validity intervals over days 0..30, the last one open or closed. */
function intervals(rnd: () => number): [Date, Date | null][] {
  const out: [Date, Date | null][] = [];
  let day = Math.floor(rnd() * 10);
  while (day < 30 && out.length < 3) {
    const end = day + 1 + Math.floor(rnd() * 12);
    const open = end >= 30 || rnd() < 0.3;
    out.push([at(day), open ? null : at(end)]);
    if (open) break;
    day = end + Math.floor(rnd() * 3);
  }
  return out;
}

async function insert(t: TestDatabase, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const values = rows.map((r) => sql`(${sql.join(columns.map((c) => sql`${r[c]}`))})`);
  await sql`INSERT INTO ${sql.table(`audit.${table}`)} (${sql.join(columns.map((c) => sql.ref(c)))})
            VALUES ${sql.join(values)}`.execute(t.handle.db);
}

/** A random history: users, groups, memberships, grants and resource names. */
async function history(t: TestDatabase, seed: number): Promise<void> {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const users: Row[] = [];
  const groups: Row[] = [];
  const members: Row[] = [];
  const grants: Row[] = [];
  const resources: Row[] = [];
  for (let u = 0; u < 40; u++) {
    for (const [from, to] of intervals(rnd)) {
      const name = pick(NAMES);
      users.push({
        user_id: `u${u}`,
        email: `${name.trim()}${u % 7}@acme.test`,
        name,
        valid_from: from,
        valid_to: to,
      });
    }
  }
  for (let g = 0; g < 8; g++) {
    for (const [from, to] of intervals(rnd))
      groups.push({
        group_id: `g${g}`,
        name: pick(['Admins', 'admins', 'Émile', 'Zeta']),
        valid_from: from,
        valid_to: to,
      });
  }
  const target = () => {
    const [type, id] = pick([
      ['WORKSPACE', 'ws1'],
      ['SOURCE', 'src1'],
      ['SOURCE', 'src2'],
      ['SPACE', 'sp1'],
    ] as const);
    return {
      ...pick(ROLES),
      resource_type: type,
      resource_id: id,
      labels: pick(['', '', 'environment:prod', 'team:web,environment:prod']),
    };
  };
  const principals = [
    ...Array.from({ length: 44 }, (_, u) => ['user', `u${u}`]),
    ...Array.from({ length: 9 }, (_, g) => ['group', `g${g}`]),
  ];
  for (const [type, id] of principals) {
    // One principal holds a grant (role × resource × labels) once at a time.
    const held = new Set<string>();
    for (let k = Math.floor(rnd() * 4); k > 0; k--) {
      const what = target();
      const key = `${what.role_id} ${what.resource_type} ${what.resource_id} ${what.labels}`;
      if (held.has(key)) continue;
      held.add(key);
      for (const [from, to] of intervals(rnd))
        grants.push({ principal_type: type, principal_id: id, ...what, valid_from: from, valid_to: to });
    }
  }
  for (let u = 0; u < 44; u++) {
    for (const g of new Set([pick(['g0', 'g1', 'g2']), pick(['g3', 'g4', 'g5', 'g6', 'g7', 'g8'])])) {
      for (const [from, to] of intervals(rnd))
        members.push({ user_id: `u${u}`, group_id: g, valid_from: from, valid_to: to });
    }
  }
  for (const [type, id] of [
    ['WORKSPACE', 'ws1'],
    ['SOURCE', 'src1'],
    ['SPACE', 'sp1'],
  ]) {
    for (const [from, to] of intervals(rnd))
      resources.push({
        resource_type: type,
        resource_id: id,
        name: pick(['Acme', 'Web', 'web']),
        valid_from: from,
        valid_to: to,
      });
  }
  await insert(t, 'user_history', users);
  await insert(t, 'group_history', groups);
  await insert(t, 'membership_history', members);
  await insert(t, 'grant_history', grants);
  await insert(t, 'resource_history', resources);
}

/** What the rows must be: effective_access_at grouped in SQL, privileged first. */
async function expected(t: TestDatabase, b: Date, only?: string[]): Promise<Row[]> {
  // The review puts privileged rows first; a list of some users' rows does not.
  const first = only ? sql`` : sql`11 DESC,`;
  const roles = PRIVILEGED.map((r) => r.toLowerCase());
  const r = await sql<Row>`
    SELECT user_id AS "userId", min(email) AS email, min(user_name) AS "userName",
           role_id AS "roleId", min(role_name) AS "roleName",
           resource_type AS "resourceType", resource_id AS "resourceId", min(resource_name) AS "resourceName",
           labels, string_agg(via, '; ' ORDER BY via_group_id IS NOT NULL, via, via_group_id) AS via,
           (resource_type = 'WORKSPACE' AND lower(btrim(min(role_name))) = ANY(${roles}::text[])) AS privileged
      FROM audit.effective_access_at(${b}::timestamptz, ${only ?? null}::text[])
     GROUP BY user_id, role_id, resource_type, resource_id, labels
     ORDER BY ${first} 2, 1, 5, 4, 6, 7, 9`.execute(t.handle.db);
  return r.rows;
}

let t: TestDatabase;
/** On the server, a second database collating as en-US (ICU): the order is the database's. */
let icu: TestDatabase;
const tDefault = () => t;
beforeAll(async () => {
  t = await openTestDatabase();
  // The embedded database knows C alone: there the same database serves both.
  icu = t.mode === 'server' ? await openTestDatabase({ collation: 'en-US' }) : t;
});
afterAll(async () => {
  await t?.close();
  if (icu !== t) await icu?.close();
});

async function fresh(db: TestDatabase, seed: number): Promise<void> {
  await sql`TRUNCATE audit.user_history, audit.group_history, audit.membership_history,
                     audit.grant_history, audit.resource_history`.execute(db.handle.db);
  await history(db, seed);
}

describe('the Access Review folded in memory', () => {
  it.each([
    [1, 'default'],
    [2, 'default'],
    [3, 'en-US'],
    [4, 'en-US'],
  ])(
    'equals effective_access_at grouped in SQL, at every day of a random history (seed %i, %s collation on the server)',
    async (seed, collation) => {
      const t = collation === 'en-US' ? icu : tDefault();
      await fresh(t, seed);
      let compared = 0;
      for (let day = 0; day <= 32; day += 1.5) {
        const b = at(day);
        const want = await expected(t, b);
        const pages: AccessRow[][] = [];
        for await (const page of accessReviewAt(t.handle.db, b, PRIVILEGED, { pageUsers: 3 })())
          pages.push(page);
        expect(pages.flat()).toEqual(want);
        compared += want.length;
      }
      // The history is not empty: rows were compared, privileged and not, through several groups.
      expect(compared).toBeGreaterThan(200);
    },
  );

  it('gives some users their rows, by user, the same as the function restricted to them', async () => {
    await fresh(t, 5);
    const b = at(15);
    const some = ['u1', 'u5', 'u9', 'u12', 'u30', 'nobody'];
    const want: Row[] = (await expected(t, b, some)).map((r) => ({ ...r, privileged: false }));
    expect(want.length).toBeGreaterThan(3);
    const byUser = await accessOfUsersAt(t.handle.db, b, some);
    const got = [...byUser.values()].flat();
    // By user, each user's rows in the sheet's order: the expected rows, regrouped by user.
    const regrouped = [...byUser.keys()].flatMap((id) => want.filter((r) => r.userId === id));
    expect(got).toEqual(regrouped);
    expect(new Set(want.map((r) => r.userId))).toEqual(new Set(byUser.keys()));
    expect(await accessOfUsersAt(t.handle.db, b, [])).toEqual(new Map());
  });
});
