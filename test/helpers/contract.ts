/**
 * The environment variables of docs/configuration.md's `## Environment` table (checked by
 * test/docs/documents.test.ts), for tests that clear or check them.
 */
export const CONTRACT_ENVIRONMENT: readonly string[] = [
  'SEGMENT_API_TOKEN',
  'SEGMENT_API_URL',
  'DATABASE_URL',
  'DATA_DIR',
  'REPORTS_DIR',
  'SMTP_URL',
  'MAIL_FROM',
  'MAIL_TO',
  'STALE_INVITE_DAYS',
  'AUDIT_SCHEDULE',
  'AUDIT_TIMEZONE',
  'AUDIT_NOW',
  'PORT',
  'REPORTS_TOKEN',
  'SEGMENT_WRITE_TOKEN',
  'ALLOWED_EMAIL_DOMAINS',
  'ROSTER_FILE',
  'DORMANT_DAYS',
  'PRIVILEGED_ROLES',
  'SITE_URL',
];
