/**
 * Cursor pagination as the Public API does it: `pagination.count` (or `pagination[count]`)
 * 1..1000 (PaginationInput of the current SDK; older API versions allowed 1..200, which
 * `maxPageCount` reproduces), default 10; opaque cursors; `next` omitted on the last page.
 *
 * A cursor names its list and the key (id or email) the page starts at, so a page stays
 * correct when items are added or removed between two requests, and costs a binary search.
 * Its base64 always contains `+`, `/` and `=`: a client that forgets to URL-encode it
 * sends a space instead of `+` (standard query decoding) and gets a 422, as it would from
 * the real API.
 */
import { invalid } from './http.js';

/** The largest page the current API serves. */
export const MAX_PAGE_COUNT = 1000;
const DEFAULT_COUNT = 10;

// Three bytes whose base64 is "+++/": every cursor starts with both special characters.
const MAGIC = Buffer.from([0xfb, 0xef, 0xbf]);
const BASE64 = /^[A-Za-z0-9+/]+={1,2}$/;

function encodeCursor(scope: string, startKey: string): string {
  let bytes = Buffer.concat([MAGIC, Buffer.from(JSON.stringify([scope, startKey]), 'utf8')]);
  // A length that is a multiple of 3 would have no padding; trailing whitespace is still valid JSON.
  if (bytes.length % 3 === 0) bytes = Buffer.concat([bytes, Buffer.from(' ')]);
  return bytes.toString('base64');
}

/** The start key of a cursor for `scope`; anything else (garbled, another list's) → 422. */
export function decodeCursor(cursor: string, scope: string): string {
  const bad = () => invalid('pagination.cursor is not a valid cursor for this list', 'pagination.cursor');
  if (!BASE64.test(cursor) || cursor.length % 4 !== 0) throw bad();
  const bytes = Buffer.from(cursor, 'base64');
  if (bytes.toString('base64') !== cursor || !bytes.subarray(0, 3).equals(MAGIC)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.subarray(3).toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed[0] !== scope || typeof parsed[1] !== 'string') throw bad();
  return parsed[1];
}

export interface PageRequest {
  count: number;
  /** The cursor as sent, when one was. */
  cursor: string | undefined;
  startKey: string;
}

function param(query: URLSearchParams, name: 'count' | 'cursor'): string | null {
  return query.get(`pagination.${name}`) ?? query.get(`pagination[${name}]`);
}

/**
 * Reads the page parameters. `onCount` sees every numeric count asked for, before it is
 * judged, so the simulator can report the largest a client ever requested.
 */
export function parsePageRequest(
  query: URLSearchParams,
  scope: string,
  onCount: (count: number) => void,
  maxCount: number,
): PageRequest {
  const rawCount = param(query, 'count');
  let count = DEFAULT_COUNT;
  if (rawCount !== null) {
    count = Number(rawCount);
    if (rawCount.trim() !== '' && Number.isFinite(count)) onCount(count);
    if (rawCount.trim() === '' || !Number.isInteger(count) || count < 1 || count > maxCount) {
      throw invalid(
        `pagination.count must be an integer from 1 to ${maxCount} (got '${rawCount}')`,
        'pagination.count',
      );
    }
  }
  const cursor = param(query, 'cursor') ?? undefined;
  return { count, cursor, startKey: cursor === undefined ? '' : decodeCursor(cursor, scope) };
}

export interface Pagination {
  current: string;
  next?: string;
  previous?: string;
  totalEntries?: number;
}

/** The first index whose key is >= key. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One page of a sorted key list, with the pagination object the API returns. */
export function pageOf(
  sorted: readonly string[],
  request: PageRequest,
  scope: string,
  withTotal: boolean,
): { keys: string[]; pagination: Pagination } {
  const start = request.startKey === '' ? 0 : lowerBound(sorted, request.startKey);
  const end = Math.min(sorted.length, start + request.count);
  // The first page's cursor is the empty key, whichever way a client reaches it.
  const keyAt = (i: number) => (i === 0 ? '' : (sorted[i] as string));
  const pagination: Pagination = { current: request.cursor ?? encodeCursor(scope, '') };
  if (end < sorted.length) pagination.next = encodeCursor(scope, keyAt(end));
  if (start > 0) pagination.previous = encodeCursor(scope, keyAt(Math.max(0, start - request.count)));
  if (withTotal) pagination.totalEntries = sorted.length;
  return { keys: sorted.slice(start, end), pagination };
}
