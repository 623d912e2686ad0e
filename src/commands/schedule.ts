/**
 * `access-audit schedule`: runs audits on AUDIT_SCHEDULE in AUDIT_TIMEZONE until
 * SIGTERM/SIGINT; with PORT set it also serves the download site.
 *
 * - One audit per period across instances: each run first claims its period in the
 *   database (a live owner's claim is never taken over); the loser does not crawl. The
 *   run lock stays the last word: an instance that finds another audit running leaves the
 *   period to it. (In embedded mode one process owns DATA_DIR, so a second instance is
 *   refused at start.) The decisions are src/schedule/run-period.ts's; this file wires
 *   them to the store and the pipeline.
 * - Catch-up: at start, one run if no complete snapshot is newer than the most recent
 *   scheduled time.
 * - Nobody notified is said at start: one warning when MAIL_TO is unset (no email) or
 *   SMTP_URL is (the outbox), else every run would "succeed" quietly.
 * - Stop: no new ticks; a running audit gets SHUTDOWN_GRACE_MS to finish, else it is
 *   aborted and its snapshot marked abandoned; exit 0.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import { AuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { mailWarning } from '../pipeline/mail-warning.js';
import { runAudit } from '../pipeline/run-audit.js';
import { isCatchUpDue, mostRecentScheduledTime } from '../schedule/period.js';
import { type PeriodOperations, runPeriod } from '../schedule/run-period.js';
import { type Scheduler, startScheduler } from '../schedule/scheduler.js';
import { claimPeriod, type DatabaseHandle, lastCompleteSnapshot, releasePeriod } from '../store/index.js';
import type { RunningSite } from '../web/server.js';
import { type CommandContext, commandLogger, openConfiguredDatabase } from './context.js';
import { startDownloadSite } from './serve.js';
import { type StopRequest, whileWatchingStopSignals } from './signals.js';

/** Fits inside the 10 s a container runtime waits between SIGTERM and SIGKILL by default. */
export const SHUTDOWN_GRACE_MS = 8_000;

function periodOperations(handle: DatabaseHandle, config: Config, logger: Logger): PeriodOperations {
  const instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return {
    claim: (scheduledAt) => claimPeriod(handle.db, scheduledAt, instance),
    release: (scheduledAt) => releasePeriod(handle.db, scheduledAt, instance),
    lastComplete: () => lastCompleteSnapshot(handle.db),
    audit: async (scheduledAt, signal) => {
      const result = await runAudit(handle, config, { logger, signal, period: scheduledAt });
      return { snapshotId: result.snapshotId, email: result.email.status, report: result.reportPath };
    },
  };
}

/**
 * Starts the cron task, and the catch-up run if one is due. The catch-up is decided
 * before the task exists: a database error here must not leave a running task behind
 * (it would keep the process alive).
 */
async function startAuditing(handle: DatabaseHandle, config: Config, logger: Logger): Promise<Scheduler> {
  const mostRecent = mostRecentScheduledTime(config.auditSchedule, config.auditTimezone, new Date());
  const last = await lastCompleteSnapshot(handle.db);
  const catchUp = mostRecent !== null && isCatchUpDue(last?.takenAt ?? null, mostRecent);
  const ops = periodOperations(handle, config, logger);
  const scheduler = startScheduler({
    expression: config.auditSchedule,
    timeZone: config.auditTimezone,
    logger,
    runPeriod: (scheduledAt, reason, signal) => runPeriod(ops, logger, scheduledAt, reason, signal),
  });
  const times = { lastComplete: last?.takenAt.toISOString() ?? null };
  if (catchUp && mostRecent) {
    logger.info(
      { missed: mostRecent.toISOString(), ...times },
      'catching up: no complete snapshot since the most recent scheduled time',
    );
    void scheduler.trigger(mostRecent, 'catch-up');
  } else {
    logger.info({ mostRecent: mostRecent?.toISOString() ?? null, ...times }, 'no catch-up needed');
  }
  return scheduler;
}

async function schedule(context: CommandContext, stop: StopRequest): Promise<void> {
  const config = loadConfig(context.env, {
    segmentToken: true,
    reportsToken: context.env.PORT !== undefined,
  });
  if (config.auditNow !== undefined) {
    throw new AuditError('CONFIG_INVALID', 'AUDIT_NOW applies to `run` only: unset it for `schedule`');
  }
  const logger = commandLogger(context);
  const handle = await openConfiguredDatabase(config, logger);
  let site: RunningSite | undefined;
  try {
    if (stop.received) {
      logger.info({ signal: stop.received }, 'stopped before the schedule started');
      return;
    }
    // Once, when the schedule really starts (a second instance refused at start says only
    // why): every run of a schedule that notifies nobody would otherwise "succeed".
    const warning = mailWarning(config);
    if (warning) logger.warn(warning);
    if (config.port !== undefined) site = await startDownloadSite(handle, config, logger, config.port);
    const scheduler = await startAuditing(handle, config, logger);
    const signal = await stop.signal;
    logger.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'stopping');
    const { aborted } = await scheduler.stop(SHUTDOWN_GRACE_MS);
    if (aborted) logger.warn('the running audit was interrupted and marked abandoned');
    logger.info('stopped');
  } finally {
    await site?.close();
    await handle.close();
  }
}

export function registerSchedule(program: Command, context: CommandContext): void {
  program
    .command('schedule')
    .description('run audits on AUDIT_SCHEDULE (with PORT set, also serve the download site)')
    .action(() => whileWatchingStopSignals((stop) => schedule(context, stop)));
}
