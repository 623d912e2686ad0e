import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { EXIT, errorLine, exitStatusOf } from '../errors.js';
import { XLSX_CONTENT_TYPE } from '../model/files.js';
import type { ReportListing, RunHistory, RunMetrics } from '../model/site.js';
import type { Secret } from '../secret.js';
import { isAuthorized } from './auth.js';
import { openReport } from './files.js';
import { metricsText } from './metrics.js';
import { indexPage } from './page.js';
import {
  mintCsrfToken,
  parseMultipart,
  type ReviewUpload,
  readLimitedBody,
  sameOrigin,
  uploadPage,
  validCsrfToken,
} from './review-upload.js';
import { createLoginThrottle, type LoginThrottle } from './throttle.js';

/**
 * The auditors' download site as a plain request handler (no listen(), so tests can
 * drive it through any server). It reads nothing but what its providers return and the
 * report files under reportsDir.
 */
export interface SiteOptions {
  reportsDir: string;
  token: Secret;
  /** The token of /metrics (METRICS_TOKEN); undefined: `token`. */
  metricsToken?: Secret | undefined;
  /** Failed-login throttling per client address (tests inject one with their own clock). */
  throttle?: LoginThrottle;
  timeZone: string;
  title?: string;
  listReports: () => Promise<ReportListing[]>;
  /** Every run, failed ones included, the missed scheduled periods and the workspace's name. */
  runHistory?: () => Promise<RunHistory>;
  metrics: () => Promise<RunMetrics>;
  /** The review upload (GET/POST /review); undefined: the site has none. */
  reviewUpload?: ReviewUpload;
  logger?: Logger;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'",
};

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

/** A report file, opened safely (see openReport); 404 when there is no such report. */
async function serveReport(
  res: ServerResponse,
  headOnly: boolean,
  encodedName: string,
  options: SiteOptions,
): Promise<void> {
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    name = '';
  }
  const found = await openReport(options.reportsDir, name);
  if (!found) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': XLSX_CONTENT_TYPE,
    'Content-Length': found.size,
    'Content-Disposition': `attachment; filename="${name}"`,
  });
  if (headOnly) {
    await found.file.close();
    res.end();
    return;
  }
  const stream = found.file.createReadStream();
  await new Promise<void>((resolve) => {
    // A read error after the headers went out can only cut the response short.
    stream.on('error', (error) => {
      options.logger?.error({ err: error.message, file: name }, 'reading a report failed');
      res.destroy();
    });
    stream.on('close', resolve);
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

/** Room for the form's own fields and part headers beside the workbook. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
/** The upload page posts to itself: its CSP allows exactly that form target. */
const REVIEW_PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
};

/** POST /review, once authenticated: same-origin, within the size limit, with the form's token. */
async function postReview(req: IncomingMessage, res: ServerResponse, upload: ReviewUpload, token: Secret) {
  const page = (status: number, ok: boolean, text: string) =>
    send(
      res,
      status,
      'text/html; charset=utf-8',
      uploadPage({ csrf: mintCsrfToken(token), maxBytes: upload.maxBytes, message: { ok, text } }),
      REVIEW_PAGE_HEADERS,
    );
  if (!sameOrigin(req)) {
    send(res, 403, 'text/plain; charset=utf-8', 'cross-site request refused\n');
    return;
  }
  const body = await readLimitedBody(req, upload.maxBytes + FORM_OVERHEAD_BYTES);
  if (body === null) {
    send(res, 413, 'text/plain; charset=utf-8', `the upload is larger than ${upload.maxBytes} bytes\n`, {
      Connection: 'close',
    });
    return;
  }
  const form = parseMultipart(body, req.headers['content-type']);
  if (form === null || !validCsrfToken(token, form.fields.get('csrf'))) {
    send(
      res,
      403,
      'text/plain; charset=utf-8',
      'the form token is missing or invalid: reload the upload page\n',
    );
    return;
  }
  const reviewer = form.fields.get('reviewer')?.trim() ?? '';
  if (form.file === null || form.file.bytes.length === 0 || reviewer === '') {
    page(400, false, 'error: choose a workbook and give your email address');
    return;
  }
  try {
    page(200, true, await upload.importFile({ bytes: form.file.bytes, fileName: form.file.name, reviewer }));
  } catch (error) {
    if (exitStatusOf(error) !== EXIT.usage) throw error;
    page(400, false, errorLine(error));
  }
}

export function createSiteHandler(options: SiteOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const title = options.title ?? 'Segment access audit reports';
  const throttle = options.throttle ?? createLoginThrottle();

  /** Whether the request may go on; answers 429 or 401 itself when not. */
  function admitted(req: IncomingMessage, res: ServerResponse, token: Secret): boolean {
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = throttle.retryAfter(address);
    if (wait > 0) {
      send(res, 429, 'text/plain; charset=utf-8', 'too many failed logins: try again later\n', {
        'Retry-After': String(wait),
      });
      return false;
    }
    if (isAuthorized(req, token)) return true;
    // Only a wrong credential counts: a browser's first request, without one, is not a guess.
    if (req.headers.authorization !== undefined) throttle.failed(address);
    send(res, 401, 'text/plain; charset=utf-8', 'authentication required\n', {
      'WWW-Authenticate': 'Basic realm="access-audit reports", charset="UTF-8"',
    });
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    // Parse against a fixed base: the Host header is the client's and is never trusted.
    const url = new URL(req.url ?? '/', 'http://site.invalid');
    const path = url.pathname;

    if (path === '/healthz') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    }
    const upload = options.reviewUpload;
    if (path === '/review' && upload !== undefined && method === 'POST') {
      if (admitted(req, res, options.token)) await postReview(req, res, upload, options.token);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/metrics') {
      if (!admitted(req, res, options.metricsToken ?? options.token)) return;
      send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', metricsText(await options.metrics()));
      return;
    }
    if (!admitted(req, res, options.token)) return;
    if (path === '/') {
      const [reports, history] = await Promise.all([options.listReports(), options.runHistory?.()]);
      send(
        res,
        200,
        'text/html; charset=utf-8',
        indexPage({ title, reports, history, timeZone: options.timeZone }),
      );
      return;
    }
    if (path === '/review' && upload !== undefined) {
      const page = uploadPage({ csrf: mintCsrfToken(options.token), maxBytes: upload.maxBytes });
      send(res, 200, 'text/html; charset=utf-8', page, REVIEW_PAGE_HEADERS);
      return;
    }
    if (path.startsWith('/reports/')) {
      await serveReport(res, method === 'HEAD', path.slice('/reports/'.length), options);
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger?.error(
        { err: error instanceof Error ? error.message : String(error) },
        'download site error',
      );
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  };
}
