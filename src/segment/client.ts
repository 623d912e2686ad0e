import type { z } from 'zod';
import type { Logger } from '../log/logger.js';
import type { Secret } from '../secret.js';
import { type ApiAuditEvent, auditEventPages, type TrailWindow } from './audit-events.js';
import { type FastCheck, fastChecks } from './fast-checks.js';
import { type ClientStats, type HttpOptions, SegmentHttp } from './http.js';
import { Pacer } from './pacer.js';
import { type Page, PageSize, type PaginateOptions, paginate } from './paginate.js';
import {
  type ApiLabel,
  type ApiSource,
  type ApiSpace,
  type ApiWarehouse,
  resourceSchemas,
} from './resources.js';
import { DEFAULT_RETRY_POLICY, RefusalBackoff, type RetryPolicy } from './retry.js';
import {
  type ApiGroupRef,
  type ApiMemberUser,
  type ApiPagination,
  type ApiRole,
  type ApiUser,
  type ApiUserGroup,
  type ApiWorkspace,
  checked,
  schemas,
} from './schemas.js';
import { createNodeTransport, fetchTransport } from './transport.js';

/**
 * A typed client for the read-only IAM endpoints. One client = one rate budget (Pacer)
 * and one set of stats, shared by every walk that uses it, however many run at once.
 */

export interface SegmentClientOptions {
  apiUrl: string;
  token: Secret;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** Failures (5xx, 408, dropped connections, timeouts) retried per request (default 6); 429s do not count. */
  retries?: number;
  /** First backoff delay (default 250 ms); doubles with jitter up to maxRetryDelayMs. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Bound on the total time for one request, waits included (default 15 min). */
  maxRetryTimeMs?: number;
  /** Items per page, 1 to 1,000 (default 1,000); a list that refuses more than 200 gets 200 for the rest of the run. */
  pageSize?: number;
  /** Cap on pages of one list (default 100,000). */
  maxPages?: number;
  /** First wait after a 429 that says nothing of when to come back (default 1 s); doubles per refusal. */
  rateLimitBackoffMs?: number;
  /** Longest such wait (default 60 s). */
  maxRateLimitBackoffMs?: number;
  /** Bound on one response body (default 32 MiB); a larger one fails the request, not retried. */
  maxResponseBytes?: number;
  /** Extra wait after a rate-limit window's announced reset (default 30 ms). */
  rateLimitMarginMs?: number;
  /** Told when requests begin to wait for a rate-limit window. */
  onRateLimitWait?: (ms: number, reason: 'window' | '429') => void;
  /** Told of every attempt's outcome (the crawl's adaptive concurrency). */
  onOutcome?: HttpOptions['onOutcome'];
  logger?: Logger;
  signal?: AbortSignal;
  /** Told of each failure that will be retried (request label, reason, attempt number). */
  onRetry?: (request: string, reason: string, attempt: number) => void;
  /** Default: node:http(s) with keep-alive (transport.ts: a third of fetch's CPU a request); a `fetch` given here replaces it. */
  fetch?: typeof fetch;
}

type Pages<T> = AsyncGenerator<Page<T>>;

function segment(id: string): string {
  return encodeURIComponent(id);
}

export class SegmentClient {
  readonly #http: SegmentHttp;
  readonly #pacer: Pacer;
  readonly #stats: ClientStats = {
    requests: 0,
    answers: 0,
    retries: 0,
    rateLimited: 0,
    rateLimitWaitMs: 0,
    maxPageSize: 0,
  };
  readonly #paging: PaginateOptions;

  constructor(options: SegmentClientOptions) {
    this.#pacer = new Pacer({ marginMs: options.rateLimitMarginMs, onWait: options.onRateLimitWait });
    const policy: RetryPolicy = {
      retries: options.retries ?? DEFAULT_RETRY_POLICY.retries,
      minDelayMs: options.minRetryDelayMs ?? DEFAULT_RETRY_POLICY.minDelayMs,
      maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      maxRetryTimeMs: options.maxRetryTimeMs ?? DEFAULT_RETRY_POLICY.maxRetryTimeMs,
    };
    const maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
    this.#http = new SegmentHttp({
      apiUrl: options.apiUrl,
      token: options.token,
      pacer: this.#pacer,
      stats: this.#stats,
      policy,
      backoff: new RefusalBackoff(
        options.rateLimitBackoffMs ?? 1000,
        options.maxRateLimitBackoffMs ?? 60_000,
      ),
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxResponseBytes,
      transport: options.fetch ? fetchTransport(options.fetch) : createNodeTransport(),
      logger: options.logger,
      signal: options.signal,
      onOutcome: options.onOutcome,
      onRetry: options.onRetry,
    });
    this.#paging = {
      pageSize: new PageSize(options.pageSize),
      maxPages: options.maxPages,
      onPageSize: (count) => {
        if (count > this.#stats.maxPageSize) this.#stats.maxPageSize = count;
      },
    };
  }

  /** A copy of the counters so far. */
  get stats(): ClientStats {
    return { ...this.#stats, rateLimitWaitMs: Math.round(this.#pacer.waitMs) };
  }

  async getWorkspace(): Promise<ApiWorkspace> {
    return (await this.#get('/', schemas.workspace)).workspace;
  }

  async getUser(userId: string): Promise<ApiUser> {
    return (await this.#get(`/users/${segment(userId)}`, schemas.user, fastChecks.user)).user;
  }

  async getUserGroup(groupId: string): Promise<ApiUserGroup> {
    return (await this.#get(`/groups/${segment(groupId)}`, schemas.userGroup, fastChecks.userGroup))
      .userGroup;
  }

  /** The audit trail of a window; `readAuditTrail` turns it into events or "unavailable". */
  listAuditEvents(window: TrailWindow = {}): AsyncGenerator<Page<ApiAuditEvent>> {
    return auditEventPages(this.#http, window, this.#paging);
  }

  // One line per paginated list endpoint: its path, response schema and item field.
  readonly listRoles = (): Pages<ApiRole> => this.#list('/roles', schemas.roles, (d) => d.roles);
  readonly listUsers = (): Pages<ApiUser> =>
    this.#list('/users', schemas.users, (d) => d.users, fastChecks.users);
  readonly listInvites = (): Pages<string> => this.#list('/invites', schemas.invites, (d) => d.invites);
  readonly listUserGroups = (): Pages<ApiUserGroup> =>
    this.#list('/groups', schemas.userGroups, (d) => d.userGroups, fastChecks.userGroups);
  readonly listUsersFromUserGroup = (groupId: string): Pages<ApiMemberUser> =>
    this.#list(
      `/groups/${segment(groupId)}/users`,
      schemas.groupMembers,
      (d) => d.users,
      fastChecks.groupMembers,
    );
  readonly listInvitesFromUserGroup = (groupId: string): Pages<string> =>
    this.#list(`/groups/${segment(groupId)}/invites`, schemas.groupInvites, (d) => d.emails);
  readonly listUserGroupsFromUser = (userId: string): Pages<ApiGroupRef> =>
    this.#list(`/users/${segment(userId)}/groups`, schemas.userGroupsOfUser, (d) => d.groups);

  // The resource lists the audit reads names from (schemas and SDK models in resources.ts).
  readonly listSources = (): Pages<ApiSource> =>
    this.#list('/sources', resourceSchemas.sources, (d) => d.sources);
  readonly listWarehouses = (): Pages<ApiWarehouse> =>
    this.#list('/warehouses', resourceSchemas.warehouses, (d) => d.warehouses);
  readonly listSpaces = (): Pages<ApiSpace> => this.#list('/spaces', resourceSchemas.spaces, (d) => d.spaces);

  /** `GET /labels` is one request: the API gives the whole list, without pagination. */
  async listLabels(): Promise<ApiLabel[]> {
    return (await this.#get('/labels', resourceSchemas.labels)).labels;
  }

  /** One request, its body checked against `schema`; the label names it in errors. */
  async #get<S extends z.ZodType>(
    path: string,
    schema: S,
    fast?: FastCheck<z.infer<S>>,
  ): Promise<z.infer<S>> {
    const label = `GET ${path}`;
    return checked(schema, await this.#http.get({ path, label }), label, fast);
  }

  /** Every page of one list endpoint, with this client's page size and page cap. */
  #list<S extends z.ZodType<{ pagination?: ApiPagination | undefined }>, T>(
    path: string,
    schema: S,
    itemsOf: (data: z.infer<S>) => T[],
    fast?: FastCheck<z.infer<S>>,
  ): Pages<T> {
    return paginate(this.#http, path, schema, itemsOf, this.#paging, fast);
  }
}

/** Every item of a paginated list, and its declared total. */
export async function collect<T>(
  pages: AsyncIterable<Page<T>>,
  onPage?: (page: Page<T>) => void,
): Promise<{ items: T[]; totalEntries: number | undefined; pages: number }> {
  const items: T[] = [];
  let totalEntries: number | undefined;
  let count = 0;
  for await (const page of pages) {
    for (const item of page.items) items.push(item);
    totalEntries = page.totalEntries;
    count = page.page;
    onPage?.(page);
  }
  return { items, totalEntries, pages: count };
}
