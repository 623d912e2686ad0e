/**
 * The picture of one workspace's access, as the crawler returns it and the store keeps
 * it. This folder holds types and the few facts several stages must share (constants
 * such as CHANGE_KINDS and files.ts, no I/O and no logic beyond building a name): every
 * stage may import it, no stage imports another stage.
 *
 * All lists are sorted (users, groups and roles by id; emails and member ids
 * lexicographically) so two crawls of the same workspace are deep-equal.
 */

/** Resource types the API documents; any other string is kept as data, never a crash. */
export const KNOWN_RESOURCE_TYPES = ['WORKSPACE', 'SOURCE', 'SPACE', 'WAREHOUSE', 'FUNCTION'] as const;

export interface Label {
  key: string;
  value: string;
}

export interface ResourceRef {
  id: string;
  /** One of KNOWN_RESOURCE_TYPES, or an unknown type kept verbatim. */
  type: string;
  labels?: Label[];
}

export interface Permission {
  roleId: string;
  roleName: string;
  resources: ResourceRef[];
  labels?: Label[];
}

export interface WorkspaceInfo {
  id: string;
  slug: string;
  name: string;
}

export interface Role {
  id: string;
  name: string;
  description: string;
}

export interface WorkspaceUser {
  id: string;
  name: string;
  email: string;
  /** Direct permissions of the user (not those held through groups). */
  permissions: Permission[];
}

export interface UserGroup {
  id: string;
  name: string;
  /** What the API declared; compared with memberIds.length as a completeness check. */
  memberCount: number;
  permissions: Permission[];
  /** Ids of the users in the group, sorted. */
  memberIds: string[];
  /** Emails invited to the group (pending), sorted. */
  inviteEmails: string[];
}

/** One user whose groups, read from the user's side, disagree with the group walks. */
export interface CrossCheckDisagreement {
  userId: string;
  /** Group ids from GET /users/{id}/groups. */
  fromUser: string[];
  /** Group ids whose member walk listed the user. */
  fromGroups: string[];
}

export interface Completeness {
  /** totalEntries each list declared on its pages (absent when the API omitted it). */
  declared: { users?: number; invites?: number; groups?: number; roles?: number };
  /** What the walk actually collected. */
  walked: { users: number; invites: number; groups: number; roles: number };
  /** Groups whose declared memberCount differs from the members walked. */
  memberCountMismatches: { groupId: string; declared: number; walked: number }[];
  /** Groups listed but gone (404) before their members could be walked: treated as deleted. */
  groupsDeletedDuringWalk: string[];
  crossCheck: { sampled: number; agreed: number; disagreements: CrossCheckDisagreement[] };
  /**
   * Detail records that carried no `permissions` member at all (optional in the API's
   * models): such a user or group holds no direct grant. Counted for the Summary.
   */
  withoutPermissions: { users: number; groups: number };
  /**
   * Resource lists (e.g. `GET /sources`) the token may not read (401/403): their
   * resources are named by id only. Empty when every name could be read.
   */
  unreadableResourceLists: string[];
  /** Human-readable warnings for the report's Summary (empty when everything agreed). */
  warnings: string[];
}

export interface CrawlStats {
  requests: number;
  /** Attempts repeated after a 5xx, a dropped connection or a timeout. */
  retries: number;
  /** 429 answers received (a well-paced crawl receives none). */
  rateLimited: number;
  /** Milliseconds spent waiting for a rate-limit window. */
  rateLimitWaitMs: number;
  /** The largest pagination.count ever sent. */
  maxPageSize: number;
  startedAt: string;
  durationMs: number;
}

/**
 * The name of one resource as its list endpoint gave it, for reports people can read.
 * `type` is a grant's resource type (`SOURCE`, `WAREHOUSE`, `SPACE`, `FUNCTION`,
 * `WORKSPACE`), or `LABEL` with `id` `key:value` and the label's description as `name`.
 */
export interface ResourceName {
  type: string;
  id: string;
  name: string;
}

export interface WorkspacePicture {
  apiUrl: string;
  workspace: WorkspaceInfo;
  roles: Role[];
  users: WorkspaceUser[];
  /** Pending workspace invites (emails as the API gave them), sorted. */
  invites: string[];
  groups: UserGroup[];
  /** Names of the resources the token could list, the workspace's own included; sorted by type, then id. */
  resources: ResourceName[];
  completeness: Completeness;
  stats: CrawlStats;
}
