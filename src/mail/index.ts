/** The mail stage: message building (pure) and transports (SMTP, outbox). */
export { type AuditMessage, buildAuditMessage, DEFAULT_ATTACH_LIMIT_BYTES } from './build.js';
export { headlineItems } from './headline.js';
export { createMailer } from './mailer.js';
export { messageIdFor } from './message-id.js';
export { emlFileName, outboxDir } from './outbox.js';
export type { MailRows } from './rows.js';
export { isTransientSmtpError, type RetryPolicy } from './smtp.js';
