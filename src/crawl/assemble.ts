import { AuditError } from '../errors.js';
import type {
  CrawlStats,
  ResourceName,
  UserGroup,
  WorkspacePicture,
  WorkspaceUser,
} from '../model/workspace.js';
import { buildCompleteness } from './completeness.js';
import { byId, compareStrings, sortedUnique } from './normalize.js';
import type { Walked } from './state.js';

/**
 * The picture from what the walks collected: no I/O, nothing read but `walked` and `run`,
 * and `walked` left as it was. Users deleted during the walk are left out; a user's detail
 * record wins over its list record, and a record without `permissions` holds no direct
 * grant (counted in completeness.withoutPermissions); members unknown to /users are left out of their
 * group (with a note), so every membership points at a user of the picture.
 */
export function assemblePicture(
  walked: Walked,
  run: { apiUrl: string; stats: CrawlStats },
): WorkspacePicture {
  const notes = [...walked.notes];
  const users = assembleUsers(walked);
  const groups = assembleGroups(walked, users.list, notes);

  const inviteList = sortedUnique(walked.invites);
  if (inviteList.length !== walked.invites.length) {
    notes.push(`invites: ${walked.invites.length - inviteList.length} email(s) listed twice; kept once`);
  }

  const { disagreements, sampled, warnings: crossCheckWarnings } = walked.crossCheck;
  const completeness = buildCompleteness({
    declared: pruneUndefined(walked.declared),
    walked: {
      roles: walked.roles.size,
      users: walked.users.size,
      invites: inviteList.length,
      groups: walked.groups.size,
    },
    groups: groups.list,
    memberCounts: groups.memberCounts,
    unreadableResourceLists: walked.unreadableResourceLists,
    withoutPermissions: { users: users.withoutPermissions, groups: groups.withoutPermissions },
    groupsDeletedDuringWalk: [...walked.deletedGroups],
    crossCheck: { sampled, agreed: sampled - disagreements.length, disagreements },
    crossCheckWarnings,
    notes,
  });

  const { id, slug, name } = walked.workspace;
  return {
    apiUrl: run.apiUrl,
    workspace: { id, slug, name },
    roles: [...walked.roles.values()].sort(byId),
    users: users.list,
    invites: inviteList,
    groups: groups.list,
    resources: assembleResources(walked),
    completeness,
    stats: run.stats,
  };
}

/** The users, and how many of them came without `permissions` (they hold no direct grant). */
function assembleUsers(walked: Walked) {
  const list: WorkspaceUser[] = [];
  let withoutPermissions = 0;
  for (const [id, listed] of walked.users) {
    if (walked.deletedUsers.has(id)) continue;
    const u = walked.userDetails.get(id) ?? listed;
    if (u === undefined) {
      // A detail fetch that neither answered nor 404'd fails the crawl before this: never a silent gap.
      throw new AuditError(
        'INTERNAL',
        `user ${id} was listed without permissions, and no detail record was read`,
      );
    }
    if (u.permissions === undefined) withoutPermissions++;
    // The object kept as the page arrived (or its detail record), copied only when it has no permissions.
    list.push(u.permissions !== undefined ? (u as WorkspaceUser) : { ...u, permissions: [] });
  }
  return { list: list.sort(byId), withoutPermissions };
}

function assembleGroups(walked: Walked, users: readonly WorkspaceUser[], notes: string[]) {
  // Member ids are mapped to the users' own id strings (one copy of each id in the picture).
  const userIds = new Map(users.map((u) => [u.id, u.id]));
  const memberCounts = new Map<string, { declared: number; walked: number }>();
  const list: UserGroup[] = [];
  let withoutPermissions = 0;
  for (const [id, g] of walked.groups) {
    if (walked.deletedGroups.has(id)) continue;
    const record = g.detail ?? g.listed;
    if (record.permissions === undefined) withoutPermissions++;
    const members = sortedUnique(g.members);
    if (members.length !== g.members.length) {
      notes.push(`group ${id}: a member was listed twice by the member walk; kept once`);
    }
    // Compared before unknown members are left out, so the walk itself is reported faithfully.
    memberCounts.set(id, { declared: record.memberCount, walked: members.length });
    const unknown = members.filter((m) => !userIds.has(m));
    if (unknown.length > 0) {
      notes.push(
        `group ${id}: member${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not among /users ` +
          '(added or removed while the workspace was walked); left out of the group',
      );
    }
    list.push({
      id,
      name: record.name,
      memberCount: record.memberCount,
      permissions: record.permissions ?? [],
      memberIds: known(members, userIds),
      inviteEmails: sortedUnique(g.invites),
    });
  }
  return { list: list.sort(byId), memberCounts, withoutPermissions };
}

/** Every name read, and the workspace's own; sorted by type, then id. */
function assembleResources(walked: Walked): ResourceName[] {
  const { id, name } = walked.workspace;
  return [{ type: 'WORKSPACE', id, name }, ...walked.resources.values()].sort(
    (a, b) => compareStrings(a.type, b.type) || compareStrings(a.id, b.id),
  );
}

/** The members that are users of the picture, as the users' own id strings. */
function known(members: readonly string[], userIds: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const m of members) {
    const id = userIds.get(m);
    if (id !== undefined) out.push(id);
  }
  return out;
}

function pruneUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
