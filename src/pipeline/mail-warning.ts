import type { Config } from '../config.js';
import { outboxDir } from '../mail/index.js';

/**
 * The warning `run` and `schedule` print as they start when the audit's email reaches no
 * one, or only a file (pure): without it a run that notified nobody looks exactly like
 * one that did (exit 0, and under a scheduler nobody reads the summary). undefined when
 * the email goes to MAIL_TO through SMTP_URL.
 */
export function mailWarning(config: Pick<Config, 'mailTo' | 'smtpUrl' | 'reportsDir'>): string | undefined {
  if (config.mailTo.length === 0) {
    return `no email will be sent: MAIL_TO is not set; reports are in ${config.reportsDir}`;
  }
  if (config.smtpUrl === undefined) {
    return `SMTP_URL is not set: emails are written to ${outboxDir(config.reportsDir)}/ and not sent`;
  }
  return undefined;
}
