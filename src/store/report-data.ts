/**
 * ReportData for any pair of complete snapshots, from HISTORY alone (so `report
 * --snapshot ID --against ID` rebuilds old reports with the same content):
 * - Permission Changes: effective access (user × role × resource × via) at the previous
 *   snapshot's taken_at vs at this one's, keyed by role_id and via_group_id (renames are
 *   not changes), each row with the change kind behind it;
 * - Membership Changes: memberships valid at one instant and not the other;
 * - Invites / Stale Invites: invites open at this snapshot, aged from first_seen;
 * - Access Review: effective access at this snapshot (access-review.ts).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { AuditError } from '../errors.js';
import { DEFAULT_PRIVILEGED_ROLES, privilegedTest } from '../model/privileged.js';
import type {
  ChangeKind,
  InviteRow,
  MembershipChangeRow,
  PermissionChangeRow,
  ReportData,
} from '../model/report-data.js';
import type { Completeness, CrawlStats } from '../model/workspace.js';
import { accessReviewAt } from './access-review.js';
import { databaseError } from './errors.js';
import { attributeReportRows } from './report-trail.js';
import { getReport } from './reports.js';
import { reviewStatusAt } from './review-decisions.js';
import type { Database } from './schema.js';
import { getSnapshotRow, previousCompleteSnapshot, type SnapshotRow, toSnapshotInfo } from './snapshots.js';

type Db = Kysely<Database>;
type PrivilegedTest = ReturnType<typeof privilegedTest>;

export interface LoadReportDataInput {
  snapshotId: number;
  /** The snapshot to compare with; undefined → the complete snapshot before; null → none (baseline). */
  againstId?: number | null;
  timezone: string;
  toolVersion: string;
  generatedAt: Date;
  /** Users per page of the Access Review stream (default 100: access-review.ts). */
  accessPageUsers?: number;
  /**
   * Ask for the Access Review's user lists now, for its first walk, so they are read while
   * the rest of the report is prepared (for a report about to be written; a load that
   * only needs the summary leaves this off).
   */
  readAhead?: boolean;
  /** PRIVILEGED_ROLES (default: model/privileged.ts): sets every row's `privileged`. */
  privilegedRoles?: readonly string[];
}

async function completeRow(db: Db, id: number, role: string): Promise<SnapshotRow> {
  const row = await getSnapshotRow(db, id);
  if (!row) throw new AuditError('SNAPSHOT_NOT_FOUND', `${role} snapshot ${id} does not exist`);
  if (row.status !== 'complete') {
    throw new AuditError(
      'SNAPSHOT_NOT_FOUND',
      `${role} snapshot ${id} is ${row.status}: only complete snapshots have reports`,
    );
  }
  return row;
}

/** Row `alias` of a history table was valid at instant `at`: opened by then and not yet closed. */
function validAt(alias: string, at: Date): RawBuilder<unknown> {
  const from = sql.ref(`${alias}.valid_from`);
  const to = sql.ref(`${alias}.valid_to`);
  return sql`${from} <= ${at}::timestamptz AND (${to} IS NULL OR ${to} > ${at}::timestamptz)`;
}

/** The change kinds a row gained (or lost) is put down to, most specific first. */
interface CauseKinds {
  user: ChangeKind;
  grant: ChangeKind;
  group: ChangeKind;
  membership: ChangeKind;
}
const GAINED: CauseKinds = {
  user: 'user_added',
  grant: 'permission_granted',
  group: 'group_created',
  membership: 'membership_added',
};
const LOST: CauseKinds = {
  user: 'user_removed',
  grant: 'permission_revoked',
  group: 'group_deleted',
  membership: 'membership_removed',
};

/**
 * Why effective-access row `r` was gained (or lost): its user did not exist at the other
 * instant `other`, or (through a group) the group did not, or the membership did not;
 * otherwise a grant changed.
 */
function changeCause(r: string, other: Date, kinds: CauseKinds): RawBuilder<unknown> {
  const userId = sql.ref(`${r}.user_id`);
  const groupId = sql.ref(`${r}.via_group_id`);
  return sql`CASE
             WHEN NOT EXISTS (SELECT 1 FROM audit.user_history u WHERE u.user_id = ${userId}
                                AND ${validAt('u', other)}) THEN ${sql.lit(kinds.user)}
             WHEN ${groupId} IS NULL THEN ${sql.lit(kinds.grant)}
             WHEN NOT EXISTS (SELECT 1 FROM audit.group_history x WHERE x.group_id = ${groupId}
                                AND ${validAt('x', other)}) THEN ${sql.lit(kinds.group)}
             WHEN NOT EXISTS (SELECT 1 FROM audit.membership_history m
                               WHERE m.user_id = ${userId} AND m.group_id = ${groupId}
                                 AND ${validAt('m', other)}) THEN ${sql.lit(kinds.membership)}
             ELSE ${sql.lit(kinds.grant)}
           END`;
}

/**
 * Users whose effective access may differ between instants a and b: those with a user,
 * membership or direct grant row opened or closed in (a, b], and the members (at a or b)
 * of groups whose row or grants changed in (a, b]. Everyone else's access is the same at
 * both instants, so the comparison below only looks at these.
 */
async function affectedUsers(db: Db, a: Date, b: Date): Promise<string[]> {
  const r = await sql<{ user_id: string }>`
    WITH bounds AS (SELECT ${a}::timestamptz AS a, ${b}::timestamptz AS b),
         changed_groups AS (
           SELECT g.group_id FROM audit.group_history g, bounds
            WHERE (g.valid_from > bounds.a AND g.valid_from <= bounds.b) OR (g.valid_to > bounds.a AND g.valid_to <= bounds.b)
           UNION
           SELECT g.principal_id FROM audit.grant_history g, bounds
            WHERE g.principal_type = 'group'
              AND ((g.valid_from > bounds.a AND g.valid_from <= bounds.b) OR (g.valid_to > bounds.a AND g.valid_to <= bounds.b)))
    SELECT u.user_id FROM audit.user_history u, bounds
     WHERE (u.valid_from > bounds.a AND u.valid_from <= bounds.b) OR (u.valid_to > bounds.a AND u.valid_to <= bounds.b)
    UNION
    SELECT m.user_id FROM audit.membership_history m, bounds
     WHERE (m.valid_from > bounds.a AND m.valid_from <= bounds.b) OR (m.valid_to > bounds.a AND m.valid_to <= bounds.b)
    UNION
    SELECT g.principal_id FROM audit.grant_history g, bounds
     WHERE g.principal_type = 'user'
       AND ((g.valid_from > bounds.a AND g.valid_from <= bounds.b) OR (g.valid_to > bounds.a AND g.valid_to <= bounds.b))
    UNION
    SELECT m.user_id FROM audit.membership_history m JOIN changed_groups c ON c.group_id = m.group_id, bounds
     WHERE (m.valid_from <= bounds.a AND (m.valid_to IS NULL OR m.valid_to > bounds.a))
        OR (m.valid_from <= bounds.b AND (m.valid_to IS NULL OR m.valid_to > bounds.b))`.execute(db);
  return r.rows.map((row) => row.user_id);
}

/** The remediation action applied in (a, b] that removed lost row `l`'s direct grant, if any. */
function remediatedBy(a: Date, b: Date): RawBuilder<unknown> {
  return sql`(SELECT min(r.id)::text FROM audit.remediation_actions r, jsonb_array_elements(r.revoked) k
               WHERE l.via_group_id IS NULL AND r.operation = 'replace_permissions_for_user'
                 AND r.outcome IN ('sent', 'found-done') AND r.target = l.user_id
                 AND r.applied_at > ${a}::timestamptz AND r.applied_at <= ${b}::timestamptz
                 AND k->>'roleId' = l.role_id AND k->>'resourceType' = l.resource_type
                 AND k->>'resourceId' = l.resource_id AND k->>'labels' = l.labels)`;
}

/**
 * Effective-access rows (user × role × resource × labels × via) gained or lost between
 * instants a and b, with their cause; a lost row names its resource as at a, a gained one
 * as at b. A change of labels is the old scope lost and the new one gained.
 */
async function permissionChanges(
  db: Db,
  a: Date,
  b: Date,
  isPrivileged: PrivilegedTest,
): Promise<PermissionChangeRow[]> {
  const users = await affectedUsers(db, a, b);
  if (users.length === 0) return [];
  const r = await sql<Omit<PermissionChangeRow, 'privileged'>>`
    WITH ea AS MATERIALIZED (SELECT * FROM audit.effective_access_at(${a}::timestamptz, ${users}::text[])),
         eb AS MATERIALIZED (SELECT * FROM audit.effective_access_at(${b}::timestamptz, ${users}::text[])),
         gained AS (
           SELECT * FROM eb WHERE NOT EXISTS (
             SELECT 1 FROM ea WHERE ea.user_id = eb.user_id AND ea.role_id = eb.role_id
                AND ea.resource_type = eb.resource_type AND ea.resource_id = eb.resource_id
                AND ea.labels = eb.labels AND ea.via_group_id IS NOT DISTINCT FROM eb.via_group_id)),
         lost AS (
           SELECT * FROM ea WHERE NOT EXISTS (
             SELECT 1 FROM eb WHERE eb.user_id = ea.user_id AND eb.role_id = ea.role_id
                AND eb.resource_type = ea.resource_type AND eb.resource_id = ea.resource_id
                AND eb.labels = ea.labels AND eb.via_group_id IS NOT DISTINCT FROM ea.via_group_id))
    SELECT 'granted' AS change, g.user_id AS "userId", g.email, g.role_id AS "roleId", g.role_name AS "roleName",
           g.resource_type AS "resourceType", g.resource_id AS "resourceId", g.resource_name AS "resourceName",
           g.labels, g.via,
           ${changeCause('g', a, GAINED)} AS cause, NULL::text AS "remediationActionId"
      FROM gained g
    UNION ALL
    SELECT 'revoked', l.user_id, l.email, l.role_id, l.role_name, l.resource_type, l.resource_id, l.resource_name,
           l.labels, l.via,
           ${changeCause('l', b, LOST)}, ${remediatedBy(a, b)}
      FROM lost l
     ORDER BY 3, 2, 5, 6, 7, 9, 10, 1`.execute(db);
  return r.rows.map((row) => ({ ...row, privileged: isPrivileged(row.roleName, row.resourceType) }));
}

/** Joins membership row `m` to its user (`u`) and group (`g`) as they were at instant `at`. */
function memberNamesAt(at: Date): RawBuilder<unknown> {
  return sql`LEFT JOIN audit.user_history u ON u.user_id = m.user_id AND ${validAt('u', at)}
      LEFT JOIN audit.group_history g ON g.group_id = m.group_id AND ${validAt('g', at)}`;
}

/**
 * Memberships valid at b and not at a (added, seen first at valid_from) and the reverse
 * (removed, at valid_to). A row valid at b and not at a opened after a, and one valid at a
 * and not at b closed by b (a is before b): those few candidates are looked at, not every
 * membership at both instants (two sorts of 100,000 rows, most of this read's time). A
 * pair with a row at the other instant too (left and joined again) is no change.
 */
async function membershipChanges(db: Db, a: Date, b: Date): Promise<MembershipChangeRow[]> {
  const r = await sql<MembershipChangeRow>`
    SELECT 'added' AS change, m.user_id AS "userId", coalesce(u.email, '') AS email, m.group_id AS "groupId",
           coalesce(g.name, '') AS "groupName", m.valid_from AS "detectedAt"
      FROM audit.membership_history m
      ${memberNamesAt(b)}
     WHERE m.valid_from > ${a}::timestamptz AND ${validAt('m', b)}
       AND NOT EXISTS (SELECT 1 FROM audit.membership_history x
                        WHERE x.user_id = m.user_id AND x.group_id = m.group_id AND ${validAt('x', a)})
    UNION ALL
    SELECT 'removed', m.user_id, coalesce(u.email, ''), m.group_id, coalesce(g.name, ''), m.valid_to
      FROM audit.membership_history m
      ${memberNamesAt(a)}
     WHERE m.valid_to <= ${b}::timestamptz AND ${validAt('m', a)}
       AND NOT EXISTS (SELECT 1 FROM audit.membership_history x
                        WHERE x.user_id = m.user_id AND x.group_id = m.group_id AND ${validAt('x', b)})
     ORDER BY 6, 3, 5, 1`.execute(db);
  return r.rows;
}

/**
 * Invites open at instant b, oldest first, aged in whole days to b from the invite's
 * "Invite Created" event where the trail kept one (before first sight), else from first_seen.
 * One first seen by the first complete snapshot (the baseline) with no such event was
 * already open before the audit began: its age is a lower bound (`seenAtBaseline`).
 */
async function invitesAt(db: Db, b: Date, staleInviteDays: number): Promise<InviteRow[]> {
  const r = await sql<Omit<InviteRow, 'stale' | 'pendingSince'> & { createdAt: Date | null }>`
    SELECT i.email, i.group_id AS "groupId", g.name AS "groupName", i.first_seen AS "firstSeen",
           floor(extract(epoch FROM (${b}::timestamptz - coalesce(e.created_at, i.first_seen))) / 86400)::integer
             AS "daysPending",
           e.created_at AS "createdAt",
           (e.created_at IS NULL AND coalesce(
              i.first_seen <= (SELECT min(s.taken_at) FROM audit.snapshots s WHERE s.status = 'complete'),
              false)) AS "seenAtBaseline"
      FROM audit.invite_history i
      LEFT JOIN audit.group_history g ON g.group_id = i.group_id
            AND ${validAt('g', b)}
      LEFT JOIN LATERAL (
        SELECT max(x.occurred_at) AS created_at FROM audit.audit_events x
         WHERE lower(x.type) = 'invite created'
           AND (lower(x.resource_id) = lower(i.email) OR lower(x.resource_name) = lower(i.email))
           AND x.occurred_at <= i.first_seen) e ON true
     WHERE i.first_seen <= ${b}::timestamptz AND (i.closed_at IS NULL OR i.closed_at > ${b}::timestamptz)
     ORDER BY coalesce(e.created_at, i.first_seen), lower(i.email), i.group_id NULLS FIRST`.execute(db);
  return r.rows.map(({ createdAt, ...row }) => ({
    ...row,
    stale: row.daysPending >= staleInviteDays,
    pendingSince:
      createdAt === null
        ? { at: row.firstSeen, source: 'first seen' }
        : { at: createdAt, source: 'audit event' },
  }));
}

async function changeCounts(db: Db, from: Date, to: Date): Promise<Partial<Record<ChangeKind, number>>> {
  const r = await sql<{ kind: ChangeKind; n: number }>`
    SELECT c.kind, count(*)::int AS n
      FROM audit.changes c JOIN audit.snapshots s ON s.id = c.snapshot_id AND s.status = 'complete'
     WHERE s.taken_at > ${from}::timestamptz AND s.taken_at <= ${to}::timestamptz
     GROUP BY c.kind`.execute(db);
  return Object.fromEntries(r.rows.map((row) => [row.kind, row.n]));
}

export async function loadReportData(db: Db, input: LoadReportDataInput): Promise<ReportData> {
  try {
    const cur = await completeRow(db, input.snapshotId, 'the');
    let prev: SnapshotRow | undefined;
    if (input.againstId === undefined) prev = await previousCompleteSnapshot(db, cur.taken_at);
    else if (input.againstId !== null) {
      prev = await completeRow(db, input.againstId, 'the --against');
      if (prev.taken_at.getTime() >= cur.taken_at.getTime()) {
        throw new AuditError(
          'USAGE',
          `--against ${prev.id} must be a snapshot taken before snapshot ${cur.id} (${cur.taken_at.toISOString()})`,
        );
      }
    }
    const b = cur.taken_at;
    const privilegedRoles = input.privilegedRoles ?? DEFAULT_PRIVILEGED_ROLES;
    const isPrivileged = privilegedTest(privilegedRoles);
    // Independent reads, asked for together: against a server each has a connection of its
    // own and PostgreSQL works on them side by side (the embedded database takes them in turn).
    const [invites, previousReport, permissionRows, membershipRows, changeCountsOf, reviewStatus] =
      await Promise.all([
        invitesAt(db, b, cur.stale_invite_days),
        prev ? getReport(db, prev.id) : null,
        prev ? permissionChanges(db, prev.taken_at, b, isPrivileged) : [],
        prev ? membershipChanges(db, prev.taken_at, b) : [],
        prev ? changeCounts(db, prev.taken_at, b) : {},
        reviewStatusAt(db, cur.id, b),
      ]);
    const changed = { permissionChanges: permissionRows, membershipChanges: membershipRows };
    const trail = await attributeReportRows(db, cur, prev, changed, isPrivileged);
    return {
      summary: {
        workspace: {
          id: cur.workspace_id ?? '',
          slug: cur.workspace_slug ?? '',
          name: cur.workspace_name ?? '',
        },
        apiUrl: cur.api_url,
        toolVersion: input.toolVersion,
        generatedAt: input.generatedAt,
        timezone: input.timezone,
        current: toSnapshotInfo(cur),
        previous: prev ? toSnapshotInfo(prev) : null,
        staleInviteDays: cur.stale_invite_days,
        completeness: (cur.completeness as Completeness | null) ?? null,
        crawlStats: (cur.crawl_stats as CrawlStats | null) ?? null,
        previousDataSha256: previousReport?.dataSha256 ?? null,
        changeCounts: changeCountsOf,
        privilegedRoles,
        trail,
      },
      permissionChanges: changed.permissionChanges,
      staleInvites: invites.filter((i) => i.stale),
      membershipChanges: changed.membershipChanges,
      accessReview: accessReviewAt(db, b, privilegedRoles, {
        pageUsers: input.accessPageUsers,
        readAhead: input.readAhead ?? false,
      }),
      invites,
      reviewStatus,
    };
  } catch (error) {
    throw databaseError(error, `loading the report data of snapshot ${input.snapshotId}`);
  }
}
