/**
 * The IAM users API's writes, for remediation only: a client of its own, built with
 * SEGMENT_WRITE_TOKEN (never the audit's token), so the audit's client cannot write.
 *
 * Each endpoint has its own budget (60 requests a minute per IAM write endpoint), so
 * each gets its own Pacer, fed by the X-RateLimit-* headers: a run paced by them never
 * sees a 429. A 429 that comes anyway (another user of the token) means the request was
 * not carried out: it waits as told and sends again. Nothing else is retried here: a
 * write whose answer was lost may have been applied, and only the caller (which reads
 * the user again) can tell. Every other answer goes back to the caller as it came.
 */
import { AuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { PermissionInput } from '../model/remediation.js';
import { type Secret, scrub } from '../secret.js';
import { TOOL_VERSION } from '../version.js';
import { readBounded } from './body.js';
import { describeNetworkError, retryAfterMs } from './network.js';
import { Pacer, readRateHeaders } from './pacer.js';

export interface WriteClientOptions {
  apiUrl: string;
  token: Secret;
  requestTimeoutMs?: number;
  /** 429s answered to one request before giving up (default 5). */
  maxRateLimited?: number;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** The API's answer to one write: its status and its JSON body (null when none or not JSON). */
export interface WriteAnswer {
  status: number;
  body: unknown;
}

const ANSWER_BYTES = 256 * 1024;

function query(name: string, values: readonly string[]): URLSearchParams {
  // The SDKs' deepObject form: emails.0=…&emails.1=…
  return new URLSearchParams(values.map((v, i): [string, string] => [`${name}.${i}`, v]));
}

function waitOf(response: Response, body: unknown, now: number): number {
  const data = (body as { errors?: { data?: { msBeforeNext?: unknown } }[] } | null)?.errors?.[0]?.data;
  const given = typeof data?.msBeforeNext === 'number' ? data.msBeforeNext : undefined;
  const reset = readRateHeaders(response.headers, now);
  const wait = [
    given,
    reset && reset.resetAt - now,
    retryAfterMs(response.headers.get('retry-after'), now),
  ].find((ms) => ms !== undefined && ms > 0);
  return wait ?? 1000;
}

export class SegmentWriteClient {
  readonly #o: WriteClientOptions;
  readonly #base: string;
  readonly #pacers = new Map<string, Pacer>();

  constructor(options: WriteClientOptions) {
    this.#o = options;
    this.#base = options.apiUrl.replace(/\/+$/, '');
  }

  /** `replace_permissions_for_user`: PUT /users/{userId}/permissions. */
  replacePermissionsForUser(userId: string, permissions: PermissionInput[]): Promise<WriteAnswer> {
    return this.#send('PUT', '/users/{userId}/permissions', userPath(userId), undefined, { permissions });
  }

  /** `add_permissions_to_user`: POST /users/{userId}/permissions. */
  addPermissionsToUser(userId: string, permissions: PermissionInput[]): Promise<WriteAnswer> {
    return this.#send('POST', '/users/{userId}/permissions', userPath(userId), undefined, { permissions });
  }

  /** `delete_invites`: DELETE /invites?emails.0=… */
  deleteInvites(emails: readonly string[]): Promise<WriteAnswer> {
    return this.#send('DELETE', '/invites', '/invites', query('emails', emails));
  }

  /** `delete_users`: DELETE /users?userIds.0=… */
  deleteUsers(userIds: readonly string[]): Promise<WriteAnswer> {
    return this.#send('DELETE', '/users', '/users', query('userIds', userIds));
  }

  #pacer(endpoint: string): Pacer {
    let pacer = this.#pacers.get(endpoint);
    if (!pacer) {
      pacer = new Pacer();
      this.#pacers.set(endpoint, pacer);
    }
    return pacer;
  }

  async #send(
    method: string,
    template: string,
    path: string,
    search: URLSearchParams | undefined,
    json?: unknown,
  ): Promise<WriteAnswer> {
    const endpoint = `${method} ${template}`;
    const pacer = this.#pacer(endpoint);
    const url = `${this.#base}${path}${search ? `?${search}` : ''}`;
    for (let refusals = 0; ; refusals++) {
      await pacer.acquire();
      const answer = await this.#attempt(method, url, endpoint, json).catch((error: unknown) => {
        pacer.release(undefined, false);
        throw error;
      });
      const now = Date.now();
      pacer.release(readRateHeaders(answer.response.headers, now), answer.response.ok);
      if (answer.response.status !== 429) return { status: answer.response.status, body: answer.body };
      if (refusals >= (this.#o.maxRateLimited ?? 5)) {
        throw new AuditError(
          'API_UNAVAILABLE',
          `${endpoint}: still rate limited (429) after ${refusals + 1} tries`,
        );
      }
      const wait = waitOf(answer.response, answer.body, now);
      this.#o.logger?.warn({ request: endpoint, waitMs: wait }, 'rate limited (429): waiting');
      pacer.rateLimited(now + wait);
      await pacer.waitUntil(now + wait);
    }
  }

  async #attempt(
    method: string,
    url: string,
    endpoint: string,
    json: unknown,
  ): Promise<{ response: Response; body: unknown }> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': `segment-access-audit/${TOOL_VERSION}`,
      authorization: `Bearer ${this.#o.token.reveal()}`,
    };
    if (json !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await (this.#o.fetch ?? fetch)(url, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(this.#o.requestTimeoutMs ?? 30_000),
      });
      // The answer is stored with the action: no echo of the token may reach the database.
      const text = scrub((await readBounded(response, ANSWER_BYTES)).text, [this.#o.token]);
      let body: unknown = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        body = null; // not JSON: the status says enough
      }
      return { response, body };
    } catch (error) {
      // The request may or may not have reached the API: the caller finds out by reading.
      const why = scrub(describeNetworkError(error), [this.#o.token]);
      throw new AuditError('API_UNAVAILABLE', `${endpoint}: no answer (${why}); the outcome is unknown`);
    }
  }
}

function userPath(userId: string): string {
  return `/users/${encodeURIComponent(userId)}/permissions`;
}
