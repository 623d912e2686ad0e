import { AbortError } from 'p-retry';
import { AuditError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { type Secret, scrub } from '../secret.js';
import { formatBytes } from '../text/bytes.js';
import { TOOL_VERSION } from '../version.js';
import { printable } from './body.js';
import { describeNetworkError, retryAfterMs, tlsRefusal } from './network.js';
import { type Pacer, readRateHeaders } from './pacer.js';
import {
  RateLimitedError,
  type RefusalBackoff,
  RetryableError,
  type RetryHooks,
  type RetryPolicy,
  withRetries,
} from './retry.js';
import { errorEnvelopeSchema } from './schemas.js';
import { type Answer, isTimeout, type Transport } from './transport.js';

/**
 * One GET against the Segment Public API: pacing, timeout, retries, the envelope and the
 * mapping of every failure to the error catalogue.
 *
 * The token is revealed in exactly one place (the Authorization header below). Errors
 * name the request by its label (method, path, page) and never carry a fetch error as
 * `cause`: undici's errors can hold request details, so only a description of them, with
 * the token scrubbed, goes into messages and causes. Text the API sends (error messages)
 * reaches messages only through `printable`: no terminal escape sequence gets through.
 */

export interface ClientStats {
  requests: number;
  /** Requests the server answered (any status): it is reachable. */
  answers: number;
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
  /** The wait after 429s that give no timing (per client: one refusing server, one back-off). */
  backoff: RefusalBackoff;
  requestTimeoutMs: number;
  /** Bound on a response body, in bytes; beyond it the request fails (final). */
  maxResponseBytes: number;
  transport: Transport;
  logger?: Logger;
  signal?: AbortSignal;
  /** Told of every answer (or failure to get one): the crawl adapts its concurrency to it. */
  onOutcome?: (outcome: RequestOutcome) => void;
  /** Told of each failure that will be retried (a terminal shows it: retries are not silence). */
  onRetry?: (request: string, reason: string, attempt: number) => void;
}

/**
 * What one attempt says about the API's capacity: `ok` (an answer, whatever its status,
 * other than below), `throttled` (429) or `failed` (5xx, 408, a dropped connection or a
 * timeout). `budgetLeft`: the window's X-RateLimit-Remaining, when the answer gave one.
 */
export interface RequestOutcome {
  kind: 'ok' | 'throttled' | 'failed';
  budgetLeft?: number;
}

export interface Target {
  path: string;
  query?: URLSearchParams;
  /** What messages call this request: "GET /users page 3". */
  label: string;
}

/** What every public SDK sends, and who we are (Segment can tell the tool's requests apart). */
const HEADERS = { accept: 'application/json', 'user-agent': `segment-access-audit/${TOOL_VERSION}` };

/** Error bodies are only read for a message, a field and a wait: a few KiB say all of that. */
const ERROR_BODY_BYTES = 64 * 1024;

/** The first error of an error envelope, if the body is one. */
function firstError(text: string): { message?: string; field?: string; data?: unknown } | undefined {
  try {
    const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.errors[0] : undefined;
  } catch {
    return undefined; // A non-JSON error body: the status alone says enough.
  }
}

function outcomeOf(status: number): RequestOutcome['kind'] {
  if (status === 429) return 'throttled';
  return status === 408 || status >= 500 ? 'failed' : 'ok';
}

function msBeforeNextOf(data: unknown): number | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const wait = (data as { msBeforeNext?: unknown }).msBeforeNext;
  return typeof wait === 'number' && Number.isFinite(wait) ? wait : undefined;
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
    const started = Date.now();
    try {
      return await withRetries(
        () => this.#attempt(target),
        this.#o.policy,
        () => this.#retryHooks(target, started),
        this.#o.signal,
      );
    } catch (error) {
      throw this.#giveUp(error, target);
    }
  }

  /** What happens between attempts (built only once a first attempt has failed). */
  #retryHooks(target: Target, started: number): RetryHooks {
    const { policy, stats, logger, signal, pacer } = this.#o;
    return {
      onRetry: (error, attempt) => {
        stats.retries++;
        logger?.debug({ request: target.label, attempt, reason: error.message }, 'retrying request');
        this.#o.onRetry?.(target.label, error.message, attempt);
      },
      waitForRateLimit: async (refusal) => {
        const ms = refusal.until - Date.now();
        if (Date.now() + ms - started > policy.maxRetryTimeMs) {
          throw new AuditError(
            'API_UNAVAILABLE',
            `${target.label}: rate limited for another ${Math.ceil(ms / 1000)} s, longer than the retry time limit`,
          );
        }
        logger?.debug({ request: target.label, waitMs: refusal.waitMs }, 'rate limited (429): waiting');
        await pacer.waitUntil(refusal.until, signal);
      },
    };
  }

  /** What `get` throws once the retries are over. */
  #giveUp(error: unknown, target: Target): unknown {
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

  /**
   * A base URL with a path (".../v1") turns every request into a 404: say which setting to
   * fix rather than leave "not found" to be puzzled over.
   */
  #pathHint(): string {
    const path = new URL(this.#base).pathname;
    if (path === '' || path === '/') return '';
    return `. SEGMENT_API_URL has a path (${printable(path).slice(0, 100)}): set it to the API's base URL without one, e.g. https://api.segmentapis.com`;
  }

  /** The bound on a response body, by whether the status is a success (one function, not one a request). */
  readonly #bodyLimit = (ok: boolean): number => (ok ? this.#o.maxResponseBytes : ERROR_BODY_BYTES);

  #url(target: Target): string {
    const query = target.query?.toString();
    return `${this.#base}${target.path}${query ? `?${query}` : ''}`;
  }

  async #attempt(target: Target): Promise<unknown> {
    const { pacer, stats } = this.#o;
    if (!pacer.tryAcquire(this.#o.signal)) await pacer.acquire(this.#o.signal);
    stats.requests++;
    const sentAt = Date.now();
    let response: Answer;
    try {
      response = await this.#o.transport({
        url: this.#url(target),
        headers: { authorization: `Bearer ${this.#o.token.reveal()}`, ...HEADERS },
        signal: this.#o.signal,
        timeoutMs: this.#o.requestTimeoutMs,
        limit: this.#bodyLimit,
      });
    } catch (error) {
      pacer.release(undefined, false);
      const failure = this.#networkFailure(error, target, isTimeout(error));
      if (failure instanceof RetryableError) this.#o.onOutcome?.({ kind: 'failed' });
      throw failure;
    }
    stats.answers++;
    const now = Date.now();
    const rate = readRateHeaders(response.headers, now);
    pacer.release(rate, response.ok);
    this.#o.onOutcome?.({ kind: outcomeOf(response.status), budgetLeft: rate?.remaining });
    const body = response.body;
    if (!response.ok) throw this.#failure(response, body.text, target, sentAt, now);
    this.#o.backoff.succeeded();
    if (!body.complete) {
      throw this.#final('API_TOO_LARGE', target, {
        message: `${target.label}: the response body is larger than ${formatBytes(this.#o.maxResponseBytes)}; it was cut off`,
      });
    }
    return this.#data(body.text, target);
  }

  /** What to throw when fetch (or reading its body) failed: abort, TLS refusal (final), or retryable. */
  #networkFailure(error: unknown, target: Target, timedOut: boolean): Error {
    const { signal, token } = this.#o;
    if (signal?.aborted) return new AbortError(signal.reason instanceof Error ? signal.reason : 'aborted');
    const tls = tlsRefusal(error);
    if (tls !== undefined) {
      const host = new URL(this.#base).host;
      return this.#final('API_TLS', target, {
        message:
          `${target.label}: the TLS certificate of ${host} was not accepted ` +
          `(${scrub(tls.message, [token])}; ${tls.code}); check SEGMENT_API_URL, or for a private ` +
          'certificate authority name its certificate in NODE_EXTRA_CA_CERTS',
      });
    }
    const why = timedOut
      ? `timed out after ${this.#o.requestTimeoutMs} ms`
      : `connection failed: ${describeNetworkError(error)}`;
    return new RetryableError(scrub(why, [token]));
  }

  /** A final failure (not retried): the AuditError, wrapped so p-retry stops. */
  #final(
    code: ErrorCode,
    target: Target,
    what: { message: string; status?: number; field?: string },
  ): AbortError {
    const details: Record<string, unknown> = { request: target.label };
    if (what.status !== undefined) details.status = what.status;
    if (what.field !== undefined) details.field = what.field;
    return new AbortError(new AuditError(code, what.message, { details }));
  }

  #data(text: string, target: Target): unknown {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.#final('API_MALFORMED', target, {
        message: `${target.label}: the response body is not valid JSON`,
      });
    }
    if (body === null || typeof body !== 'object' || !('data' in body)) {
      throw this.#final('API_MALFORMED', target, {
        message: `${target.label}: the response has no "data" envelope`,
      });
    }
    return (body as { data: unknown }).data;
  }

  /**
   * The wait for a 429: the server's own timing when it gives one that lies ahead
   * (msBeforeNext, the reset header, Retry-After, in that order), else the back-off's.
   */
  #refusalWait(response: Answer, msBeforeNext: number | undefined, sentAt: number, now: number): number {
    const rate = readRateHeaders(response.headers, now);
    const given = [
      msBeforeNext,
      rate === undefined ? undefined : rate.resetAt - now,
      retryAfterMs(response.headers.get('retry-after'), now),
    ].find((ms) => ms !== undefined && ms > 0);
    return this.#o.backoff.next(given, sentAt, now);
  }

  /** The error to throw for a non-2xx answer: retryable, rate-limited, or final (AbortError). */
  #failure(response: Answer, text: string, target: Target, sentAt: number, now: number): Error {
    const { status } = response;
    const first = firstError(text);
    const serverMessage = printable(scrub(first?.message ?? '', [this.#o.token])).slice(0, 300);
    const said = serverMessage ? `: ${serverMessage}` : '';
    const final = (code: ErrorCode, message: string) => this.#final(code, target, { message, status });

    if (status === 429) {
      this.#o.stats.rateLimited++;
      const waitMs = this.#refusalWait(response, msBeforeNextOf(first?.data), sentAt, now);
      this.#o.pacer.rateLimited(now + waitMs);
      return new RateLimitedError(`HTTP 429 (rate limited, ${waitMs} ms to wait)`, now + waitMs, waitMs);
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
      return final(
        'API_NOT_FOUND',
        `${target.label}: not found (404): ${target.path}${said}${this.#pathHint()}`,
      );
    if (status === 408 || status >= 500) return new RetryableError(`HTTP ${status}${said}`);
    return this.#final('API_REJECTED', target, {
      message: `${target.label}: the Segment API rejected the request (${status})${said}`,
      status,
      field: refusedField(first, target),
    });
  }
}

/**
 * The request field a rejection names: the envelope's `field`, or `pagination.count` when
 * the message is about the count (servers that give no field still say which limit).
 */
function refusedField(
  first: { message?: string; field?: string } | undefined,
  target: Target,
): string | undefined {
  if (first?.field !== undefined) return printable(first.field).slice(0, 100);
  if (target.query?.has('pagination.count') && /\bcount\b/i.test(first?.message ?? ''))
    return 'pagination.count';
  return undefined;
}
