import type { SendMailOptions } from 'nodemailer';
import type { Logger } from '../log/logger.js';
import type { Secret } from '../secret.js';
import { createOutboxSender } from './outbox.js';
import { createSmtpSender, type RetryPolicy, type SmtpTimeouts } from './smtp.js';

/**
 * The one seam the pipeline calls: SMTP when SMTP_URL is set, the outbox directory
 * otherwise. `send` is safe to repeat with the same message (same Message-ID): SMTP
 * recipients' systems drop the duplicate, the outbox overwrites its own file. Recording
 * deliveries is the pipeline's (database) job, not this one's.
 */

interface SendResult {
  messageId: string;
  /** Recipients the server (or the outbox) accepted. */
  accepted: string[];
  /** The .eml file, in outbox mode. */
  location?: string;
}

export interface Mailer {
  kind: 'smtp' | 'outbox';
  /** Where messages go, safe to print: `smtp://host:port` or the outbox directory. */
  target: string;
  send(message: SendMailOptions & { messageId: string }): Promise<SendResult>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: Secret;
  outboxDir: string;
  logger?: Logger;
  /** Tests shorten these; production uses the defaults in smtp.ts. */
  retry?: RetryPolicy;
  timeouts?: SmtpTimeouts;
}

export function createMailer(options: MailerOptions): Mailer {
  if (options.smtpUrl !== undefined) {
    const smtp = createSmtpSender(options.smtpUrl, {
      retry: options.retry,
      timeouts: options.timeouts,
      logger: options.logger,
    });
    return {
      kind: 'smtp',
      target: smtp.display,
      async send(message) {
        const sent = await smtp.send(message);
        options.logger?.info(
          {
            messageId: sent.messageId,
            accepted: sent.accepted.length,
            attempts: sent.attempts,
            server: smtp.display,
          },
          'email sent',
        );
        return { messageId: sent.messageId, accepted: sent.accepted };
      },
      close: () => smtp.close(),
    };
  }
  const outbox = createOutboxSender(options.outboxDir);
  return {
    kind: 'outbox',
    target: options.outboxDir,
    async send(message) {
      const sent = await outbox.send(message);
      options.logger?.info({ messageId: sent.messageId, file: sent.location }, 'email written to the outbox');
      return { messageId: sent.messageId, accepted: sent.accepted, location: sent.location };
    },
    close: () => outbox.close(),
  };
}
