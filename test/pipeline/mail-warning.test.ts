import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { mailWarning } from '../../src/pipeline/mail-warning.js';

const config = (env: Record<string, string>) => loadConfig({ REPORTS_DIR: '/srv/audit/reports', ...env });

describe('mailWarning: where the email goes, said when it is nowhere or a file', () => {
  it('MAIL_TO unset: no email, and where the reports are', () => {
    expect(mailWarning(config({}))).toBe(
      'no email will be sent: MAIL_TO is not set; reports are in /srv/audit/reports',
    );
    // SMTP_URL alone changes nothing: there is no one to send to.
    expect(mailWarning(config({ SMTP_URL: 'smtps://mail.example.com:465' }))).toBe(
      'no email will be sent: MAIL_TO is not set; reports are in /srv/audit/reports',
    );
  });

  it('MAIL_TO set, SMTP_URL unset: written to the outbox, not sent', () => {
    expect(mailWarning(config({ MAIL_TO: 'security@example.com' }))).toBe(
      'SMTP_URL is not set: emails are written to /srv/audit/reports/outbox/ and not sent',
    );
  });

  it('both set: nothing to warn about', () => {
    const both = config({ MAIL_TO: 'a@example.com,b@example.com', SMTP_URL: 'smtps://mail.example.com:465' });
    expect(mailWarning(both)).toBeUndefined();
  });

  it('the default REPORTS_DIR is named as it is', () => {
    expect(mailWarning(loadConfig({ MAIL_TO: 'a@example.com' }))).toBe(
      'SMTP_URL is not set: emails are written to ./reports/outbox/ and not sent',
    );
  });
});
