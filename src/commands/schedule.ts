/**
 * `access-audit schedule`: runs audits on AUDIT_SCHEDULE in AUDIT_TIMEZONE until
 * SIGTERM/SIGINT; with PORT set it also serves the download site.
 *
 * - One audit per period across instances: each run first claims its period in the
 *   database (a live owner's claim is never taken over); the loser does not crawl. The
 *   run lock stays the last word: an instance that finds another audit running leaves the
 *   period to it. (In embedded mode one process owns DATA_DIR, so a second instance is
 *   refused at start.)
 * - Catch-up: at start, one run if no complete snapshot is newer than the most recent
 *   scheduled time.
 * - Stop: no new ticks; a running audit gets SHUTDOWN_GRACE_MS to finish, else it is
 *   aborted and its snapshot marked abandoned; exit 0.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import { AuditError, isAuditError } from '../errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import { runAudit } from '../pipeline/run-audit.js';
import { isCatchUpDue, mostRecentScheduledTime } from '../schedule/period.js';
import { type PeriodOutcome, type RunReason, startScheduler } from '../schedule/scheduler.js';
import {
  claimPeriod,
  type DatabaseHandle,
  lastCompleteSnapshot,
  openDatabase,
  releasePeriod,
} from '../store/index.js';
import type { RunningSite } from '../web/server.js';
import { startDownloadSite } from './serve.js';
import { watchStopSignals } from './signals.js';

/** Fits inside the 10 s a container runtime waits between SIGTERM and SIGKILL by default. */
export const SHUTDOWN_GRACE_MS = 8_000;

/**
 * One scheduled period: claim it, make sure no complete snapshot covers it yet (a manual
 * `run`, or another instance that finished it), then run. Another process's audit in
 * progress is not a failure: the period is `busy`, and the scheduler tries it again
 * later (by then it is usually covered). A failed or interrupted run gives its period
 * back, so that a retry or a restart's catch-up can run it.
 */
async function runPeriod(
  handle: DatabaseHandle,
  config: Config,
  logger: Logger,
  instance: string,
  scheduledAt: Date,
  reason: RunReason,
  signal: AbortSignal,
): Promise<PeriodOutcome> {
  const period = scheduledAt.toISOString();
  if (!(await claimPeriod(handle.db, scheduledAt, instance))) {
    logger.info({ period, reason }, 'another instance has this period: not running');
    return 'skipped';
  }
  const last = await lastCompleteSnapshot(handle.db);
  if (last && last.takenAt.getTime() >= scheduledAt.getTime()) {
    logger.info(
      { period, reason, snapshotId: last.id },
      'a complete snapshot already covers this period: not running',
    );
    return 'skipped';
  }
  try {
    const result = await runAudit(handle, config, { logger, signal, period: scheduledAt });
    logger.info(
      {
        period,
        reason,
        snapshotId: result.snapshotId,
        email: result.email.status,
        report: result.reportPath,
      },
      'scheduled audit done',
    );
    return 'ran';
  } catch (error) {
    await releasePeriod(handle.db, scheduledAt, instance).catch((e: unknown) => {
      logger.warn(
        { period, err: e instanceof Error ? e.message : String(e) },
        'could not give the period back',
      );
    });
    if (isAuditError(error, 'PERIOD_COVERED')) {
      logger.info({ period, reason }, 'a complete snapshot covered this period meanwhile: not running');
      return 'skipped';
    }
    if (isAuditError(error, 'DB_BUSY')) {
      logger.info({ period, reason }, 'another audit is running on this database: not running now');
      return 'busy';
    }
    throw error;
  }
}

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('run audits on AUDIT_SCHEDULE (with PORT set, also serve the download site)')
    .action(async () => {
      const stop = watchStopSignals();
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
        if (stop.received) {
          logger.info({ signal: stop.received }, 'stopped before the schedule started');
          return;
        }
        if (config.port !== undefined) site = await startDownloadSite(handle, config, logger, config.port);

        // Decide the catch-up before the cron task exists: a database error here must
        // not leave a running task behind (it would keep the process alive).
        const mostRecent = mostRecentScheduledTime(config.auditSchedule, config.auditTimezone, new Date());
        const last = await lastCompleteSnapshot(handle.db);
        const catchUp = mostRecent !== null && isCatchUpDue(last?.takenAt ?? null, mostRecent);

        const scheduler = startScheduler({
          expression: config.auditSchedule,
          timeZone: config.auditTimezone,
          logger,
          runPeriod: (scheduledAt, reason, signal) =>
            runPeriod(handle, config, logger, instance, scheduledAt, reason, signal),
        });
        if (catchUp && mostRecent) {
          logger.info(
            { missed: mostRecent.toISOString(), lastComplete: last?.takenAt.toISOString() ?? null },
            'catching up: no complete snapshot since the most recent scheduled time',
          );
          void scheduler.trigger(mostRecent, 'catch-up');
        } else {
          logger.info(
            {
              mostRecent: mostRecent?.toISOString() ?? null,
              lastComplete: last?.takenAt.toISOString() ?? null,
            },
            'no catch-up needed',
          );
        }

        const signal = await stop.signal;
        logger.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'stopping');
        const { aborted } = await scheduler.stop(SHUTDOWN_GRACE_MS);
        if (aborted) logger.warn('the running audit was interrupted and marked abandoned');
        logger.info('stopped');
      } finally {
        await site?.close();
        await handle.close();
      }
    });
}
