/**
 * `access-audit demo`: a zero-configuration showcase. Starts the simulated workspace,
 * runs an audit, changes the workspace through its API, runs again with a clock 15 days
 * later, and prints where the report and the email (.eml) are, and the exact commands
 * that look at them next. Uses its own embedded database under DATA_DIR/demo (wiped
 * first), the outbox, and REPORTS_DIR.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import { demoNextSteps } from '../demo/next-steps.js';
import { demoRoster } from '../demo/roster.js';
import { applyDemoChanges } from '../demo/scenario.js';
import { PRIVATE_FILE } from '../files/private.js';
import { runAudit } from '../pipeline/run-audit.js';
import { runSummaryText } from '../pipeline/summary-text.js';
import { Secret } from '../secret.js';
import { startSimulator } from '../simulator/index.js';
import { openDatabase } from '../store/index.js';
import { type CommandContext, commandLogger } from './context.js';

const DAY = 24 * 60 * 60 * 1000;

export function registerDemo(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('showcase: simulated workspace, two audit cycles 15 days apart, a report in REPORTS_DIR')
    .action(async () => {
      const base = loadConfig({ ...context.env, SEGMENT_API_TOKEN: undefined });
      const logger = commandLogger(context, 'warn');
      const dataDir = join(base.dataDir, 'demo');
      await rm(dataDir, { recursive: true, force: true });
      const sim = await startSimulator({ seed: 7, users: 60, groups: 6, invites: 6, groupInvites: 4 });
      const handle = await openDatabase({ dataDir, logger });
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

        const email = second.email;
        out.write(
          `\nReport: ${resolve(second.reportPath)}\n` +
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
