import type { Logger } from 'pino';
import { isAuditError } from '../errors.js';
import type { PeriodOutcome, RunReason } from './scheduler.js';

/**
 * What running one period needs from the rest of the program, given by the command that
 * composes it (the schedule stage never imports the store or the pipeline).
 */
export interface PeriodOperations {
  /** Claims the period for this instance in the database; false if another live instance has it. */
  claim(scheduledAt: Date): Promise<boolean>;
  /** Gives the period back (after a failed or interrupted run). */
  release(scheduledAt: Date): Promise<void>;
  /** The newest complete snapshot (its id and when it was taken), or null if there is none. */
  lastComplete(): Promise<{ id: number; takenAt: Date } | null>;
  /** Runs one audit for the period; describes what it did for the log. */
  audit(scheduledAt: Date, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/**
 * One scheduled period: claim it, make sure no complete snapshot covers it yet (a manual
 * `run`, or another instance that finished it), then run. Another process's audit in
 * progress is not a failure: the period is `busy`, and the scheduler tries it again
 * later (by then it is usually covered). A failed or interrupted run gives its period
 * back, so that a retry or a restart's catch-up can run it.
 */
export async function runPeriod(
  ops: PeriodOperations,
  logger: Logger,
  scheduledAt: Date,
  reason: RunReason,
  signal: AbortSignal,
): Promise<PeriodOutcome> {
  const period = scheduledAt.toISOString();
  if (!(await ops.claim(scheduledAt))) {
    logger.info({ period, reason }, 'another instance has this period: not running');
    return 'skipped';
  }
  const last = await ops.lastComplete();
  if (last && last.takenAt.getTime() >= scheduledAt.getTime()) {
    logger.info(
      { period, reason, snapshotId: last.id },
      'a complete snapshot already covers this period: not running',
    );
    return 'skipped';
  }
  try {
    const done = await ops.audit(scheduledAt, signal);
    logger.info({ period, reason, ...done }, 'scheduled audit done');
    return 'ran';
  } catch (error) {
    await ops.release(scheduledAt).catch((e: unknown) => {
      logger.warn(
        { period, err: e instanceof Error ? e.message : String(e) },
        'could not give the period back',
      );
    });
    return classifyFailure(error, logger, period, reason);
  }
}

/** A run that lost a race is not a failure: say which race, or rethrow a real failure. */
function classifyFailure(error: unknown, logger: Logger, period: string, reason: RunReason): PeriodOutcome {
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
