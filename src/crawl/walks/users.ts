import { isAuditError } from '../../errors.js';
import type { ApiUser } from '../../segment/index.js';
import { Feeder } from '../feeder.js';
import { type PermissionInterner, recordPermissions } from '../normalize.js';
import type { CrawlState, UserRecord } from '../state.js';
import { walkTopList } from './top-list.js';

/**
 * GET /users, and GET /users/{id} for each user listed without permissions (the real
 * API's lists give none: one detail fetch per user). A user that 404s on its detail
 * fetch was deleted while walked: left out, with a note. A detail record without
 * `permissions` holds no direct grant (the assembly counts it in withoutPermissions).
 */
export function walkUsers(s: CrawlState): void {
  const { walked } = s;
  const details = new Feeder(s.tasks, (id) => fetchUser(s, id), s.detailsAhead);
  s.tasks.spawn(() =>
    walkTopList(s, 'users', 'users', s.client.listUsers(), (user) => {
      const seen = walked.users.has(user.id);
      // Listed without permissions (its detail is fetched, on the first listing): the detail
      // record will stand for it. Keeping the list's copy too held a second record, name
      // and email a user for the whole walk (issue 14).
      const detailed = user.permissions === undefined && (!seen || walked.users.get(user.id) === undefined);
      walked.users.set(user.id, detailed ? undefined : toUserRecord(user, s.interner));
      if (detailed && !seen) details.add(user.id);
    }),
  );
}

async function fetchUser(s: CrawlState, userId: string): Promise<void> {
  try {
    const detail = await s.client.getUser(userId);
    const record = toUserRecord(detail, s.interner);
    // The id string the list gave (the map's key) rather than the detail's equal copy.
    if (record.id === userId) record.id = userId;
    s.walked.userDetails.set(userId, record);
    s.tracker.details++;
  } catch (error) {
    if (!isAuditError(error, 'API_NOT_FOUND')) throw error;
    s.walked.deletedUsers.add(userId);
    s.walked.notes.push(`user ${userId} was deleted while the workspace was walked (404); it is left out`);
  }
}

function toUserRecord(u: ApiUser, interner: PermissionInterner): UserRecord {
  return { id: u.id, name: u.name, email: u.email, permissions: recordPermissions(u.permissions, interner) };
}
