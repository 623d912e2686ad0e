/**
 * Email bookkeeping (audit.deliveries), one row per snapshot. The Message-ID stored by
 * the first attempt is kept for good: a resend after a crash carries the same one, so a
 * snapshot's report is never sent as two different messages.
 *
 * pending: an attempt started (or died mid-way: the next run sends again, same Message-ID)
 * sent:    the SMTP server accepted it (or the .eml was written)
 * failed:  the last attempt failed (the next run retries)
 * skipped: no recipients configured (MAIL_TO empty) — nothing to resend later
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { attempt, databaseError } from './errors.js';
import { camelRow } from './rows.js';
import type { Database, DeliveriesTable, DeliveryStatus } from './schema.js';
import { storedMessage } from './text.js';

export interface Delivery {
  snapshotId: number;
  messageId: string;
  recipients: string[];
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  sentAt: Date | null;
}

function toDelivery({ id: _id, created_at: _createdAt, ...row }: Selectable<DeliveriesTable>): Delivery {
  return camelRow(row);
}

export async function deliveryFor(db: Kysely<Database>, snapshotId: number): Promise<Delivery | null> {
  const row = await attempt(`reading the delivery of snapshot ${snapshotId}`, () =>
    db.selectFrom('audit.deliveries').selectAll().where('snapshot_id', '=', snapshotId).executeTakeFirst(),
  );
  return row ? toDelivery(row) : null;
}

export interface DeliveryAttemptInput {
  snapshotId: number;
  /** Used only by the first attempt; later attempts keep the stored one (returned). */
  messageId: string;
  recipients: readonly string[];
  at: Date;
}

/**
 * Records that an attempt is starting (status pending, attempts + 1) — call it BEFORE
 * sending. Returns the row: send with ITS messageId. A delivery already `sent` is
 * returned unchanged (do not send it again).
 */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  input: DeliveryAttemptInput,
): Promise<Delivery> {
  try {
    const row = await db
      .insertInto('audit.deliveries')
      .values({
        snapshot_id: input.snapshotId,
        message_id: input.messageId,
        recipients: [...input.recipients],
        status: 'pending',
        attempts: 1,
        last_attempt_at: input.at,
      })
      .onConflict((oc) =>
        oc
          .column('snapshot_id')
          .doUpdateSet({
            status: 'pending',
            attempts: sql`audit.deliveries.attempts + 1`,
            recipients: [...input.recipients],
            last_attempt_at: input.at,
          })
          .where('audit.deliveries.status', '<>', 'sent'),
      )
      .returningAll()
      .executeTakeFirst();
    if (row) return toDelivery(row);
    // The conflict update was skipped: already sent.
    const sent = await deliveryFor(db, input.snapshotId);
    if (!sent) throw new Error(`delivery of snapshot ${input.snapshotId} vanished`);
    return sent;
  } catch (error) {
    throw databaseError(error, `recording a delivery attempt for snapshot ${input.snapshotId}`);
  }
}

/** The attempt failed: status failed, with the reason (one line, no secrets: the caller's job). */
export async function recordDeliveryFailure(
  db: Kysely<Database>,
  snapshotId: number,
  error: string,
  at: Date,
): Promise<void> {
  try {
    await db
      .updateTable('audit.deliveries')
      .set({ status: 'failed', last_error: storedMessage(error), last_attempt_at: at })
      .where('snapshot_id', '=', snapshotId)
      .where('status', '<>', 'sent')
      .execute();
  } catch (e) {
    throw databaseError(e, `recording a failed delivery for snapshot ${snapshotId}`);
  }
}

export async function markDelivered(db: Kysely<Database>, snapshotId: number, sentAt: Date): Promise<void> {
  try {
    await db
      .updateTable('audit.deliveries')
      .set({ status: 'sent', sent_at: sentAt, last_error: null })
      .where('snapshot_id', '=', snapshotId)
      .execute();
  } catch (error) {
    throw databaseError(error, `marking snapshot ${snapshotId} delivered`);
  }
}

/** No recipients: record that this snapshot's email is deliberately not sent. */
export async function markDeliverySkipped(
  db: Kysely<Database>,
  input: { snapshotId: number; messageId: string; at: Date },
): Promise<void> {
  try {
    await db
      .insertInto('audit.deliveries')
      .values({
        snapshot_id: input.snapshotId,
        message_id: input.messageId,
        recipients: [],
        status: 'skipped',
        attempts: 0,
        last_attempt_at: input.at,
      })
      .onConflict((oc) => oc.column('snapshot_id').doNothing())
      .execute();
  } catch (error) {
    throw databaseError(error, `recording a skipped delivery for snapshot ${input.snapshotId}`);
  }
}

export interface PendingWork {
  snapshotId: number;
  takenAt: Date;
  /** No report file recorded yet. */
  needsReport: boolean;
  /** No delivery, or one pending/failed (sent and skipped need nothing). */
  needsMail: boolean;
  delivery: Delivery | null;
}

/**
 * Complete snapshots whose report or email is missing (docs/architecture.md: "gets them from the
 * next run"), oldest first. The caller decides what to do when MAIL_TO is empty.
 */
export async function snapshotsNeedingReportOrMail(db: Kysely<Database>): Promise<PendingWork[]> {
  try {
    const rows = await db
      .selectFrom('audit.snapshots as s')
      .leftJoin('audit.deliveries as d', 'd.snapshot_id', 's.id')
      .select((eb) => [
        's.id',
        's.taken_at',
        eb
          .exists(eb.selectFrom('audit.reports as r').select('r.id').whereRef('r.snapshot_id', '=', 's.id'))
          .as('has_report'),
        'd.snapshot_id as d_snapshot_id',
      ])
      .where('s.status', '=', 'complete')
      .where((eb) =>
        eb.or([
          eb.not(
            eb.exists(
              eb.selectFrom('audit.reports as r').select('r.id').whereRef('r.snapshot_id', '=', 's.id'),
            ),
          ),
          eb('d.snapshot_id', 'is', null),
          eb('d.status', 'in', ['pending', 'failed']),
        ]),
      )
      .orderBy('s.taken_at')
      .execute();
    const out: PendingWork[] = [];
    for (const r of rows) {
      const delivery = r.d_snapshot_id === null ? null : await deliveryFor(db, r.id);
      out.push({
        snapshotId: r.id,
        takenAt: r.taken_at,
        needsReport: !r.has_report,
        needsMail: delivery === null || delivery.status === 'pending' || delivery.status === 'failed',
        delivery,
      });
    }
    return out;
  } catch (error) {
    throw databaseError(error, 'finding snapshots whose report or email is missing');
  }
}
