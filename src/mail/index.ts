/** The mail stage: message building (pure) and transports (SMTP, outbox). */
export {
  type AuditMessage,
  type AuditMessageInput,
  buildAuditMessage,
  completenessFindings,
  DEFAULT_ATTACH_LIMIT_BYTES,
} from './build.js';
export { createMailer, type Mailer, type MailerOptions, type SendResult } from './mailer.js';
export { DEFAULT_MESSAGE_ID_DOMAIN, messageIdFor } from './message-id.js';
export { emlFileName } from './outbox.js';
export {
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  isTransientSmtpError,
  type RetryPolicy,
  type SmtpTimeouts,
} from './smtp.js';
