/**
 * The request pipeline, built without listen() so it can be mounted anywhere:
 * route → auth → rate limit → faults → handler → (corruptions) → latency → answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimulatedAuditTrail } from './audit-trail.js';
import { Faults } from './faults.js';
import { ApiError, notFound, type Reply, readJsonBody, serverError, unauthorized } from './http.js';
import { MAX_PAGE_COUNT } from './pagination.js';
import { FixedWindowLimiter, rateLimitHeaders, tooManyRequests, type WindowState } from './rate-limit.js';
import { errorReplyFor, send, truncated, withCursorLoop, withoutField } from './respond.js';
import { type Route, Router, routeKey } from './router.js';
import { readRoutes } from './routes-read.js';
import { resourceRoutes } from './routes-resources.js';
import { trailRoutes } from './routes-trail.js';
import { writeRoutes } from './routes-write.js';
import type { WorkspaceState } from './state.js';
import { requestActor, trailEmitter } from './trail-events.js';
import type { RateLimit, SimulatorStats } from './types.js';

export const router = new Router([...readRoutes, ...resourceRoutes, ...writeRoutes, ...trailRoutes]);

const VENDOR_JSON = 'application/vnd.segment.v1+json';

function emptyStats(): SimulatorStats {
  return { requests: 0, rateLimited: 0, maxCountRequested: 0, byRoute: {} };
}

/** Everything the pipeline reads and changes; index.ts exposes it as RunningSimulator. */
export class SimulatorCore {
  readonly stats: SimulatorStats = emptyStats();
  readonly faults = new Faults();
  readonly readLimiter: FixedWindowLimiter;
  readonly #writeLimiters = new Map<string, FixedWindowLimiter>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  /** Whether items of `GET /users` and `GET /groups` carry `permissions`. */
  readonly listPermissions = { users: false, groups: true };
  omitTotalEntries = false;
  maxPageCount = MAX_PAGE_COUNT;
  readonly trail: SimulatedAuditTrail;
  #writeLimit: number;

  constructor(
    readonly state: WorkspaceState,
    readonly token: string,
    readonly now: () => number,
    readLimit: RateLimit | undefined,
    writeLimitPerMinute: number,
    private readonly writeWindowMs = 60_000,
    trail: { enabled?: boolean; retentionDays?: number } = {},
  ) {
    this.trail = new SimulatedAuditTrail({ ...trail, now: () => new Date(this.now()) });
    this.readLimiter = new FixedWindowLimiter(readLimit?.limit, readLimit?.windowMs ?? 60_000, now);
    this.#writeLimit = writeLimitPerMinute;
  }

  setInlinePermissions(inline: boolean | undefined): void {
    this.listPermissions.users = inline ?? false;
    this.listPermissions.groups = inline ?? true;
  }

  resetStats(): void {
    Object.assign(this.stats, emptyStats());
  }

  setWriteLimit(perMinute: number): void {
    this.#writeLimit = perMinute;
    for (const limiter of this.#writeLimiters.values()) limiter.configure(perMinute, this.writeWindowMs);
  }

  /** Each write endpoint has its own budget, as the IAM write limits are per endpoint. */
  writeLimiter(key: string): FixedWindowLimiter {
    let limiter = this.#writeLimiters.get(key);
    if (!limiter) {
      limiter = new FixedWindowLimiter(this.#writeLimit, this.writeWindowMs, this.now);
      this.#writeLimiters.set(key, limiter);
    }
    return limiter;
  }

  /** A delay that close() cuts short, so no response timer outlives the server. */
  delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.#timers.add(entry);
    });
  }

  cancelDelays(): void {
    for (const entry of this.#timers) {
      clearTimeout(entry.timer);
      entry.done();
    }
    this.#timers.clear();
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  return m !== null && m[1] === token;
}

/**
 * The vendor media type when asked for, JSON otherwise: an Accept header that admits
 * neither still gets JSON (406 is not among the API's documented statuses).
 */
function contentTypeFor(req: IncomingMessage): string {
  return (req.headers.accept ?? '').toLowerCase().includes(VENDOR_JSON) ? VENDOR_JSON : 'application/json';
}

export function createSimulatorHandler(
  core: SimulatorCore,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(core, req, res).catch((error: unknown) => {
      const failure = serverError(500, error instanceof Error ? error.message : String(error));
      send(res, 500, JSON.stringify(failure.toBody()), 'application/json', {});
    });
  };
}

async function handle(core: SimulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { stats } = core;
  stats.requests++;
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://simulator');
  const match = router.match(method, url.pathname);
  const key = match ? routeKey(match.route) : `${method} (unmatched)`;
  stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
  const kind: Route['kind'] = match?.route.kind ?? 'read';
  const limiter = kind === 'read' ? core.readLimiter : kind === 'write' ? core.writeLimiter(key) : undefined;
  const contentType = contentTypeFor(req);

  let window: WindowState | undefined = limiter?.peek();
  const answer = async (status: number, body: string, extra: Record<string, string> = {}, delayMs = 0) => {
    await core.delay(delayMs);
    send(res, status, body, contentType, { ...(window ? rateLimitHeaders(window) : {}), ...extra });
  };
  const fail = (error: ApiError, extra?: Record<string, string>, delayMs = core.faults.latencyMs()) =>
    answer(error.status, JSON.stringify(error.toBody()), extra, delayMs);

  if (!authorized(req, core.token)) {
    return fail(unauthorized('missing or invalid bearer token'));
  }
  if (limiter) {
    window = limiter.consume();
    if (!window.allowed) {
      stats.rateLimited++;
      const limited = tooManyRequests(window);
      return fail(limited.error, limited.headers);
    }
  }

  const decision = core.faults.decide(key, kind === 'read' && match !== undefined);
  if (decision.drop) {
    await core.delay(decision.delayMs);
    req.socket.destroy();
    return;
  }
  if (decision.status !== undefined) {
    const error = errorReplyFor(decision.status);
    return fail(error, decision.status === 429 ? { 'Retry-After': '1' } : {}, decision.delayMs);
  }
  if (!match) return fail(notFound(`${method} ${url.pathname}`));

  let reply: Reply;
  try {
    const body = kind === 'read' ? undefined : await readJsonBody(req);
    const ctx = {
      state: core.state,
      params: match.params,
      query: url.searchParams,
      body,
      listPermissions: { ...core.listPermissions },
      omitTotalEntries: core.omitTotalEntries,
      maxPageCount: core.maxPageCount,
      onCount: (count: number) => {
        if (count > stats.maxCountRequested) stats.maxCountRequested = count;
      },
      trail: core.trail,
    };
    // Who acts (a header of the simulation), and what the write's events will say.
    const actor = requestActor(core.state, req.headers['x-simulator-actor']);
    const emit = trailEmitter(key)?.(ctx);
    reply = match.route.handle(ctx);
    emit?.((type, resource, by = actor) => core.trail.record(type, by, resource));
  } catch (error) {
    // A 413 leaves the rest of the body unread: the connection cannot carry another request.
    if (error instanceof ApiError)
      return fail(error, error.status === 413 ? { Connection: 'close' } : {}, decision.delayMs);
    throw error;
  }
  if (decision.missingField !== undefined) reply = withoutField(reply, decision.missingField);
  if (decision.cursorLoop) reply = withCursorLoop(reply);
  let json = JSON.stringify({ data: reply.data });
  if (decision.malformed && reply.status < 300) json = truncated(json);
  return answer(reply.status, json, {}, decision.delayMs);
}
