import http from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import { type Body, readBounded } from './body.js';

/**
 * How the client sends one GET: the default over node:http(s) with keep-alive agents, or
 * through a `fetch` a caller (a test) hands in. Either way the answer is an `Answer`: the
 * status, a header lookup and the body read within its bound.
 *
 * Why not the global fetch by default: a detail-only crawl is one request per user (21,000
 * for 20,000 users), and undici's fetch spent about 0.6 ms of CPU on each (web streams,
 * Headers copies, the fetch controller, AbortSignal plumbing), against about 0.2 ms for the
 * same request through node:http. Nor a WHATWG Response built from node:http's answer: its
 * Headers and body stream were still a tenth of the crawl's CPU (profiled, issue 14); the
 * answer keeps node's own header object and the body's bytes. The body is read here, up to
 * the bound: past it the connection is dropped and the answer says "cut off".
 *
 * Failures look like undici's: a TypeError('fetch failed') whose cause is the socket or TLS
 * error (its `code` is what network.ts classifies); an abort rejects with the signal's reason.
 */

export interface Answer {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  body: Body;
}

export interface Exchange {
  url: string;
  headers: Record<string, string>;
  /** The crawl's signal: an abort rejects with its reason. */
  signal?: AbortSignal;
  /** After this long the request fails with a TimeoutError (a DOMException, as fetch's). */
  timeoutMs: number;
  /** The body's bound in bytes, by whether the status is a success. */
  limit(ok: boolean): number;
}

/** What a request that took longer than its timeout rejects with (fetch's own kind of error). */
function timeoutError(): DOMException {
  return new DOMException('The operation timed out.', 'TimeoutError');
}

export function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

export type Transport = (exchange: Exchange) => Promise<Answer>;

/** A caller's `fetch` as a transport (tests intercept requests this way). */
export function fetchTransport(fetcher: typeof fetch): Transport {
  return async ({ url, headers, signal, timeoutMs, limit }) => {
    // One controller for the crawl's abort and the timeout, its listener gone afterwards.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(timeoutError()), timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await fetcher(url, { method: 'GET', headers, signal: controller.signal });
      const body = await readBounded(response, limit(response.ok));
      return { status: response.status, ok: response.ok, headers: response.headers, body };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/** node:http's header object (names in lower case) behind Headers' `get`. */
class NodeHeaders {
  readonly #headers: http.IncomingHttpHeaders;

  constructor(headers: http.IncomingHttpHeaders) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/** Where a request goes: its origin's options (parsed once) and its path. */
interface Route {
  secure: boolean;
  base: http.RequestOptions;
  path: string;
}

/** A path and query of printable ASCII only, starting at the root. */
const PLAIN_PATH = /^\/[\x21-\x7e]*$/;

/**
 * The requests in flight under each signal, stopped together when it aborts: one listener
 * a signal instead of one a request (EventTarget's add and remove were a visible share of
 * a detail-only crawl's CPU, issue 14; every request of a crawl shares one signal).
 */
class InFlight {
  readonly #bySignal = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

  add(signal: AbortSignal, stop: (reason: unknown) => void): void {
    let stops = this.#bySignal.get(signal);
    if (stops === undefined) {
      const all = new Set<(reason: unknown) => void>();
      stops = all;
      this.#bySignal.set(signal, all);
      signal.addEventListener(
        'abort',
        () => {
          for (const s of [...all]) s(signal.reason);
        },
        { once: true },
      );
    }
    stops.add(stop);
  }

  delete(signal: AbortSignal, stop: (reason: unknown) => void): void {
    this.#bySignal.get(signal)?.delete(stop);
  }
}

export function createNodeTransport(): Transport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  const inFlight = new InFlight();
  // Every request of a client goes to one origin: parse it once, not a URL a request (the
  // client's paths are already encoded; anything unusual takes the parsed way).
  let known: { origin: string; secure: boolean; base: http.RequestOptions } | undefined;
  const routeOf = (target: string): Route => {
    if (known !== undefined && target.startsWith(known.origin)) {
      const path = target.slice(known.origin.length);
      if (PLAIN_PATH.test(path)) return { secure: known.secure, base: known.base, path };
    }
    const url = new URL(target);
    const secure = url.protocol === 'https:';
    const base: http.RequestOptions = {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || (secure ? 443 : 80),
      agent: secure ? agents['https:'] : agents['http:'],
    };
    known = { origin: url.origin, secure, base };
    return { secure, base, path: `${url.pathname}${url.search}` };
  };
  return (exchange) => {
    const { signal } = exchange;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Answer>((resolve, reject) =>
      send(routeOf(exchange.url), exchange, inFlight, resolve, reject),
    );
  };
}

/**
 * One request over node:http(s). A timer and the shared abort watch (InFlight), no
 * AbortController: one a request cost a tenth of a detail-only crawl's CPU (transferable
 * signals, weak references; profiled, issue 14).
 */
function send(
  route: Route,
  { headers, signal, timeoutMs, limit }: Exchange,
  inFlight: InFlight,
  resolve: (answer: Answer) => void,
  reject: (reason: unknown) => void,
): void {
  let settled = false;
  const timer = setTimeout(() => stop(timeoutError()), timeoutMs);
  const finish = (outcome: () => void) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (signal) inFlight.delete(signal, stop);
    outcome();
  };
  const get = route.secure ? https.request : http.request;
  const request = get({ ...route.base, path: route.path, headers }, (response) => {
    const status = response.statusCode ?? 0;
    const ok = status >= 200 && status < 300;
    const bound = limit(ok);
    const answer = (text: string, complete: boolean) =>
      finish(() =>
        resolve({ status, ok, headers: new NodeHeaders(response.headers), body: { text, complete } }),
      );
    response.on('error', (error) => finish(() => reject(failed(error))));
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > bound) {
      // Settle first: destroy() emits 'aborted' at once.
      answer('', false);
      return response.destroy();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > bound) {
        answer('', false);
        response.destroy();
      }
    });
    response.on('end', () => {
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      answer(bytes.toString('utf8'), true);
    });
    response.on('aborted', () => finish(() => reject(failed(new Error('the response was cut off')))));
  });
  const stop = (reason: unknown) => {
    request.destroy();
    finish(() => reject(reason));
  };
  if (signal) inFlight.add(signal, stop);
  request.on('error', (error) => finish(() => reject(failed(error))));
  if (route.secure) sendWhenSecure(request);
  else request.end();
}

/**
 * Sends the request once a new TLS connection has finished its handshake. Written earlier,
 * the request meets a server that does not speak TLS as a bare EPROTO write error; after
 * the handshake it fails with OpenSSL's own code (ERR_SSL_WRONG_VERSION_NUMBER), which
 * network.ts knows as a final TLS refusal - as undici's fetch reported it.
 */
function sendWhenSecure(request: http.ClientRequest): void {
  request.once('socket', (socket) => {
    if (socket instanceof TLSSocket && socket.connecting) socket.once('secureConnect', () => request.end());
    else request.end();
  });
}

function failed(cause: Error): TypeError {
  return new TypeError('fetch failed', { cause });
}
