/**
 * What the store hands the report and mail stages: the rows of each sheet plus the
 * facts of the Summary. Types only (see workspace.ts for the rule on imports).
 */
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
}

export interface MembershipChangeRow {
  change: 'added' | 'removed';
  userId: string;
  email: string;
  groupId: string;
  groupName: string;
  detectedAt: Date;
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
}

export interface InviteRow {
  email: string;
  /** null: a workspace invite. */
  groupId: string | null;
  groupName: string | null;
  firstSeen: Date;
  daysPending: number;
  stale: boolean;
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
}

export interface ReportData {
  summary: ReportSummary;
  permissionChanges: PermissionChangeRow[];
  staleInvites: InviteRow[];
  membershipChanges: MembershipChangeRow[];
  /**
   * Streamed: the whole population can be hundreds of thousands of rows. Privileged rows
   * first, each part in the store's order (the sheet's order; the report reads it once
   * and refuses rows out of that order). A factory: each call walks it anew.
   */
  accessReview: () => AsyncIterable<AccessRow>;
  invites: InviteRow[];
}
