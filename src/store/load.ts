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
 * - a grant row's labels are the canonical union of its permission's and its resource's
 *   labels (labels.ts): the same role on the same resource under another scope is
 *   another grant;
 * - duplicates (the same grant twice, a user listed twice) collapse to one row;
 * - invites are keyed by (lower(email), group_id): emails differing only in case are one
 *   invite, kept with the spelling first loaded.
 */
import { type Kysely, sql } from 'kysely';
import type { ResourceRef, WorkspacePicture } from '../model/workspace.js';
import { canonicalLabels } from '../text/labels.js';
import type { Database } from './schema.js';

/** Array elements per statement (rows × columns): keeps PGlite's memory flat. */
const BATCH_ELEMENTS = 15_000;
const NO_RESOURCE: Readonly<ResourceRef> = { type: 'NONE', id: '' };

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
              resource_type text NOT NULL, resource_id text NOT NULL, labels text NOT NULL) ON COMMIT DROP`.execute(
    db,
  );
  await sql`CREATE TEMP TABLE stage_resources (
              resource_type text NOT NULL, resource_id text NOT NULL, name text NOT NULL,
              PRIMARY KEY (resource_type, resource_id)) ON COMMIT DROP`.execute(db);
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

type Column = (string | null)[];

/**
 * Column arrays of about BATCH_ELEMENTS elements, filled row by row: a generator over the
 * picture yields one batch at a time, so the rows of a whole table (300,000 grants at
 * 100,000 users) never exist at once, only the batch being inserted.
 */
class ColumnBatch {
  readonly #size: number;
  readonly #width: number;
  columns: Column[];

  constructor(width: number) {
    this.#width = width;
    this.#size = Math.max(1, Math.floor(BATCH_ELEMENTS / width));
    this.columns = this.#fresh();
  }

  #fresh(): Column[] {
    return Array.from({ length: this.#width }, () => []);
  }

  get rows(): number {
    return this.columns[0]?.length ?? 0;
  }

  get full(): boolean {
    return this.rows >= this.#size;
  }

  /** Appends one row: a value per column, in column order. */
  push(...row: Column[number][]): void {
    for (let i = 0; i < row.length; i++) this.columns[i]?.push(row[i] ?? null);
  }

  /** The batch so far; the next rows go into new arrays. */
  take(): Column[] {
    const out = this.columns;
    this.columns = this.#fresh();
    return out;
  }
}

export interface StageCounts {
  users: number;
  groups: number;
  memberships: number;
  grants: number;
  invites: number;
  resources: number;
}

/**
 * Grant rows (principal_type, principal_id, role_id, role_name, resource_type,
 * resource_id, labels), a batch at a time. Two permissions can name the same grant (the
 * same role and resource, their labels adding up to the same scope): each grant is kept
 * once per principal, the first role name winning.
 */
function* grantBatches(picture: WorkspacePicture): Generator<Column[]> {
  const batch = new ColumnBatch(7);
  const principals = [
    ['user', picture.users],
    ['group', picture.groups],
  ] as const;
  for (const [type, list] of principals) {
    for (const principal of list) {
      const seen = new Set<string>();
      for (const p of principal.permissions) {
        const resources = p.resources.length > 0 ? p.resources : [NO_RESOURCE];
        for (const r of resources) {
          const labels = canonicalLabels(p.labels, r.labels);
          const key = JSON.stringify([p.roleId, r.type, r.id, labels]);
          if (seen.has(key)) continue;
          seen.add(key);
          batch.push(type, principal.id, p.roleId, p.roleName, r.type, r.id, labels);
          if (batch.full) yield batch.take();
        }
      }
    }
  }
  if (batch.rows > 0) yield batch.take();
}

/** Membership rows (group_id, user_id), each pair once, a batch at a time. */
function* memberBatches(picture: WorkspacePicture): Generator<Column[]> {
  const batch = new ColumnBatch(2);
  const seen = new Map<string, Set<string>>();
  for (const g of picture.groups) {
    let members = seen.get(g.id);
    if (members === undefined) {
      members = new Set();
      seen.set(g.id, members);
    }
    for (const u of g.memberIds) {
      if (members.has(u)) continue;
      members.add(u);
      batch.push(g.id, u);
      if (batch.full) yield batch.take();
    }
  }
  if (batch.rows > 0) yield batch.take();
}

/** Invite rows (email, group id or null): workspace invites, then each group's, a batch at a time. */
function* inviteBatches(picture: WorkspacePicture): Generator<Column[]> {
  const batch = new ColumnBatch(2);
  const lists: [string | null, readonly string[]][] = [
    [null, picture.invites],
    ...picture.groups.map((g) => [g.id, g.inviteEmails] as [string, readonly string[]]),
  ];
  for (const [groupId, emails] of lists) {
    for (const e of emails) {
      batch.push(e, groupId);
      if (batch.full) yield batch.take();
    }
  }
  if (batch.rows > 0) yield batch.take();
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

  for (const [g, u] of memberBatches(picture)) {
    await sql`INSERT INTO stage_members (group_id, user_id)
        SELECT * FROM unnest(${g}::text[], ${u}::text[])`.execute(db);
  }

  for (const [a, b, c, d, e, f, l] of grantBatches(picture)) {
    await sql`INSERT INTO stage_grants
                (principal_type, principal_id, role_id, role_name, resource_type, resource_id, labels)
        SELECT * FROM unnest(${a}::text[], ${b}::text[], ${c}::text[], ${d}::text[], ${e}::text[], ${f}::text[],
                             ${l}::text[])`.execute(db);
  }

  await inBatches(picture.resources, 3, (s) =>
    sql`INSERT INTO stage_resources (resource_type, resource_id, name)
        SELECT * FROM unnest(${col(s, (r) => r.type)}::text[], ${col(s, (r) => r.id)}::text[],
                             ${col(s, (r) => r.name)}::text[])
        ON CONFLICT DO NOTHING`.execute(db),
  );

  for (const [e, g] of inviteBatches(picture)) {
    await sql`INSERT INTO stage_invites (email_key, group_key, email, group_id)
        SELECT lower(e), coalesce(g, ''), e, g
          FROM unnest(${e}::text[], ${g}::text[]) AS t (e, g)
        ON CONFLICT DO NOTHING`.execute(db);
  }

  const r = await sql<StageCounts>`
    SELECT (SELECT count(*) FROM stage_users)::int   AS users,
           (SELECT count(*) FROM stage_groups)::int  AS groups,
           (SELECT count(*) FROM stage_members)::int AS memberships,
           (SELECT count(*) FROM stage_grants)::int  AS grants,
           (SELECT count(*) FROM stage_invites)::int AS invites,
           (SELECT count(*) FROM stage_resources)::int AS resources`.execute(db);
  return r.rows[0]!;
}
