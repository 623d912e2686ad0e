import type {
  AccessRow,
  AccessScope,
  InviteRow,
  MembershipChangeRow,
  PermissionChangeRow,
  ReportData,
} from '../model/report-data.js';
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

/** Decision list on the Access Review (a data validation list in the workbook). */
export const DECISIONS = ['Keep', 'Revoke'] as const;

/** The longest Reason the Access Review accepts (characters): a sentence or two, not a memo. */
export const REASON_MAX_LENGTH = 500;

/**
 * Column order, every sheet: what a reader scans first (the change, whether it is
 * privileged, who, what), names before ids, and the ids last: they identify a row for a
 * query or the review import, and nobody reads them on paper.
 */

/**
 * What access is and how it is held: the role, the resource by type and name with the
 * grant's label scope (empty when unscoped), and the path to it (`direct` or groups).
 */
const accessColumns: readonly ColumnSpec[] = [
  { key: 'roleName', header: 'Role', kind: 'text' },
  { key: 'resourceType', header: 'Resource type', kind: 'text' },
  { key: 'resourceName', header: 'Resource name', kind: 'text' },
  { key: 'labels', header: 'Labels', kind: 'text' },
  { key: 'via', header: 'Via', kind: 'text' },
];

function accessCells(r: AccessScope & { via: string }): Cell[] {
  return [text(r.roleName), text(r.resourceType), text(r.resourceName), text(r.labels), text(r.via)];
}

/** The ids of a grant's user, role and resource (a resource's name is empty when its list was not read). */
const grantIdColumns: readonly ColumnSpec[] = [
  { key: 'userId', header: 'User ID', kind: 'id' },
  { key: 'roleId', header: 'Role ID', kind: 'id' },
  { key: 'resourceId', header: 'Resource ID', kind: 'id' },
];

function grantIdCells(r: { userId: string; roleId: string; resourceId: string }): Cell[] {
  return [text(r.userId), text(r.roleId), text(r.resourceId)];
}

const permissionChangesSheet: SheetSpec<PermissionChangeRow> = {
  name: 'Permission Changes',
  columns: [
    // First: the writer tints a row by it (granted green, revoked red).
    { key: 'change', header: 'Change', kind: 'text' },
    { key: 'privileged', header: 'Privileged', kind: 'flag' },
    { key: 'email', header: 'Email', kind: 'email' },
    ...accessColumns,
    { key: 'cause', header: 'Cause', kind: 'text' },
    ...grantIdColumns,
  ],
  toCells: (r) => [
    r.change,
    flag(r.privileged),
    text(r.email),
    ...accessCells(r),
    causeText(r),
    ...grantIdCells(r),
  ],
};

function inviteCells(r: InviteRow): Cell[] {
  return [
    text(r.email),
    r.groupId === null ? 'workspace' : 'group',
    text(r.groupName),
    r.firstSeen,
    r.daysPending,
  ];
}

const inviteColumns: ColumnSpec[] = [
  { key: 'email', header: 'Email', kind: 'email' },
  { key: 'scope', header: 'Invited to', kind: 'text' },
  { key: 'groupName', header: 'Group', kind: 'text' },
  { key: 'firstSeen', header: 'First seen ({tz})', kind: 'date' },
  { key: 'daysPending', header: 'Days pending', kind: 'int' },
];

const groupIdColumn: ColumnSpec = { key: 'groupId', header: 'Group ID', kind: 'id' };

const staleInvitesSheet: SheetSpec<InviteRow> = {
  name: 'Stale Invites',
  columns: [...inviteColumns, groupIdColumn],
  toCells: (r) => [...inviteCells(r), text(r.groupId)],
};

const membershipChangesSheet: SheetSpec<MembershipChangeRow> = {
  name: 'Membership Changes',
  columns: [
    { key: 'change', header: 'Change', kind: 'text' },
    { key: 'email', header: 'Email', kind: 'email' },
    { key: 'groupName', header: 'Group', kind: 'text' },
    { key: 'detectedAt', header: 'Detected at ({tz})', kind: 'date' },
    { key: 'userId', header: 'User ID', kind: 'id' },
    groupIdColumn,
  ],
  toCells: (r) => [r.change, text(r.email), text(r.groupName), r.detectedAt, text(r.userId), text(r.groupId)],
};

const accessReviewSheet: SheetSpec<AccessRow> = {
  name: 'Access Review',
  columns: [
    { key: 'privileged', header: 'Privileged', kind: 'flag' },
    { key: 'email', header: 'Email', kind: 'email' },
    { key: 'userName', header: 'Name', kind: 'text' },
    // Via: every path to the access, `direct` first, then the groups by name.
    ...accessColumns,
    // Left empty for the reviewer's sign-off, beside what is decided on; the workbook
    // validates both (a Keep/Revoke list, a bounded free text).
    { key: 'decision', header: 'Decision', kind: 'decision' },
    { key: 'reason', header: 'Reason', kind: 'reason' },
    ...grantIdColumns,
  ],
  toCells: (r) => [
    flag(r.privileged),
    text(r.email),
    text(r.userName),
    ...accessCells(r),
    null,
    null,
    ...grantIdCells(r),
  ],
};

const invitesSheet: SheetSpec<InviteRow> = {
  name: 'Invites',
  columns: [...inviteColumns, { key: 'stale', header: 'Stale', kind: 'flag' }, groupIdColumn],
  toCells: (r) => [...inviteCells(r), flag(r.stale), text(r.groupId)],
};

/** One data sheet with its rows: in memory (small sheets) or streamed (Access Review). */
type SheetSource<T> = {
  spec: SheetSpec<T>;
  rows: () => Iterable<T> | AsyncIterable<T>;
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
  rows: () => AsyncIterable<T>,
): () => AsyncIterable<T> {
  return async function* () {
    let rest = false;
    for await (const row of rows()) {
      if (!row.privileged) rest = true;
      else if (rest) throw new Error('the Access Review rows did not come privileged rows first');
      yield row;
    }
  };
}

/** The first sheet: the run's facts and counts (sheet-writer.ts writes it). */
export const SUMMARY_SHEET = 'Summary';

/** Every sheet of the workbook in the contract's order: the Summary, then the data sheets of `dataSheets`. */
export const SHEET_NAMES: readonly string[] = [
  SUMMARY_SHEET,
  permissionChangesSheet.name,
  staleInvitesSheet.name,
  membershipChangesSheet.name,
  accessReviewSheet.name,
  invitesSheet.name,
];

/** The data sheets in workbook order (after the Summary). */
export function dataSheets(data: ReportData): AnySheetSource[] {
  return [
    { spec: permissionChangesSheet, rows: () => privilegedFirst(data.permissionChanges) },
    { spec: staleInvitesSheet, rows: () => data.staleInvites },
    { spec: membershipChangesSheet, rows: () => data.membershipChanges },
    { spec: accessReviewSheet, rows: privilegedFirstStream(data.accessReview) },
    { spec: invitesSheet, rows: () => data.invites },
  ];
}

export function headerText(column: ColumnSpec, timezone: string): string {
  return column.header.replace('{tz}', timezone);
}
