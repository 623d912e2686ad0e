/**
 * The simulated Segment workspace: a real HTTP server (node:http) that answers the Public
 * API as Segment documents it (the shapes src/segment/schemas.ts reads), deterministic
 * from a seed. Tests, the benchmark and the demo import this; product code never does.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_PAGE_COUNT } from './pagination.js';
import { generateWorkspace } from './seed.js';

export { CONTRACTOR, LEAVER } from './seed.js';

import { createSimulatorHandler, router, SimulatorCore } from './server.js';
import { WorkspaceState } from './state.js';
import type { Injection, RateLimit, RunningSimulator, SimulatorOptions } from './types.js';

export type {
  FaultOptions,
  Injection,
  RunningSimulator,
  SimulatedTruth,
  SimulatorOptions,
} from './types.js';

/** The documented IAM write limit. */
const DEFAULT_WRITE_LIMIT_PER_MINUTE = 60;

function count(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0)
    throw new RangeError(`simulator option ${name} must be a whole number >= 0 (got ${v})`);
  return v;
}

function checkRateLimit(limit: RateLimit | undefined): RateLimit | undefined {
  if (limit === undefined) return undefined;
  if (
    !Number.isInteger(limit.limit) ||
    limit.limit < 1 ||
    !Number.isInteger(limit.windowMs) ||
    limit.windowMs < 1
  ) {
    throw new RangeError('simulator rateLimit needs a whole limit >= 1 and windowMs >= 1');
  }
  return limit;
}

function pageCount(value: number | undefined): number {
  const v = value ?? MAX_PAGE_COUNT;
  if (!Number.isInteger(v) || v < 1 || v > MAX_PAGE_COUNT)
    throw new RangeError(
      `simulator option maxPageCount must be a whole number from 1 to ${MAX_PAGE_COUNT} (got ${v})`,
    );
  return v;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = count('seed', options.seed, 1);
  const users = count('users', options.users, 50);
  const seeded = generateWorkspace({
    seed,
    users,
    groups: count('groups', options.groups, 5),
    membersPerGroup: count('membersPerGroup', options.membersPerGroup, Math.min(40, Math.floor(users / 2))),
    invites: count('invites', options.invites, 5),
    groupInvites: count('groupInvites', options.groupInvites, 3),
  });
  const token = options.token ?? `sim_${randomBytes(18).toString('base64url')}`;
  const writeLimit = count(
    'writeLimitPerMinute',
    options.writeLimitPerMinute,
    DEFAULT_WRITE_LIMIT_PER_MINUTE,
  );
  const core = new SimulatorCore(
    new WorkspaceState(seeded, seed),
    token,
    options.now ?? Date.now,
    checkRateLimit(options.rateLimit),
    writeLimit,
    count('writeWindowMs', options.writeWindowMs, 60_000),
    {
      enabled: options.auditTrail?.enabled ?? true,
      retentionDays: count('auditTrail.retentionDays', options.auditTrail?.retentionDays, 90),
    },
  );
  core.setInlinePermissions(options.inlinePermissions);
  core.omitTotalEntries = options.omitTotalEntries ?? false;
  core.maxPageCount = pageCount(options.maxPageCount);
  core.faults.set(options.faults);

  const server = createServer(createSimulatorHandler(core));
  server.keepAliveTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    token,
    stats: core.stats,
    truth: () => core.state.truth(),
    resourceNames: () => core.state.resourceNames(),
    resetStats: () => core.resetStats(),
    inject(injection: Injection) {
      if (!router.has(injection.route))
        throw new Error(`no simulator route '${injection.route}' (e.g. 'GET /users')`);
      core.faults.inject(injection);
    },
    setFaults: (faults) => core.faults.set(faults),
    setRateLimit: (limit) => {
      const checked = checkRateLimit(limit);
      core.readLimiter.configure(checked?.limit, checked?.windowMs ?? 60_000);
    },
    setInlinePermissions: (inline) => core.setInlinePermissions(inline),
    setWriteLimitPerMinute: (limit) => core.setWriteLimit(count('writeLimitPerMinute', limit, limit)),
    setAuditTrail(settings) {
      if (settings.enabled !== undefined) core.trail.enabled = settings.enabled;
      if (settings.now !== undefined) core.trail.fixedAt = settings.now ?? undefined;
    },
    auditEvents: () =>
      core.trail.keys({ endTime: new Date(8.64e15) }).map((k) => ({ ...core.trail.event(k)! })),
    close() {
      closing ??= new Promise<void>((resolve) => {
        core.cancelDelays();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
