/**
 * The figures behind the download site's /metrics, from the database (so they are right
 * whichever process ran the audit): the last complete snapshot and the failures so far.
 */
import { type Kysely, sql } from 'kysely';
import type { RunMetrics } from '../model/site.js';
import { databaseError } from './errors.js';
import type { Database } from './schema.js';

export async function runMetrics(db: Kysely<Database>): Promise<RunMetrics> {
  try {
    const r = await sql<RunMetrics>`
      WITH last AS (
        SELECT * FROM audit.snapshots WHERE status = 'complete' ORDER BY taken_at DESC LIMIT 1
      )
      SELECT l.finished_at AS "lastSuccessAt",
             extract(epoch FROM (l.finished_at - l.started_at))::float8 AS "lastDurationSeconds",
             (SELECT r.permission_changes FROM audit.reports r WHERE r.snapshot_id = l.id
               ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS "lastPermissionChanges",
             CASE WHEN l.id IS NOT NULL THEN
               (SELECT count(*)::int FROM audit.invite_history i
                 WHERE i.first_seen <= l.taken_at AND (i.closed_at IS NULL OR i.closed_at > l.taken_at)
                   AND floor(extract(epoch FROM (l.taken_at - i.first_seen)) / 86400) >= l.stale_invite_days)
             END AS "lastStaleInvites",
             (l.crawl_stats ->> 'requests')::int AS "lastApiRequests",
             (l.crawl_stats ->> 'rateLimited')::int AS "lastApiRateLimited",
             (SELECT count(*)::int FROM audit.snapshots WHERE status IN ('failed', 'abandoned')) AS "runsFailed"
        FROM (SELECT 1) one LEFT JOIN last l ON true`.execute(db);
    const row = r.rows[0]!;
    return {
      ...row,
      lastDurationSeconds: row.lastDurationSeconds === null ? null : Math.max(0, row.lastDurationSeconds),
    };
  } catch (error) {
    throw databaseError(error, 'reading run metrics');
  }
}
