import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrawlOptions, crawlWorkspace } from '../../src/crawl/index.js';
import { AuditError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import type { Progress } from '../../src/log/progress.js';
import type { WorkspacePicture } from '../../src/model/workspace.js';
import { Secret } from '../../src/secret.js';
import { SimulatorAdmin } from '../../src/simulator/client.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';

const SHAPE = { seed: 21, users: 70, groups: 6, membersPerGroup: 12, invites: 9, groupInvites: 5 };

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator(SHAPE);
});
afterAll(() => sim.close());

function options(target: { url: string; token: string }, extra: Partial<CrawlOptions> = {}): CrawlOptions {
  return {
    apiUrl: target.url,
    token: new Secret(target.token),
    requestTimeoutMs: 2000,
    ...extra,
    client: { minRetryDelayMs: 2, maxRetryDelayMs: 20, ...extra.client },
  };
}

function picturePart(p: WorkspacePicture) {
  return { workspace: p.workspace, roles: p.roles, users: p.users, invites: p.invites, groups: p.groups };
}

async function withSim<T>(extra: SimulatorOptions, run: (s: RunningSimulator) => Promise<T>): Promise<T> {
  const s = await startSimulator({ ...SHAPE, ...extra });
  try {
    return await run(s);
  } finally {
    await s.close();
  }
}

/** A fetch that lets a test change what the crawler sees (response bodies), or act first. */
function interceptingFetch(
  rewrite: (path: string, body: { data?: Record<string, unknown> }) => unknown = (_p, b) => b,
  before: (path: string) => Promise<void> = async () => {},
): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    await before(url.pathname);
    const response = await fetch(input, init);
    if (!response.ok) return response;
    const body = (await response.json()) as { data?: Record<string, unknown> };
    return new Response(JSON.stringify(rewrite(url.pathname + url.search, body)), {
      status: response.status,
      headers: response.headers,
    });
  };
}

async function failure(promise: Promise<unknown>): Promise<AuditError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuditError);
  return error as AuditError;
}

/**
 * A crawl of a fresh copy of the workspace with one injection. Not the shared simulator:
 * requests of an earlier failed crawl, aborted after they were sent, can still reach it
 * and take the injection meant for this crawl.
 */
function failingCrawl(
  injection: Parameters<RunningSimulator['inject']>[0],
  extra: Partial<CrawlOptions> = {},
): Promise<AuditError> {
  return withSim({}, (s) => {
    s.inject(injection);
    return failure(crawlWorkspace(options(s, extra)));
  });
}

describe('a crawl equals the workspace', () => {
  it('with permissions inline', async () => {
    sim.setInlinePermissions(true); // the default (real API) lists users without permissions
    sim.resetStats();
    const picture = await crawlWorkspace(options(sim));
    expect(picturePart(picture)).toEqual(sim.truth());
    expect(picture.resources).toEqual(sim.resourceNames());
    expect(picture.completeness).toEqual({
      declared: { roles: picture.roles.length, users: 70, invites: 9, groups: 6 },
      walked: { roles: picture.roles.length, users: 70, invites: 9, groups: 6 },
      memberCountMismatches: [],
      groupsDeletedDuringWalk: [],
      crossCheck: { sampled: 20, agreed: 20, disagreements: [] },
      withoutPermissions: { users: 0, groups: 0 },
      unreadableResourceLists: [],
      warnings: [],
    });
    expect(sim.stats.maxCountRequested).toBeLessThanOrEqual(1000);
    expect(picture.stats).toMatchObject({ maxPageSize: 1000, rateLimited: 0, retries: 0 });
    expect(picture.stats.requests).toBe(sim.stats.requests);
    expect(sim.stats.byRoute['GET /users/{id}']).toBeUndefined();
    expect(sim.stats.byRoute['GET /users/{id}/groups']).toBe(20);
  });

  it('detail-only (no permissions in the lists): each user and group is fetched', async () => {
    sim.setInlinePermissions(false);
    sim.resetStats();
    try {
      const picture = await crawlWorkspace(options(sim, { crossCheckSample: 5 }));
      expect(picturePart(picture)).toEqual(sim.truth());
      expect(sim.stats.byRoute['GET /users/{id}']).toBe(70);
      expect(sim.stats.byRoute['GET /groups/{id}']).toBe(6);
      expect(picture.completeness.crossCheck.sampled).toBe(5);
    } finally {
      sim.setInlinePermissions(true);
    }
  });

  it('two crawls of the same state are deep-equal, whatever the page size or concurrency', async () => {
    const a = await crawlWorkspace(options(sim, { concurrency: 1, client: { pageSize: 7 } }));
    const b = await crawlWorkspace(options(sim, { concurrency: 8 }));
    expect({ ...a, stats: undefined }).toEqual({ ...b, stats: undefined });
  });

  it('a workspace that refuses 1,000-item pages (422) is crawled at 200 a page, the same', async () => {
    await withSim({ maxPageCount: 200 }, async (s) => {
      const picture = await crawlWorkspace(options(s));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(picture.resources).toEqual(s.resourceNames());
      expect(s.stats.maxCountRequested).toBe(1000);
    });
  });

  it('without totalEntries nothing is declared and the result is the same', async () => {
    await withSim({ omitTotalEntries: true }, async (s) => {
      const picture = await crawlWorkspace(options(s));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(picture.completeness.declared).toEqual({});
      expect(picture.completeness.warnings).toEqual([]);
    });
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        const r = await fetch(input, init);
        await new Promise((resolve) => setTimeout(resolve, 2));
        return r;
      } finally {
        inFlight--;
      }
    };
    await crawlWorkspace(options(sim, { fetch: counting, concurrency: 3 }));
    expect(peak).toBe(3);
  });
});

/** A logger whose records a test can read back (JSON lines into an array). */
function recordingLogger() {
  const records: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => records.push(JSON.parse(line)) };
  return { logger: createLogger({ level: 'debug', stream, human: false }), records };
}

/** A fetch that counts the requests in flight at once (the peak). */
function peakCounting(): { fetch: typeof fetch; peak: () => number } {
  let inFlight = 0;
  let peak = 0;
  return {
    fetch: async (input, init) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    },
    peak: () => peak,
  };
}

describe('adaptive concurrency (no `concurrency` given)', () => {
  const lowered = (records: Record<string, unknown>[]) =>
    records.filter((r) => r.msg === 'concurrency lowered');

  it('keeps more requests in flight while latency, not the rate budget, is the limit', async () => {
    await withSim({ users: 200, faults: { latencyMs: 15 } }, async (s) => {
      const counting = peakCounting();
      const picture = await crawlWorkspace(options(s, { fetch: counting.fetch, maxConcurrency: 24 }));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(counting.peak()).toBeGreaterThan(4);
      expect(counting.peak()).toBeLessThanOrEqual(24);
    });
  });

  it('lowers the concurrency on 5xx answers and on 429s, and the crawl still completes', async () => {
    await withSim({ users: 200 }, async (s) => {
      const { logger, records } = recordingLogger();
      s.inject({ route: 'GET /users/{id}', kind: 'status', status: 503, times: 3 });
      const picture = await crawlWorkspace(options(s, { logger }));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(lowered(records).map((r) => r.after)).toContain('failed');
    });
    await withSim({ users: 200 }, async (s) => {
      const { logger, records } = recordingLogger();
      s.inject({ route: 'GET /users/{id}', kind: 'status', status: 429, times: 2 });
      const picture = await crawlWorkspace(options(s, { logger }));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(picture.stats.rateLimited).toBe(2);
      expect(lowered(records).map((r) => r.after)).toContain('throttled');
    });
  });

  it('does not grow while the rate budget is the limit, and receives no 429', async () => {
    await withSim({ rateLimit: { limit: 10, windowMs: 1000 } }, async (s) => {
      const { logger, records } = recordingLogger();
      const picture = await crawlWorkspace(options(s, { logger, crossCheckSample: 0 }));
      expect(picture.stats.rateLimited).toBe(0);
      const peak = records.find((r) => r.msg === 'crawl finished')?.concurrencyPeak;
      // Ten requests a window: never twice that in flight, nor more than the budget allows.
      expect(peak).toBeLessThanOrEqual(5);
    });
  });
});

describe('a polite and robust crawl', () => {
  it('under a rate limit it receives no 429 at all', async () => {
    await withSim({ rateLimit: { limit: 10, windowMs: 1000 } }, async (s) => {
      const updates: string[] = [];
      const progress: Progress = { update: (t) => updates.push(t), done: () => updates.push('done') };
      const picture = await crawlWorkspace(options(s, { progress, crossCheckSample: 5 }));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(s.stats.rateLimited).toBe(0);
      expect(picture.stats.rateLimited).toBe(0);
      expect(picture.stats.rateLimitWaitMs).toBeGreaterThan(0);
      expect(updates.some((u) => /waiting .* for the rate limit/.test(u))).toBe(true);
      expect(updates.some((u) => /70 users/.test(u))).toBe(true);
      expect(updates.at(-1)).toBe('done');
    });
  });

  it('a 429 anyway is waited out and retried', async () => {
    sim.inject({ route: 'GET /groups', kind: 'status', status: 429, times: 2 });
    const picture = await crawlWorkspace(options(sim, { retries: 0 }));
    expect(picturePart(picture)).toEqual(sim.truth());
    expect(picture.stats.rateLimited).toBe(2);
    expect(picture.stats.retries).toBe(0);
  });

  it('under 10% 5xx and dropped connections the result equals the fault-free one', async () => {
    await withSim({ faults: { seed: 3, serverErrorRate: 0.1, dropRate: 0.05 } }, async (s) => {
      const clean = await crawlWorkspace(options(sim));
      const picture = await crawlWorkspace(options(s, { retries: 8 }));
      expect(picture.stats.retries).toBeGreaterThan(0);
      expect({ ...picture, stats: undefined, apiUrl: undefined }).toEqual({
        ...clean,
        stats: undefined,
        apiUrl: undefined,
      });
    });
  });
});

describe('resource names', () => {
  it('are read from their lists, kinds side by side, and a rename shows at the next crawl', async () => {
    await withSim({}, async (s) => {
      const picture = await crawlWorkspace(options(s));
      const names = s.resourceNames();
      expect(picture.resources).toEqual(names);
      const types = new Set(names.map((r) => r.type));
      expect([...types].sort()).toEqual(['LABEL', 'SOURCE', 'SPACE', 'WAREHOUSE', 'WORKSPACE']);
      expect(s.stats.byRoute['GET /labels']).toBe(1);

      const source = names.find((r) => r.type === 'SOURCE')!;
      await new SimulatorAdmin(s).renameSource(source.id, 'Renamed Source');
      const again = await crawlWorkspace(options(s));
      expect(again.resources.find((r) => r.type === 'SOURCE' && r.id === source.id)?.name).toBe(
        'Renamed Source',
      );
    });
  });

  it('a list the token may not read (401/403) or the workspace lacks (404) leaves ids only, with a warning; the crawl completes', async () => {
    await withSim({}, async (s) => {
      s.inject({ route: 'GET /sources', kind: 'status', status: 403 });
      s.inject({ route: 'GET /labels', kind: 'status', status: 401 });
      s.inject({ route: 'GET /spaces', kind: 'status', status: 404 });
      const picture = await crawlWorkspace(options(s));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(picture.resources).toEqual(
        s.resourceNames().filter((r) => !['SOURCE', 'LABEL', 'SPACE'].includes(r.type)),
      );
      expect(picture.completeness.unreadableResourceLists).toEqual(['/labels', '/sources', '/spaces']);
      expect(picture.completeness.warnings).toEqual(
        ['/labels', '/sources', '/spaces'].map(
          (path) =>
            `GET ${path}: the token may not read this list, or the workspace lacks it (401/403/404); its resources are named by id only`,
        ),
      );
    });
  });

  it('any other failure of a resource list fails the crawl', async () => {
    const conflict = await failingCrawl({ route: 'GET /warehouses', kind: 'status', status: 409 });
    expect(conflict.code).toBe('API_REJECTED');
    expect(conflict.message).toMatch(/^GET \/warehouses page 1: .*\(409\)/);
    const malformed = await failingCrawl({ route: 'GET /labels', kind: 'missing-field', field: 'key' });
    expect(malformed.code).toBe('API_MALFORMED');
    expect(malformed.message).toMatch(/^GET \/labels: labels\[\d+\]\.key is required$/);
  });
});

describe('failures end in their own clear error', () => {
  it('a 401 fails at once, saying the token was rejected', async () => {
    const e = await failure(crawlWorkspace(options({ url: sim.url, token: 'wrong-token' })));
    expect(e.code).toBe('API_UNAUTHORIZED');
    expect(e.message).toMatch(/rejected the token \(401\).*Workspace Owner/);
  });

  it('a malformed body in a group walk', async () => {
    const e = await failingCrawl({ route: 'GET /groups/{id}/users', kind: 'malformed' });
    expect(e.code).toBe('API_MALFORMED');
    expect(e.message).toMatch(/^GET \/groups\/[^/]+\/users page 1: the response body is not valid JSON$/);
  });

  it('a missing field names endpoint, page and field', async () => {
    const e = await failingCrawl({ route: 'GET /users', kind: 'missing-field', field: 'email' });
    expect(e.code).toBe('API_MALFORMED');
    expect(e.message).toBe('GET /users page 1: users[35].email is required');
  });

  it('a cursor loop', async () => {
    const e = await failingCrawl({ route: 'GET /invites', kind: 'cursor-loop' });
    expect(e.code).toBe('API_PAGINATION');
    expect(e.message).toMatch(/^GET \/invites page 1: .*looping/);
  });

  it('retries exhausted', async () => {
    const e = await failingCrawl(
      { route: 'GET /roles', kind: 'status', status: 500, times: 3 },
      { retries: 2 },
    );
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toMatch(/^GET \/roles page 1: .*HTTP 500/);
  });
});

describe('a workspace that changes while it is walked', () => {
  it('a group deleted mid-walk is left out and listed, not a failure', async () => {
    await withSim({}, async (s) => {
      const admin = new SimulatorAdmin(s);
      const victim = s.truth().groups[2]!.id;
      let deleted = false;
      const fetchDeleting = interceptingFetch(undefined, async (path) => {
        if (!deleted && path === `/groups/${victim}/users`) {
          deleted = true;
          await admin.deleteGroup(victim);
        }
      });
      const picture = await crawlWorkspace(options(s, { fetch: fetchDeleting }));
      expect(deleted).toBe(true);
      expect(picturePart(picture)).toEqual(s.truth());
      expect(picture.groups.map((g) => g.id)).not.toContain(victim);
      expect(picture.completeness.groupsDeletedDuringWalk).toEqual([victim]);
      expect(picture.completeness.warnings).toContain(
        `group ${victim} was deleted while the workspace was walked (404); it is left out`,
      );
      expect(picture.completeness.crossCheck.disagreements).toEqual([]);
    });
  });

  it('a user deleted before its detail fetch is left out, with a warning', async () => {
    await withSim({ inlinePermissions: false }, async (s) => {
      const admin = new SimulatorAdmin(s);
      const victim = s.truth().users[4]!.id;
      const fetchDeleting = interceptingFetch(undefined, async (path) => {
        if (path === `/users/${victim}`) await admin.deleteUsers([victim]);
      });
      const picture = await crawlWorkspace(options(s, { fetch: fetchDeleting }));
      expect(picturePart(picture)).toEqual(s.truth());
      expect(picture.users.map((u) => u.id)).not.toContain(victim);
      expect(picture.completeness.warnings).toContain(
        `user ${victim} was deleted while the workspace was walked (404); it is left out`,
      );
    });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const slow: typeof fetch = async (input, init) => {
      controller.abort(new Error('shutting down'));
      return fetch(input, init);
    };
    await expect(crawlWorkspace(options(sim, { fetch: slow, signal: controller.signal }))).rejects.toThrow(
      'shutting down',
    );
  });

  it('a group member who is not in /users is left out of the group, with warnings', async () => {
    await withSim({}, async (s) => {
      const admin = new SimulatorAdmin(s);
      // An email invited to one group only (the invitee joins every group that invited them).
      const once = (e: string) => s.truth().groups.filter((g) => g.inviteEmails.includes(e)).length === 1;
      const group = s.truth().groups.find((g) => g.inviteEmails.some(once))!;
      const email = group.inviteEmails.find(once)!;
      // Hold the group walks until /users is walked, then the invitee signs up (and joins).
      let usersDone!: () => void;
      const usersWalked = new Promise<void>((resolve) => {
        usersDone = resolve;
      });
      let joined: Promise<string> | undefined;
      const fetchJoining = interceptingFetch(
        (path, body) => {
          const pagination = body.data?.pagination as { next?: string } | undefined;
          if (path.startsWith('/users?') && !pagination?.next) usersDone();
          return body;
        },
        async (path) => {
          if (/^\/groups\/[^/]+\/(users|invites)$/.test(path)) {
            await usersWalked;
            joined ??= admin.acceptInvite(email, 'Late Joiner').then((u) => u.id);
            await joined;
          }
        },
      );
      const picture = await crawlWorkspace(options(s, { fetch: fetchJoining }));
      const newId = await joined!;
      expect(picture.users.map((u) => u.id)).not.toContain(newId);
      const walked = picture.groups.find((g) => g.id === group.id)!;
      expect(walked.memberIds).toEqual(group.memberIds);
      expect(picture.completeness.warnings).toContain(
        `group ${group.id}: member ${newId} not among /users (added or removed while the workspace was walked); left out of the group`,
      );
      expect(picture.completeness.memberCountMismatches).toEqual([
        { groupId: group.id, declared: group.memberIds.length, walked: group.memberIds.length + 1 },
      ]);
    });
  });

  it('a user listed on two pages is kept once, with a warning', async () => {
    let lastOfPageOne: unknown;
    const duplicating = interceptingFetch((path, body) => {
      if (!path.startsWith('/users?')) return body;
      const users = body.data?.users as unknown[];
      if (!path.includes('cursor')) lastOfPageOne = users.at(-1);
      else if (lastOfPageOne && users.length > 0) {
        users.unshift(lastOfPageOne);
        lastOfPageOne = undefined;
      }
      return body;
    });
    const picture = await crawlWorkspace(options(sim, { fetch: duplicating, client: { pageSize: 10 } }));
    expect(picturePart(picture)).toEqual(sim.truth());
    const dup = sim.truth().users[9]!.id;
    expect(picture.completeness.warnings).toEqual([
      `users: ${dup} was listed twice (pages 1 and 2); kept once (the later copy)`,
    ]);
  });

  it('a cross-check disagreement is kept as a warning, not a failure', async () => {
    const truth = sim.truth();
    const memberships = new Map<string, number>();
    for (const g of truth.groups)
      for (const m of g.memberIds) memberships.set(m, (memberships.get(m) ?? 0) + 1);
    let victim: string | undefined;
    const hiding = interceptingFetch((path, body) => {
      const m = /^\/users\/([^/]+)\/groups/.exec(path);
      const groups = body.data?.groups as { id: string }[] | undefined;
      if (m && groups && groups.length > 0 && (victim === undefined || victim === m[1])) {
        victim = m[1];
        groups.shift();
      }
      return body;
    });
    const picture = await crawlWorkspace(options(sim, { fetch: hiding }));
    expect(victim).toBeDefined();
    const { crossCheck, warnings } = picture.completeness;
    expect(crossCheck.sampled).toBe(20);
    expect(crossCheck.agreed).toBe(19);
    expect(crossCheck.disagreements).toHaveLength(1);
    expect(crossCheck.disagreements[0]!.userId).toBe(victim);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(`^cross-check: user ${victim}: the member walks of .* list the user`),
    );
    expect(picturePart(picture)).toEqual(truth);
  });
});
