/**
 * Turning a handler's reply into bytes, including the faults that corrupt a good answer:
 * a missing field, a cursor that loops, a truncated body.
 */
import type { ServerResponse } from 'node:http';
import { ApiError, invalid, type Reply, rateLimited, serverError, unauthorized } from './http.js';

/** The field a list's items cannot do without: what a random missing-field fault removes. */
const REQUIRED_FIELD: Record<string, string> = {
  users: 'email',
  userGroups: 'name',
  roles: 'name',
  groups: 'name',
  sources: 'id',
  warehouses: 'id',
  spaces: 'id',
  labels: 'key',
};

/**
 * Removes `field` (true: the list's usual required field) from the middle item of the
 * page, or from the single object of a detail answer, or from `data` itself when `data`
 * has such a key (e.g. 'pagination'). Works on a copy: the state is never touched.
 */
export function withoutField(reply: Reply, field: string | true): Reply {
  const data = structuredClone(reply.data);
  if (field !== true && field in data) {
    delete data[field];
    return { ...reply, data };
  }
  let target: unknown;
  if (reply.listKey !== undefined) {
    const items = data[reply.listKey];
    if (Array.isArray(items) && items.length > 0) target = items[Math.floor(items.length / 2)];
  } else {
    target = Object.values(data).find((v) => typeof v === 'object' && v !== null);
  }
  const name = field === true ? REQUIRED_FIELD[reply.listKey ?? ''] : field;
  // Lists of bare emails have no fields to lose.
  if (name !== undefined && typeof target === 'object' && target !== null)
    delete (target as Record<string, unknown>)[name];
  return { ...reply, data };
}

/** `next` points back at the page the client is on: a walk that trusts it never ends. */
export function withCursorLoop(reply: Reply): Reply {
  const pagination = reply.data.pagination as { current?: string; next?: string } | undefined;
  if (!pagination?.current) return reply;
  return { ...reply, data: { ...reply.data, pagination: { ...pagination, next: pagination.current } } };
}

/** A proper prefix of a JSON object is never valid JSON. */
export function truncated(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

export function errorReplyFor(status: number): ApiError {
  if (status === 401) return unauthorized('the token may not read this');
  if (status === 404) return new ApiError(404, 'NotFound', 'Resource not found');
  if (status === 422) return invalid('the request is not valid');
  if (status === 429) return rateLimited(100, 1);
  // Other statuses (e.g. 403) only come from a test's injection: the test chose them.
  if (status < 500) return new ApiError(status, 'RequestError', `simulated failure (${status})`);
  return serverError(status, `simulated server failure (${status})`);
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string>,
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
