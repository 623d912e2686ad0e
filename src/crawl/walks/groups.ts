import { isAuditError } from '../../errors.js';
import type { ApiUserGroup } from '../../segment/index.js';
import { type PermissionInterner, recordPermissions } from '../normalize.js';
import type { CrawlState, GroupRecord, WalkedGroup } from '../state.js';
import { walkTopList } from './top-list.js';

/**
 * GET /groups, and for each group as soon as it is listed: its members, its invites, and
 * its detail record when the list gave no permissions (a detail record without them holds
 * no direct grant). A group that answers 404 to any of
 * these was deleted while walked: it is left out and listed in groupsDeletedDuringWalk.
 */
export function walkGroups(s: CrawlState): void {
  const { walked } = s;
  s.tasks.spawn(() =>
    walkTopList(s, 'groups', 'groupsListed', s.client.listUserGroups(), (api) => {
      const listed = toGroupRecord(api, s.interner);
      const existing = walked.groups.get(api.id);
      if (existing) {
        existing.listed = listed;
        return;
      }
      const group: WalkedGroup = { listed, members: [], invites: [] };
      walked.groups.set(api.id, group);
      walkGroup(s, group);
    }),
  );
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
  const permissions = recordPermissions(g.permissions, interner);
  return { id: g.id, name: g.name, memberCount: g.memberCount, permissions };
}
