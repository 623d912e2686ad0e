import type { z } from 'zod';
import { AuditError } from '../errors.js';
import type { SegmentHttp } from './http.js';
import { type ApiPagination, checked } from './schemas.js';

/**
 * Cursor pagination as the API documents it: `pagination.count` (never above 200, the
 * limit every public client keeps to), the opaque cursor URL-encoded by URLSearchParams,
 * the walk ends when `next` is missing or null. A walk that does not end is an error,
 * never a hang: a cursor seen twice means the server is looping, and a page count far
 * beyond what the declared total (or any sane workspace) needs means it is running away.
 */

const MAX_PAGE_SIZE = 200;

export interface PaginateOptions {
  /** Items per page; capped at 200. */
  pageSize?: number;
  /** Hard cap on pages for one list (default 100,000). */
  maxPages?: number;
  /** Called with each page's size as sent (for the stats). */
  onPageSize?: (count: number) => void;
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

export async function* paginate<S extends z.ZodType<{ pagination: ApiPagination }>, T>(
  http: SegmentHttp,
  path: string,
  schema: S,
  itemsOf: (data: z.infer<S>) => T[],
  options: PaginateOptions = {},
): AsyncGenerator<Page<T>> {
  const count = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize ?? MAX_PAGE_SIZE)));
  const maxPages = options.maxPages ?? 100_000;
  const seen = new Map<string, number>();
  let cursor: string | undefined;
  let totalEntries: number | undefined;
  for (let page = 1; ; page++) {
    const label = `GET ${path} page ${page}`;
    if (page > maxPages) {
      throw new AuditError(
        'API_PAGINATION',
        `${label}: more than ${maxPages} pages; the pagination seems to run away`,
        {
          details: { request: label },
        },
      );
    }
    if (totalEntries !== undefined && page > pageAllowance(totalEntries, count)) {
      throw new AuditError(
        'API_PAGINATION',
        `${label}: ${totalEntries} entries declared, ${count} a page, yet the pages do not end; the pagination runs away`,
        { details: { request: label } },
      );
    }
    const query = new URLSearchParams({ 'pagination.count': String(count) });
    if (cursor !== undefined) query.set('pagination.cursor', cursor);
    options.onPageSize?.(count);
    const data = checked(schema, await http.get({ path, query, label }), label);
    const { next, current, totalEntries: declared } = data.pagination;
    // The page's own cursor counts as followed too: a `next` pointing back at it loops.
    if (typeof current === 'string' && !seen.has(current)) seen.set(current, page - 1);
    if (totalEntries === undefined && typeof declared === 'number') totalEntries = declared;
    if (next === undefined || next === null) {
      yield { items: itemsOf(data), page, totalEntries };
      return;
    }
    const first = seen.get(next);
    if (first !== undefined) {
      throw new AuditError(
        'API_PAGINATION',
        `${label}: the next cursor points back at page ${first + 1}, already walked; the pagination is looping`,
        { details: { request: label } },
      );
    }
    seen.set(next, page);
    cursor = next;
    yield { items: itemsOf(data), page, totalEntries };
  }
}
