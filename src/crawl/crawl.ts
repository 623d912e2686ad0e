import { setMaxListeners } from 'node:events';
import type { Logger } from '../log/logger.js';
import { noProgress, type Progress } from '../log/progress.js';
import type { WorkspacePicture } from '../model/workspace.js';
import { redactUrl, type Secret } from '../secret.js';
import { type RequestOutcome, SegmentClient, type SegmentClientOptions } from '../segment/index.js';
import { assemblePicture } from './assemble.js';
import { ConcurrencyController } from './concurrency.js';
import { createLimiter, type Limiter } from './limiter.js';
import { PermissionInterner } from './normalize.js';
import { type CrawlState, Walked } from './state.js';
import { TaskGroup } from './tasks.js';
import { CrawlTracker } from './tracker.js';
import { walkCrossCheck } from './walks/cross-check.js';
import { walkGroups } from './walks/groups.js';
import { walkInvites } from './walks/invites.js';
import { walkResources } from './walks/resources.js';
import { walkRoles } from './walks/roles.js';
import { walkUsers } from './walks/users.js';

/**
 * Walks a workspace into one WorkspacePicture: GET / first (a bad token fails before
 * anything else starts), then the walks of WALKS side by side (roles, invites, users,
 * groups, resource names; each group's members and invites as soon as the group is
 * listed, item details where a list gives no permissions), then the cross-check, then
 * the pure assembly. All of it under one concurrency limit and one rate budget (one client).
 *
 * Decisions, for a workspace that changes while it is walked:
 * - A group that answers 404 during its member walk, invite walk or detail fetch was
 *   deleted: left out, listed in completeness.groupsDeletedDuringWalk. A user that 404s
 *   on its detail fetch likewise (with a warning).
 * - An id listed on two pages (items shifted between pages) is kept once, the later copy
 *   (the fresher one), with a warning. Nothing is duplicated, nothing fails.
 * - A member of a group who is not in /users (joined or left between the walks) is left
 *   out of the group's memberIds, so every membership points at a user of the picture;
 *   a warning names them. memberCount mismatches compare against the walked members
 *   before that filter, so the group walk itself is reported faithfully.
 */

export interface CrawlOptions {
  apiUrl: string;
  token: Secret;
  /** A fixed number of requests in flight at most; unset: adaptive (concurrency.ts), from 4 up to maxConcurrency. */
  concurrency?: number;
  /** The adaptive concurrency's cap (default 32). */
  maxConcurrency?: number;
  /** Users cross-checked from the user side (default 20; 0 turns it off). */
  crossCheckSample?: number;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** Failed attempts retried per request (default 6; 429s do not count). */
  retries?: number;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal;
  now?: () => Date;
  fetch?: typeof fetch;
  /** A full garbage collection, made every COLLECT_EVERY requests (pipeline/memory.ts). */
  collectGarbage?: () => void;
  /** Finer client tuning (tests and benchmarks). */
  client?: Pick<
    SegmentClientOptions,
    'minRetryDelayMs' | 'maxRetryDelayMs' | 'maxRetryTimeMs' | 'pageSize' | 'maxPages' | 'rateLimitMarginMs'
  >;
}

/**
 * Requests between two full garbage collections, when the caller offers one. Each answer
 * is parsed, checked and mostly dropped, and V8 lets that garbage fill the old generation
 * up to several times what the crawl keeps: at 100,000 users the crawl's heap reached
 * 225-240 MB for a picture of under 100 MB, and set the run's peak memory.
 */
const COLLECT_EVERY = 10_000;

/** The walks that run side by side once GET / has answered; adding a walk is adding one here. */
const WALKS: readonly ((s: CrawlState) => void)[] = [
  walkRoles,
  walkInvites,
  walkUsers,
  walkGroups,
  walkResources,
];

export async function crawlWorkspace(options: CrawlOptions): Promise<WorkspacePicture> {
  const startedAt = (options.now ?? (() => new Date()))();
  const t0 = performance.now();
  const progress = options.progress ?? noProgress;
  const run = startRun(options, progress);
  const { client, tasks, logger } = run;
  logger?.info({ apiUrl: redactUrl(options.apiUrl), concurrency: run.limiter.limit }, 'crawl started');
  try {
    const workspace = await client.getWorkspace();
    const state: CrawlState = { ...run, interner: new PermissionInterner(), walked: new Walked(workspace) };
    for (const walk of WALKS) walk(state);
    await tasks.settle();
    walkCrossCheck(state, options.crossCheckSample ?? 20);
    await tasks.settle();

    const s = client.stats;
    const stats = {
      requests: s.requests,
      retries: s.retries,
      rateLimited: s.rateLimited,
      rateLimitWaitMs: s.rateLimitWaitMs,
      maxPageSize: s.maxPageSize,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
    };
    const picture = assemblePicture(state.walked, { apiUrl: options.apiUrl, stats });
    logger?.info(
      {
        users: picture.users.length,
        groups: picture.groups.length,
        invites: picture.invites.length,
        roles: picture.roles.length,
        warnings: picture.completeness.warnings.length,
        concurrencyPeak: run.peakConcurrency(),
        ...stats,
      },
      'crawl finished',
    );
    return picture;
  } catch (error) {
    run.controller.abort(error);
    await tasks.settle().catch(() => {});
    throw error;
  } finally {
    progress.done();
  }
}

/**
 * The machinery of one crawl: one abort controller (the first failure stops every walk),
 * one concurrency limit and one client (one rate budget) for all walks.
 */
function startRun(options: CrawlOptions, progress: Progress) {
  const logger = options.logger;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const adaptive = options.concurrency === undefined;
  const max = options.maxConcurrency ?? 32;
  const limiter = createLimiter(Math.min(options.concurrency ?? 4, max), signal);
  // Every request in flight listens to the crawl's signal (its deadline, the pacer's waits).
  setMaxListeners(Math.max(10, 4 * max), controller.signal, signal);
  const tasks = new TaskGroup(limiter, controller);
  const adapt = adaptive ? adaptTo(limiter, max, logger) : undefined;
  let tracker: CrawlTracker | undefined;
  const collect = options.collectGarbage;
  let outcomes = 0;
  const client = new SegmentClient({
    ...clientOptions(options),
    logger,
    signal,
    onOutcome: (outcome) => {
      adapt?.observe(outcome);
      if (collect !== undefined && ++outcomes % COLLECT_EVERY === 0) collect();
    },
    // A retry shows on the terminal until the next status line: the wait is not silence.
    onRetry: (request, reason, attempt) => progress.update(`${request}: ${reason}; retry ${attempt}`),
    onRateLimitWait: (ms, reason) => {
      logger?.debug({ waitMs: Math.round(ms), reason }, 'waiting for the rate limit window');
      tracker?.waiting(ms);
    },
  });
  tracker = new CrawlTracker(progress, () => client.stats.requests);
  const peakConcurrency = () => adapt?.peak() ?? limiter.limit;
  return { controller, limiter, peakConcurrency, tasks, client, tracker, logger, detailsAhead: 2 * max };
}

/** What every client of a crawl takes from its options (the walk's and the trail's alike). */
export function clientOptions(options: CrawlOptions) {
  return {
    ...options.client,
    apiUrl: options.apiUrl,
    token: options.token,
    requestTimeoutMs: options.requestTimeoutMs,
    retries: options.retries,
    fetch: options.fetch,
  };
}

/** The adaptive concurrency: each attempt's outcome goes to the controller, its limit to the limiter. */
function adaptTo(limiter: Limiter, max: number, logger: Logger | undefined) {
  const controller = new ConcurrencyController({ initial: limiter.limit, max });
  let peak = limiter.limit;
  return {
    observe: (outcome: RequestOutcome) => {
      const before = limiter.limit;
      const after = controller.observe(outcome);
      if (after === before) return;
      limiter.setLimit(after);
      if (after > peak) peak = after;
      // Lowering is news (the API is struggling); raising happens all the time while it is
      // not, and only the peak is told (in 'crawl finished').
      if (after < before)
        logger?.info({ from: before, to: after, after: outcome.kind }, 'concurrency lowered');
    },
    peak: () => peak,
  };
}
