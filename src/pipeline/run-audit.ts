import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { type CrawlOptions, checkApiReachable, crawlWorkspace } from '../crawl/index.js';
import { AuditError, coerceError, isAuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { noProgress, type Progress } from '../log/progress.js';
import { headlineItems, type RetryPolicy } from '../mail/index.js';
import type { ChangeKind } from '../model/report-data.js';
import type { CrawlStats } from '../model/workspace.js';
import { prepareReportsDir } from '../report/index.js';
import type { Secret } from '../secret.js';
import {
  acquireRunLock,
  beginSnapshot,
  clockNotAfterLast,
  completeSnapshot,
  type DatabaseHandle,
  failSnapshot,
  importRoster,
  lastCompleteSnapshot,
  markAbandoned,
  type PendingWork,
  recordReconciliationSettings,
  snapshotsNeedingReportOrMail,
} from '../store/index.js';
import { type DeliveryOutcome, deliverReport, skipDelivery } from './deliver.js';
import { collectGarbage } from './memory.js';
import { produceReport, recordedReport } from './produce-report.js';
import { configuredRoster } from './roster-file.js';
import { readTrailForRun, type TrailOutcome, trailWriter } from './trail.js';
import { checkRemediation } from './verify-remediation.js';

/**
 * One audit cycle: crawl → snapshot → diff → report → email. The order of effects is
 * what makes a crash harmless: the snapshot is `running` (visible, never a baseline)
 * until the store commits data, diff and history in one transaction; the report and the
 * email come after, and whatever a dead process left undone is redone by the next run.
 */
export interface RunDeps {
  logger: Logger;
  progress?: Progress;
  /** The clock; AUDIT_NOW (config.auditNow) wins over it for the snapshot time. */
  now?: () => Date;
  signal?: AbortSignal;
  /** The scheduled period this run is for: it does nothing (PERIOD_COVERED) if already covered. */
  period?: Date;
  sendEmail?: boolean;
  /** Fetch for the Segment API (tests); Node's global fetch by default. */
  fetch?: typeof fetch;
  /** SMTP retry policy (tests shorten it); the mail stage's default otherwise. */
  mailRetry?: RetryPolicy;
  /** Crawl tuning (tests, benchmarks): request timeout, retries, concurrency, client delays. */
  crawl?: Pick<CrawlOptions, 'requestTimeoutMs' | 'retries' | 'concurrency' | 'crossCheckSample' | 'client'>;
}

interface StageTimes {
  crawlMs: number;
  storeMs: number;
  reportMs: number;
  mailMs: number;
}

export interface RunResult {
  snapshotId: number;
  takenAt: Date;
  workspaceName: string;
  baseline: boolean;
  changes: Partial<Record<ChangeKind, number>>;
  permissionChanges: number;
  staleInvites: number;
  /** What needs attention, as the email's headline names it (mail/headline.ts). */
  headline: string[];
  counts: { users: number; invites: number; groups: number };
  reportPath: string;
  reportBytes: number;
  email: DeliveryOutcome;
  /** Earlier snapshots whose report or email this run produced (a dead process left them). */
  recovered: { snapshotId: number; report: boolean; email: DeliveryOutcome | null }[];
  crawlStats: CrawlStats;
  warnings: string[];
  /** Whether the audit trail could be read, and who the changes could be put down to. */
  trail: TrailOutcome;
  times: StageTimes;
}

function abandonedBy(signal: AbortSignal | undefined, error: unknown): boolean {
  return Boolean(signal?.aborted) || (error instanceof Error && error.name === 'AbortError');
}

/** One owed snapshot's report and email (a dead process, or a failed delivery, left them). */
async function recoverOne(
  handle: DatabaseHandle,
  config: Config,
  deps: RunDeps,
  now: () => Date,
  work: PendingWork,
): Promise<RunResult['recovered'][number]> {
  let report = work.needsReport ? null : await recordedReport(handle, config, work.snapshotId);
  // A recorded report whose file is gone (deleted by hand) is written again.
  if (report && !(await stat(report.path).catch(() => null))) report = null;
  const rewrote = report === null;
  if (report === null) report = await produceReport(handle, config, work.snapshotId, now());
  let email: DeliveryOutcome | null = null;
  if (work.needsMail && deps.sendEmail !== false) {
    email = await deliverReport(handle, config, report, deps.logger, now, deps.mailRetry);
  }
  return { snapshotId: work.snapshotId, report: rewrote, email };
}

/**
 * Reports and emails that earlier runs owe (oldest first). Each is isolated: whatever
 * makes one fail (a stored value too large to build a message from, a report file that
 * cannot be written) is logged and counted as an undelivered email (exit 3), and the
 * audit goes on; the snapshot stays owed, so the next run tries again. Owed work must
 * never keep audits from running.
 */
async function recoverPending(
  handle: DatabaseHandle,
  config: Config,
  deps: RunDeps,
  now: () => Date,
): Promise<RunResult['recovered']> {
  const recovered: RunResult['recovered'] = [];
  for (const work of await snapshotsNeedingReportOrMail(handle.db)) {
    try {
      const done = await recoverOne(handle, config, deps, now, work);
      deps.logger.info(
        { snapshotId: work.snapshotId, report: done.report, email: done.email?.status ?? null },
        'recovered',
      );
      recovered.push(done);
    } catch (error) {
      if (abandonedBy(deps.signal, error)) throw error;
      const reason = coerceError(error);
      deps.logger.error(
        { snapshotId: work.snapshotId, code: reason.code, err: reason.message },
        'the owed report or email of an earlier snapshot failed: auditing anyway, the next run retries it',
      );
      const owed = new AuditError(
        'MAIL_UNDELIVERED',
        `the owed report or email could not be produced: ${reason.message.slice(0, 500)}`,
        { cause: error, details: { snapshotId: work.snapshotId } },
      );
      recovered.push({
        snapshotId: work.snapshotId,
        report: false,
        email: { status: 'failed', error: owed },
      });
    }
  }
  return recovered;
}

/** What the rest of a run needs of the crawl and the store: a few facts, not the picture. */
interface Stored {
  changes: Partial<Record<ChangeKind, number>>;
  counts: RunResult['counts'];
  workspaceName: string;
  crawlStats: CrawlStats;
  warnings: string[];
  trail: TrailOutcome;
}

/**
 * Crawl and store. A function of its own so that the workspace picture (hundreds of MB
 * at 100,000 users) is unreachable once it returns: the report is written without it.
 */
async function crawlAndStore(
  handle: DatabaseHandle,
  config: Config,
  deps: RunDeps,
  token: Secret,
  snapshot: { id: number; takenAt: Date },
  clock: () => Date,
  times: StageTimes,
): Promise<Stored> {
  const snapshotId = snapshot.id;
  const progress = deps.progress ?? noProgress;
  // Kept with the snapshot, so a report rebuilt later reconciles as this one did.
  await recordReconciliationSettings(handle.db, snapshotId, {
    allowedDomains: config.allowedEmailDomains ? [...config.allowedEmailDomains] : null,
    dormantDays: config.dormantDays,
  });
  let t = performance.now();
  const picture = await crawlWorkspace({
    ...deps.crawl,
    apiUrl: config.segmentApiUrl,
    token,
    logger: deps.logger,
    progress,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    now: clock,
    collectGarbage,
  });
  progress.done();
  const trail = trailWriter(await readTrailForRun(handle, config, deps, token, snapshot.takenAt));
  times.crawlMs = performance.now() - t;
  collectGarbage(); // the crawl's garbage, before the store builds its batches
  t = performance.now();
  deps.signal?.throwIfAborted();
  const stored = await completeSnapshot(handle.db, snapshotId, picture, { alsoWrite: trail.write });
  times.storeMs = performance.now() - t;
  deps.logger.info(
    { snapshotId, changes: stored.changes, storeMs: Math.round(times.storeMs) },
    'snapshot stored',
  );
  return {
    changes: stored.changes,
    counts: { users: picture.users.length, invites: stored.counts.invites, groups: picture.groups.length },
    workspaceName: picture.workspace.name,
    crawlStats: picture.stats,
    warnings: picture.completeness.warnings,
    trail: trail.outcome(),
  };
}

/**
 * Refused before anything is done, under the run lock: a scheduled period another instance
 * covered meanwhile (one snapshot per period), and a time not later than the last complete
 * snapshot (exit 2: no recovery, no email of an earlier snapshot, no snapshot row).
 */
async function refuseCoveredOrPast(
  handle: DatabaseHandle,
  config: Config,
  deps: RunDeps,
  clock: () => Date,
): Promise<void> {
  const last = await lastCompleteSnapshot(handle.db);
  if (deps.period && last && last.takenAt.getTime() >= deps.period.getTime()) {
    throw new AuditError(
      'PERIOD_COVERED',
      `snapshot ${last.id} (taken at ${last.takenAt.toISOString()}) already covers the period of ${deps.period.toISOString()}`,
    );
  }
  const proposed = config.auditNow ?? clock();
  if (last && proposed.getTime() <= last.takenAt.getTime()) throw clockNotAfterLast(proposed, last);
}

/** Marks the snapshot of a crawl or store that failed (or was stopped); returns the error to throw. */
async function failedAudit(
  handle: DatabaseHandle,
  deps: RunDeps,
  snapshotId: number,
  error: unknown,
  clock: () => Date,
): Promise<AuditError> {
  const reason = coerceError(error);
  if (abandonedBy(deps.signal, error)) {
    await failSnapshot(
      handle.db,
      snapshotId,
      'interrupted: the process was asked to stop',
      clock(),
      'abandoned',
    );
    deps.logger.warn({ snapshotId }, 'audit interrupted: snapshot marked abandoned');
  } else {
    await failSnapshot(handle.db, snapshotId, reason.message, clock());
    deps.logger.error({ snapshotId, code: reason.code, err: reason.message }, 'audit failed');
  }
  return reason;
}

/** An API that cannot be reached fails here, fast and with its cause, before a snapshot id is used. */
function preflight(config: Config, deps: RunDeps, token: Secret): Promise<void> {
  return checkApiReachable({
    apiUrl: config.segmentApiUrl,
    token,
    logger: deps.logger,
    ...(deps.progress ? { progress: deps.progress } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}

/** The run's one structured line of what it did and how long each stage took. */
function logCompletion(log: Logger, r: RunResult, report: string): void {
  log.info(
    {
      snapshotId: r.snapshotId,
      permissionChanges: r.permissionChanges,
      staleInvites: r.staleInvites,
      report,
      email: r.email.status,
      crawlMs: Math.round(r.times.crawlMs),
      storeMs: Math.round(r.times.storeMs),
      reportMs: Math.round(r.times.reportMs),
      mailMs: Math.round(r.times.mailMs),
      requests: r.crawlStats.requests,
      rateLimited: r.crawlStats.rateLimited,
    },
    'audit complete',
  );
}

export async function runAudit(handle: DatabaseHandle, config: Config, deps: RunDeps): Promise<RunResult> {
  const log = deps.logger;
  const progress = deps.progress ?? noProgress;
  const clock = deps.now ?? (() => new Date());
  const token = config.segmentApiToken;
  if (!token) {
    throw new AuditError(
      'CONFIG_INVALID',
      'SEGMENT_API_TOKEN is required: set it to a Segment Public API token',
    );
  }

  // An unusable REPORTS_DIR is a configuration error: found before anything is crawled.
  await prepareReportsDir(config.reportsDir);
  const roster = await configuredRoster(config);
  const release = await acquireRunLock(handle);
  try {
    await refuseCoveredOrPast(handle, config, deps, clock);

    const abandoned = await markAbandoned(handle.db, clock());
    if (abandoned.length > 0)
      log.warn({ snapshots: abandoned }, 'marked snapshots a dead process left running as abandoned');

    const recovered = await recoverPending(handle, config, deps, clock);

    await preflight(config, deps, token);

    const takenAt = config.auditNow ?? clock();
    // The roster as of this run's time: the report of this snapshot reconciles against it.
    if (roster) await importRoster(handle.db, roster, takenAt);
    const snapshotId = await beginSnapshot(handle.db, {
      takenAt,
      staleInviteDays: config.staleInviteDays,
      apiUrl: config.segmentApiUrl,
    });
    log.info({ snapshotId, takenAt: takenAt.toISOString() }, 'audit started');

    const times: StageTimes = { crawlMs: 0, storeMs: 0, reportMs: 0, mailMs: 0 };
    let stored: Stored;
    try {
      stored = await crawlAndStore(handle, config, deps, token, { id: snapshotId, takenAt }, clock, times);
      collectGarbage(); // the picture is unreachable now: the report starts from a small heap
    } catch (error) {
      progress.done();
      throw await failedAudit(handle, deps, snapshotId, error, clock);
    }

    await checkRemediation(handle, log);
    let t = performance.now();
    const report = await produceReport(handle, config, snapshotId, clock());
    times.reportMs = performance.now() - t;
    log.info({ snapshotId, file: report.fileName, bytes: report.bytes }, 'report written');

    t = performance.now();
    const email: DeliveryOutcome =
      deps.sendEmail === false
        ? await skipDelivery(handle, report, '--no-email', clock())
        : await deliverReport(handle, config, report, log, clock, deps.mailRetry);
    times.mailMs = performance.now() - t;

    const result: RunResult = {
      snapshotId,
      takenAt,
      workspaceName: stored.workspaceName,
      baseline: report.summary.previous === null,
      changes: stored.changes,
      permissionChanges: report.permissionChanges,
      staleInvites: report.staleInvites,
      headline: headlineItems(report.rows),
      counts: stored.counts,
      reportPath: report.path,
      reportBytes: report.bytes,
      email,
      recovered,
      crawlStats: stored.crawlStats,
      warnings: stored.warnings,
      trail: stored.trail,
      times,
    };
    logCompletion(log, result, join(config.reportsDir, report.fileName));
    return result;
  } catch (error) {
    if (isAuditError(error)) throw error;
    throw coerceError(error);
  } finally {
    await release();
  }
}
