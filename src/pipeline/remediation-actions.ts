/**
 * Carrying out remediation actions, in the order that makes a crash harmless: an action
 * is committed `planned` before its request goes out and recorded with the answer after.
 * A `planned` action a dead process left behind is resolved by reading the user again
 * (resolvePending), never by sending the old request blind.
 */
import type { Kysely } from 'kysely';
import { AuditError, isAuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { CurrentPermissions, PermissionInput } from '../model/remediation.js';
import { type ActionDraft, needsRead, resolvePending } from '../remediate/actions.js';
import { apiMessage, verdictOf } from '../remediate/verdict.js';
import type { SegmentClient, SegmentWriteClient, WriteAnswer } from '../segment/index.js';
import type { Database } from '../store/index.js';
import {
  insertPlanned,
  markUndone,
  type Outcome,
  pendingActions,
  type RemediationAction,
  recordOutcome,
  updateRequest,
} from '../store/index.js';

export interface ActionContext {
  db: Kysely<Database>;
  reader: Pick<SegmentClient, 'getUser'>;
  writer: SegmentWriteClient;
  now: () => Date;
  logger?: Logger;
}

/** What became of one action in this run. */
export interface ActionReport {
  id: string;
  operation: string;
  target: string;
  status: 'applied' | 'failed' | 'planned';
  outcome?: string;
  error?: string;
}

type Sendable = Pick<RemediationAction, 'id' | 'operation' | 'target' | 'request' | 'undoOf'>;

/** A user's direct permissions now, or `gone` on a 404. */
export async function readCurrent(
  reader: ActionContext['reader'],
  userId: string,
): Promise<CurrentPermissions> {
  try {
    return (await reader.getUser(userId)).permissions ?? [];
  } catch (error) {
    if (isAuditError(error, 'API_NOT_FOUND')) return 'gone';
    throw error;
  }
}

function send(writer: SegmentWriteClient, action: Sendable): Promise<WriteAnswer> {
  const request = action.request as {
    permissions?: PermissionInput[];
    emails?: string[];
    userIds?: string[];
  };
  switch (action.operation) {
    case 'replace_permissions_for_user':
      return writer.replacePermissionsForUser(action.target, request.permissions ?? []);
    case 'add_permissions_to_user':
      return writer.addPermissionsToUser(action.target, request.permissions ?? []);
    case 'delete_invites':
      return writer.deleteInvites(request.emails ?? []);
    case 'delete_users':
      return writer.deleteUsers(request.userIds ?? []);
  }
}

/** Records an outcome; an applied undo turns its original `undone` in the same transaction. */
async function record(ctx: ActionContext, action: Sendable, o: Outcome): Promise<ActionReport> {
  const at = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await recordOutcome(trx, action.id, o, at);
    if (o.status === 'applied' && action.undoOf) await markUndone(trx, action.undoOf, at);
  });
  ctx.logger?.info(
    { actionId: action.id, status: o.status, outcome: o.outcome },
    'remediation action recorded',
  );
  const report: ActionReport = {
    id: action.id,
    operation: action.operation,
    target: action.target,
    status: o.status,
  };
  if (o.outcome) report.outcome = o.outcome;
  if (o.error) report.error = o.error;
  return report;
}

/** Sends a planned action and records the API's answer. A refused token stops everything (exit 2). */
async function carryOut(ctx: ActionContext, action: Sendable, resumed: boolean): Promise<ActionReport> {
  let answer: WriteAnswer;
  try {
    answer = await send(ctx.writer, action);
  } catch (error) {
    if (!isAuditError(error, 'API_UNAVAILABLE')) throw error;
    // No answer: it may have been applied. It stays planned; the next run reads and decides.
    return record(ctx, action, { status: 'planned', error: error.message });
  }
  const response = answer.body;
  switch (verdictOf(answer.status)) {
    case 'applied':
      return record(ctx, action, { status: 'applied', outcome: 'sent', response });
    case 'gone':
      if (action.operation === 'add_permissions_to_user')
        return record(ctx, action, { status: 'failed', response, error: 'the user no longer exists (404)' });
      return record(ctx, action, {
        status: 'applied',
        outcome: resumed ? 'found-done' : 'already-gone',
        response,
      });
    case 'unknown':
      return record(ctx, action, { status: 'planned', response, error: apiMessage(answer.status, response) });
    case 'forbidden': {
      const said = apiMessage(answer.status, response);
      await record(ctx, action, { status: 'failed', response, error: said });
      throw new AuditError(
        'WRITE_FORBIDDEN',
        `${action.operation} ${action.target}: the Segment API refused SEGMENT_WRITE_TOKEN (${said}); ` +
          `give that token IAM write rights (Workspace Owner); action ${action.id} recorded as failed, nothing else sent`,
      );
    }
    case 'rejected':
      return record(ctx, action, { status: 'failed', response, error: apiMessage(answer.status, response) });
  }
}

/** Records a new action and carries it out; undefined when a live action already does it. */
export async function applyDraft(ctx: ActionContext, draft: ActionDraft): Promise<ActionReport | undefined> {
  const id = await insertPlanned(ctx.db, draft, ctx.now());
  if (id === undefined) return undefined;
  const action = {
    id,
    operation: draft.operation,
    target: draft.target,
    request: draft.request,
    undoOf: draft.undoOf ?? null,
  };
  if (draft.alreadyGone)
    return record(ctx, action, { status: 'applied', outcome: 'already-gone', error: undefined });
  ctx.logger?.info({ actionId: id, operation: draft.operation }, 'remediation action planned');
  return carryOut(ctx, action, false);
}

/** Resolves every action a previous run left `planned`, oldest first. */
export async function resumePending(ctx: ActionContext): Promise<ActionReport[]> {
  const reports: ActionReport[] = [];
  for (const action of await pendingActions(ctx.db)) {
    const current = needsRead(action.operation) ? await readCurrent(ctx.reader, action.target) : undefined;
    const resolution = resolvePending(action, current);
    ctx.logger?.info({ actionId: action.id, done: resolution.done }, 'remediation action resumed');
    if (resolution.done) {
      reports.push(await record(ctx, action, { status: 'applied', outcome: 'found-done' }));
      continue;
    }
    if (resolution.request) {
      await updateRequest(ctx.db, action.id, resolution.request);
      action.request = resolution.request;
    }
    reports.push(await carryOut(ctx, action, true));
  }
  return reports;
}
