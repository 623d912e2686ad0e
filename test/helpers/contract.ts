/** The environment variables of ../shared/spec/contract.md, for tests that clear or check them. */
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
];
