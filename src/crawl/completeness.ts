import type { Completeness, CrossCheckDisagreement, UserGroup } from '../model/workspace.js';
import { compareStrings } from './normalize.js';

/**
 * How complete and self-consistent the picture is, with one human warning per problem for
 * the report's Summary. Nothing here fails a crawl: a workspace that changes while it is
 * walked is normal; the point is that every gap is written down, never silently dropped.
 * Warnings come in a fixed order (and sorted within each kind) so equal crawls are equal.
 */

export interface CompletenessInput {
  /** totalEntries each list declared. */
  declared: Completeness['declared'];
  /** Distinct items each list walk collected (groups deleted later included). */
  walked: Completeness['walked'];
  /** The groups of the picture (deleted ones already left out). */
  groups: readonly UserGroup[];
  /** Declared memberCount and walked member count (before members unknown to /users were left out). */
  memberCounts: ReadonlyMap<string, { declared: number; walked: number }>;
  groupsDeletedDuringWalk: readonly string[];
  withoutPermissions: Completeness['withoutPermissions'];
  /** Paths of resource lists the token may not read. */
  unreadableResourceLists: readonly string[];
  crossCheck: { sampled: number; agreed: number; disagreements: CrossCheckDisagreement[] };
  crossCheckWarnings: readonly string[];
  /** Anything else noticed during the walk (duplicates, members not in /users, …). */
  notes: readonly string[];
}

const LISTS = ['roles', 'users', 'invites', 'groups'] as const;

export function buildCompleteness(input: CompletenessInput): Completeness {
  const warnings: string[] = [];
  for (const list of LISTS) {
    const declared = input.declared[list];
    const walked = input.walked[list];
    if (declared !== undefined && declared !== walked) {
      warnings.push(`${list}: the API declared ${declared} (totalEntries), the walk collected ${walked}`);
    }
  }

  const memberCountMismatches = input.groups
    .map((g) => ({ groupId: g.id, ...(input.memberCounts.get(g.id) ?? { declared: 0, walked: 0 }) }))
    .filter((m) => m.declared !== m.walked)
    .sort((a, b) => compareStrings(a.groupId, b.groupId));
  for (const m of memberCountMismatches) {
    warnings.push(`group ${m.groupId}: memberCount says ${m.declared}, the member walk found ${m.walked}`);
  }

  const deleted = [...new Set(input.groupsDeletedDuringWalk)].sort(compareStrings);
  for (const id of deleted) {
    warnings.push(`group ${id} was deleted while the workspace was walked (404); it is left out`);
  }

  const unreadable = [...new Set(input.unreadableResourceLists)].sort(compareStrings);
  for (const path of unreadable) {
    warnings.push(
      `GET ${path}: the token may not read this list, or the workspace lacks it (401/403/404); its resources are named by id only`,
    );
  }

  warnings.push(...[...input.notes].sort(compareStrings));
  warnings.push(...[...input.crossCheckWarnings].sort(compareStrings));

  return {
    declared: input.declared,
    walked: input.walked,
    memberCountMismatches,
    groupsDeletedDuringWalk: deleted,
    crossCheck: {
      sampled: input.crossCheck.sampled,
      agreed: input.crossCheck.agreed,
      disagreements: [...input.crossCheck.disagreements].sort((a, b) => compareStrings(a.userId, b.userId)),
    },
    withoutPermissions: input.withoutPermissions,
    unreadableResourceLists: unreadable,
    warnings,
  };
}
