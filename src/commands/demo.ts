/**
 * `access-audit demo`: a zero-configuration showcase. Starts the simulated workspace,
 * runs an audit, changes the workspace through its API, runs again with a clock 15 days
 * later, and prints where the report and the email (.eml) are, and the exact commands
 * that look at them next. Uses its own embedded database under DATA_DIR/demo (wiped
 * first), the outbox, and REPORTS_DIR.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import { demoNextSteps } from '../demo/next-steps.js';
import { fillDemoReview } from '../demo/review.js';
import { demoRoster } from '../demo/roster.js';
import { applyDemoChanges } from '../demo/scenario.js';
import { unusableDirectory } from '../errors.js';
import { PRIVATE_FILE } from '../files/private.js';
import type { Logger } from '../log/logger.js';
import { runRemediation } from '../pipeline/remediate.js';
import { remediationText } from '../pipeline/remediate-text.js';
import { importReview, importSummary } from '../pipeline/review-import.js';
import { type RunResult, runAudit } from '../pipeline/run-audit.js';
import { runSummaryText } from '../pipeline/summary-text.js';
import { Secret } from '../secret.js';
import { startSimulator } from '../simulator/index.js';
import type { DatabaseHandle } from '../store/index.js';
import { type CommandContext, commandLogger, openConfiguredDatabase } from './context.js';

const HOUR = 60 * 60 * 1000;

/** Every demo starts afresh; a DATA_DIR that is a file is named as such, not as an lstat error. */
async function clearDemoData(dataDir: string): Promise<void> {
  try {
    await rm(dataDir, { recursive: true, force: true });
  } catch (error) {
    throw unusableDirectory(
      'DATA_DIR',
      dirname(dataDir),
      "the demo's embedded database",
      'set DATA_DIR to a writable directory',
      error,
    );
  }
}
const DAY = 24 * HOUR;

/**
 * The third cycle: a reviewer signs off the second report (Revoke on the leaver's direct
 * grants), the decisions are imported, carried out through the IAM users API (the
 * simulator's token standing in for SEGMENT_WRITE_TOKEN), and an audit an hour later
 * verifies them: the Review Status sheet shows them remediated.
 */
async function reviewAndRemediate(
  handle: DatabaseHandle,
  config: (auditNow: Date) => Config,
  reportPath: string,
  out: CommandContext['io']['stdout'],
  now: number,
  logger: Logger,
): Promise<RunResult> {
  // Half an hour after audit 2: the reviewer's sign-off, then the revocation.
  const at = new Date(now + HOUR / 2);
  const reviewed = join(config(at).dataDir, 'access-review-signed.xlsx');
  const revoked = await fillDemoReview(reportPath, reviewed);
  out.write(`\n== Review: a reviewer signs off audit 2's Access Review\n`);
  for (const r of revoked) out.write(`  - Revoke: ${r}\n`);
  const imported = await importReview(handle.db, {
    bytes: await readFile(reviewed),
    source: reviewed,
    reviewer: 'auditor@example.com',
    now: at,
    privilegedRoles: config(at).privilegedRoles,
  });
  out.write(`  imported: ${importSummary(imported)}\n`);
  out.write('\n== Remediation: the revocations carried out through the IAM users API\n');
  const writing = { ...config(at), segmentWriteToken: config(at).segmentApiToken };
  const done = await runRemediation(handle, writing, { apply: true, now: () => at, logger });
  out.write(remediationText(done, true));
  out.write(`\n== Audit 3 (an hour later): the revocations verified\n`);
  const third = await runAudit(handle, config(new Date(now + HOUR)), { logger });
  out.write(runSummaryText(third));
  return third;
}

export function registerDemo(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('showcase: simulated workspace, two audit cycles 15 days apart, a report in REPORTS_DIR')
    .action(async () => {
      const base = loadConfig({ ...context.env, SEGMENT_API_TOKEN: undefined });
      const logger = commandLogger(context, 'warn');
      const dataDir = join(base.dataDir, 'demo');
      await clearDemoData(dataDir);
      const sim = await startSimulator({ seed: 7, users: 60, groups: 6, invites: 6, groupInvites: 4 });
      // The simulator's server would keep the process alive after a failed open.
      const handle = await openConfiguredDatabase({ ...base, databaseUrl: undefined, dataDir }, logger).catch(
        async (error: unknown) => {
          await sim.close();
          throw error;
        },
      );
      try {
        const now = Date.now();
        // An HR roster with a leaver who kept Workspace Owner, read by each run as ROSTER_FILE.
        const roster = demoRoster(sim.truth(), new Date(now - 15 * DAY));
        const rosterFile = join(dataDir, 'roster.csv');
        await writeFile(rosterFile, roster.csv, { mode: PRIVATE_FILE });
        const config = (auditNow: Date): Config =>
          Object.freeze({
            ...base,
            segmentApiToken: new Secret(sim.token),
            segmentApiUrl: sim.url,
            databaseUrl: undefined,
            dataDir,
            smtpUrl: undefined,
            mailTo: base.mailTo.length > 0 ? base.mailTo : ['compliance@example.com'],
            auditNow,
            rosterFile,
            allowedEmailDomains: [roster.domain],
          });
        const out = context.io.stdout;
        out.write(`Simulated workspace at ${sim.url}\n\n== Audit 1 (15 days ago): the baseline\n`);
        const first = await runAudit(handle, config(new Date(now - 15 * DAY)), { logger });
        out.write(runSummaryText(first));

        out.write('\n== Changes in the workspace\n');
        // The changes' audit-trail events fall between the two audits, a week ago.
        sim.setAuditTrail({ now: new Date(now - 7 * DAY) });
        for (const step of await applyDemoChanges(sim)) out.write(`  - ${step.what}\n`);

        out.write('\n== Audit 2 (now)\n');
        const second = await runAudit(handle, config(new Date(now)), { logger });
        out.write(runSummaryText(second));

        // The remediation's audit-trail events fall between audits 2 and 3.
        sim.setAuditTrail({ now: new Date(now + HOUR / 2) });
        const third = await reviewAndRemediate(handle, config, second.reportPath, out, now, logger);

        const email = second.email;
        out.write(
          `\nReport: ${resolve(second.reportPath)}\n` +
            `Report after the revocation: ${resolve(third.reportPath)}\n` +
            (email.status === 'outbox' ? `Email:  ${resolve(email.path)}\n` : '') +
            `Database: ${resolve(dataDir)} (embedded)\n\n` +
            demoNextSteps({
              dataDir: resolve(dataDir),
              reportsDir: resolve(base.reportsDir),
              reportsToken: randomBytes(24).toString('hex'),
              port: base.port ?? 8080,
              clearDatabaseUrl: base.databaseUrl !== undefined,
            }),
        );
      } finally {
        await handle.close();
        await sim.close();
      }
    });
}
