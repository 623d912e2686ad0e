import type { Config } from '../config.js';
import { type AuditError, coerceError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { buildAuditMessage, createMailer, messageIdFor, outboxDir, type RetryPolicy } from '../mail/index.js';
import {
  type DatabaseHandle,
  markDelivered,
  markDeliverySkipped,
  recordDeliveryAttempt,
  recordDeliveryFailure,
} from '../store/index.js';
import type { ProducedReport } from './produce-report.js';

/**
 * One snapshot's email, recorded so that it is sent once. The attempt is recorded before
 * sending and the success after: a process that dies between the server's acceptance and
 * our record sends again on the next run, but the same message under the same stable
 * Message-ID, which mail systems drop as a duplicate.
 */
export type DeliveryOutcome =
  | { status: 'sent'; to: string[]; via: string; messageId: string }
  | { status: 'outbox'; to: string[]; path: string; messageId: string }
  | { status: 'skipped'; reason: string }
  | { status: 'already-sent'; messageId: string }
  | { status: 'failed'; error: AuditError };

export async function skipDelivery(
  handle: DatabaseHandle,
  report: ProducedReport,
  reason: string,
  at: Date,
): Promise<DeliveryOutcome> {
  const s = report.summary;
  await markDeliverySkipped(handle.db, {
    snapshotId: s.current.id,
    messageId: messageIdFor(s.workspace.id, s.current.id),
    at,
  });
  return { status: 'skipped', reason };
}

export async function deliverReport(
  handle: DatabaseHandle,
  config: Pick<Config, 'mailTo' | 'mailFrom' | 'smtpUrl' | 'reportsDir' | 'siteUrl'>,
  report: ProducedReport,
  logger: Logger,
  now: () => Date,
  retry?: RetryPolicy,
): Promise<DeliveryOutcome> {
  const s = report.summary;
  if (config.mailTo.length === 0) return skipDelivery(handle, report, 'MAIL_TO is not set', now());

  const attempt = await recordDeliveryAttempt(handle.db, {
    snapshotId: s.current.id,
    messageId: messageIdFor(s.workspace.id, s.current.id),
    recipients: config.mailTo,
    at: now(),
  });
  if (attempt.status === 'sent') return { status: 'already-sent', messageId: attempt.messageId };

  const message = buildAuditMessage({
    summary: s,
    counts: { permissionChanges: report.permissionChanges, staleInvites: report.staleInvites },
    rows: report.rows,
    ...(config.siteUrl !== undefined ? { siteUrl: config.siteUrl } : {}),
    report: {
      path: report.path,
      fileName: report.fileName,
      bytes: report.bytes,
      dataSha256: report.dataSha256,
    },
    from: config.mailFrom,
    to: config.mailTo,
  });
  // The stored Message-ID wins: it is the one a possibly-accepted earlier attempt used.
  message.messageId = attempt.messageId;

  const mailer = createMailer({
    ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}),
    outboxDir: outboxDir(config.reportsDir),
    logger,
    ...(retry ? { retry } : {}),
  });
  try {
    const sent = await mailer.send(message);
    await markDelivered(handle.db, s.current.id, now());
    return sent.location !== undefined
      ? { status: 'outbox', to: [...config.mailTo], path: sent.location, messageId: sent.messageId }
      : { status: 'sent', to: sent.accepted, via: mailer.target, messageId: sent.messageId };
  } catch (error) {
    const e = coerceError(error);
    await recordDeliveryFailure(handle.db, s.current.id, e.message, now());
    logger.error(
      { snapshotId: s.current.id, err: e.message },
      'email not delivered: the next run retries it',
    );
    return { status: 'failed', error: e };
  } finally {
    mailer.close();
  }
}
