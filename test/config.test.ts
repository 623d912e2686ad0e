import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, loadConfig, REPORTS_TOKEN_PLACEHOLDER } from '../src/config.js';
import { AuditError } from '../src/errors.js';
import { DEFAULT_PRIVILEGED_ROLES } from '../src/model/privileged.js';

function failure(env: Record<string, string>, needs = {}): AuditError {
  try {
    loadConfig(env, needs);
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.segmentApiUrl).toBe('https://api.segmentapis.com');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('./data');
    expect(c.reportsDir).toBe('./reports');
    expect(c.mailFrom).toBe('access-audit@localhost');
    expect(c.mailTo).toEqual([]);
    expect(c.staleInviteDays).toBe(14);
    expect(c.auditSchedule).toBe('0 6 * * 1');
    expect(c.auditTimezone).toBe('UTC');
    expect(c.port).toBeUndefined();
    expect(c.allowedEmailDomains).toBeUndefined();
    expect(c.rosterFile).toBeUndefined();
    expect(c.dormantDays).toBe(90);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the reconciliation settings: domains in lower case without @, a roster path, dormant days', () => {
    const c = loadConfig({
      ALLOWED_EMAIL_DOMAINS: ' Acme.com, @acme.io ,acme.com',
      ROSTER_FILE: ' /run/roster/people.csv ',
      DORMANT_DAYS: '30',
    });
    expect(c.allowedEmailDomains).toEqual(['acme.com', 'acme.io']);
    expect(Object.isFrozen(c.allowedEmailDomains)).toBe(true);
    expect(c.rosterFile).toBe('/run/roster/people.csv');
    expect(c.dormantDays).toBe(30);
  });

  it('requires the token only where the command needs it', () => {
    expect(failure({}, { segmentToken: true }).message).toMatch(/^SEGMENT_API_TOKEN is required/);
    expect(failure({}, { reportsToken: true }).message).toMatch(/^REPORTS_TOKEN is required/);
  });

  it.each([
    ['SEGMENT_API_URL', 'ftp://x', /SEGMENT_API_URL must start with/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must start with postgres/],
    ['SMTP_URL', 'http://mail', /SMTP_URL must start with smtp/],
    ['MAIL_FROM', 'nobody', /MAIL_FROM is not an email/],
    ['MAIL_TO', 'a@x.com, nope', /MAIL_TO holds "nope"/],
    ['STALE_INVITE_DAYS', '-3', /STALE_INVITE_DAYS must be a whole number/],
    ['STALE_INVITE_DAYS', '0', /STALE_INVITE_DAYS must be from 1/],
    ['AUDIT_SCHEDULE', '* * *', /AUDIT_SCHEDULE is not a cron expression/],
    ['AUDIT_SCHEDULE', '61 * * * *', /AUDIT_SCHEDULE is not a cron expression/],
    ['AUDIT_TIMEZONE', 'Mars/Olympus', /AUDIT_TIMEZONE is not an IANA time zone/],
    ['AUDIT_NOW', 'yesterday', /AUDIT_NOW is not an ISO-8601 instant/],
    ['PORT', '70000', /PORT must be from 1 to 65535/],
    ['REPORTS_TOKEN', 'short', /REPORTS_TOKEN must be at least 32/],
    ['REPORTS_TOKEN', '12345678', /REPORTS_TOKEN must be at least 32/],
    ['REPORTS_TOKEN', REPORTS_TOKEN_PLACEHOLDER, /REPORTS_TOKEN is still the .env.example placeholder/],
    ['METRICS_TOKEN', 'short', /METRICS_TOKEN must be at least 32/],
    ['BIND_ADDRESS', 'example.com', /BIND_ADDRESS must be an IP address/],
    ['SMTP_URL', 'smtp://', /SMTP_URL (is not a URL|names no host)/],
    ['ALLOWED_EMAIL_DOMAINS', 'acme.com, not a domain', /ALLOWED_EMAIL_DOMAINS holds "not a domain"/],
    ['ALLOWED_EMAIL_DOMAINS', 'localhost', /ALLOWED_EMAIL_DOMAINS holds "localhost", which is not a domain/],
    ['ALLOWED_EMAIL_DOMAINS', ', ,', /ALLOWED_EMAIL_DOMAINS names no domain/],
    ['DORMANT_DAYS', '0', /DORMANT_DAYS must be from 1 to 3650/],
    ['DORMANT_DAYS', 'ninety', /DORMANT_DAYS must be a whole number/],
  ])('names %s when it is invalid', (variable, value, pattern) => {
    const e = failure({ [variable]: value });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.exitStatus).toBe(2);
    expect(e.message).toMatch(pattern);
    expect(e.message).not.toContain('\n');
  });

  it('never shows a secret, however the config is printed', () => {
    const c = loadConfig({
      SEGMENT_API_TOKEN: 'sgp_SECRET_TOKEN_123',
      DATABASE_URL: 'postgres://u:dbpass123@h/db',
      SMTP_URL: 'smtp://u:mailpass123@h:25',
      REPORTS_TOKEN: 'reports-secret-123-0123456789abcdef',
    });
    const printed = [
      JSON.stringify(c),
      inspect(c, { depth: 5 }),
      String(c.segmentApiToken),
      `${c.smtpUrl}`,
    ].join('\n');
    for (const secret of ['sgp_SECRET_TOKEN_123', 'dbpass123', 'mailpass123', 'reports-secret-123']) {
      expect(printed).not.toContain(secret);
    }
    expect(c.segmentApiToken?.reveal()).toBe('sgp_SECRET_TOKEN_123');
  });

  it('does not echo a database URL it rejects (it may hold a password)', () => {
    const e = failure({ DATABASE_URL: 'mysql://u:hunter22@h/db' });
    expect(e.message).not.toContain('hunter22');
  });

  it('reads AUDIT_NOW as an instant', () => {
    expect(loadConfig({ AUDIT_NOW: '2026-06-30T06:00:00Z' }).auditNow?.toISOString()).toBe(
      '2026-06-30T06:00:00.000Z',
    );
  });

  it('listens on loopback unless BIND_ADDRESS says otherwise; /metrics takes the reports token by default', () => {
    const c = loadConfig({});
    expect(c.bindAddress).toBe('127.0.0.1');
    expect(c.metricsToken).toBeUndefined();
    expect(loadConfig({ BIND_ADDRESS: '0.0.0.0' }).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ BIND_ADDRESS: '[::]' }).bindAddress).toBe('::');
  });
});

describe('SEGMENT_API_URL carries no credentials and is https:// except to loopback', () => {
  it('refuses a user or password in the URL without echoing it (exit 2)', () => {
    for (const url of ['http://user:s3cr3t-pw@127.0.0.1:9/', 'https://user:s3cr3t-pw@api.segmentapis.com']) {
      const e = failure({ SEGMENT_API_URL: url });
      expect(e.exitStatus).toBe(2);
      expect(e.message).toMatch(/^SEGMENT_API_URL must not carry a user or password/);
      expect(e.message).not.toContain('s3cr3t-pw');
    }
    expect(failure({ SEGMENT_API_URL: 'https://only-user@api.segmentapis.com' }).message).toMatch(
      /must not carry a user/,
    );
  });

  it.each([
    'http://api.segmentapis.com',
    'http://127.evil.com:8080',
    'http://127.0.0.1.nip.io',
    'http://10.0.0.5',
    'http://[fe80::1]',
  ])('refuses plain http:// to %s (the token would cross a network in clear)', (url) => {
    expect(failure({ SEGMENT_API_URL: url }).message).toMatch(/^SEGMENT_API_URL must be https:\/\/ for /);
  });

  it.each([
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://127.1.2.3:4010/', 'http://127.1.2.3:4010'],
    ['http://localhost:4010', 'http://localhost:4010'],
    ['http://[::1]:4010', 'http://[::1]:4010'],
    ['https://eu1.api.segmentapis.com/', 'https://eu1.api.segmentapis.com'],
  ])('accepts %s', (url, expected) => {
    expect(loadConfig({ SEGMENT_API_URL: url }).segmentApiUrl).toBe(expected);
  });

  it('reads the loopback range from the parsed address, never a prefix of the name', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.255.255.254')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('::ffff:7f00:1')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('127.evil.com')).toBe(false);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('::2')).toBe(false);
  });
});

describe('PRIVILEGED_ROLES', () => {
  it('defaults to Workspace Owner and the workspace-wide admin roles that reach data', () => {
    expect(loadConfig({}).privilegedRoles).toEqual(DEFAULT_PRIVILEGED_ROLES);
    expect(DEFAULT_PRIVILEGED_ROLES).toContain('Workspace Owner');
    expect(DEFAULT_PRIVILEGED_ROLES).not.toContain('Tracking Plan Admin');
  });

  it('reads a comma-separated list, trimming each name', () => {
    expect(
      loadConfig({ PRIVILEGED_ROLES: ' Workspace Owner , Tracking Plan Admin' }).privilegedRoles,
    ).toEqual(['Workspace Owner', 'Tracking Plan Admin']);
    expect(loadConfig({ PRIVILEGED_ROLES: '   ' }).privilegedRoles).toEqual(DEFAULT_PRIVILEGED_ROLES);
  });

  it.each([
    ['Workspace Owner,,Source Admin', /^PRIVILEGED_ROLES has an empty item \(number 2\)/],
    ['Workspace Owner,', /^PRIVILEGED_ROLES has an empty item \(number 2\)/],
    ['Workspace Owner, workspace owner', /^PRIVILEGED_ROLES names "workspace owner" twice/],
  ])('refuses %j (exit 2)', (value, message) => {
    const e = failure({ PRIVILEGED_ROLES: value });
    expect(e.exitStatus).toBe(2);
    expect(e.message).toMatch(message);
  });
});

describe('SITE_URL', () => {
  it('is unset by default and kept as a normalised http(s) URL', () => {
    expect(loadConfig({}).siteUrl).toBeUndefined();
    expect(loadConfig({ SITE_URL: 'https://audit.example.com' }).siteUrl).toBe('https://audit.example.com/');
    expect(loadConfig({ SITE_URL: 'http://127.0.0.1:8080/reports/' }).siteUrl).toBe(
      'http://127.0.0.1:8080/reports/',
    );
  });

  it.each([
    ['audit.example.com', /^SITE_URL is not a URL/],
    ['ftp://audit.example.com/', /^SITE_URL must start with https:\/\/ or http:\/\//],
    ['javascript:alert(1)', /^SITE_URL must start with https:\/\/ or http:\/\//],
    ['https://admin:s3cr3t-pw@audit.example.com/', /^SITE_URL must not carry a user or password/],
  ])('refuses %s (exit 2, naming SITE_URL)', (value, message) => {
    const e = failure({ SITE_URL: value });
    expect(e.exitStatus).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('s3cr3t-pw');
  });
});

describe('SMTP_URL is parsed completely at start', () => {
  it('refuses a bad % escape in the password (exit 2, naming SMTP_URL, not echoing it)', () => {
    const e = failure({ SMTP_URL: 'smtps://mailer:pa%zzss-word@smtp.example.com:465' });
    expect(e.exitStatus).toBe(2);
    expect(e.message).toMatch(/^SMTP_URL holds a user name or password that is not valid percent-encoding/);
    expect(e.message).not.toContain('pa%zzss-word');
  });

  it('accepts a well-encoded password', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtps://mailer:pa%25ss@smtp.example.com:465' })).not.toThrow();
  });
});

describe('<NAME>_FILE secrets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-secrets-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };

  it('reads every secret variable from its file, trailing newline trimmed', async () => {
    const token = 'reports-token-from-a-file-0123456789abcdef';
    const c = loadConfig({
      SEGMENT_API_TOKEN_FILE: await file('api', 'sgp_from_file\n'),
      DATABASE_URL_FILE: await file('db', 'postgres://u:filepw@db.example:5432/audit\r\n'),
      SMTP_URL_FILE: await file('smtp', 'smtps://u:p@smtp.example.com:465\n'),
      REPORTS_TOKEN_FILE: await file('reports', `${token}\n`),
      SEGMENT_WRITE_TOKEN_FILE: await file('write', 'sgp_write\n'),
    });
    expect(c.segmentApiToken?.reveal()).toBe('sgp_from_file');
    expect(c.databaseUrl?.reveal()).toBe('postgres://u:filepw@db.example:5432/audit');
    expect(c.smtpUrl?.reveal()).toBe('smtps://u:p@smtp.example.com:465');
    expect(c.reportsToken?.reveal()).toBe(token);
    expect(c.segmentWriteToken?.reveal()).toBe('sgp_write');
  });

  it('holds SEGMENT_WRITE_TOKEN as a secret, apart from the audit token; unset when not given', () => {
    const c = loadConfig({ SEGMENT_API_TOKEN: 'sgp_audit', SEGMENT_WRITE_TOKEN: 'sgp_write_only' });
    expect(c.segmentWriteToken?.reveal()).toBe('sgp_write_only');
    expect(c.segmentApiToken?.reveal()).toBe('sgp_audit');
    expect(JSON.stringify(c)).not.toContain('sgp_write_only');
    expect(loadConfig({}).segmentWriteToken).toBeUndefined();
  });

  it.each(['SEGMENT_API_TOKEN', 'SEGMENT_WRITE_TOKEN', 'DATABASE_URL', 'SMTP_URL', 'REPORTS_TOKEN'])(
    'refuses %s set both ways',
    async (name) => {
      const e = failure({ [name]: 'x', [`${name}_FILE`]: await file(`both-${name}`, 'y') });
      expect(e.exitStatus).toBe(2);
      expect(e.message).toBe(`${name} and ${name}_FILE are both set: set only one of them`);
    },
  );

  it('names the variable of a file that cannot be read', async () => {
    const missing = failure({ SEGMENT_API_TOKEN_FILE: join(dir, 'nope') });
    expect(missing.exitStatus).toBe(2);
    expect(missing.message).toMatch(/^SEGMENT_API_TOKEN_FILE \(.*nope\) cannot be read: ENOENT/);
    expect(failure({ DATABASE_URL_FILE: dir }).message).toMatch(
      /^DATABASE_URL_FILE .* cannot be read: EISDIR/,
    );
    // A device that never ends, and a file far too large for a secret: refused, not read.
    expect(failure({ REPORTS_TOKEN_FILE: '/dev/zero' }).message).toMatch(
      /^REPORTS_TOKEN_FILE \(\/dev\/zero\) cannot be read: not a regular file/,
    );
    const huge = await file('huge', 'x'.repeat(100_000));
    expect(failure({ SMTP_URL_FILE: huge }).message).toMatch(/cannot be read: larger than 65536 bytes/);
    if (process.getuid?.() !== 0) {
      const locked = await file('locked', 'secret');
      await chmod(locked, 0o000);
      expect(failure({ SMTP_URL_FILE: locked }).message).toMatch(/^SMTP_URL_FILE .* cannot be read: EACCES/);
    }
  });

  it('checks a secret read from a file like one from the environment', async () => {
    const e = failure({ REPORTS_TOKEN_FILE: await file('short', '12345678\n') });
    expect(e.message).toMatch(/^REPORTS_TOKEN must be at least 32/);
  });
});
