/**
 * Loads one WorkspacePicture into staging tables, set-based: each table is filled by
 * `INSERT … SELECT … FROM unnest($1::text[], …)` in batches of about 15,000 array
 * elements (keeps PGlite's memory flat; larger batches were measured no faster on a real
 * server), never a row at a time. COPY is not used: through pglite-socket it hangs (see the toolchain notes).
 *
 * Retention: the staging tables are TEMPORARY … ON COMMIT DROP, so raw per-snapshot rows
 * live only for the snapshot's transaction. Nothing raw is kept: the history relations
 * (kept forever) reconstruct every complete snapshot exactly — the state at its taken_at —
 * and the snapshot row keeps the picture's metadata (workspace, API URL, threshold,
 * roles, completeness, crawl statistics). A crash or rollback drops them too.
 *
 * Flattening rules:
 * - a permission becomes one grant row per resource; a permission with an EMPTY
 *   resources list is kept as one row with resource_type 'NONE' and resource_id '' (a
 *   role bound to nothing is still a fact an auditor should see; it is never privileged);
 * - duplicates (the same grant twice, a user listed twice) collapse to one row;
 * - invites are keyed by (lower(email), group_id): emails differing only in case are one
 *   invite, kept with the spelling first loaded.
 */
import { type Kysely, sql } from 'kysely';
import type { WorkspacePicture } from '../model/workspace.js';
import type { Database } from './schema.js';

/** Array elements per statement (rows × columns): keeps PGlite's memory flat. */
export const BATCH_ELEMENTS = 15_000;
export const NO_RESOURCE = { type: 'NONE', id: '' } as const;

type Db = Kysely<Database>;

async function createStageTables(db: Db): Promise<void> {
  await sql`CREATE TEMP TABLE stage_users (
              user_id text PRIMARY KEY, email text NOT NULL, name text NOT NULL) ON COMMIT DROP`.execute(db);
  await sql`CREATE TEMP TABLE stage_groups (
              group_id text PRIMARY KEY, name text NOT NULL, member_count integer) ON COMMIT DROP`.execute(
    db,
  );
  // Members and grants are deduplicated in JavaScript: no key to maintain while loading.
  await sql`CREATE TEMP TABLE stage_members (group_id text NOT NULL, user_id text NOT NULL) ON COMMIT DROP`.execute(
    db,
  );
  await sql`CREATE TEMP TABLE stage_grants (
              principal_type text NOT NULL, principal_id text NOT NULL,
              role_id text NOT NULL, role_name text NOT NULL,
              resource_type text NOT NULL, resource_id text NOT NULL) ON COMMIT DROP`.execute(db);
  await sql`CREATE TEMP TABLE stage_invites (
              email_key text NOT NULL, group_key text NOT NULL,
              email text NOT NULL, group_id text,
              PRIMARY KEY (email_key, group_key)) ON COMMIT DROP`.execute(db);
}

/** Runs `insert(slice)` over `rows` in batches of about BATCH_ELEMENTS array elements. */
async function inBatches<T>(
  rows: readonly T[],
  columns: number,
  insert: (slice: readonly T[]) => Promise<unknown>,
): Promise<void> {
  const size = Math.max(1, Math.floor(BATCH_ELEMENTS / columns));
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

const col = <T>(rows: readonly T[], pick: (row: T) => string | null): (string | null)[] => rows.map(pick);

export interface StageCounts {
  users: number;
  groups: number;
  memberships: number;
  grants: number;
  invites: number;
}

export function flattenGrants(picture: WorkspacePicture): [string, string, string, string, string, string][] {
  const out: [string, string, string, string, string, string][] = [];
  const add = (
    type: 'user' | 'group',
    id: string,
    permissions: WorkspacePicture['users'][number]['permissions'],
  ) => {
    for (const p of permissions) {
      const resources = p.resources.length > 0 ? p.resources : [NO_RESOURCE];
      for (const r of resources) out.push([type, id, p.roleId, p.roleName, r.type, r.id]);
    }
  };
  for (const u of picture.users) add('user', u.id, u.permissions);
  for (const g of picture.groups) add('group', g.id, g.permissions);
  return out;
}

export async function loadPicture(db: Db, picture: WorkspacePicture): Promise<StageCounts> {
  await createStageTables(db);

  await inBatches(picture.users, 3, (s) =>
    sql`INSERT INTO stage_users (user_id, email, name)
        SELECT * FROM unnest(${col(s, (u) => u.id)}::text[], ${col(s, (u) => u.email)}::text[],
                             ${col(s, (u) => u.name)}::text[])
        ON CONFLICT DO NOTHING`.execute(db),
  );

  await inBatches(picture.groups, 3, (s) =>
    sql`INSERT INTO stage_groups (group_id, name, member_count)
        SELECT * FROM unnest(${col(s, (g) => g.id)}::text[], ${col(s, (g) => g.name)}::text[],
                             ${s.map((g) => g.memberCount)}::integer[])
        ON CONFLICT DO NOTHING`.execute(db),
  );

  const seenMembers = new Set<string>();
  const members = picture.groups.flatMap((g) =>
    g.memberIds
      .filter((u) => {
        const key = `${g.id}\u0000${u}`;
        if (seenMembers.has(key)) return false;
        seenMembers.add(key);
        return true;
      })
      .map((u) => [g.id, u] as const),
  );
  await inBatches(members, 2, (s) =>
    sql`INSERT INTO stage_members (group_id, user_id)
        SELECT * FROM unnest(${col(s, (m) => m[0])}::text[], ${col(s, (m) => m[1])}::text[])`.execute(db),
  );

  const grants = flattenGrants(picture);
  await inBatches(grants, 6, (s) =>
    sql`INSERT INTO stage_grants (principal_type, principal_id, role_id, role_name, resource_type, resource_id)
        SELECT * FROM unnest(${col(s, (g) => g[0])}::text[], ${col(s, (g) => g[1])}::text[],
                             ${col(s, (g) => g[2])}::text[], ${col(s, (g) => g[3])}::text[],
                             ${col(s, (g) => g[4])}::text[], ${col(s, (g) => g[5])}::text[])`.execute(db),
  );

  const invites: [string, string | null][] = [
    ...picture.invites.map((e) => [e, null] as [string, null]),
    ...picture.groups.flatMap((g) => g.inviteEmails.map((e) => [e, g.id] as [string, string])),
  ];
  await inBatches(invites, 2, (s) =>
    sql`INSERT INTO stage_invites (email_key, group_key, email, group_id)
        SELECT lower(e), coalesce(g, ''), e, g
          FROM unnest(${col(s, (i) => i[0])}::text[], ${col(s, (i) => i[1])}::text[]) AS t (e, g)
        ON CONFLICT DO NOTHING`.execute(db),
  );

  const r = await sql<StageCounts>`
    SELECT (SELECT count(*) FROM stage_users)::int   AS users,
           (SELECT count(*) FROM stage_groups)::int  AS groups,
           (SELECT count(*) FROM stage_members)::int AS memberships,
           (SELECT count(*) FROM stage_grants)::int  AS grants,
           (SELECT count(*) FROM stage_invites)::int AS invites`.execute(db);
  return r.rows[0]!;
}
