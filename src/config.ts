import { validate as validateCron } from 'node-cron';
import { AuditError } from './errors.js';
import { Secret } from './secret.js';

/**
 * The environment, read once, validated and frozen. Every variable of the contract is
 * parsed here and nowhere else; a bad value fails fast naming the variable, what was
 * expected and the fix. Secrets are held as Secret so they cannot leak by printing.
 */
export interface Config {
  readonly segmentApiToken: Secret | undefined;
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

function httpUrl(name: string, value: string, protocols: readonly string[]): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    bad(name, `is not a URL (expected e.g. ${protocols[0]}//host)`);
  }
  if (!protocols.includes(u.protocol)) {
    bad(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got ${u.protocol}//)`);
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

export function loadConfig(env: Env = process.env, needs: ConfigNeeds = {}): Config {
  const token = text(env, 'SEGMENT_API_TOKEN');
  if (needs.segmentToken && token === undefined) {
    bad('SEGMENT_API_TOKEN', 'is required: set it to a Segment Public API token with Workspace Owner access');
  }

  const apiUrl = httpUrl('SEGMENT_API_URL', text(env, 'SEGMENT_API_URL') ?? 'https://api.segmentapis.com', [
    'https:',
    'http:',
  ]).replace(/\/+$/, '');

  const dbUrl = text(env, 'DATABASE_URL');
  if (dbUrl !== undefined) {
    // Checked without echoing the value: a database URL may hold a password.
    let protocol = '';
    try {
      protocol = new URL(dbUrl).protocol;
    } catch {
      bad('DATABASE_URL', 'is not a URL (expected postgres://user@host:5432/database)');
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      bad('DATABASE_URL', 'must start with postgres:// or postgresql://');
    }
  }

  const smtp = text(env, 'SMTP_URL');
  if (smtp !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(smtp).protocol;
    } catch {
      bad('SMTP_URL', 'is not a URL (expected smtp://user:pass@host:587 or smtps://…)');
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') bad('SMTP_URL', 'must start with smtp:// or smtps://');
  }

  const mailFrom = text(env, 'MAIL_FROM') ?? 'access-audit@localhost';
  if (!EMAIL.test(mailFrom)) bad('MAIL_FROM', `is not an email address (got "${mailFrom}")`);

  const mailTo = (text(env, 'MAIL_TO') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const address of mailTo) {
    if (!EMAIL.test(address)) bad('MAIL_TO', `holds "${address}", which is not an email address`);
  }

  const staleInviteDays = integer('STALE_INVITE_DAYS', text(env, 'STALE_INVITE_DAYS'), 14, 1, 3650);

  const auditSchedule = text(env, 'AUDIT_SCHEDULE') ?? '0 6 * * 1';
  const fields = auditSchedule.split(/\s+/).length;
  if ((fields !== 5 && fields !== 6) || !validateCron(auditSchedule)) {
    bad(
      'AUDIT_SCHEDULE',
      `is not a cron expression of 5 fields (or 6 with seconds first): "${auditSchedule}"`,
    );
  }

  const auditTimezone = text(env, 'AUDIT_TIMEZONE') ?? 'UTC';
  if (!isValidTimeZone(auditTimezone)) {
    bad('AUDIT_TIMEZONE', `is not an IANA time zone such as UTC or Europe/Berlin (got "${auditTimezone}")`);
  }

  const nowText = text(env, 'AUDIT_NOW');
  let auditNow: Date | undefined;
  if (nowText !== undefined) {
    // ISO-8601 with a date and a time; a bare date is read as midnight UTC.
    const ok = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(nowText);
    auditNow = new Date(nowText);
    // Date() rolls an impossible day over (2026-02-30 → 2026-03-02): refuse it instead.
    const [y, m, d] = nowText.slice(0, 10).split('-').map(Number) as [number, number, number];
    const day = new Date(Date.UTC(y, m - 1, d));
    const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    if (!ok || !real || Number.isNaN(auditNow.getTime())) {
      bad('AUDIT_NOW', `is not an ISO-8601 instant such as 2026-06-30T06:00:00Z (got "${nowText}")`);
    }
  }

  const portText = text(env, 'PORT');
  const port = portText === undefined ? undefined : integer('PORT', portText, 0, 1, 65535);

  const reportsToken = text(env, 'REPORTS_TOKEN');
  if (needs.reportsToken && reportsToken === undefined) {
    bad('REPORTS_TOKEN', 'is required for the download site: set it to a long random string');
  }
  if (reportsToken !== undefined && reportsToken.length < 8) {
    bad('REPORTS_TOKEN', 'must be at least 8 characters long');
  }

  return Object.freeze({
    segmentApiToken: token === undefined ? undefined : new Secret(token),
    segmentApiUrl: apiUrl,
    databaseUrl: dbUrl === undefined ? undefined : new Secret(dbUrl),
    dataDir: text(env, 'DATA_DIR') ?? './data',
    reportsDir: text(env, 'REPORTS_DIR') ?? './reports',
    smtpUrl: smtp === undefined ? undefined : new Secret(smtp),
    mailFrom,
    mailTo: Object.freeze(mailTo),
    staleInviteDays,
    auditSchedule,
    auditTimezone,
    auditNow,
    port,
    reportsToken: reportsToken === undefined ? undefined : new Secret(reportsToken),
  });
}
