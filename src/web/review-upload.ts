import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../secret.js';
import { escapeHtml } from '../text/html.js';

/**
 * The review upload of the download site: a form (GET /review) and its POST. Browsers
 * resend Basic credentials by themselves, so a credential alone does not show that the
 * auditor meant to post: the form carries a token only this site can mint (an HMAC of a
 * fresh nonce keyed by REPORTS_TOKEN, so bound to the site's credential), and a browser's
 * cross-site POST (Origin of another host, Sec-Fetch-Site cross-site) is refused before
 * the token is even read. The body is read up to a limit (413 beyond it).
 */

/** What the site needs from the composition (commands/serve.ts): the import itself and its size limit. */
export interface ReviewUpload {
  maxBytes: number;
  /** Records the workbook's decisions; resolves with one line to show, rejects with an AuditError. */
  importFile(input: { bytes: Buffer; fileName: string; reviewer: string }): Promise<string>;
}

const csrfMac = (token: Secret, nonce: string): string =>
  createHmac('sha256', token.reveal()).update(`review-upload:${nonce}`).digest('hex');

export function mintCsrfToken(token: Secret): string {
  const nonce = randomBytes(16).toString('hex');
  return `${nonce}.${csrfMac(token, nonce)}`;
}

export function validCsrfToken(token: Secret, presented: string | undefined): boolean {
  const [nonce, mac] = (presented ?? '').split('.', 2);
  if (!nonce || !mac || !/^[0-9a-f]{32}$/.test(nonce) || !/^[0-9a-f]{64}$/.test(mac)) return false;
  return timingSafeEqual(Buffer.from(mac, 'hex'), Buffer.from(csrfMac(token, nonce), 'hex'));
}

/**
 * Whether a browser says the request comes from this site. Absent headers (a script
 * posting with the token) are no sign of a cross-site request; the CSRF token still is
 * required.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The request body, or null as soon as it passes `max` bytes (the rest is not read). */
export async function readLimitedBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface UploadForm {
  fields: Map<string, string>;
  file: { name: string; bytes: Buffer } | null;
}

/** One part's headers and body. */
function parsePart(part: Buffer): { name: string; fileName: string | null; body: Buffer } | null {
  const end = part.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = part.subarray(0, end).toString('utf8');
  const disposition = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? '';
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) return null;
  const fileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
  return { name, fileName, body: part.subarray(end + 4) };
}

/** A multipart/form-data body (RFC 7578) as fields and one file; null when it is not one. */
export function parseMultipart(body: Buffer, contentType: string | undefined): UploadForm | null {
  const boundary = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  const b = boundary?.[1] ?? boundary?.[2];
  if (b === undefined) return null;
  const delimiter = Buffer.from(`\r\n--${b}`);
  // The first delimiter has no CRLF before it: parse as if it had.
  const text = Buffer.concat([Buffer.from('\r\n'), body]);
  const form: UploadForm = { fields: new Map(), file: null };
  let at = text.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (text.subarray(start, start + 2).toString() === '--') return form;
    const next = text.indexOf(delimiter, start);
    if (next < 0) return null;
    const part = parsePart(text.subarray(start + 2, next));
    if (part === null) return null;
    if (part.fileName !== null) form.file ??= { name: part.fileName, bytes: part.body };
    else form.fields.set(part.name, part.body.toString('utf8'));
    at = next;
  }
  return null;
}

/** The upload page (pure): the form with its CSRF token, and the outcome of the last upload. */
export function uploadPage(input: {
  csrf: string;
  maxBytes: number;
  message?: { ok: boolean; text: string };
}): string {
  const m = input.message;
  const note = m ? `<p class="${m.ok ? 'ok' : 'err'}">${escapeHtml(m.text)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Upload an access review</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}label{display:block;margin:.8rem 0}
.ok{color:#176b2c}.err{color:#a4161a}</style></head>
<body><h1>Upload an access review</h1>
<p>A report of this site with <b>Decision</b> and <b>Reason</b> filled in on its Access Review sheet
(at most ${Math.floor(input.maxBytes / (1024 * 1024))} MB). Nothing else in it may change.</p>
${note}
<form method="post" action="review" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<label>Reviewer (your email address) <input type="email" name="reviewer" required></label>
<label>Workbook <input type="file" name="workbook" accept=".xlsx" required></label>
<button type="submit">Record the decisions</button>
</form>
<p><a href="./">Reports</a></p></body></html>
`;
}
