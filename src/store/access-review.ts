/**
 * The Access Review's rows: audit.effective_access_at(b) with every path to a grant in
 * one row. A reviewer decides on user × role × resource × labels; whether it comes
 * directly or through three groups is context (the `Via` cell: `direct` first, then the
 * groups by name), not three rows of which revoking one would mean nothing.
 *
 * Streamed a page of users at a time (short queries, nothing held open: the embedded
 * database has one connection), users ordered by email.
 */
import { type Kysely, sql } from 'kysely';
import type { AccessRow } from '../model/report-data.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** One page of users' rows, in the sheet's order. */
export function accessPage(db: Db, b: Date, page: readonly string[]) {
  return sql<Omit<AccessRow, 'privileged'>>`
    SELECT user_id AS "userId", min(email) AS email, min(user_name) AS "userName",
           role_id AS "roleId", min(role_name) AS "roleName",
           resource_type AS "resourceType", resource_id AS "resourceId", min(resource_name) AS "resourceName",
           labels,
           string_agg(via, '; ' ORDER BY via_group_id IS NOT NULL, via, via_group_id) AS via
      FROM audit.effective_access_at(${b}::timestamptz, ${page}::text[])
     GROUP BY user_id, role_id, resource_type, resource_id, labels
     ORDER BY 2, 1, 5, 4, 6, 7, 9`.execute(db);
}

/**
 * Streams the review at instant b; a factory, so the report can walk it twice. Each row's
 * `privileged` comes from the rule in force (model/privileged.ts), not from the database.
 */
export function accessReviewAt(
  db: Db,
  b: Date,
  isPrivileged: (roleName: string, resourceType: string) => boolean,
  pageUsers = 1000,
): () => AsyncIterable<AccessRow> {
  return async function* () {
    const users = await sql<{ user_id: string }>`
      SELECT user_id FROM audit.user_history
       WHERE valid_from <= ${b}::timestamptz AND (valid_to IS NULL OR valid_to > ${b}::timestamptz)
       ORDER BY email, user_id`.execute(db);
    const ids = users.rows.map((u) => u.user_id);
    for (let i = 0; i < ids.length; i += pageUsers) {
      const page = await accessPage(db, b, ids.slice(i, i + pageUsers));
      for (const row of page.rows) yield { ...row, privileged: isPrivileged(row.roleName, row.resourceType) };
    }
  };
}
