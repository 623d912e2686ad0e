/**
 * What remediation moves between the store, the plan builder and the API: a revoke
 * decision, a grant as the API spells it, and the steps of a plan. Types only.
 */
import type { Label, Permission } from './workspace.js';

/** The IAM users API's write operations, spelled as the SDKs name them. */
export type RemediationOperation =
  | 'replace_permissions_for_user'
  | 'add_permissions_to_user'
  | 'delete_invites'
  | 'delete_users';

/** A grant's identity as the audit keeps it: role × resource × canonical labels. */
export interface GrantKey {
  roleId: string;
  resourceType: string;
  resourceId: string;
  /** Canonical label scope (text/labels.ts); '' when none. */
  labels: string;
}

/** The latest decision of an Access Review row, when it is Revoke and no action carried it out yet. */
export interface RevokeDecision extends GrantKey {
  /** bigint as text, as the store returns it. */
  id: string;
  snapshotId: number;
  userId: string;
  email: string;
  roleName: string;
  /** The paths the reviewer saw: `direct` and/or group names, joined by `; `. */
  via: string;
  decidedAt: Date;
}

/** One grant as it stood in the user's permissions, enough to remove it and to give it back. */
export interface RevokedGrant {
  roleId: string;
  roleName: string;
  resource: { id: string; type: string; labels?: Label[] };
  /** The permission's own labels (they narrow every resource of it). */
  labels?: Label[];
}

/** A permission as the write endpoints take it (PermissionInputV1: no role name). */
export interface PermissionInput {
  roleId: string;
  resources: { id: string; type: string; labels?: Label[] }[];
  labels?: Label[];
}

/** A workspace invite pending at least the stale threshold (audit.stale_invites). */
export interface StaleInvite {
  email: string;
  /** NULL: a workspace invite; else the group it invites to (withdrawn by hand). */
  groupId: string | null;
  groupName: string | null;
  firstSeen: Date;
  daysPending: number;
}

/** A user every one of whose Access Review rows is revoked. */
export interface FullyRevokedUser {
  userId: string;
  email: string;
  decisionIds: string[];
}

/** A step of a plan: an API call, or what cannot (or need not) be one. */
export type PlanStep =
  | {
      kind: 'replace';
      userId: string;
      email: string;
      decisionIds: string[];
      revoked: RevokedGrant[];
      /** The PUT body's permissions: the current ones minus the revoked grants. */
      permissions: PermissionInput[];
    }
  | { kind: 'already-gone'; userId: string; email: string; decisionIds: string[]; why: string }
  | { kind: 'needs-decision'; decision: RevokeDecision; found: string[] }
  | { kind: 'manual'; decision: RevokeDecision; groups: string[] }
  | { kind: 'withdraw-invite'; invite: StaleInvite }
  | { kind: 'manual-invite'; invite: StaleInvite }
  | { kind: 'delete-user'; user: FullyRevokedUser };

/** A user's direct permissions as just read, or `gone` when the API answered 404. */
export type CurrentPermissions = Permission[] | 'gone';
