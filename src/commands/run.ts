/**
 * `access-audit run`: one audit cycle now. Prints a short human summary on stdout; exits
 * 3 (after the summary) when the audit completed but the email was not delivered. Warns
 * first on stderr when the email reaches no one (MAIL_TO unset) or only the outbox.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { terminalProgress } from '../log/progress.js';
import { mailWarning } from '../pipeline/mail-warning.js';
import { runAudit } from '../pipeline/run-audit.js';
import { runSummaryText } from '../pipeline/summary-text.js';
import { undeliveredError } from '../pipeline/undelivered.js';
import { type CommandContext, commandLogger, withDatabase } from './context.js';

export function registerRun(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('one audit cycle now: crawl, snapshot, diff, Excel report, email')
    .option('--no-email', 'skip the email (the report is still written)')
    .action(async (options: { email: boolean }) => {
      const config = loadConfig(context.env, { segmentToken: true });
      const logger = commandLogger(context);
      // --no-email asked for no email: saying so again would be noise.
      const warning = options.email ? mailWarning(config) : undefined;
      if (warning) logger.warn(warning);
      const progress = terminalProgress(context.io.stderr);
      const result = await withDatabase(config, logger, (handle) =>
        runAudit(handle, config, { logger, progress, sendEmail: options.email }),
      );
      context.io.stdout.write(runSummaryText(result));
      const undelivered = undeliveredError(result);
      if (undelivered) throw undelivered;
    });
}
