import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { AuditError } from '../errors.js';
import { makePrivateDir, PRIVATE_FILE } from '../files/private.js';
import { oneLine } from '../text/one-line.js';
import type { SendOutcome } from './smtp.js';

/**
 * Outbox mode (no SMTP_URL): the message is rendered by nodemailer exactly as it would be
 * sent and written as an `.eml` file (CRLF line ends, like mail on the wire). The file is
 * named after the Message-ID, hence the snapshot, and written to a temporary name then
 * renamed: sending the same message again replaces the same file, and a reader never
 * sees half of one. An .eml can be replayed later with `sendMail({ envelope, raw })`.
 */

/** Where messages go without SMTP_URL: `.eml` files beside the reports. */
export function outboxDir(reportsDir: string): string {
  return `${reportsDir}/outbox`;
}

/** `<access-audit.ws.s12.abcd@domain>` → `access-audit.ws.s12.abcd@domain.eml`. */
export function emlFileName(messageId: string): string {
  const bare = messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@+-]+/g, '_');
  if (bare === '' || bare.startsWith('.'))
    throw new RangeError(`unusable Message-ID for a file name: ${messageId}`);
  return `${bare}.eml`;
}

export interface OutboxSender {
  dir: string;
  send(message: SendMailOptions & { messageId: string }): Promise<SendOutcome & { location: string }>;
  close(): void;
}

export function createOutboxSender(outboxDir: string): OutboxSender {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    dir: outboxDir,
    async send(message) {
      const path = join(outboxDir, emlFileName(message.messageId));
      const temp = join(
        outboxDir,
        `.${emlFileName(message.messageId)}.${randomBytes(6).toString('hex')}.tmp`,
      );
      try {
        const info = await transporter.sendMail(message);
        await makePrivateDir(outboxDir);
        await writeFile(temp, info.message as Buffer, { flag: 'wx', mode: PRIVATE_FILE });
        await rename(temp, path);
        return { messageId: info.messageId, accepted: [...info.envelope.to], attempts: 1, location: path };
      } catch (error) {
        await rm(temp, { force: true }).catch(() => {});
        const why = oneLine(error instanceof Error ? error.message : String(error));
        throw new AuditError(
          'MAIL_UNDELIVERED',
          `the email ${message.messageId} could not be written to ${path}: ${why}`,
          {
            cause: error,
            details: { outbox: outboxDir, messageId: message.messageId },
          },
        );
      }
    },
    close() {
      transporter.close();
    },
  };
}
