import { readFileSync, statSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { validate as validateCron } from 'node-cron';
import { AuditError } from './errors.js';
import { DEFAULT_PRIVILEGED_ROLES, roleKey } from './model/privileged.js';
import { Secret } from './secret.js';

/**
 * The environment, read once, validated and frozen. Every variable of docs/configuration.md is
 * parsed here and nowhere else; a bad value fails fast naming the variable, what was
 * expected and the fix. Secrets are held as Secret so they cannot leak by printing.
 */
export interface Config {
  readonly segmentApiToken: Secret | undefined;
  /** IAM write token of `remediate --apply` (and undo) only; never used by an audit. */
  readonly segmentWriteToken: Secret | undefined;
  readonly segmentApiUrl: string;
  /** A real server's URL, or undefined for the embedded database under dataDir. */
  readonly databaseUrl: Secret | undefined;
  readonly dataDir: string;
  readonly reportsDir: string;
  /** undefined: messages go to `${reportsDir}/outbox/` as .eml files. */
  readonly smtpUrl: Secret | undefined;
  readonly mailFrom: string;
  /** Empty: no email is sent (and the output says so). */
  readonly mailTo: readonly string[];
  readonly staleInviteDays: number;
  readonly auditSchedule: string;
  readonly auditTimezone: string;
  /** A fixed time for this run (tests, backfills), or undefined for the real clock. */
  readonly auditNow: Date | undefined;
  /** undefined: no download site (schedule) or the default 8080 (serve). */
  readonly port: number | undefined;
  readonly reportsToken: Secret | undefined;
  /** The address the download site listens on (BIND_ADDRESS; loopback unless set). */
  readonly bindAddress: string;
  /** The bearer token of /metrics (METRICS_TOKEN); undefined: the reports token. */
  readonly metricsToken: Secret | undefined;
  /** Role names that are privileged when held on the WORKSPACE resource (model/privileged.ts). */
  readonly privilegedRoles: readonly string[];
  /** The download site's public URL, linked from the email (SITE_URL); undefined: no link. */
  readonly siteUrl: string | undefined;
  /** Lower-case domains users and invites must be in; undefined: no domain check. */
  readonly allowedEmailDomains: readonly string[] | undefined;
  /** A roster CSV every run re-reads (ROSTER_FILE); undefined: none. */
  readonly rosterFile: string | undefined;
  /** With the trail read: no event as actor for this many days is dormant. */
  readonly dormantDays: number;
}

export interface ConfigNeeds {
  segmentToken?: boolean;
  reportsToken?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function bad(variable: string, problem: string): never {
  throw new AuditError('CONFIG_INVALID', `${variable} ${problem}`, { details: { variable } });
}

function text(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** The variables that may hold a secret, each also readable from `<NAME>_FILE`. */
const SECRET_VARIABLES = [
  'SEGMENT_API_TOKEN',
  'SEGMENT_WRITE_TOKEN',
  'DATABASE_URL',
  'SMTP_URL',
  'REPORTS_TOKEN',
  'METRICS_TOKEN',
] as const;
type SecretVariable = (typeof SECRET_VARIABLES)[number];
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * A secret variable's value, from the environment or from the file `<NAME>_FILE` names
 * (Docker and Kubernetes mount secrets as files, so they stay out of `docker inspect`
 * and /proc/<pid>/environ). Both set is refused: which one wins would be a guess. The
 * file's trailing line break is not part of the secret; an empty file means unset.
 */
function secretText(env: Env, name: SecretVariable): string | undefined {
  const direct = text(env, name);
  const path = text(env, `${name}_FILE`);
  if (path === undefined) return direct;
  if (direct !== undefined) bad(name, `and ${name}_FILE are both set: set only one of them`);
  let content: string;
  try {
    // A regular file of reasonable size: /dev/zero or a FIFO would never end.
    const info = statSync(path);
    if (!info.isFile())
      throw Object.assign(new Error('not a file'), {
        code: info.isDirectory() ? 'EISDIR' : 'not a regular file',
      });
    if (info.size > MAX_SECRET_FILE_BYTES)
      throw Object.assign(new Error('too large'), { code: `larger than ${MAX_SECRET_FILE_BYTES} bytes` });
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    bad(`${name}_FILE`, `(${path}) cannot be read: ${code}; point it at a readable file holding ${name}`);
  }
  const value = content.replace(/\r?\n$/, '').trim();
  return value === '' ? undefined : value;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether a URL's host is this machine: `localhost`, 127.0.0.0/8 or ::1 (IPv4-mapped
 * included). The host is parsed as an address, never matched by prefix: `127.evil.com`
 * is a name like any other. (WHATWG URL parsing already turns 127.1 and 0x7f000001 into
 * 127.0.0.1, so those spellings are loopback too.)
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 4) return LOOPBACK.check(host, 'ipv4');
  if (family === 6) return LOOPBACK.check(host, 'ipv6');
  return false;
}

function parseUrl(name: string, value: string, example: string): URL {
  try {
    return new URL(value);
  } catch {
    // The value is not echoed: it may hold a password.
    return bad(name, `is not a URL (expected e.g. ${example})`);
  }
}

/**
 * SEGMENT_API_URL carries no credentials (they would reach error lines, logs and the
 * database as part of the URL; the token goes in SEGMENT_API_TOKEN) and is https://
 * except to this machine, where nothing crosses a network.
 */
function apiUrl(env: Env): string {
  const value = text(env, 'SEGMENT_API_URL') ?? 'https://api.segmentapis.com';
  const u = parseUrl('SEGMENT_API_URL', value, 'https://api.segmentapis.com');
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    bad('SEGMENT_API_URL', `must start with https:// or http:// (got ${u.protocol}//)`);
  }
  if (u.username !== '' || u.password !== '') {
    bad(
      'SEGMENT_API_URL',
      'must not carry a user or password: remove them (the token goes in SEGMENT_API_TOKEN)',
    );
  }
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    bad(
      'SEGMENT_API_URL',
      `must be https:// for ${u.hostname}: plain http:// would send the token in clear (allowed only to localhost, 127.0.0.0/8 or ::1)`,
    );
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/** An SMTP server as the mailer needs it: parsed once, here, for every use. */
export interface SmtpEndpoint {
  /** smtps://: TLS from the first byte. */
  readonly secure: boolean;
  /** Host name or address, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  readonly auth: { readonly user: string; readonly pass: Secret } | undefined;
  /**
   * smtp:// to another machine must upgrade with STARTTLS or not send at all: the report
   * (and any password) never crosses a network in clear. A server on this host is exempt.
   */
  readonly requireTLS: boolean;
  /** `smtp://host:port`: safe to show (no user, no password). */
  readonly display: string;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return bad(
      'SMTP_URL',
      'holds a user name or password that is not valid percent-encoding: write a literal % as %25 (and @ : / as %40 %3A %2F)',
    );
  }
}

/** Parses SMTP_URL completely (the mailer receives no unchecked part), never echoing it. */
export function parseSmtpUrl(url: Secret): SmtpEndpoint {
  const u = parseUrl('SMTP_URL', url.reveal(), 'smtp://user:pass@host:587 or smtps://…');
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    bad('SMTP_URL', 'must start with smtp:// or smtps://');
  if (u.hostname === '') bad('SMTP_URL', 'names no host (expected smtp://user:pass@host:587)');
  const secure = u.protocol === 'smtps:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const user = decoded(u.username);
  const pass = decoded(u.password);
  return Object.freeze({
    secure,
    host,
    port: u.port === '' ? (secure ? 465 : 587) : Number(u.port),
    auth: user === '' ? undefined : Object.freeze({ user, pass: new Secret(pass) }),
    requireTLS: !secure && !isLoopbackHost(host),
    display: `${u.protocol}//${u.host}`,
  });
}

function databaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Checked without echoing the value: a database URL may hold a password.
  const u = parseUrl('DATABASE_URL', value, 'postgres://user@host:5432/database');
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    bad('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  return value;
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) bad(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
  const n = Number(value);
  if (n < min || n > max) bad(name, `must be from ${min} to ${max} (got ${n})`);
  return n;
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+$/;

function mailTo(env: Env): string[] {
  const list = (text(env, 'MAIL_TO') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const address of list) {
    if (!EMAIL.test(address)) bad('MAIL_TO', `holds "${address}", which is not an email address`);
  }
  return list;
}

function auditSchedule(env: Env): string {
  const schedule = text(env, 'AUDIT_SCHEDULE') ?? '0 6 * * 1';
  const fields = schedule.split(/\s+/).length;
  if ((fields !== 5 && fields !== 6) || !validateCron(schedule)) {
    bad('AUDIT_SCHEDULE', `is not a cron expression of 5 fields (or 6 with seconds first): "${schedule}"`);
  }
  return schedule;
}

function auditNow(env: Env): Date | undefined {
  const nowText = text(env, 'AUDIT_NOW');
  if (nowText === undefined) return undefined;
  // ISO-8601 with a date and a time; a bare date is read as midnight UTC.
  const ok = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(nowText);
  const at = new Date(nowText);
  // Date() rolls an impossible day over (2026-02-30 → 2026-03-02): refuse it instead.
  const [y, m, d] = nowText.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  if (!ok || !real || Number.isNaN(at.getTime())) {
    bad('AUDIT_NOW', `is not an ISO-8601 instant such as 2026-06-30T06:00:00Z (got "${nowText}")`);
  }
  return at;
}

/** The `.env.example` placeholder: refused, so a copied example never guards real reports. */
export const REPORTS_TOKEN_PLACEHOLDER = 'replace-me-with-the-output-of-openssl-rand-hex-32';
const MIN_TOKEN_LENGTH = 32;

/** A bearer token of the site: long enough that guessing it is hopeless, and not the example's. */
function siteToken(name: 'REPORTS_TOKEN' | 'METRICS_TOKEN', value: string | undefined): Secret | undefined {
  if (value === undefined) return undefined;
  if (value === REPORTS_TOKEN_PLACEHOLDER) {
    bad(
      name,
      'is still the .env.example placeholder: set it to a random string, e.g. `openssl rand -hex 32`',
    );
  }
  if (value.length < MIN_TOKEN_LENGTH) {
    bad(name, `must be at least ${MIN_TOKEN_LENGTH} characters long (e.g. \`openssl rand -hex 32\`)`);
  }
  return new Secret(value);
}

function bindAddress(env: Env): string {
  const value = text(env, 'BIND_ADDRESS') ?? '127.0.0.1';
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 0 && bare !== 'localhost') {
    bad('BIND_ADDRESS', `must be an IP address such as 127.0.0.1, 0.0.0.0 or :: (got "${value}")`);
  }
  return bare;
}

/** PRIVILEGED_ROLES: a comma-separated list of role names, each once; unset → the default. */
function privilegedRoles(env: Env): readonly string[] {
  const value = text(env, 'PRIVILEGED_ROLES');
  if (value === undefined) return DEFAULT_PRIVILEGED_ROLES;
  const names = value.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name === '') {
      bad(
        'PRIVILEGED_ROLES',
        `has an empty item (number ${i + 1}): list role names separated by single commas, e.g. "Workspace Owner,Source Admin"`,
      );
    }
    if (seen.has(roleKey(name))) bad('PRIVILEGED_ROLES', `names "${name}" twice: list each role once`);
    seen.add(roleKey(name));
  }
  return Object.freeze(names);
}

/**
 * SITE_URL is shown to every recipient of the email, so it is an http(s) URL without a
 * user or password (the site's token never goes in a link). Kept as origin and path with
 * a trailing slash, so a report's link resolves beneath it (`<SITE_URL>reports/<file>`).
 */
function siteUrl(env: Env): string | undefined {
  const value = text(env, 'SITE_URL');
  if (value === undefined) return undefined;
  const u = parseUrl('SITE_URL', value, 'https://audit.example.com/');
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    bad('SITE_URL', `must start with https:// or http:// (got ${u.protocol}//)`);
  }
  if (u.username !== '' || u.password !== '') {
    bad('SITE_URL', 'must not carry a user or password: the email shows it to every recipient');
  }
  return `${u.origin}${u.pathname.replace(/\/*$/, '/')}`;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** ALLOWED_EMAIL_DOMAINS: comma-separated domains, `@` optional, compared in lower case. */
function allowedDomains(env: Env): string[] | undefined {
  const value = text(env, 'ALLOWED_EMAIL_DOMAINS');
  if (value === undefined) return undefined;
  const domains = value
    .split(',')
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter((d) => d !== '');
  for (const d of domains) {
    if (!DOMAIN.test(d)) bad('ALLOWED_EMAIL_DOMAINS', `holds "${d}", which is not a domain such as acme.com`);
  }
  if (domains.length === 0)
    bad('ALLOWED_EMAIL_DOMAINS', 'names no domain: list some (acme.com,acme.io) or unset it');
  return [...new Set(domains)];
}

export function loadConfig(env: Env, needs: ConfigNeeds = {}): Config {
  const token = secretText(env, 'SEGMENT_API_TOKEN');
  if (needs.segmentToken && token === undefined) {
    bad('SEGMENT_API_TOKEN', 'is required: set it to a Segment Public API token with Workspace Owner access');
  }
  const segmentApiUrl = apiUrl(env);
  const dbUrl = databaseUrl(secretText(env, 'DATABASE_URL'));
  const smtpText = secretText(env, 'SMTP_URL');
  const smtpUrl = smtpText === undefined ? undefined : new Secret(smtpText);
  if (smtpUrl !== undefined) parseSmtpUrl(smtpUrl); // every part checked now, not after the report
  // Read (and checked for a both-set conflict) now, though only `remediate --apply` uses it.
  const writeToken = secretText(env, 'SEGMENT_WRITE_TOKEN');

  const mailFrom = text(env, 'MAIL_FROM') ?? 'access-audit@localhost';
  if (!EMAIL.test(mailFrom)) bad('MAIL_FROM', `is not an email address (got "${mailFrom}")`);
  const to = mailTo(env);
  const staleInviteDays = integer('STALE_INVITE_DAYS', text(env, 'STALE_INVITE_DAYS'), 14, 1, 3650);
  const schedule = auditSchedule(env);
  const auditTimezone = text(env, 'AUDIT_TIMEZONE') ?? 'UTC';
  if (!isValidTimeZone(auditTimezone)) {
    bad('AUDIT_TIMEZONE', `is not an IANA time zone such as UTC or Europe/Berlin (got "${auditTimezone}")`);
  }
  const now = auditNow(env);
  const portText = text(env, 'PORT');
  const port = portText === undefined ? undefined : integer('PORT', portText, 0, 1, 65535);

  const reportsToken = siteToken('REPORTS_TOKEN', secretText(env, 'REPORTS_TOKEN'));
  if (needs.reportsToken && reportsToken === undefined) {
    bad(
      'REPORTS_TOKEN',
      'is required for the download site: set it to a long random string (`openssl rand -hex 32`)',
    );
  }
  const metricsToken = siteToken('METRICS_TOKEN', secretText(env, 'METRICS_TOKEN'));

  return Object.freeze({
    segmentApiToken: token === undefined ? undefined : new Secret(token),
    segmentWriteToken: writeToken === undefined ? undefined : new Secret(writeToken),
    segmentApiUrl,
    databaseUrl: dbUrl === undefined ? undefined : new Secret(dbUrl),
    dataDir: text(env, 'DATA_DIR') ?? './data',
    reportsDir: text(env, 'REPORTS_DIR') ?? './reports',
    smtpUrl,
    mailFrom,
    mailTo: Object.freeze(to),
    staleInviteDays,
    auditSchedule: schedule,
    auditTimezone,
    auditNow: now,
    port,
    reportsToken,
    bindAddress: bindAddress(env),
    metricsToken,
    privilegedRoles: privilegedRoles(env),
    siteUrl: siteUrl(env),
    allowedEmailDomains: Object.freeze(allowedDomains(env)),
    rosterFile: text(env, 'ROSTER_FILE'),
    dormantDays: integer('DORMANT_DAYS', text(env, 'DORMANT_DAYS'), 90, 1, 3650),
  });
}
