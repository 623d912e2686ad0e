import { isAuditError } from '../../errors.js';
import type { ApiUserGroup } from '../../segment/index.js';
import { normalizePermissions, type PermissionInterner } from '../normalize.js';
import type { CrawlState, GroupRecord, WalkedGroup } from '../state.js';

/**
 * GET /groups, and for each group as soon as it is listed: its members, its invites, and
 * its detail record when the list gave no permissions (a detail record without them holds
 * no direct grant). A group that answers 404 to any of
 * these was deleted while walked: it is left out and listed in groupsDeletedDuringWalk.
 */
export function walkGroups(s: CrawlState): void {
  s.tasks.spawn(async () => {
    const { walked, tracker } = s;
    for await (const page of s.client.listUserGroups()) {
      if (page.page === 1) walked.declared.groups = page.totalEntries;
      for (const api of page.items) {
        walked.noteDuplicate('groups', api.id, page.page);
        const listed = toGroupRecord(api, s.interner);
        const existing = walked.groups.get(api.id);
        if (existing) {
          existing.listed = listed;
          continue;
        }
        const group: WalkedGroup = { listed, members: [], invites: [] };
        walked.groups.set(api.id, group);
        walkGroup(s, group);
      }
      tracker.pages++;
      tracker.groupsListed = walked.groups.size;
      tracker.show();
    }
  });
}

function walkGroup(s: CrawlState, group: WalkedGroup): void {
  const id = group.listed.id;
  let open = 2;
  const finished = () => {
    if (--open === 0) {
      s.tracker.groupsWalked++;
      s.tracker.show();
    }
  };
  s.tasks.spawn(async () => {
    try {
      for await (const page of s.client.listUsersFromUserGroup(id)) {
        for (const m of page.items) group.members.push(m.id);
        s.tracker.pages++;
      }
    } catch (error) {
      groupGone(s, id, error);
    }
    finished();
  });
  s.tasks.spawn(async () => {
    try {
      for await (const page of s.client.listInvitesFromUserGroup(id)) {
        for (const email of page.items) group.invites.push(email);
        s.tracker.pages++;
      }
    } catch (error) {
      groupGone(s, id, error);
    }
    finished();
  });
  if (group.listed.permissions === undefined) s.tasks.spawn(() => fetchGroup(s, group));
}

async function fetchGroup(s: CrawlState, group: WalkedGroup): Promise<void> {
  const id = group.listed.id;
  try {
    const detail = await s.client.getUserGroup(id);
    group.detail = toGroupRecord(detail, s.interner);
    s.tracker.details++;
  } catch (error) {
    groupGone(s, id, error);
  }
}

/** A 404 means the group was deleted while walked; anything else fails the crawl. */
function groupGone(s: CrawlState, groupId: string, error: unknown): void {
  if (!isAuditError(error, 'API_NOT_FOUND')) throw error;
  s.walked.deletedGroups.add(groupId);
  s.logger?.debug({ groupId }, 'group deleted during the walk');
}

function toGroupRecord(g: ApiUserGroup, interner: PermissionInterner): GroupRecord {
  return {
    id: g.id,
    name: g.name,
    memberCount: g.memberCount,
    // Absent or null alike: the API's models make `permissions` optional.
    permissions: g.permissions == null ? undefined : normalizePermissions(g.permissions, interner),
  };
}
