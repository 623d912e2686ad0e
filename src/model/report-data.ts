/**
 * What the store hands the report and mail stages: the rows of each sheet plus the
 * facts of the Summary. Types only (see workspace.ts for the rule on imports).
 */
import type { ReviewStatusRow } from './review.js';
import type { ExceptionRow, ReconciliationSummary } from './roster.js';
import type { Completeness, CrawlStats, WorkspaceInfo } from './workspace.js';

export const CHANGE_KINDS = [
  'user_added',
  'user_removed',
  'user_changed',
  'permission_granted',
  'permission_revoked',
  'membership_added',
  'membership_removed',
  'group_created',
  'group_deleted',
  'invite_created',
  'invite_accepted',
  'invite_withdrawn',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export type SnapshotStatus = 'running' | 'complete' | 'failed' | 'abandoned';

export interface SnapshotInfo {
  id: number;
  takenAt: Date;
  finishedAt: Date | null;
  status: SnapshotStatus;
  error: string | null;
  userCount: number | null;
  inviteCount: number | null;
  groupCount: number | null;
  /** The stale threshold in force for this snapshot. */
  staleInviteDays: number;
}

/** What a row of access is to: a role on a resource, within a label scope. */
export interface AccessScope {
  roleId: string;
  roleName: string;
  resourceType: string;
  resourceId: string;
  /** The resource's name when the access was held (null: its list was not read). */
  resourceName: string | null;
  /** The grant's label scope, canonical (`key:value,…`); '' when none. */
  labels: string;
}

/** One user × role × resource × labels × via whose effective access changed between two snapshots. */
export interface PermissionChangeRow extends AccessScope {
  change: 'granted' | 'revoked';
  userId: string;
  email: string;
  /** 'direct', or the name of the group the access comes through. */
  via: string;
  /** The change kind behind it. */
  cause: ChangeKind;
  privileged: boolean;
  /** The remediation action that revoked it (a direct grant lost), if one did. */
  remediationActionId?: string | null;
  /** Who made the change behind it (the audit trail's actor), and what attribution flagged. */
  attribution?: ChangeAttributionCells;
}

export type ChangeFlag = 'self-granted' | 'by-token' | 'no-audit-event';

/** What the audit trail says of a change row (audit.changes.changed_by and its flags). */
export interface ChangeAttributionCells {
  /** The actor's email, else the actor; null when no event explains the change. */
  changedBy: string | null;
  flags: ChangeFlag[];
  /** Why there is no author (two actors fit, trail unavailable, …); null when there is one. */
  note: string | null;
}

export interface MembershipChangeRow {
  change: 'added' | 'removed';
  userId: string;
  email: string;
  groupId: string;
  groupName: string;
  detectedAt: Date;
  attribution?: ChangeAttributionCells;
}

/**
 * One user × role × resource × labels of audit.effective_access, however many paths lead
 * to it: one row to decide on, not one per group.
 */
export interface AccessRow extends AccessScope {
  userId: string;
  email: string;
  userName: string;
  /** Every path to it, `direct` first, then the groups by name, joined by `; `. */
  via: string;
  privileged: boolean;
  /** What reconciliation suggests for the account's rows (`Revoke (terminated)`); not the reviewer's decision. */
  suggestedDecision?: string | null;
}

export interface InviteRow {
  email: string;
  /** null: a workspace invite. */
  groupId: string | null;
  groupName: string | null;
  firstSeen: Date;
  daysPending: number;
  stale: boolean;
  /**
   * First seen by the first complete snapshot: it was open before the audit began, so
   * `daysPending` is a lower bound ("at least N days").
   */
  seenAtBaseline: boolean;
  /** Where the age counts from: the trail's "Invite Created" event when kept, else first sight. */
  pendingSince?: { at: Date; source: 'audit event' | 'first seen' };
}

/** A self-grant, or a privileged grant made by an API token: named in the email's headline. */
export interface TrailHeadlineItem {
  flag: 'self-granted' | 'by-token';
  /** Who gained the access (an email, or a group's name). */
  subject: string;
  /** What was gained: a role on a resource, or a group joined. */
  what: string;
  changedBy: string;
}

/** The audit trail's part in a report: whether it was read, and who the changes are put down to. */
export interface TrailSummary {
  /** null: not recorded (a snapshot from before the trail was read). */
  status: 'read' | 'unavailable' | null;
  /** Why it was unavailable. */
  error: string | null;
  /** Events this snapshot's run fetched. */
  events: number | null;
  attributed: number;
  unattributed: number;
  /** Unattributed because events of different actors fit (not guessed). */
  ambiguous: number;
  flags: Record<ChangeFlag, number>;
  headline: TrailHeadlineItem[];
}

export interface ReportSummary {
  workspace: WorkspaceInfo;
  apiUrl: string;
  toolVersion: string;
  generatedAt: Date;
  timezone: string;
  current: SnapshotInfo;
  /** null for the baseline report. */
  previous: SnapshotInfo | null;
  staleInviteDays: number;
  completeness: Completeness | null;
  crawlStats: CrawlStats | null;
  /** SHA-256 of the previous report's data, for a tamper-evident chain (null: none). */
  previousDataSha256: string | null;
  changeCounts: Partial<Record<ChangeKind, number>>;
  /** PRIVILEGED_ROLES in force for this report (model/privileged.ts states the rule). */
  privilegedRoles: readonly string[];
  /** Absent: not loaded (reports built before the trail was wired). */
  trail?: TrailSummary;
  /** Roster, domain and dormancy checks (absent: the report was built without reconciliation). */
  reconciliation?: ReconciliationSummary;
}

export interface ReportData {
  summary: ReportSummary;
  permissionChanges: PermissionChangeRow[];
  staleInvites: InviteRow[];
  membershipChanges: MembershipChangeRow[];
  /**
   * Streamed, a page of rows at a time: the whole population can be hundreds of thousands
   * of rows, and a page costs one await where a row each cost several (a second of a
   * 500,000-row report). Privileged rows first, each part in the store's order (the
   * sheet's order; the report reads it once and refuses rows out of that order). A
   * factory: each call walks it anew.
   */
  accessReview: () => AsyncIterable<readonly AccessRow[]>;
  invites: InviteRow[];
  /** Every review decision made by this snapshot and where it stands (the `Review Status` sheet); absent: none. */
  reviewStatus?: ReviewStatusRow[];
  /** The Exceptions sheet's rows, privileged first (absent: none computed). */
  exceptions?: ExceptionRow[];
}

/**
 * The Summary sheet's two panels: the column (1-based) of each panel's labels, its values
 * in the next column. The report writes them; the review import reads its claims there.
 */
export const SUMMARY_LABEL_COLUMNS = [1, 4] as const;
