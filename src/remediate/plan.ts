/**
 * The remediation plan, pure: open Revoke decisions and the users' permissions as just
 * read → the steps to take. Nothing here reads or writes; the pipeline reads the users
 * this names (usersToRead), then builds the plan, then (with --apply) carries it out.
 */
import type {
  CurrentPermissions,
  FullyRevokedUser,
  PlanStep,
  RevokeDecision,
  StaleInvite,
} from '../model/remediation.js';
import { heldGrants, sameGrant, sameTarget, withoutGrants } from './grants.js';

export interface PlanInput {
  decisions: readonly RevokeDecision[];
  /** userId → direct permissions as read just now (every user usersToRead named). */
  current: ReadonlyMap<string, CurrentPermissions>;
  /** Given with --withdraw-stale-invites. */
  staleInvites?: readonly StaleInvite[];
  /** Given with --delete-users. */
  fullyRevoked?: readonly FullyRevokedUser[];
}

/** The Via cell's paths: `direct` and group names. */
function paths(via: string): { direct: boolean; groups: string[] } {
  const all = via
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return { direct: all.includes('direct'), groups: all.filter((p) => p !== 'direct') };
}

/** Users whose current permissions the plan needs: direct revokes of users not being deleted. */
export function usersToRead(
  decisions: readonly RevokeDecision[],
  fullyRevoked: readonly FullyRevokedUser[] = [],
): string[] {
  const deleted = new Set(fullyRevoked.map((u) => u.userId));
  const ids = decisions.filter((d) => paths(d.via).direct && !deleted.has(d.userId)).map((d) => d.userId);
  return [...new Set(ids)].sort();
}

/**
 * One user's direct revokes against what they hold now. A grant still held exactly goes
 * (one PUT for all of them); one no longer held at all is already gone; one whose role on
 * that resource now has another label scope was changed since the decision: nothing is
 * sent for it, the row needs a new decision.
 */
export function planUser(decisions: readonly RevokeDecision[], current: CurrentPermissions): PlanStep[] {
  const first = decisions[0];
  if (first === undefined) return [];
  const ids = (list: readonly RevokeDecision[]) => list.map((d) => d.id);
  const who = { userId: first.userId, email: first.email };
  if (current === 'gone')
    return [
      { kind: 'already-gone', ...who, decisionIds: ids(decisions), why: 'the user no longer exists (404)' },
    ];
  const held = heldGrants(current);
  const steps: PlanStep[] = [];
  const revoke: RevokeDecision[] = [];
  const gone: RevokeDecision[] = [];
  for (const d of decisions) {
    if (held.some((h) => sameGrant(h.key, d))) revoke.push(d);
    else {
      const found = held.filter((h) => sameTarget(h.key, d)).map((h) => h.key.labels);
      if (found.length > 0) steps.push({ kind: 'needs-decision', decision: d, found });
      else gone.push(d);
    }
  }
  if (revoke.length > 0) {
    const revoked = held.filter((h) => revoke.some((d) => sameGrant(h.key, d)));
    steps.unshift({
      kind: 'replace',
      ...who,
      decisionIds: ids(revoke),
      revoked: revoked.map((h) => h.grant),
      permissions: withoutGrants(current, revoke),
    });
  }
  if (gone.length > 0)
    steps.push({ kind: 'already-gone', ...who, decisionIds: ids(gone), why: 'the grant is no longer held' });
  return steps;
}

/** Every step: user deletions, direct revokes per user, manual group steps, invites. */
export function buildPlan(input: PlanInput): PlanStep[] {
  const fullyRevoked = input.fullyRevoked ?? [];
  const deleted = new Set(fullyRevoked.map((u) => u.userId));
  const steps: PlanStep[] = fullyRevoked.map((user) => ({ kind: 'delete-user', user }));
  const direct = new Map<string, RevokeDecision[]>();
  const manual: PlanStep[] = [];
  for (const d of input.decisions) {
    if (deleted.has(d.userId)) continue; // deleting the user removes every path at once
    const via = paths(d.via);
    if (via.direct) direct.set(d.userId, [...(direct.get(d.userId) ?? []), d]);
    if (via.groups.length > 0) manual.push({ kind: 'manual', decision: d, groups: via.groups });
  }
  for (const [userId, decisions] of [...direct].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const current = input.current.get(userId);
    if (current === undefined) throw new Error(`the permissions of user ${userId} were not read`);
    steps.push(...planUser(decisions, current));
  }
  steps.push(...manual);
  for (const invite of input.staleInvites ?? [])
    steps.push(
      invite.groupId === null ? { kind: 'withdraw-invite', invite } : { kind: 'manual-invite', invite },
    );
  return steps;
}
