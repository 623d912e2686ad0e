/**
 * `access-audit run`: one audit cycle now. Prints a short human summary on stdout; exits
 * 3 (after the summary) when the audit completed but the email was not delivered.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { terminalProgress } from '../log/progress.js';
import { runAudit } from '../pipeline/run-audit.js';
import { runSummaryText } from '../pipeline/summary-text.js';
import { undeliveredError } from '../pipeline/undelivered.js';
import { withDatabase } from './context.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('one audit cycle now: crawl, snapshot, diff, Excel report, email')
    .option('--no-email', 'skip the email (the report is still written)')
    .action(async (options: { email: boolean }) => {
      const config = loadConfig(process.env, { segmentToken: true });
      const result = await withDatabase(config, (handle, logger) =>
        runAudit(handle, config, { logger, progress: terminalProgress(), sendEmail: options.email }),
      );
      process.stdout.write(runSummaryText(result));
      const undelivered = undeliveredError(result);
      if (undelivered) throw undelivered;
    });
}
