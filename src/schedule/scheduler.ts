import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { mostRecentScheduledTime } from './period.js';

/**
 * Fires audits on the cron schedule. Guarantees inside this process: never two audits at
 * once (a tick that comes while one runs is skipped and logged), a bounded stop. Across
 * processes the guarantee is the database's: `runPeriod` claims the period there before
 * it crawls, so of two schedulers only one runs each tick.
 *
 * A period that `runPeriod` reports `busy` (another process holds the database's run
 * lock: maybe running this period, maybe an earlier one or a manual `run`) is tried again
 * after a backoff, until it runs or is found covered, a newer tick supersedes it, or the
 * scheduler stops: deferring to the other process must not lose the period.
 */
export type RunReason = 'tick' | 'catch-up' | 'retry';

/** What became of a period: run here, not needed (covered or another instance's), or to try again. */
export type PeriodOutcome = 'ran' | 'skipped' | 'busy';

export interface SchedulerOptions {
  expression: string;
  timeZone: string;
  logger: Logger;
  /** Runs one audit for the period that began at `scheduledAt`; should honour `signal`. */
  runPeriod: (scheduledAt: Date, reason: RunReason, signal: AbortSignal) => Promise<PeriodOutcome>;
  /** The clock (tests inject one); the real clock by default. */
  now?: () => Date;
  /** Wait before the n-th retry (0-based) of a busy period; default 1 s doubling up to 60 s. */
  retryDelayMs?: (attempt: number) => number;
}

export interface Scheduler {
  /** Runs one period now unless an audit is already running (used for catch-up). */
  trigger(scheduledAt: Date, reason: RunReason): Promise<void>;
  nextRun(): Date | null;
  /** Stops firing; gives a running audit `graceMs` to finish, then aborts it and waits. */
  stop(graceMs: number): Promise<{ aborted: boolean }>;
}

const defaultRetryDelay = (attempt: number) => Math.min(60_000, 1_000 * 2 ** attempt);

function cronLogger(log: Logger) {
  return {
    info: (m: string) => log.debug({ source: 'node-cron' }, m),
    warn: (m: string) => log.warn({ source: 'node-cron' }, m),
    error: (m: unknown) => log.error({ source: 'node-cron' }, String(m)),
    debug: (m: unknown) => log.debug({ source: 'node-cron' }, String(m)),
  };
}

/** Whether `promise` (which never rejects) settles within `ms`. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  const retryDelay = options.retryDelayMs ?? defaultRetryDelay;
  let running: { promise: Promise<void>; controller: AbortController } | undefined;
  let stopped = false;
  let retry: { timer: NodeJS.Timeout; period: number } | undefined;

  const cancelRetry = () => {
    if (retry) clearTimeout(retry.timer);
    retry = undefined;
  };

  const trigger = (scheduledAt: Date, reason: RunReason, attempt = 0): Promise<void> => {
    if (stopped) return Promise.resolve();
    // A newer period supersedes a busy one waiting for its retry (one audit covers both).
    if (retry && scheduledAt.getTime() >= retry.period) cancelRetry();
    if (running) {
      log.warn(
        { scheduledAt: scheduledAt.toISOString(), reason },
        'an audit is still running: this tick is skipped',
      );
      return Promise.resolve();
    }
    const controller = new AbortController();
    const promise = options
      .runPeriod(scheduledAt, reason, controller.signal)
      .then((outcome) => {
        if (outcome !== 'busy' || stopped) return;
        const delay = retryDelay(attempt);
        log.info(
          { period: scheduledAt.toISOString(), retryInMs: delay },
          'the database is busy with another audit: this period will be tried again',
        );
        cancelRetry();
        retry = {
          period: scheduledAt.getTime(),
          timer: setTimeout(() => {
            retry = undefined;
            void trigger(scheduledAt, 'retry', attempt + 1);
          }, delay),
        };
      })
      .catch((error: unknown) => {
        // A failed run is logged and does not stop the schedule.
        log.error(
          { err: error instanceof Error ? error.message : String(error), reason },
          'scheduled audit failed',
        );
      })
      .finally(() => {
        running = undefined;
        const next = task.getNextRun();
        if (!stopped && next) log.info({ nextRun: next.toISOString() }, 'next audit scheduled');
      });
    running = { promise, controller };
    return promise;
  };

  const task: ScheduledTask = createTask(
    options.expression,
    (context) => {
      // node-cron hands over the slot it fires for: that is the period, whatever the
      // timer's drift (recomputing it from the clock could name the previous tick).
      const scheduledAt =
        context?.date ?? mostRecentScheduledTime(options.expression, options.timeZone, now()) ?? now();
      void trigger(scheduledAt, 'tick');
    },
    {
      timezone: options.timeZone,
      name: 'access-audit',
      // Give node-cron our logger: its default prints coloured warnings on stdout.
      logger: cronLogger(log),
    },
  );
  void task.start();
  const first = task.getNextRun();
  log.info(
    { schedule: options.expression, timeZone: options.timeZone, nextRun: first?.toISOString() ?? null },
    'scheduler started',
  );

  return {
    trigger: (scheduledAt, reason) => trigger(scheduledAt, reason),
    nextRun: () => task.getNextRun(),
    async stop(graceMs) {
      stopped = true;
      cancelRetry();
      await task.stop();
      await task.destroy();
      const current = running;
      if (!current) return { aborted: false };
      if (await settlesWithin(current.promise, graceMs)) return { aborted: false };
      log.warn({ graceMs }, 'grace period over: aborting the running audit');
      current.controller.abort(new Error('the scheduler is shutting down'));
      await current.promise;
      return { aborted: true };
    },
  };
}
