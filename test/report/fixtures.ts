import { DEFAULT_PRIVILEGED_ROLES } from '../../src/model/privileged.js';
import type {
  AccessRow,
  InviteRow,
  MembershipChangeRow,
  PermissionChangeRow,
  ReportData,
  ReportSummary,
  SnapshotInfo,
} from '../../src/model/report-data.js';
import type { Completeness } from '../../src/model/workspace.js';

/** Report data for a scripted scenario: a baseline, a run with changes, a run without. */

export const TZ = 'Europe/Berlin';
export const INJECTIONS = ['=HYPERLINK("http://x","y")', '+1', '-2', '@SUM(A1)', '=1+1'];

function snapshot(id: number, takenAt: string, extra: Partial<SnapshotInfo> = {}): SnapshotInfo {
  return {
    id,
    takenAt: new Date(takenAt),
    finishedAt: new Date(new Date(takenAt).getTime() + 60_000),
    status: 'complete',
    error: null,
    userCount: 4,
    inviteCount: 2,
    groupCount: 2,
    staleInviteDays: 14,
    ...extra,
  };
}

function completeness(extra: Partial<Completeness> = {}): Completeness {
  return {
    declared: { users: 4, invites: 1, groups: 2, roles: 3 },
    walked: { users: 4, invites: 1, groups: 2, roles: 3 },
    memberCountMismatches: [],
    groupsDeletedDuringWalk: [],
    crossCheck: { sampled: 4, agreed: 4, disagreements: [] },
    withoutPermissions: { users: 0, groups: 0 },
    unreadableResourceLists: [],
    warnings: [],
    ...extra,
  };
}

export function access(i: number, extra: Partial<AccessRow> = {}): AccessRow {
  return {
    userId: `u${String(i).padStart(6, '0')}`,
    email: `user${i}@example.com`,
    userName: `User ${i}`,
    roleId: i % 10 === 0 ? 'r-owner' : 'r-read',
    roleName: i % 10 === 0 ? 'Workspace Owner' : 'Source Read-only',
    resourceType: i % 10 === 0 ? 'WORKSPACE' : 'SOURCE',
    resourceId: i % 10 === 0 ? 'ws1' : `src${i % 7}`,
    // src0 was not listed (no name); every fourth grant is label-scoped.
    resourceName: i % 10 === 0 ? 'Acme' : i % 7 === 0 ? null : `Source ${i % 7}`,
    labels: i % 4 === 1 ? 'environment:prod,team:web' : '',
    via: i % 3 === 0 ? 'direct; Engineers' : 'direct',
    privileged: i % 10 === 0,
    ...extra,
  };
}

/** The rows as the store gives them: privileged first, each part in the order listed here. */
/** Privileged rows first, in pages of `pageSize` rows (as the store streams them). */
export function accessRows(rows: AccessRow[], pageSize = 3): () => AsyncIterable<AccessRow[]> {
  const ordered = [...rows.filter((r) => r.privileged), ...rows.filter((r) => !r.privileged)];
  return async function* () {
    for (let i = 0; i < ordered.length; i += pageSize) yield ordered.slice(i, i + pageSize);
  };
}

const invite = (
  email: string,
  firstSeen: string,
  daysPending: number,
  group?: [string, string],
): InviteRow => ({
  email,
  groupId: group?.[0] ?? null,
  groupName: group?.[1] ?? null,
  firstSeen: new Date(firstSeen),
  daysPending,
  stale: daysPending >= 14,
  seenAtBaseline: firstSeen === '2026-06-15T06:00:00Z',
});

function summary(extra: Partial<ReportSummary>): ReportSummary {
  return {
    workspace: { id: 'ws_123', slug: 'acme', name: 'Acme' },
    apiUrl: 'https://api.segmentapis.com',
    toolVersion: '0.1.0',
    generatedAt: new Date('2026-06-15T06:05:00Z'),
    timezone: TZ,
    current: snapshot(1, '2026-06-15T06:00:00Z'),
    previous: null,
    staleInviteDays: 14,
    completeness: completeness(),
    crawlStats: null,
    previousDataSha256: null,
    changeCounts: {},
    privilegedRoles: DEFAULT_PRIVILEGED_ROLES,
    ...extra,
  };
}

export function baseline(): ReportData {
  const invites = [
    invite('new@example.com', '2026-06-15T06:00:00Z', 0),
    invite('team@example.com', '2026-06-15T06:00:00Z', 0, ['g1', 'Engineers']),
  ];
  return {
    summary: summary({}),
    permissionChanges: [],
    staleInvites: [],
    membershipChanges: [],
    accessReview: accessRows([
      access(1),
      access(2),
      access(3),
      access(10, { userName: INJECTIONS[0] as string }),
    ]),
    invites,
  };
}

/** The privileged change last here: the report puts it first. */
const PERMISSION_CHANGES: PermissionChangeRow[] = [
  {
    change: 'revoked',
    userId: 'u000003',
    email: 'user3@example.com',
    roleId: 'r-read',
    roleName: 'Source Read-only',
    resourceType: 'SOURCE',
    resourceId: 'src3',
    resourceName: 'Website',
    labels: 'environment:prod',
    via: 'Engineers',
    cause: 'membership_removed',
    privileged: false,
  },
  {
    change: 'granted',
    userId: 'u000005',
    email: 'user5@example.com',
    roleId: 'r-read',
    roleName: 'Source Read-only',
    resourceType: 'SOURCE',
    resourceId: 'src5',
    resourceName: null,
    labels: '',
    via: 'direct',
    cause: 'user_added',
    privileged: false,
  },
  {
    change: 'granted',
    userId: 'u000002',
    email: 'user2@example.com',
    roleId: 'r-owner',
    roleName: 'Workspace Owner',
    resourceType: 'WORKSPACE',
    resourceId: 'ws1',
    resourceName: 'Acme',
    labels: '',
    via: 'direct',
    cause: 'permission_granted',
    privileged: true,
  },
];

const MEMBERSHIP_CHANGES: MembershipChangeRow[] = [
  {
    change: 'removed',
    userId: 'u000003',
    email: 'user3@example.com',
    groupId: 'g1',
    groupName: 'Engineers',
    detectedAt: new Date('2026-06-30T06:00:00Z'),
  },
];

export function withChanges(previousDataSha256: string | null): ReportData {
  const staleInvite = invite('new@example.com', '2026-06-15T06:00:00Z', 15);
  return {
    summary: summary({
      current: snapshot(2, '2026-06-30T06:00:00Z', { userCount: 5 }),
      previous: snapshot(1, '2026-06-15T06:00:00Z'),
      generatedAt: new Date('2026-06-30T06:05:00Z'),
      previousDataSha256,
      changeCounts: { permission_granted: 1, membership_removed: 1, user_added: 1, invite_accepted: 1 },
      completeness: completeness({
        memberCountMismatches: [{ groupId: 'g2', declared: 5, walked: 4 }],
        groupsDeletedDuringWalk: ['g9'],
        crossCheck: {
          sampled: 4,
          agreed: 3,
          disagreements: [{ userId: 'u000004', fromUser: ['g1'], fromGroups: [] }],
        },
        warnings: ['group g2 declared 5 members, walked 4'],
      }),
      crawlStats: {
        requests: 42,
        retries: 1,
        rateLimited: 0,
        rateLimitWaitMs: 0,
        maxPageSize: 200,
        startedAt: '2026-06-30T06:00:00Z',
        durationMs: 12_345,
      },
    }),
    permissionChanges: PERMISSION_CHANGES,
    staleInvites: [staleInvite],
    membershipChanges: MEMBERSHIP_CHANGES,
    accessReview: accessRows([
      access(1),
      access(2, {
        roleId: 'r-owner',
        roleName: 'Workspace Owner',
        resourceType: 'WORKSPACE',
        resourceId: 'ws1',
        resourceName: 'Acme',
        privileged: true,
      }),
      access(5),
      ...INJECTIONS.map((name, i) => access(20 + i, { userName: name })),
    ]),
    invites: [staleInvite],
  };
}

export function noChanges(previousDataSha256: string | null): ReportData {
  const data = withChanges(previousDataSha256);
  return {
    ...data,
    summary: {
      ...data.summary,
      current: snapshot(3, '2026-07-07T06:00:00Z', { userCount: 5 }),
      previous: snapshot(2, '2026-06-30T06:00:00Z'),
      generatedAt: new Date('2026-07-07T06:05:00Z'),
      changeCounts: {},
      completeness: completeness(),
    },
    permissionChanges: [],
    membershipChanges: [],
  };
}
