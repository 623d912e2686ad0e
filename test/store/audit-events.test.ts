/** The audit trail kept for good (migration 0008 + src/store/audit-events.ts), on PGlite or a real server. */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import {
  auditEventsBetween,
  insertAuditEvents,
  recordTrailOutcome,
  writeAttributions,
} from '../../src/store/audit-events.js';
import type { Database } from '../../src/store/schema.js';
import { beginSnapshot } from '../../src/store/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';

let t: TestDatabase;
let db: Kysely<Database>;
let s1: number;
let s2: number;
beforeAll(async () => {
  t = await openTestDatabase();
  db = t.handle.db;
  const apiUrl = 'http://127.0.0.1:1';
  s1 = await beginSnapshot(db, { takenAt: new Date('2026-06-01T00:00:00Z'), staleInviteDays: 14, apiUrl });
  s2 = await beginSnapshot(db, { takenAt: new Date('2026-06-15T00:00:00Z'), staleInviteDays: 14, apiUrl });
});
afterAll(async () => {
  await t?.close();
});

function ev(id: string, at: string, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    occurredAt: new Date(at),
    type: 'Policy Created',
    actor: 'Ben Admin',
    actorEmail: 'ben@acme.com',
    resourceId: 'usr_ana',
    resourceType: 'user',
    resourceName: 'ana@acme.com',
    ...extra,
  };
}

async function kept() {
  return (
    await sql<{
      id: string;
      actor_email: string | null;
      first_fetched_snapshot_id: number;
      occurred_at: Date;
    }>`
      SELECT id, actor_email, first_fetched_snapshot_id, occurred_at FROM audit.audit_events ORDER BY id`.execute(
      db,
    )
  ).rows;
}

describe('audit events', () => {
  it('are kept once per id however often fetched, with the snapshot that first fetched them', async () => {
    const first = [
      ev('evt_a', '2026-05-20T10:00:00Z'),
      ev('evt_b', '2026-05-25T10:00:00Z', { actorEmail: undefined, actor: 'token: audit-bot' }),
      ev('evt_a', '2026-05-20T10:00:00Z'), // a repeat inside one batch
    ];
    expect(await db.transaction().execute((trx) => insertAuditEvents(trx, s1, first))).toBe(2);
    const overlap = [ev('evt_b', '2026-05-25T10:00:00Z'), ev('evt_c', '2026-06-10T10:00:00Z')];
    expect(await db.transaction().execute((trx) => insertAuditEvents(trx, s2, overlap))).toBe(1);
    const rows = await kept();
    expect(rows.map((r) => [r.id, r.first_fetched_snapshot_id, r.actor_email])).toEqual([
      ['evt_a', s1, 'ben@acme.com'],
      ['evt_b', s1, null], // the later copy (with an email) did not overwrite the kept one
      ['evt_c', s2, 'ben@acme.com'],
    ]);
    expect(rows[0]?.occurred_at.toISOString()).toBe('2026-05-20T10:00:00.000Z');
  });

  it('vanish with a transaction that rolls back (a failed run keeps none)', async () => {
    const before = await kept();
    await expect(
      db.transaction().execute(async (trx) => {
        expect(await insertAuditEvents(trx, s2, [ev('evt_lost', '2026-06-11T00:00:00Z')])).toBe(1);
        throw new Error('the run failed');
      }),
    ).rejects.toThrow('the run failed');
    expect(await kept()).toEqual(before);
  });

  it('go in batches: 12,001 events, all kept, none twice', async () => {
    const many = Array.from({ length: 12_001 }, (_, i) =>
      ev(`bulk_${String(i).padStart(5, '0')}`, new Date(Date.UTC(2026, 3, 1) + i * 1000).toISOString()),
    );
    expect(await db.transaction().execute((trx) => insertAuditEvents(trx, s2, many))).toBe(12_001);
    expect(await db.transaction().execute((trx) => insertAuditEvents(trx, s2, many))).toBe(0);
    const n = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM audit.audit_events WHERE id LIKE 'bulk_%'`.execute(db);
    expect(n.rows[0]?.n).toBe(12_001);
  });

  it('of a period: after `from`, up to and including `to`, oldest first, email absent where NULL', async () => {
    const got = await auditEventsBetween(
      db,
      new Date('2026-05-20T10:00:00Z'),
      new Date('2026-06-10T10:00:00Z'),
    );
    expect(got.map((e) => e.id)).toEqual(['evt_b', 'evt_c']);
    expect(got[0]).toEqual(
      ev('evt_b', '2026-05-25T10:00:00Z', { actorEmail: undefined, actor: 'token: audit-bot' }),
    );
  });
});

describe('trail outcome on the snapshot', () => {
  async function row(id: number) {
    return (
      await sql<{ trail_status: string | null; trail_error: string | null; trail_events: number | null }>`
        SELECT trail_status, trail_error, trail_events FROM audit.snapshots WHERE id = ${id}`.execute(db)
    ).rows[0];
  }

  it('is NULL until recorded, then read with a count or unavailable with the reason', async () => {
    expect(await row(s1)).toEqual({ trail_status: null, trail_error: null, trail_events: null });
    await recordTrailOutcome(db, s1, { status: 'read', events: 3 });
    expect(await row(s1)).toEqual({ trail_status: 'read', trail_error: null, trail_events: 3 });
    const reason = 'GET /audit-events page 1: the token may not read this (403)';
    await recordTrailOutcome(db, s1, { status: 'unavailable', reason });
    expect(await row(s1)).toEqual({ trail_status: 'unavailable', trail_error: reason, trail_events: null });
  });

  it('refuses an unavailable trail without its reason, and an unknown status', async () => {
    await expect(
      sql`UPDATE audit.snapshots SET trail_status = 'unavailable', trail_error = NULL WHERE id = ${s2}`.execute(
        db,
      ),
    ).rejects.toThrow(/snapshots_trail_error/);
    await expect(
      sql`UPDATE audit.snapshots SET trail_status = 'partial' WHERE id = ${s2}`.execute(db),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('change attribution columns', () => {
  async function change(kind: string, subject: string): Promise<string> {
    const r = await sql<{ id: string }>`
      INSERT INTO audit.changes (snapshot_id, detected_at, kind, subject_type, subject_id)
      VALUES (${s2}, '2026-06-15T00:00:00Z', ${kind}, 'user', ${subject}) RETURNING id`.execute(db);
    return String(r.rows[0]?.id);
  }

  it('take the author and the event, both or neither, and only a kept event', async () => {
    const granted = await change('permission_granted', 'usr_ana');
    const other = await change('membership_added', 'usr_bob');
    expect(
      await writeAttributions(db, [
        {
          changeId: granted,
          changedBy: 'ben@acme.com',
          eventId: 'evt_c',
          status: 'attributed',
          flags: [],
          note: undefined,
        },
      ]),
    ).toBe(1);
    const rows = (
      await sql<{ id: string; changed_by: string | null; event_id: string | null }>`
        SELECT id::text AS id, changed_by, event_id FROM audit.changes WHERE id IN (${granted}, ${other}) ORDER BY id`.execute(
        db,
      )
    ).rows;
    expect(rows).toEqual([
      { id: granted, changed_by: 'ben@acme.com', event_id: 'evt_c' },
      { id: other, changed_by: null, event_id: null },
    ]);
    await expect(
      writeAttributions(db, [
        {
          changeId: other,
          changedBy: 'ben@acme.com',
          eventId: 'evt_never_fetched',
          status: 'attributed',
          flags: [],
          note: undefined,
        },
      ]),
    ).rejects.toThrow(/foreign key/);
    await expect(
      sql`UPDATE audit.changes SET changed_by = 'x' WHERE id = ${other}`.execute(db),
    ).rejects.toThrow(/changes_attribution/);
  });
});
