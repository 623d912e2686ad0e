import type { Logger } from '../log/logger.js';
import type { Secret } from '../secret.js';
import { type ApiAuditEvent, auditEventPages, type TrailWindow } from './audit-events.js';
import { type ClientStats, SegmentHttp } from './http.js';
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
  type ApiRole,
  type ApiUser,
  type ApiUserGroup,
  type ApiWorkspace,
  checked,
  schemas,
} from './schemas.js';
import { createNodeFetch } from './transport.js';

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
  logger?: Logger;
  signal?: AbortSignal;
  /** Default: node:http(s) with keep-alive (transport.ts: a third of fetch's CPU a request). */
  fetch?: typeof fetch;
}

function segment(id: string): string {
  return encodeURIComponent(id);
}

export class SegmentClient {
  readonly #http: SegmentHttp;
  readonly #pacer: Pacer;
  readonly #stats: ClientStats = {
    requests: 0,
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
      fetch: options.fetch ?? createNodeFetch(maxResponseBytes),
      logger: options.logger,
      signal: options.signal,
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
    const label = 'GET /';
    return checked(schemas.workspace, await this.#http.get({ path: '/', label }), label).workspace;
  }

  async getUser(userId: string): Promise<ApiUser> {
    const path = `/users/${segment(userId)}`;
    const label = `GET ${path}`;
    return checked(schemas.user, await this.#http.get({ path, label }), label).user;
  }

  async getUserGroup(groupId: string): Promise<ApiUserGroup> {
    const path = `/groups/${segment(groupId)}`;
    const label = `GET ${path}`;
    return checked(schemas.userGroup, await this.#http.get({ path, label }), label).userGroup;
  }

  /** The audit trail of a window; `readAuditTrail` turns it into events or "unavailable". */
  listAuditEvents(window: TrailWindow = {}): AsyncGenerator<Page<ApiAuditEvent>> {
    return auditEventPages(this.#http, window, this.#paging);
  }

  listRoles(): AsyncGenerator<Page<ApiRole>> {
    return paginate(this.#http, '/roles', schemas.roles, (d) => d.roles, this.#paging);
  }

  listUsers(): AsyncGenerator<Page<ApiUser>> {
    return paginate(this.#http, '/users', schemas.users, (d) => d.users, this.#paging);
  }

  listInvites(): AsyncGenerator<Page<string>> {
    return paginate(this.#http, '/invites', schemas.invites, (d) => d.invites, this.#paging);
  }

  listUserGroups(): AsyncGenerator<Page<ApiUserGroup>> {
    return paginate(this.#http, '/groups', schemas.userGroups, (d) => d.userGroups, this.#paging);
  }

  listUsersFromUserGroup(groupId: string): AsyncGenerator<Page<ApiMemberUser>> {
    const path = `/groups/${segment(groupId)}/users`;
    return paginate(this.#http, path, schemas.groupMembers, (d) => d.users, this.#paging);
  }

  listInvitesFromUserGroup(groupId: string): AsyncGenerator<Page<string>> {
    const path = `/groups/${segment(groupId)}/invites`;
    return paginate(this.#http, path, schemas.groupInvites, (d) => d.emails, this.#paging);
  }

  listUserGroupsFromUser(userId: string): AsyncGenerator<Page<ApiGroupRef>> {
    const path = `/users/${segment(userId)}/groups`;
    return paginate(this.#http, path, schemas.userGroupsOfUser, (d) => d.groups, this.#paging);
  }

  // The resource lists the audit reads names from (schemas and SDK models in resources.ts).

  listSources(): AsyncGenerator<Page<ApiSource>> {
    return paginate(this.#http, '/sources', resourceSchemas.sources, (d) => d.sources, this.#paging);
  }

  listWarehouses(): AsyncGenerator<Page<ApiWarehouse>> {
    return paginate(this.#http, '/warehouses', resourceSchemas.warehouses, (d) => d.warehouses, this.#paging);
  }

  listSpaces(): AsyncGenerator<Page<ApiSpace>> {
    return paginate(this.#http, '/spaces', resourceSchemas.spaces, (d) => d.spaces, this.#paging);
  }

  /** `GET /labels` is one request: the API gives the whole list, without pagination. */
  async listLabels(): Promise<ApiLabel[]> {
    const label = 'GET /labels';
    return checked(resourceSchemas.labels, await this.#http.get({ path: '/labels', label }), label).labels;
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
