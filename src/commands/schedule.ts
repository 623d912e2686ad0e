/**
 * `access-audit schedule`: runs audits on AUDIT_SCHEDULE in AUDIT_TIMEZONE until
 * SIGTERM/SIGINT; with PORT set it also serves the download site.
 *
 * - One audit per period across instances: each run first claims its period in the
 *   database; the loser does not crawl. (In embedded mode one process owns DATA_DIR, so
 *   a second instance is refused at start.)
 * - Catch-up: at start, one run if no complete snapshot is newer than the most recent
 *   scheduled time.
 * - Stop: no new ticks; a running audit gets SHUTDOWN_GRACE_MS to finish, else it is
 *   aborted and its snapshot marked abandoned; exit 0.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AuditError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { runAudit } from '../pipeline/run-audit.js';
import { isCatchUpDue, mostRecentScheduledTime } from '../schedule/period.js';
import { startScheduler } from '../schedule/scheduler.js';
import { claimPeriod, lastCompleteSnapshot, openDatabase, releasePeriod } from '../store/index.js';
import type { RunningSite } from '../web/server.js';
import { startDownloadSite } from './serve.js';
import { untilSignal } from './signals.js';

/** Fits inside the 10 s a container runtime waits between SIGTERM and SIGKILL by default. */
export const SHUTDOWN_GRACE_MS = 8_000;

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('run audits on AUDIT_SCHEDULE (with PORT set, also serve the download site)')
    .action(async () => {
      const config = loadConfig(process.env, {
        segmentToken: true,
        reportsToken: process.env.PORT !== undefined,
      });
      if (config.auditNow !== undefined) {
        throw new AuditError('CONFIG_INVALID', 'AUDIT_NOW applies to `run` only: unset it for `schedule`');
      }
      const logger = createLogger();
      const instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
      const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
      let site: RunningSite | undefined;
      try {
        if (config.port !== undefined) site = await startDownloadSite(handle, config, logger, config.port);

        const scheduler = startScheduler({
          expression: config.auditSchedule,
          timeZone: config.auditTimezone,
          logger,
          runPeriod: async (scheduledAt, reason, signal) => {
            if (!(await claimPeriod(handle.db, scheduledAt, instance))) {
              logger.info(
                { period: scheduledAt.toISOString() },
                'another instance has this period: not running',
              );
              return;
            }
            try {
              const result = await runAudit(handle, config, { logger, signal });
              logger.info(
                {
                  reason,
                  snapshotId: result.snapshotId,
                  email: result.email.status,
                  report: result.reportPath,
                },
                'scheduled audit done',
              );
            } catch (error) {
              // Give the period back so that a restart's catch-up can try again.
              await releasePeriod(handle.db, scheduledAt, instance).catch(() => {});
              throw error;
            }
          },
        });

        const mostRecent = mostRecentScheduledTime(config.auditSchedule, config.auditTimezone, new Date());
        const last = await lastCompleteSnapshot(handle.db);
        if (isCatchUpDue(last?.takenAt ?? null, mostRecent) && mostRecent) {
          logger.info(
            { missed: mostRecent.toISOString(), lastComplete: last?.takenAt.toISOString() ?? null },
            'catching up: no complete snapshot since the most recent scheduled time',
          );
          void scheduler.trigger(mostRecent, 'catch-up');
        }

        const signal = await untilSignal();
        logger.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'stopping');
        const { aborted } = await scheduler.stop(SHUTDOWN_GRACE_MS);
        if (aborted) logger.warn('the running audit was interrupted and marked abandoned');
      } finally {
        await site?.close();
        await handle.close();
      }
    });
}
