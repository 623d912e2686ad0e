/**
 * Plan steps as recorded actions, and how a run resolves an action a dead process left
 * `planned`. Pure: the pipeline inserts, sends and records.
 *
 * A plan key names what an action does, so planning the same decisions again finds the
 * live action instead of adding a second one: the decisions for a revoke or a user
 * deletion, the invite and when it was first seen for a withdrawal, the action for an undo.
 */
import type {
  CurrentPermissions,
  GrantKey,
  PermissionInput,
  PlanStep,
  RemediationOperation,
  RevokedGrant,
} from '../model/remediation.js';
import { grantKeyOf, heldGrants, restoring, sameGrant, withoutGrants } from './grants.js';

/** What `revoked` holds: each grant's key (for verification) and, when known, its pieces (for undo). */
export type RevokedEntry = GrantKey & { grant?: RevokedGrant };

export interface ActionDraft {
  planKey: string;
  decisionIds: string[];
  operation: RemediationOperation;
  target: string;
  request: unknown;
  revoked: RevokedEntry[];
  /** Recorded as applied at once, nothing sent: the access is already gone. */
  alreadyGone?: boolean;
  /** An undo: the action it reverses. */
  undoOf?: string;
}

/** What every replace of one user's permissions shares: the same key whether sent or found done. */
function replaceDraft(step: { userId: string; decisionIds: string[] }) {
  return {
    planKey: `replace:${step.userId}:${step.decisionIds.join(',')}`,
    decisionIds: step.decisionIds,
    operation: 'replace_permissions_for_user' as const,
    target: step.userId,
  };
}

/** The action a step records, or undefined for steps that are only listed (manual, needs a decision). */
export function draftOf(step: PlanStep): ActionDraft | undefined {
  switch (step.kind) {
    case 'replace':
      return {
        ...replaceDraft(step),
        request: { permissions: step.permissions },
        revoked: step.revoked.map((grant) => ({ ...grantKeyOf(grant), grant })),
      };
    case 'already-gone':
      return { ...replaceDraft(step), request: {}, revoked: [], alreadyGone: true };
    case 'delete-user':
      return {
        planKey: `delete-user:${step.user.userId}:${step.user.decisionIds.join(',')}`,
        decisionIds: step.user.decisionIds,
        operation: 'delete_users',
        target: step.user.userId,
        request: { userIds: [step.user.userId] },
        revoked: [],
      };
    case 'withdraw-invite':
      return {
        planKey: `invite:${step.invite.email.toLowerCase()}:${step.invite.firstSeen.toISOString()}`,
        decisionIds: [],
        operation: 'delete_invites',
        target: step.invite.email,
        request: { emails: [step.invite.email] },
        revoked: [],
      };
    default:
      return undefined;
  }
}

/** The undo of an applied revoke: add back exactly the grants it removed. */
export function undoDraft(action: {
  id: string;
  target: string;
  decisionIds: string[];
  revoked: unknown;
}): ActionDraft {
  const revoked = action.revoked as RevokedEntry[];
  const grants = revoked.flatMap((r) => (r.grant ? [r.grant] : []));
  return {
    planKey: `undo:${action.id}`,
    decisionIds: action.decisionIds,
    operation: 'add_permissions_to_user',
    target: action.target,
    request: { permissions: restoring(grants) },
    revoked,
    undoOf: action.id,
  };
}

/** Whether an action removed grants that an undo can give back. */
export function undoable(action: { operation: string; status: string; revoked: unknown }): boolean {
  const revoked = action.revoked as RevokedEntry[];
  return (
    action.operation === 'replace_permissions_for_user' &&
    action.status === 'applied' &&
    revoked.length > 0 &&
    revoked.every((r) => r.grant !== undefined)
  );
}

export type Resolution = { done: true } | { done: false; request?: { permissions: PermissionInput[] } };

/**
 * A `planned` action found by a later run: did its request take effect? A revoke whose
 * grants are no longer held (or whose user is gone) is done; otherwise it is sent again
 * with a body rebuilt from the permissions just read, never the stale one. An undo whose
 * grants are all held again is done. Deletions are simply sent again: a 404 then says done.
 */
export function resolvePending(
  action: { operation: string; revoked: unknown },
  current: CurrentPermissions | undefined,
): Resolution {
  const keys = action.revoked as RevokedEntry[];
  if (current === undefined) return { done: false };
  if (action.operation === 'replace_permissions_for_user') {
    if (current === 'gone') return { done: true };
    const held = heldGrants(current);
    if (!keys.some((k) => held.some((h) => sameGrant(h.key, k)))) return { done: true };
    return { done: false, request: { permissions: withoutGrants(current, keys) } };
  }
  if (action.operation === 'add_permissions_to_user' && current !== 'gone') {
    const held = heldGrants(current);
    if (keys.every((k) => held.some((h) => sameGrant(h.key, k)))) return { done: true };
  }
  return { done: false };
}

/** Whether resolving this pending action needs the user's permissions read first. */
export const needsRead = (operation: string): boolean =>
  operation === 'replace_permissions_for_user' || operation === 'add_permissions_to_user';
