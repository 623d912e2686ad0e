/**
 * Remediation as one call, for the `remediate` command and the demo: resolve what a dead
 * run left planned, read the open Revoke decisions and the users' permissions just now,
 * build the plan, write it to REPORTS_DIR, and with `apply` carry it out.
 *
 * Reads use SEGMENT_WRITE_TOKEN when applying (one token does the whole remediation),
 * else SEGMENT_API_TOKEN (a plan needs no write right). Writes use SEGMENT_WRITE_TOKEN
 * only, through a client of their own: the audit's client has no write method at all.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { AuditError } from '../errors.js';
import { createDirs, PRIVATE_FILE } from '../files/private.js';
import type { Logger } from '../log/logger.js';
import type { CurrentPermissions, PlanStep } from '../model/remediation.js';
import { draftOf, undoable, undoDraft } from '../remediate/actions.js';
import { buildPlan, usersToRead } from '../remediate/plan.js';
import { planCsv } from '../remediate/plan-text.js';
import type { Secret } from '../secret.js';
import { SegmentClient, SegmentWriteClient } from '../segment/index.js';

import {
  type DatabaseHandle,
  flaggedActions,
  fullyRevokedUsers,
  getAction,
  openRevokes,
  pendingActions,
  type RemediationAction,
  staleInvites,
} from '../store/index.js';
import {
  type ActionContext,
  type ActionReport,
  applyDraft,
  readCurrent,
  resumePending,
} from './remediation-actions.js';

export interface RemediationOptions {
  apply: boolean;
  withdrawStaleInvites?: boolean;
  deleteUsers?: boolean;
  now: () => Date;
  logger?: Logger;
}

export interface RemediationResult {
  steps: PlanStep[];
  planFile: string;
  /** Actions of earlier runs whose outcome was unknown, resolved now. */
  resumed: ActionReport[];
  /** Actions recorded (and, with apply, sent) by this run. */
  actions: ActionReport[];
  /** Actions of earlier runs still `planned` (outcome unknown): `--apply` resolves them first. */
  pending: RemediationAction[];
  /** Applied actions whose access the next audit still saw. */
  flagged: RemediationAction[];
}

/** The write token, or the contract's refusal (exit 2) naming SEGMENT_WRITE_TOKEN, never a value. */
export function writeToken(config: Config): Secret {
  if (config.segmentWriteToken === undefined) {
    throw new AuditError(
      'CONFIG_INVALID',
      'SEGMENT_WRITE_TOKEN is required by remediate --apply and undo: set it to a Segment Public API token with IAM write rights (never the audit token)',
      { details: { variable: 'SEGMENT_WRITE_TOKEN' } },
    );
  }
  return config.segmentWriteToken;
}

function readToken(config: Config, apply: boolean): Secret {
  const token = apply ? writeToken(config) : (config.segmentApiToken ?? config.segmentWriteToken);
  if (token === undefined) {
    throw new AuditError(
      'CONFIG_INVALID',
      "SEGMENT_API_TOKEN is required by remediate: the plan reads each user's current permissions",
      { details: { variable: 'SEGMENT_API_TOKEN' } },
    );
  }
  return token;
}

function actionContext(
  handle: DatabaseHandle,
  config: Config,
  options: { now: () => Date; logger?: Logger },
  apply: boolean,
): ActionContext {
  const token = readToken(config, apply);
  const reader = new SegmentClient({ apiUrl: config.segmentApiUrl, token, logger: options.logger });
  const writer = new SegmentWriteClient({
    apiUrl: config.segmentApiUrl,
    token: writeToken(config),
    logger: options.logger,
  });
  return { db: handle.db, reader, writer, now: options.now, logger: options.logger };
}

async function planNow(
  ctx: Pick<ActionContext, 'db' | 'reader'>,
  options: RemediationOptions,
): Promise<PlanStep[]> {
  const decisions = await openRevokes(ctx.db);
  const fullyRevoked = options.deleteUsers ? await fullyRevokedUsers(ctx.db, decisions) : [];
  const current = new Map<string, CurrentPermissions>();
  for (const userId of usersToRead(decisions, fullyRevoked))
    current.set(userId, await readCurrent(ctx.reader, userId));
  const invites = options.withdrawStaleInvites ? await staleInvites(ctx.db) : undefined;
  return buildPlan({ decisions, current, staleInvites: invites, fullyRevoked });
}

async function writePlan(reportsDir: string, steps: readonly PlanStep[], at: Date): Promise<string> {
  await createDirs(reportsDir);
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const file = join(reportsDir, `remediation-plan-${stamp}.csv`);
  await writeFile(file, planCsv(steps), { mode: PRIVATE_FILE });
  return file;
}

export async function runRemediation(
  handle: DatabaseHandle,
  config: Config,
  options: RemediationOptions,
): Promise<RemediationResult> {
  if (!options.apply) {
    const reader = new SegmentClient({
      apiUrl: config.segmentApiUrl,
      token: readToken(config, false),
      logger: options.logger,
    });
    const steps = await planNow({ db: handle.db, reader }, options);
    const planFile = await writePlan(config.reportsDir, steps, options.now());
    const pending = await pendingActions(handle.db);
    return { steps, planFile, resumed: [], actions: [], pending, flagged: await flaggedActions(handle.db) };
  }
  const ctx = actionContext(handle, config, options, true);
  const resumed = await resumePending(ctx);
  const steps = await planNow(ctx, options);
  const planFile = await writePlan(config.reportsDir, steps, options.now());
  const actions: ActionReport[] = [];
  for (const step of steps) {
    const draft = draftOf(step);
    const report = draft && (await applyDraft(ctx, draft));
    if (report) actions.push(report);
  }
  return { steps, planFile, resumed, actions, pending: [], flagged: await flaggedActions(handle.db) };
}

/** `remediate undo ACTION_ID`: adds back what an applied revoke removed. */
export async function undoRemediation(
  handle: DatabaseHandle,
  config: Config,
  actionId: string,
  options: { now: () => Date; logger?: Logger },
): Promise<{ resumed: ActionReport[]; undo: ActionReport | undefined }> {
  const ctx = actionContext(handle, config, options, true);
  const resumed = await resumePending(ctx);
  const action = /^\d{1,18}$/.test(actionId) ? await getAction(handle.db, actionId) : undefined;
  if (action === undefined)
    throw new AuditError('USAGE', `no remediation action ${actionId}: see the ids that remediate printed`);
  if (action.status === 'undone') return { resumed, undo: undefined };
  if (!undoable(action)) {
    throw new AuditError(
      'USAGE',
      `remediation action ${actionId} (${action.operation}, ${action.status}${action.outcome ? `, ${action.outcome}` : ''}) removed no grant that can be given back: only an applied replace_permissions_for_user can be undone`,
    );
  }
  return { resumed, undo: await applyDraft(ctx, undoDraft(action)) };
}
