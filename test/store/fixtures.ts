/**
 * Small WorkspacePictures for the store tests, mutated step by step. `scenario()` gives
 * three pictures (baseline, one of every change kind, a few more) whose expected changes
 * the tests spell out.
 */
import type { Permission, UserGroup, WorkspacePicture, WorkspaceUser } from '../../src/model/workspace.js';

export const WS = { id: 'ws1', slug: 'acme', name: 'Acme Inc' };
export const T1 = new Date('2026-06-01T06:00:00Z');
export const T2 = new Date('2026-06-08T06:00:00Z');
export const T3 = new Date('2026-06-22T06:00:00Z');
export const T4 = new Date('2026-06-29T06:00:00Z');

export const ROLE = {
  owner: { id: 'r-owner', name: 'Workspace Owner' },
  member: { id: 'r-member', name: 'Workspace Member' },
  srcAdmin: { id: 'r-src-admin', name: 'Source Admin' },
  srcRead: { id: 'r-src-read', name: 'Source Read-only' },
} as const;

export function perm(
  role: { id: string; name: string },
  ...resources: [type: string, id: string][]
): Permission {
  return { roleId: role.id, roleName: role.name, resources: resources.map(([type, id]) => ({ type, id })) };
}

export function user(id: string, email: string, name: string, ...permissions: Permission[]): WorkspaceUser {
  return { id, email, name, permissions };
}

export function group(
  id: string,
  name: string,
  memberIds: string[],
  permissions: Permission[] = [],
  inviteEmails: string[] = [],
): UserGroup {
  return { id, name, memberCount: memberIds.length, memberIds, permissions, inviteEmails };
}

export function picture(parts: {
  users: WorkspaceUser[];
  groups?: UserGroup[];
  invites?: string[];
}): WorkspacePicture {
  const users = [...parts.users].sort((a, b) => a.id.localeCompare(b.id));
  const groups = [...(parts.groups ?? [])].sort((a, b) => a.id.localeCompare(b.id));
  const invites = [...(parts.invites ?? [])].sort();
  return {
    apiUrl: 'http://segment.test',
    workspace: WS,
    roles: Object.values(ROLE).map((r) => ({ ...r, description: r.name })),
    users,
    invites,
    groups,
    resources: [],
    completeness: {
      declared: { users: users.length, invites: invites.length, groups: groups.length, roles: 4 },
      walked: { users: users.length, invites: invites.length, groups: groups.length, roles: 4 },
      memberCountMismatches: [],
      groupsDeletedDuringWalk: [],
      crossCheck: { sampled: 0, agreed: 0, disagreements: [] },
      withoutPermissions: { users: 0, groups: 0 },
      unreadableResourceLists: [],
      warnings: [],
    },
    stats: {
      requests: 1,
      retries: 0,
      rateLimited: 0,
      rateLimitWaitMs: 0,
      maxPageSize: 200,
      startedAt: '2026-06-01T06:00:00.000Z',
      durationMs: 1,
    },
  };
}

/** S1: the baseline. */
export function picture1(): WorkspacePicture {
  return picture({
    users: [
      user('u1', 'alice@acme.test', 'Alice', perm(ROLE.owner, ['WORKSPACE', 'ws1'])),
      user('u2', 'bob@acme.test', 'Bob', perm(ROLE.srcAdmin, ['SOURCE', 'src1'], ['SOURCE', 'src2'])),
      user('u3', 'carol@acme.test', 'Carol King', perm(ROLE.member, ['WORKSPACE', 'ws1'])),
      user('u4', 'dave@acme.test', 'Dave'),
    ],
    groups: [
      group(
        'g1',
        'Engineers',
        ['u2', 'u3'],
        [perm(ROLE.srcRead, ['SOURCE', 'src1'], ['SOURCE', 'src3'])],
        ['erin@acme.test'],
      ),
      group('g2', 'Ops', ['u1', 'u4'], [perm(ROLE.srcAdmin, ['WORKSPACE', 'ws1'])]),
    ],
    invites: ['Heidi@Acme.test', 'frank@acme.test', 'grace@acme.test'],
  });
}

/**
 * S2: one or more of every change kind.
 * user_added u5 heidi (accepts her invite); user_removed u4; user_changed u3 (name);
 * permission_granted u1 Source Admin on src3, g1 Source Admin on src4; permission_revoked
 * u2 Source Admin on src2; membership_added u1→g1, u2→g3 (new group); membership_removed
 * u3←g1, u1←g2 (deleted); group_created g3; group_deleted g2; invite_created ivan
 * (workspace), judy (g1); invite_withdrawn frank; invite_accepted Heidi.
 */
export function picture2(): WorkspacePicture {
  return picture({
    users: [
      user(
        'u1',
        'alice@acme.test',
        'Alice',
        perm(ROLE.owner, ['WORKSPACE', 'ws1']),
        perm(ROLE.srcAdmin, ['SOURCE', 'src3']),
      ),
      user('u2', 'bob@acme.test', 'Bob', perm(ROLE.srcAdmin, ['SOURCE', 'src1'])),
      user('u3', 'carol@acme.test', 'Carol Smith', perm(ROLE.member, ['WORKSPACE', 'ws1'])),
      user('u5', 'heidi@acme.test', 'Heidi', perm(ROLE.srcRead, ['SOURCE', 'src2'])),
    ],
    groups: [
      group(
        'g1',
        'Engineers',
        ['u1', 'u2', 'u5'],
        [perm(ROLE.srcRead, ['SOURCE', 'src1'], ['SOURCE', 'src3']), perm(ROLE.srcAdmin, ['SOURCE', 'src4'])],
        ['erin@acme.test', 'judy@acme.test'],
      ),
      group('g3', 'Analysts', ['u2'], [perm(ROLE.srcRead, ['SPACE', 'sp1'])]),
    ],
    invites: ['grace@acme.test', 'ivan@acme.test'],
  });
}

export const EXPECTED_S2 = {
  user_added: 1,
  user_removed: 1,
  user_changed: 1,
  permission_granted: 2,
  permission_revoked: 1,
  membership_added: 2,
  membership_removed: 2,
  group_created: 1,
  group_deleted: 1,
  invite_created: 2,
  invite_accepted: 1,
  invite_withdrawn: 1,
} as const;

/**
 * S3: u1 loses Workspace Owner; u6 erin appears in g1 (accepting her group invite);
 * u2's email changes case (user_changed); Source Read-only is renamed (no change row).
 */
export function picture3(): WorkspacePicture {
  const renamed = { id: ROLE.srcRead.id, name: 'Source Read Only' };
  return picture({
    users: [
      user('u1', 'alice@acme.test', 'Alice', perm(ROLE.srcAdmin, ['SOURCE', 'src3'])),
      user('u2', 'Bob@acme.test', 'Bob', perm(ROLE.srcAdmin, ['SOURCE', 'src1'])),
      user('u3', 'carol@acme.test', 'Carol Smith', perm(ROLE.member, ['WORKSPACE', 'ws1'])),
      user('u5', 'heidi@acme.test', 'Heidi', perm(renamed, ['SOURCE', 'src2'])),
      user('u6', 'erin@acme.test', 'Erin'),
    ],
    groups: [
      group(
        'g1',
        'Engineers',
        ['u1', 'u2', 'u5', 'u6'],
        [perm(renamed, ['SOURCE', 'src1'], ['SOURCE', 'src3']), perm(ROLE.srcAdmin, ['SOURCE', 'src4'])],
        ['judy@acme.test'],
      ),
      group('g3', 'Analysts', ['u2'], [perm(renamed, ['SPACE', 'sp1'])]),
    ],
    invites: ['grace@acme.test', 'ivan@acme.test'],
  });
}

export const EXPECTED_S3 = {
  user_added: 1,
  user_changed: 1,
  permission_revoked: 1,
  invite_accepted: 1,
} as const;
