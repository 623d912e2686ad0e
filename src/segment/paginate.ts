import type { z } from 'zod';
import { AuditError, isAuditError } from '../errors.js';
import type { FastCheck } from './fast-checks.js';
import type { SegmentHttp } from './http.js';
import { type ApiPagination, checked } from './schemas.js';

/**
 * Cursor pagination as the API documents it: `pagination.count` (1 to 1,000 in the SDK's
 * `paginationInput`), the opaque cursor URL-encoded by URLSearchParams, the walk ends when
 * `next` is missing or null. A walk that does not end is an error, never a hang: a cursor
 * seen twice means the server is looping, and a page count far beyond what the declared
 * total (or any sane workspace) needs means it is running away.
 */

const MAX_PAGE_SIZE = 1000;
/** What older API versions allowed: asked for when a list refuses MAX_PAGE_SIZE. */
const FALLBACK_PAGE_SIZE = 200;

/**
 * The page size of one client's lists: as large as allowed (fewer requests against the
 * rate limit) until a list answers 422 on `pagination.count`; then FALLBACK_PAGE_SIZE for
 * every list of the run, so the refusal costs one extra request, not one per list.
 */
export class PageSize {
  #count: number;

  constructor(requested: number = MAX_PAGE_SIZE) {
    this.#count = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(requested)));
  }

  get count(): number {
    return this.#count;
  }

  /** A list refused `asked` items a page: true when asking again with fewer is worth it. */
  refused(asked: number): boolean {
    if (asked <= FALLBACK_PAGE_SIZE) return false;
    this.#count = Math.min(this.#count, FALLBACK_PAGE_SIZE);
    return true;
  }
}

export interface PaginateOptions {
  /** The client's page size (default: a fresh one at MAX_PAGE_SIZE). */
  pageSize?: PageSize;
  /** Hard cap on pages for one list (default 100,000). */
  maxPages?: number;
  /** Called with each page size the API accepted (for the stats). */
  onPageSize?: (count: number) => void;
  /** Filters sent with every page beside the pagination (e.g. the audit trail's time window). */
  query?: Readonly<Record<string, string>>;
}

export interface Page<T> {
  items: T[];
  /** 1-based. */
  page: number;
  /** The list's declared size, from the first page that gave one. */
  totalEntries: number | undefined;
}

/** Pages beyond ceil(total / count) tolerated before the walk counts as runaway (the list may grow while walked). */
function pageAllowance(total: number, count: number): number {
  const expected = Math.ceil(total / count);
  return expected * 2 + 10;
}

/**
 * Items accepted on a page of `count`: a few more than asked (10%) for a server that rounds
 * up, but a server that ignores the count (10,000 items for 200 asked) is refused.
 */
function itemAllowance(count: number): number {
  return count + Math.ceil(count / 10);
}

function isCountRefusal(error: unknown): boolean {
  return (
    isAuditError(error, 'API_REJECTED') &&
    error.details.status === 422 &&
    error.details.field === 'pagination.count'
  );
}

interface PageFetch<S extends z.ZodType> {
  http: SegmentHttp;
  path: string;
  schema: S;
  fast: FastCheck<z.infer<S>> | undefined;
  label: string;
  cursor: string | undefined;
  sizes: PageSize;
  filters: Readonly<Record<string, string>> | undefined;
}

/** One page, asked again with the smaller size when the API refuses the count. */
async function fetchPage<S extends z.ZodType>(p: PageFetch<S>): Promise<{ data: z.infer<S>; count: number }> {
  for (;;) {
    const count = p.sizes.count;
    const query = new URLSearchParams({ ...p.filters, 'pagination.count': String(count) });
    if (p.cursor !== undefined) query.set('pagination.cursor', p.cursor);
    try {
      const data = checked(
        p.schema,
        await p.http.get({ path: p.path, query, label: p.label }),
        p.label,
        p.fast,
      );
      return { data, count };
    } catch (error) {
      if (isCountRefusal(error) && p.sizes.refused(count)) continue;
      throw error;
    }
  }
}

function runaway(label: string, message: string): AuditError {
  return new AuditError('API_PAGINATION', `${label}: ${message}`, { details: { request: label } });
}

// `pagination` may be absent (the audit trail's output marks it optional): a page without it is the last.
export async function* paginate<S extends z.ZodType<{ pagination?: ApiPagination | undefined }>, T>(
  http: SegmentHttp,
  path: string,
  schema: S,
  itemsOf: (data: z.infer<S>) => T[],
  options: PaginateOptions = {},
  fast?: FastCheck<z.infer<S>>,
): AsyncGenerator<Page<T>> {
  const sizes = options.pageSize ?? new PageSize();
  const maxPages = options.maxPages ?? 100_000;
  const seen = new Map<string, number>();
  let cursor: string | undefined;
  let totalEntries: number | undefined;
  for (let page = 1; ; page++) {
    const label = `GET ${path} page ${page}`;
    if (page > maxPages)
      throw runaway(label, `more than ${maxPages} pages; the pagination seems to run away`);
    if (totalEntries !== undefined && page > pageAllowance(totalEntries, sizes.count)) {
      throw runaway(
        label,
        `${totalEntries} entries declared, ${sizes.count} a page, yet the pages do not end; the pagination runs away`,
      );
    }
    const { data, count } = await fetchPage({
      http,
      path,
      schema,
      fast,
      label,
      cursor,
      sizes,
      filters: options.query,
    });
    options.onPageSize?.(count);
    const items = itemsOf(data);
    if (items.length > itemAllowance(count)) {
      throw new AuditError(
        'API_TOO_LARGE',
        `${label}: ${items.length} items on one page, ${count} asked for (at most ${itemAllowance(count)} accepted)`,
        { details: { request: label } },
      );
    }
    const { next, current, totalEntries: declared } = data.pagination ?? {};
    // The page's own cursor counts as followed too: a `next` pointing back at it loops.
    if (typeof current === 'string' && !seen.has(current)) seen.set(current, page - 1);
    if (totalEntries === undefined && typeof declared === 'number') totalEntries = declared;
    if (next === undefined) {
      yield { items, page, totalEntries };
      return;
    }
    const first = seen.get(next);
    if (first !== undefined) {
      throw runaway(
        label,
        `the next cursor points back at page ${first + 1}, already walked; the pagination is looping`,
      );
    }
    seen.set(next, page);
    cursor = next;
    yield { items, page, totalEntries };
  }
}
