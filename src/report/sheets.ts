import type {
  AccessRow,
  AccessScope,
  ChangeAttributionCells,
  InviteRow,
  MembershipChangeRow,
  PermissionChangeRow,
  ReportData,
} from '../model/report-data.js';
import type { ReviewStatusRow } from '../model/review.js';
import type { ExceptionRow } from '../model/roster.js';
import { causeText } from './causes.js';
import { type Cell, flag, text } from './cells.js';

/**
 * The data sheets, pure: their names, columns and how a model row becomes cells. The
 * writer (write.ts) adds the presentation; the data hash (data-hash.ts) covers exactly
 * the cells produced here, so what is hashed is what is written.
 */

export type ColumnKind = 'text' | 'id' | 'email' | 'int' | 'date' | 'flag' | 'decision' | 'reason';

export interface ColumnSpec {
  /** Stable identifier of the column; the data hash names columns by key, not by header. */
  key: string;
  /** Header text; `{tz}` is replaced by the report's time zone. */
  header: string;
  kind: ColumnKind;
}

interface SheetSpec<T> {
  name: string;
  columns: readonly ColumnSpec[];
  toCells(row: T): Cell[];
}

/** A column with the cell it takes from a row: a column and its cell cannot drift apart. */
interface Column<T> extends ColumnSpec {
  cell(row: T): Cell;
}

function sheet<T>(name: string, columns: readonly Column<T>[]): SheetSpec<T> {
  return { name, columns, toCells: (row) => columns.map((c) => c.cell(row)) };
}

/** Decision list on the Access Review (a data validation list in the workbook). */
export const DECISIONS = ['Keep', 'Revoke'] as const;

/** The longest Reason the Access Review accepts (characters): a sentence or two, not a memo. */
export const REASON_MAX_LENGTH = 500;

/**
 * Column order, every sheet: what a reader scans first (the change, whether it is
 * privileged, who, what), names before ids, and the ids last: they identify a row for a
 * query or the review import, and nobody reads them on paper.
 */

const changeColumn: Column<{ change: string }> = {
  key: 'change',
  header: 'Change',
  kind: 'text',
  cell: (r) => r.change,
};
const privilegedColumn: Column<{ privileged: boolean }> = {
  key: 'privileged',
  header: 'Privileged',
  kind: 'flag',
  cell: (r) => flag(r.privileged),
};
const emailColumn: Column<{ email: string }> = {
  key: 'email',
  header: 'Email',
  kind: 'email',
  cell: (r) => text(r.email),
};
const groupNameColumn: Column<{ groupName: string | null }> = {
  key: 'groupName',
  header: 'Group',
  kind: 'text',
  cell: (r) => text(r.groupName),
};
const groupIdColumn: Column<{ groupId: string | null }> = {
  key: 'groupId',
  header: 'Group ID',
  kind: 'id',
  cell: (r) => text(r.groupId),
};

/**
 * Who made a change (the audit trail's actor) and what attribution flagged; a change with
 * no author says why, unless a flag already does (no-audit-event).
 */
const attributionColumns: readonly Column<{ attribution?: ChangeAttributionCells }>[] = [
  {
    key: 'changedBy',
    header: 'Changed by',
    kind: 'email',
    cell: ({ attribution: a }) =>
      text(a?.changedBy ?? (a?.note && a.flags.length === 0 ? `unattributed: ${a.note}` : null)),
  },
  { key: 'flags', header: 'Flags', kind: 'text', cell: (r) => text(r.attribution?.flags.join(', ') || null) },
];

/**
 * What access is and how it is held: the role, the resource by type and name with the
 * grant's label scope (empty when unscoped), and the path to it (`direct` or groups).
 */
const accessColumns: readonly Column<AccessScope & { via: string }>[] = [
  { key: 'roleName', header: 'Role', kind: 'text', cell: (r) => text(r.roleName) },
  { key: 'resourceType', header: 'Resource type', kind: 'text', cell: (r) => text(r.resourceType) },
  { key: 'resourceName', header: 'Resource name', kind: 'text', cell: (r) => text(r.resourceName) },
  { key: 'labels', header: 'Labels', kind: 'text', cell: (r) => text(r.labels) },
  { key: 'via', header: 'Via', kind: 'text', cell: (r) => text(r.via) },
];

/** The ids of a grant's user, role and resource (a resource's name is empty when its list was not read). */
const grantIdColumns: readonly Column<{ userId: string; roleId: string; resourceId: string }>[] = [
  { key: 'userId', header: 'User ID', kind: 'id', cell: (r) => text(r.userId) },
  { key: 'roleId', header: 'Role ID', kind: 'id', cell: (r) => text(r.roleId) },
  { key: 'resourceId', header: 'Resource ID', kind: 'id', cell: (r) => text(r.resourceId) },
];

const permissionChangesSheet = sheet<PermissionChangeRow>('Permission Changes', [
  // First: the writer tints a row by it (granted green, revoked red).
  changeColumn,
  privilegedColumn,
  emailColumn,
  ...accessColumns,
  { key: 'cause', header: 'Cause', kind: 'text', cell: causeText },
  ...attributionColumns,
  ...grantIdColumns,
]);

const inviteColumns: readonly Column<InviteRow>[] = [
  emailColumn,
  {
    key: 'scope',
    header: 'Invited to',
    kind: 'text',
    cell: (r) => (r.groupId === null ? 'workspace' : 'group'),
  },
  groupNameColumn,
  { key: 'firstSeen', header: 'First seen ({tz})', kind: 'date', cell: (r) => r.firstSeen },
  { key: 'daysPending', header: 'Days pending', kind: 'int', cell: (r) => r.daysPending },
];

const staleInvitesSheet = sheet<InviteRow>('Stale Invites', [
  ...inviteColumns,
  // The age counts from the trail's "Invite Created" event where it was kept, else first sight.
  {
    key: 'pendingSince',
    header: 'Pending since ({tz})',
    kind: 'date',
    cell: (r) => r.pendingSince?.at ?? r.firstSeen,
  },
  {
    key: 'pendingSinceSource',
    header: 'Date source',
    kind: 'text',
    cell: (r) => r.pendingSince?.source ?? 'first seen',
  },
  groupIdColumn,
]);

const membershipChangesSheet = sheet<MembershipChangeRow>('Membership Changes', [
  changeColumn,
  emailColumn,
  groupNameColumn,
  { key: 'detectedAt', header: 'Detected at ({tz})', kind: 'date', cell: (r) => r.detectedAt },
  ...attributionColumns,
  { key: 'userId', header: 'User ID', kind: 'id', cell: (r) => text(r.userId) },
  groupIdColumn,
]);

const accessReviewSheet = sheet<AccessRow>('Access Review', [
  privilegedColumn,
  emailColumn,
  { key: 'userName', header: 'Name', kind: 'text', cell: (r) => text(r.userName) },
  // Via: every path to the access, `direct` first, then the groups by name.
  ...accessColumns,
  // Left empty for the reviewer's sign-off, beside what is decided on; the workbook
  // validates both (a Keep/Revoke list, a bounded free text).
  { key: 'decision', header: 'Decision', kind: 'decision', cell: () => null },
  { key: 'reason', header: 'Reason', kind: 'reason', cell: () => null },
  ...grantIdColumns,
  // Reconciliation's suggestion (terminated, dormant, …): a text column apart and last, so
  // it is never read as the reviewer's Decision and no column before it moves.
  {
    key: 'suggestedDecision',
    header: 'Suggested decision',
    kind: 'text',
    cell: (r) => text(r.suggestedDecision),
  },
]);

/** Accounts that should not be there as they are (src/roster/exceptions.ts), privileged first. */
const exceptionsSheet = sheet<ExceptionRow>('Exceptions', [
  { key: 'exception', header: 'Exception', kind: 'text', cell: (r) => r.kind },
  privilegedColumn,
  emailColumn,
  { key: 'name', header: 'Name', kind: 'text', cell: (r) => text(r.name) },
  { key: 'subject', header: 'Account', kind: 'text', cell: (r) => r.subject },
  { key: 'detail', header: 'Detail', kind: 'text', cell: (r) => text(r.detail) },
  { key: 'days', header: 'Days', kind: 'int', cell: (r) => r.days },
  { key: 'access', header: 'Access held', kind: 'text', cell: (r) => text(r.access) },
  { key: 'accessRows', header: 'Access rows', kind: 'int', cell: (r) => r.accessRows },
  { key: 'userId', header: 'User ID', kind: 'id', cell: (r) => text(r.userId) },
]);

/**
 * Every review decision made by this snapshot (issue 16), oldest first: who decided what,
 * when and why, and where it stands — a `Revoke` `open` (days since the decision) or
 * `remediated` (the snapshot that no longer saw the access, and the audit.changes row).
 * Seam: a remediation action (audit.remediation_actions) can later stand in a column here.
 */
const reviewStatusSheet = sheet<ReviewStatusRow>('Review Status', [
  { key: 'decidedAt', header: 'Decided at ({tz})', kind: 'date', cell: (r) => r.decidedAt },
  { key: 'reviewer', header: 'Reviewer', kind: 'email', cell: (r) => text(r.reviewer) },
  {
    key: 'decision',
    header: 'Decision',
    kind: 'text',
    cell: (r) => (r.decision === 'keep' ? 'Keep' : 'Revoke'),
  },
  { key: 'state', header: 'Status', kind: 'text', cell: (r) => r.state },
  { key: 'daysOpen', header: 'Days open', kind: 'int', cell: (r) => r.daysOpen },
  privilegedColumn,
  emailColumn,
  ...accessColumns,
  { key: 'reason', header: 'Reason', kind: 'text', cell: (r) => text(r.reason) },
  { key: 'remediatedIn', header: 'Remediated in snapshot', kind: 'int', cell: (r) => r.remediatedSnapshotId },
  { key: 'changeId', header: 'Change ID', kind: 'id', cell: (r) => text(r.changeId) },
  { key: 'decisionSnapshot', header: 'Decided on snapshot', kind: 'int', cell: (r) => r.decisionSnapshotId },
  { key: 'decisionId', header: 'Decision ID', kind: 'id', cell: (r) => text(r.decisionId) },
  ...grantIdColumns,
]);

const invitesSheet = sheet<InviteRow>('Invites', [
  ...inviteColumns,
  { key: 'stale', header: 'Stale', kind: 'flag', cell: (r) => flag(r.stale) },
  groupIdColumn,
]);

/**
 * One data sheet with its rows in pages: one page in memory (small sheets) or streamed a
 * page at a time (Access Review).
 */
type SheetSource<T> = {
  spec: SheetSpec<T>;
  pages: () => Iterable<readonly T[]> | AsyncIterable<readonly T[]>;
};

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of sheets, each typed on its own.
export type AnySheetSource = SheetSource<any>;

/** Privileged rows first, each part in the store's order (a stable sort: deterministic). */
function privilegedFirst<T extends { privileged: boolean }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => Number(b.privileged) - Number(a.privileged));
}

/**
 * The streamed Access Review comes privileged rows first from its source (the store's
 * query orders it so: one read, memory flat); this only checks that promise, so a source
 * that broke it fails the report instead of burying an owner in the middle of the sheet.
 */
function privilegedFirstStream<T extends { privileged: boolean }>(
  pages: () => AsyncIterable<readonly T[]>,
): () => AsyncIterable<readonly T[]> {
  return async function* () {
    let rest = false;
    for await (const page of pages()) {
      for (const row of page) {
        if (!row.privileged) rest = true;
        else if (rest) throw new Error('the Access Review rows did not come privileged rows first');
      }
      yield page;
    }
  };
}

/** The first sheet: the run's facts and counts (sheet-writer.ts writes it). */
export const SUMMARY_SHEET = 'Summary';

/** Every sheet of the workbook in the contract's order: the Summary, then the data sheets of `dataSheets`. */
export const SHEET_NAMES: readonly string[] = [
  SUMMARY_SHEET,
  exceptionsSheet.name,
  permissionChangesSheet.name,
  staleInvitesSheet.name,
  membershipChangesSheet.name,
  accessReviewSheet.name,
  reviewStatusSheet.name,
  invitesSheet.name,
];

/** The data sheets in workbook order (after the Summary). */
export function dataSheets(data: ReportData): AnySheetSource[] {
  return [
    // Right after the Summary: what should not be there at all comes before what changed.
    { spec: exceptionsSheet, pages: () => [data.exceptions ?? []] },
    { spec: permissionChangesSheet, pages: () => [privilegedFirst(data.permissionChanges)] },
    { spec: staleInvitesSheet, pages: () => [data.staleInvites] },
    { spec: membershipChangesSheet, pages: () => [data.membershipChanges] },
    { spec: accessReviewSheet, pages: privilegedFirstStream(data.accessReview) },
    { spec: reviewStatusSheet, pages: () => [data.reviewStatus ?? []] },
    { spec: invitesSheet, pages: () => [data.invites] },
  ];
}

export function headerText(column: ColumnSpec, timezone: string): string {
  return column.header.replace('{tz}', timezone);
}
