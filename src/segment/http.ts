import { AbortError } from 'p-retry';
import { AuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { type Secret, scrub } from '../secret.js';
import { type Pacer, readRateHeaders } from './pacer.js';
import { RateLimitedError, RetryableError, type RetryPolicy, withRetries } from './retry.js';
import { errorEnvelopeSchema } from './schemas.js';

/**
 * One GET against the Segment Public API: pacing, timeout, retries, the envelope and the
 * mapping of every failure to the error catalogue.
 *
 * The token is revealed in exactly one place (the Authorization header below). Errors
 * name the request by its label (method, path, page) and never carry a fetch error as
 * `cause`: undici's errors can hold request details, so only a description of them, with
 * the token scrubbed, goes into messages and causes.
 */

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  rateLimitWaitMs: number;
  maxPageSize: number;
}

export interface HttpOptions {
  apiUrl: string;
  token: Secret;
  pacer: Pacer;
  stats: ClientStats;
  policy: RetryPolicy;
  requestTimeoutMs: number;
  fetch: typeof fetch;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface Target {
  path: string;
  query?: URLSearchParams;
  /** What messages call this request: "GET /users page 3". */
  label: string;
}

const ACCEPT = 'application/vnd.segment.v1+json, application/json;q=0.9';

/** A safe one-line description of whatever fetch threw (no headers, no token). */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.name === 'TimeoutError' ? 'timed out' : error.message];
  let cause: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    const code = (cause as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${cause.message} (${code})` : cause.message);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}

/** Retry-After is seconds or an HTTP date. */
function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at - now;
}

export class SegmentHttp {
  readonly #o: HttpOptions;
  readonly #base: string;

  constructor(options: HttpOptions) {
    this.#o = options;
    this.#base = options.apiUrl.replace(/\/+$/, '');
  }

  /** GET a path and return the envelope's `data` (unchecked: the caller validates it). */
  async get(target: Target): Promise<unknown> {
    const { policy, stats, logger, signal, pacer } = this.#o;
    const started = Date.now();
    try {
      return await withRetries(
        () => this.#attempt(target),
        policy,
        {
          onRetry: (error, attempt) => {
            stats.retries++;
            logger?.debug({ request: target.label, attempt, reason: error.message }, 'retrying request');
          },
          waitForRateLimit: async (until, s) => {
            const ms = until - Date.now();
            if (Date.now() + ms - started > policy.maxRetryTimeMs) {
              throw new AuditError(
                'API_UNAVAILABLE',
                `${target.label}: rate limited for another ${Math.ceil(ms / 1000)} s, longer than the retry time limit`,
              );
            }
            logger?.debug({ request: target.label, waitMs: ms }, 'rate limited (429): waiting');
            await pacer.waitUntil(until, s);
          },
        },
        signal,
      );
    } catch (error) {
      throw this.#final(error, target);
    }
  }

  #final(error: unknown, target: Target): unknown {
    if (error instanceof AuditError) return error;
    if (this.#o.signal?.aborted) return this.#o.signal.reason;
    if (error instanceof RetryableError || error instanceof RateLimitedError) {
      return new AuditError(
        'API_UNAVAILABLE',
        `${target.label}: the Segment API could not be reached (gave up after retries; last: ${error.message})`,
        { cause: new Error(error.message), details: { request: target.label } },
      );
    }
    // Not ours (a bug): keep the message only, scrubbed, never the object.
    const message = error instanceof Error ? error.message : String(error);
    return new AuditError('INTERNAL', `${target.label}: ${scrub(message, [this.#o.token])}`);
  }

  #url(target: Target): string {
    const query = target.query?.toString();
    return `${this.#base}${target.path}${query ? `?${query}` : ''}`;
  }

  async #attempt(target: Target): Promise<unknown> {
    const { pacer, stats, signal, token } = this.#o;
    await pacer.acquire(signal);
    stats.requests++;
    const timeout = AbortSignal.timeout(this.#o.requestTimeoutMs);
    const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.#o.fetch(this.#url(target), {
        method: 'GET',
        headers: { authorization: `Bearer ${token.reveal()}`, accept: ACCEPT },
        signal: requestSignal,
      });
      text = await response.text();
    } catch (error) {
      pacer.release(undefined, false);
      if (signal?.aborted) throw new AbortError(signal.reason instanceof Error ? signal.reason : 'aborted');
      const why = timeout.aborted
        ? `timed out after ${this.#o.requestTimeoutMs} ms`
        : `connection failed: ${describeNetworkError(error)}`;
      throw new RetryableError(scrub(why, [token]));
    }
    const now = Date.now();
    pacer.release(readRateHeaders(response.headers, now), response.ok);
    if (response.ok) return this.#data(text, target);
    throw this.#failure(response, text, target, now);
  }

  #data(text: string, target: Target): unknown {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AbortError(
        new AuditError('API_MALFORMED', `${target.label}: the response body is not valid JSON`, {
          details: { request: target.label },
        }),
      );
    }
    if (body === null || typeof body !== 'object' || !('data' in body)) {
      throw new AbortError(
        new AuditError('API_MALFORMED', `${target.label}: the response has no "data" envelope`, {
          details: { request: target.label },
        }),
      );
    }
    return (body as { data: unknown }).data;
  }

  /** The error to throw for a non-2xx answer: retryable, rate-limited, or final (AbortError). */
  #failure(response: Response, text: string, target: Target, now: number): Error {
    const { status } = response;
    let serverMessage = '';
    let msBeforeNext: number | undefined;
    try {
      const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        const first = parsed.data.errors[0];
        serverMessage = scrub(first?.message ?? '', [this.#o.token]).slice(0, 300);
        const wait = first?.data?.msBeforeNext;
        if (typeof wait === 'number' && Number.isFinite(wait)) msBeforeNext = wait;
      }
    } catch {
      // A non-JSON error body: the status alone says enough.
    }
    const said = serverMessage ? `: ${serverMessage}` : '';
    const final = (code: ConstructorParameters<typeof AuditError>[0], message: string) =>
      new AbortError(new AuditError(code, message, { details: { request: target.label, status } }));

    if (status === 429) {
      this.#o.stats.rateLimited++;
      const rate = readRateHeaders(response.headers, now);
      const waitMs =
        msBeforeNext ??
        (rate ? rate.resetAt - now : undefined) ??
        retryAfterMs(response.headers.get('retry-after'), now) ??
        1000;
      const until = now + Math.max(0, waitMs);
      this.#o.pacer.rateLimited(until);
      return new RateLimitedError(`HTTP 429 (rate limited, ${Math.max(0, waitMs)} ms to wait)`, until);
    }
    if (status === 401) {
      return final(
        'API_UNAUTHORIZED',
        `${target.label}: the Segment API rejected the token (401)${said}. ` +
          'SEGMENT_API_TOKEN must be a Public API token of this workspace with Workspace Owner access (or an IAM read role).',
      );
    }
    if (status === 403) {
      return final(
        'API_FORBIDDEN',
        `${target.label}: the token may not read this (403)${said}; it needs Workspace Owner access (or an IAM read role).`,
      );
    }
    if (status === 404)
      return final('API_NOT_FOUND', `${target.label}: not found (404): ${target.path}${said}`);
    if (status === 408 || status >= 500) {
      return new RetryableError(`HTTP ${status}${said}`);
    }
    return final('API_REJECTED', `${target.label}: the Segment API rejected the request (${status})${said}`);
  }
}
