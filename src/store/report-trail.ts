/**
 * The audit trail's part in a report between instants a and b: each Permission Changes and
 * Membership Changes row gets the author (and flags) of the change row behind it, the
 * Summary the counts, and the email's headline the self-grants and privileged grants made
 * by a token. It reads what the runs stored (audit.changes.changed_by, attribution_flags,
 * attribution_note; audit.snapshots.trail_*), so an old report rebuilds the same.
 */
import { type Kysely, sql } from 'kysely';
import type {
  ChangeAttributionCells,
  ChangeFlag,
  MembershipChangeRow,
  PermissionChangeRow,
  TrailHeadlineItem,
  TrailSummary,
} from '../model/report-data.js';
import type { Database } from './schema.js';
import type { SnapshotRow } from './snapshots.js';

interface AttributedChange {
  kind: string;
  subjectType: string;
  subjectId: string;
  subjectLabel: string | null;
  roleId: string | null;
  roleName: string | null;
  resourceType: string | null;
  resourceId: string | null;
  labels: string;
  groupId: string | null;
  groupName: string | null;
  changedBy: string | null;
  flags: ChangeFlag[];
  note: string | null;
  status: string | null;
}

/** The rule in force (PRIVILEGED_ROLES, model/privileged.ts): the sheets and the email mark rows by it. */
type IsPrivileged = (roleName: string, resourceType: string) => boolean;

async function changesBetween(db: Kysely<Database>, a: Date, b: Date): Promise<AttributedChange[]> {
  const r = await sql<AttributedChange>`
    SELECT c.kind, c.subject_type AS "subjectType", c.subject_id AS "subjectId", c.subject_label AS "subjectLabel",
           c.role_id AS "roleId", c.role_name AS "roleName", c.resource_type AS "resourceType",
           c.resource_id AS "resourceId", coalesce(c.labels, '') AS labels, c.group_id AS "groupId",
           c.detail->>'group_name' AS "groupName", c.changed_by AS "changedBy",
           c.attribution_flags AS flags, c.attribution_note AS note,
           c.attribution AS status
      FROM audit.changes c JOIN audit.snapshots s ON s.id = c.snapshot_id AND s.status = 'complete'
     WHERE s.taken_at > ${a}::timestamptz AND s.taken_at <= ${b}::timestamptz
     ORDER BY c.detected_at, c.id`.execute(db);
  return r.rows;
}

const cells = (c: AttributedChange): ChangeAttributionCells => ({
  changedBy: c.changedBy,
  flags: c.flags,
  note: c.note,
});

/** The key a change row is found by from a Permission Changes row (the latest of the period wins). */
function permissionKey(kind: string, parts: readonly (string | null)[]): string {
  return JSON.stringify([kind, ...parts]);
}

type KeyFields = Pick<
  AttributedChange,
  | 'kind'
  | 'subjectType'
  | 'subjectId'
  | 'subjectLabel'
  | 'groupName'
  | 'roleId'
  | 'resourceType'
  | 'resourceId'
  | 'labels'
>;

function keyOfChange(c: KeyFields): string {
  switch (c.kind) {
    case 'permission_granted':
    case 'permission_revoked':
      return permissionKey(c.kind, [
        c.subjectType,
        c.subjectType === 'user' ? c.subjectId : c.subjectLabel,
        c.roleId,
        c.resourceType,
        c.resourceId,
        c.labels,
      ]);
    case 'membership_added':
    case 'membership_removed':
      return permissionKey(c.kind, [c.subjectId, c.groupName]);
    case 'group_created':
    case 'group_deleted':
      return permissionKey(c.kind, [c.subjectLabel]);
    default:
      return permissionKey(c.kind, [c.subjectId]);
  }
}

/**
 * A Permission Changes row as the change row it comes from would name it: a direct grant's
 * subject is the user, a group's is the group (by name, as `subject_label` holds it).
 */
function keyOfRow(r: PermissionChangeRow): string {
  return keyOfChange({
    kind: r.cause,
    subjectType: r.via === 'direct' ? 'user' : 'group',
    subjectId: r.userId,
    subjectLabel: r.via,
    groupName: r.via,
    roleId: r.roleId,
    resourceType: r.resourceType,
    resourceId: r.resourceId,
    labels: r.labels,
  });
}

const membershipKey = (kind: string, userId: string, groupId: string | null) =>
  JSON.stringify([kind, userId, groupId]);

const privilegedGrant = (c: AttributedChange, isPrivileged: IsPrivileged): boolean =>
  c.roleName !== null && c.resourceType !== null && isPrivileged(c.roleName, c.resourceType);

function headlineOf(changes: readonly AttributedChange[], isPrivileged: IsPrivileged): TrailHeadlineItem[] {
  const items: TrailHeadlineItem[] = [];
  for (const c of changes) {
    if (c.changedBy === null) continue;
    const what =
      c.kind === 'membership_added'
        ? `joined the group ${c.groupName ?? c.groupId ?? ''}`
        : `${c.roleName ?? c.roleId ?? ''} on ${c.resourceType ?? ''} ${c.resourceId ?? ''}`.trim();
    const subject = c.subjectLabel ?? c.subjectId;
    if (c.flags.includes('self-granted'))
      items.push({ flag: 'self-granted', subject, what, changedBy: c.changedBy });
    else if (
      c.flags.includes('by-token') &&
      c.kind === 'permission_granted' &&
      privilegedGrant(c, isPrivileged)
    ) {
      items.push({ flag: 'by-token', subject, what, changedBy: c.changedBy });
    }
  }
  return items;
}

function summaryOf(
  cur: SnapshotRow,
  changes: readonly AttributedChange[],
  isPrivileged: IsPrivileged,
): TrailSummary {
  const flags: Record<ChangeFlag, number> = { 'self-granted': 0, 'by-token': 0, 'no-audit-event': 0 };
  let attributed = 0;
  let ambiguous = 0;
  for (const c of changes) {
    if (c.changedBy !== null) attributed++;
    if (c.status === 'ambiguous') ambiguous++;
    for (const f of c.flags) flags[f]++;
  }
  return {
    status: cur.trail_status,
    error: cur.trail_error,
    events: cur.trail_events,
    attributed,
    unattributed: changes.length - attributed,
    ambiguous,
    flags,
    headline: headlineOf(changes, isPrivileged),
  };
}

/**
 * Adds the authors to the rows (in place, as an `attribution` member) and returns the
 * Summary's trail figures. No previous snapshot (a baseline): no changes, only the status.
 */
export async function attributeReportRows(
  db: Kysely<Database>,
  cur: SnapshotRow,
  prev: SnapshotRow | undefined,
  rows: { permissionChanges: PermissionChangeRow[]; membershipChanges: MembershipChangeRow[] },
  isPrivileged: IsPrivileged,
): Promise<TrailSummary> {
  const changes = prev ? await changesBetween(db, prev.taken_at, cur.taken_at) : [];
  const byKey = new Map(changes.map((c) => [keyOfChange(c), c]));
  const byMembership = new Map(
    changes
      .filter((c) => c.kind === 'membership_added' || c.kind === 'membership_removed')
      .map((c) => [membershipKey(c.kind, c.subjectId, c.groupId), c]),
  );
  for (const r of rows.permissionChanges) {
    const c = byKey.get(keyOfRow(r));
    if (c) r.attribution = cells(c);
  }
  for (const r of rows.membershipChanges) {
    const kind = r.change === 'added' ? 'membership_added' : 'membership_removed';
    const c = byMembership.get(membershipKey(kind, r.userId, r.groupId));
    if (c) r.attribution = cells(c);
  }
  return summaryOf(cur, changes, isPrivileged);
}
