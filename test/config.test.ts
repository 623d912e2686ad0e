import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { AuditError } from '../src/errors.js';

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
    expect(Object.isFrozen(c)).toBe(true);
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
    ['REPORTS_TOKEN', 'short', /REPORTS_TOKEN must be at least 8/],
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
      REPORTS_TOKEN: 'reports-secret-123',
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
});
