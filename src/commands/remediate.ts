/**
 * `access-audit remediate [--apply] [--withdraw-stale-invites] [--delete-users]` and
 * `access-audit remediate undo ACTION_ID`: composition only; the plan is built in
 * src/remediate/, carried out by src/pipeline/remediate.ts.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AuditError } from '../errors.js';
import { runRemediation, undoRemediation, writeToken } from '../pipeline/remediate.js';
import { actionLine, remediationText, unfinished } from '../pipeline/remediate-text.js';
import { type CommandContext, commandLogger, withDatabase } from './context.js';

interface RemediateFlags {
  apply?: boolean;
  withdrawStaleInvites?: boolean;
  deleteUsers?: boolean;
}

const clock = (fixed: Date | undefined) => () => fixed ?? new Date();

export function registerRemediate(program: Command, context: CommandContext): void {
  const remediate = program
    .command('remediate')
    .description('carry out recorded Revoke decisions through the IAM users API (a plan unless --apply)')
    .option('--apply', 'send the plan with SEGMENT_WRITE_TOKEN and record every action')
    .option('--withdraw-stale-invites', 'also withdraw the stale workspace invites (delete_invites)')
    .option('--delete-users', 'delete users every one of whose rows was revoked (delete_users)')
    .action(async (flags: RemediateFlags) => {
      const config = loadConfig(context.env);
      const logger = commandLogger(context, 'warn');
      const apply = flags.apply === true;
      if (apply) writeToken(config); // refused before anything is opened or read
      const result = await withDatabase(config, logger, (handle) =>
        runRemediation(handle, config, {
          apply,
          withdrawStaleInvites: flags.withdrawStaleInvites === true,
          deleteUsers: flags.deleteUsers === true,
          now: clock(config.auditNow),
          logger,
        }),
      );
      context.io.stdout.write(remediationText(result, apply));
      const left = unfinished(result);
      if (left.length > 0) {
        throw new AuditError(
          'REMEDIATION_INCOMPLETE',
          `${left.length} remediation action(s) not applied (first: action ${left[0]!.id}); run remediate --apply again once the cause is fixed`,
        );
      }
    });
  remediate
    .command('undo')
    .description('give back what an applied revoke removed (add_permissions_to_user)')
    .argument('<actionId>', 'the id of the remediation action to undo')
    .action(async (actionId: string) => {
      const config = loadConfig(context.env);
      writeToken(config);
      const logger = commandLogger(context, 'warn');
      const { resumed, undo } = await withDatabase(config, logger, (handle) =>
        undoRemediation(handle, config, actionId, { now: clock(config.auditNow), logger }),
      );
      for (const a of resumed) context.io.stdout.write(`${actionLine(a)}\n`);
      context.io.stdout.write(undo ? `${actionLine(undo)}\n` : `Action ${actionId} is already undone.\n`);
      if (undo && undo.status !== 'applied')
        throw new AuditError(
          'REMEDIATION_INCOMPLETE',
          `the undo of action ${actionId} was not applied (action ${undo.id})`,
        );
    });
}
