import { isAuditError } from '../../errors.js';
import { collect } from '../../segment/index.js';
import { chooseSample, compareMemberships, describeDisagreement } from '../cross-check.js';
import type { CrawlState, Walked } from '../state.js';

/**
 * Runs after every other walk: for a reproducible sample of the users, reads their groups
 * from the user's side (GET /users/{id}/groups) and compares them with the group walks.
 * A disagreement is a warning, never a failure; so is a sampled user gone since (404).
 */
export function walkCrossCheck(s: CrawlState, sampleSize: number): void {
  const { walked } = s;
  const sample = chooseSample(userIds(walked), sampleSize);
  const groupsOfUser = groupsByMember(walked);
  walked.crossCheck.sampled = sample.length;
  for (const userId of sample) {
    s.tasks.spawn(async () => {
      let fromUser: string[];
      try {
        fromUser = (await collect(s.client.listUserGroupsFromUser(userId))).items.map((g) => g.id);
      } catch (error) {
        if (!isAuditError(error, 'API_NOT_FOUND')) throw error;
        fromUser = [];
        walked.crossCheck.warnings.push(
          `cross-check: user ${userId} no longer exists (404 on GET /users/${userId}/groups)`,
        );
      }
      const d = compareMemberships(userId, fromUser, groupsOfUser.get(userId) ?? [], walked.deletedGroups);
      if (d) {
        walked.crossCheck.disagreements.push(d);
        walked.crossCheck.warnings.push(describeDisagreement(d));
      }
      s.tracker.crossChecked++;
      s.tracker.show();
    });
  }
}

/** The users of the picture: listed, not deleted since. */
function userIds(walked: Walked): string[] {
  return [...walked.users.keys()].filter((id) => !walked.deletedUsers.has(id));
}

/** Group ids by member, from the member walks of the groups still there. */
function groupsByMember(walked: Walked): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [groupId, group] of walked.groups) {
    if (walked.deletedGroups.has(groupId)) continue;
    for (const m of group.members) {
      const list = out.get(m);
      if (list) list.push(groupId);
      else out.set(m, [groupId]);
    }
  }
  return out;
}
