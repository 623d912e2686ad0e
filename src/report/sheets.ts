import type {
  AccessRow,
  InviteRow,
  MembershipChangeRow,
  PermissionChangeRow,
  ReportData,
} from '../model/report-data.js';
import { type Cell, flag, text } from './cells.js';

/**
 * The data sheets, pure: their names, columns and how a model row becomes cells. The
 * writer (write.ts) adds the presentation; the data hash (data-hash.ts) covers exactly
 * the cells produced here, so what is hashed is what is written.
 */

type ColumnKind = 'text' | 'id' | 'email' | 'int' | 'date' | 'flag' | 'decision';

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

const permissionChangesSheet: SheetSpec<PermissionChangeRow> = {
  name: 'Permission Changes',
  columns: [
    { key: 'change', header: 'Change', kind: 'text' },
    { key: 'email', header: 'Email', kind: 'email' },
    { key: 'userId', header: 'User ID', kind: 'id' },
    { key: 'roleName', header: 'Role', kind: 'text' },
    { key: 'roleId', header: 'Role ID', kind: 'id' },
    { key: 'resourceType', header: 'Resource type', kind: 'text' },
    { key: 'resourceId', header: 'Resource ID', kind: 'id' },
    { key: 'via', header: 'Via', kind: 'text' },
    { key: 'cause', header: 'Cause', kind: 'text' },
    { key: 'privileged', header: 'Privileged', kind: 'flag' },
  ],
  toCells: (r) => [
    r.change,
    text(r.email),
    text(r.userId),
    text(r.roleName),
    text(r.roleId),
    text(r.resourceType),
    text(r.resourceId),
    text(r.via),
    r.cause,
    flag(r.privileged),
  ],
};

function inviteCells(r: InviteRow): Cell[] {
  return [
    text(r.email),
    r.groupId === null ? 'workspace' : 'group',
    text(r.groupName),
    text(r.groupId),
    r.firstSeen,
    r.daysPending,
  ];
}

const inviteColumns: ColumnSpec[] = [
  { key: 'email', header: 'Email', kind: 'email' },
  { key: 'scope', header: 'Invited to', kind: 'text' },
  { key: 'groupName', header: 'Group', kind: 'text' },
  { key: 'groupId', header: 'Group ID', kind: 'id' },
  { key: 'firstSeen', header: 'First seen ({tz})', kind: 'date' },
  { key: 'daysPending', header: 'Days pending', kind: 'int' },
];

const staleInvitesSheet: SheetSpec<InviteRow> = {
  name: 'Stale Invites',
  columns: inviteColumns,
  toCells: inviteCells,
};

const membershipChangesSheet: SheetSpec<MembershipChangeRow> = {
  name: 'Membership Changes',
  columns: [
    { key: 'change', header: 'Change', kind: 'text' },
    { key: 'email', header: 'Email', kind: 'email' },
    { key: 'userId', header: 'User ID', kind: 'id' },
    { key: 'groupName', header: 'Group', kind: 'text' },
    { key: 'groupId', header: 'Group ID', kind: 'id' },
    { key: 'detectedAt', header: 'Detected at ({tz})', kind: 'date' },
  ],
  toCells: (r) => [r.change, text(r.email), text(r.userId), text(r.groupName), text(r.groupId), r.detectedAt],
};

const accessReviewSheet: SheetSpec<AccessRow> = {
  name: 'Access Review',
  columns: [
    { key: 'email', header: 'Email', kind: 'email' },
    { key: 'userName', header: 'Name', kind: 'text' },
    { key: 'userId', header: 'User ID', kind: 'id' },
    { key: 'roleName', header: 'Role', kind: 'text' },
    { key: 'roleId', header: 'Role ID', kind: 'id' },
    { key: 'resourceType', header: 'Resource type', kind: 'text' },
    { key: 'resourceId', header: 'Resource ID', kind: 'id' },
    { key: 'via', header: 'Via', kind: 'text' },
    { key: 'privileged', header: 'Privileged', kind: 'flag' },
    // Left empty for the reviewer; a Keep/Revoke list in the workbook.
    { key: 'decision', header: 'Decision (Keep/Revoke)', kind: 'decision' },
    { key: 'comment', header: 'Reviewer comment', kind: 'text' },
  ],
  toCells: (r) => [
    text(r.email),
    text(r.userName),
    text(r.userId),
    text(r.roleName),
    text(r.roleId),
    text(r.resourceType),
    text(r.resourceId),
    text(r.via),
    flag(r.privileged),
    null,
    null,
  ],
};

const invitesSheet: SheetSpec<InviteRow> = {
  name: 'Invites',
  columns: [...inviteColumns, { key: 'stale', header: 'Stale', kind: 'flag' }],
  toCells: (r) => [...inviteCells(r), flag(r.stale)],
};

/** One data sheet with its rows: in memory (small sheets) or streamed (Access Review). */
type SheetSource<T> = {
  spec: SheetSpec<T>;
  rows: () => Iterable<T> | AsyncIterable<T>;
};

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of sheets, each typed on its own.
export type AnySheetSource = SheetSource<any>;

/** The data sheets in workbook order (after the Summary). */
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

export function dataSheets(data: ReportData): AnySheetSource[] {
  return [
    { spec: permissionChangesSheet, rows: () => data.permissionChanges },
    { spec: staleInvitesSheet, rows: () => data.staleInvites },
    { spec: membershipChangesSheet, rows: () => data.membershipChanges },
    { spec: accessReviewSheet, rows: data.accessReview },
    { spec: invitesSheet, rows: () => data.invites },
  ];
}

export function headerText(column: ColumnSpec, timezone: string): string {
  return column.header.replace('{tz}', timezone);
}
