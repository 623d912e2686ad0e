/**
 * `access-audit serve`: the auditors' download site alone (PORT, default 8080).
 * Runs until SIGTERM/SIGINT, then closes within a bound and exits 0.
 */
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import type { Logger } from '../log/logger.js';
import type { RunHistory } from '../model/site.js';
import { importReview, importSummary } from '../pipeline/review-import.js';
import { REVIEW_FILE_MAX_BYTES } from '../review/workbook.js';
import { missedPeriods } from '../schedule/period.js';
import { type DatabaseHandle, listReports, listRuns, runMetrics } from '../store/index.js';
import { type RunningSite, startSite } from '../web/server.js';
import { type CommandContext, commandLogger, openConfiguredDatabase } from './context.js';
import { whileWatchingStopSignals } from './signals.js';

/** Every run from the store, and the periods of AUDIT_SCHEDULE that got no snapshot. */
async function runHistory(handle: DatabaseHandle, config: Config): Promise<RunHistory> {
  const { workspaceName, runs } = await listRuns(handle.db);
  const times = runs.map((r) => r.takenAt);
  return {
    workspaceName,
    runs,
    missed: missedPeriods(config.auditSchedule, config.auditTimezone, times, new Date()),
  };
}

export async function startDownloadSite(
  handle: DatabaseHandle,
  config: Config,
  logger: Logger,
  port: number,
): Promise<RunningSite> {
  const token = config.reportsToken;
  if (!token) throw new Error('REPORTS_TOKEN is required for the download site');
  const site = await startSite({
    port,
    host: config.bindAddress,
    metricsToken: config.metricsToken,
    reportsDir: config.reportsDir,
    token,
    timeZone: config.auditTimezone,
    listReports: () => listReports(handle.db),
    runHistory: () => runHistory(handle, config),
    metrics: () => runMetrics(handle.db),
    reviewUpload: {
      maxBytes: REVIEW_FILE_MAX_BYTES,
      importFile: async (upload) =>
        importSummary(
          await importReview(handle.db, {
            bytes: upload.bytes,
            source: upload.fileName,
            reviewer: upload.reviewer,
            now: config.auditNow ?? new Date(),
            privilegedRoles: config.privilegedRoles,
          }),
        ),
    },
    logger,
  });
  logger.info({ url: site.url, reportsDir: config.reportsDir }, 'download site listening');
  return site;
}

export function registerServe(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description("serve the auditors' download site (PORT, default 8080; needs REPORTS_TOKEN)")
    .action(() =>
      whileWatchingStopSignals(async (stop) => {
        const config = loadConfig(context.env, { reportsToken: true });
        const logger = commandLogger(context);
        const handle = await openConfiguredDatabase(config, logger);
        try {
          if (stop.received) return;
          const site = await startDownloadSite(handle, config, logger, config.port ?? 8080);
          const signal = await stop.signal;
          logger.info({ signal }, 'stopping the download site');
          await site.close();
        } finally {
          await handle.close();
        }
      }),
    );
}
