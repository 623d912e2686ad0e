/**
 * Envelope helpers: every answer is `{data}` or the SDK's RequestErrorEnvelope
 * `{errors:[{type, message?, field?, data?, status?}]}`, never both. Handlers throw
 * ApiError; the server turns it into the errors envelope. The simulator itself only
 * answers the documented statuses (200/201, 401, 404, 409, 413, 422, 429, 5xx), with the
 * error types of the OpenAPI document's examples (NotFound, ValidationFailure) where it
 * gives one.
 */
import type { IncomingMessage } from 'node:http';

export interface ApiErrorItem {
  type: string;
  message: string;
  field?: string;
  data?: Record<string, unknown>;
  /** RequestError.status (optional): the HTTP status again. */
  status?: number;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly field?: string,
    readonly data?: Record<string, unknown>,
    /** False for bodies documented without it (the 429's). */
    readonly withStatus = true,
  ) {
    super(message);
  }

  toBody(): { errors: ApiErrorItem[] } {
    const item: ApiErrorItem = { type: this.type, message: this.message };
    if (this.withStatus) item.status = this.status;
    if (this.field !== undefined) item.field = this.field;
    if (this.data !== undefined) item.data = this.data;
    return { errors: [item] };
  }
}

export const unauthorized = (message: string): ApiError => new ApiError(401, 'Unauthorized', message);
export const notFound = (what: string): ApiError => new ApiError(404, 'NotFound', `${what} not found`);
export const invalid = (message: string, field?: string): ApiError =>
  new ApiError(422, 'ValidationFailure', message, field);
export const conflict = (message: string, field?: string): ApiError =>
  new ApiError(409, 'Conflict', message, field);
/** The 429 body exactly as documented (no `status` member). */
export const rateLimited = (msBeforeNext: number, consumedPoints: number): ApiError =>
  new ApiError(
    429,
    'RequestError',
    'Too many requests',
    undefined,
    { remainingPoints: 0, msBeforeNext, consumedPoints },
    false,
  );
export const serverError = (status: number, message: string): ApiError =>
  new ApiError(status, 'ServerError', message);

/** What a handler answers: an HTTP status and the `data` object. */
export interface Reply {
  status: number;
  data: Record<string, unknown>;
  /** The key of `data` holding the page's items, for list routes (fault injection needs it). */
  listKey?: string;
}

const MAX_BODY_BYTES = 1_000_000;

/** Reads a JSON request body; an empty body is `{}`. Too large → 413, not JSON → 422. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'PayloadTooLarge', 'request body over 1 MB');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('request body is not valid JSON');
  }
}

/**
 * A list in a query string the way the Public API takes it: `emails.0=a&emails.1=b`
 * (also `emails[0]=…` and repeated `emails=…`), in index order.
 */
export function queryList(query: URLSearchParams, name: string): string[] {
  const indexed: [number, string][] = [];
  const plain: string[] = [];
  const pattern = new RegExp(`^${name}(?:\\.(\\d+)|\\[(\\d+)\\])$`);
  for (const [key, value] of query) {
    if (key === name) plain.push(value);
    const m = pattern.exec(key);
    if (m) indexed.push([Number(m[1] ?? m[2]), value]);
  }
  return [...indexed.sort((a, b) => a[0] - b[0]).map(([, v]) => v), ...plain];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
