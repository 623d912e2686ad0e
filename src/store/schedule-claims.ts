/**
 * Scheduled periods claimed by instances (audit.schedule_claims), so that two instances
 * firing for the same tick take one snapshot, not two. "One run per period" is a database
 * fact: the claim is a conditional upsert, atomic on the server.
 */
import { type Kysely, sql } from 'kysely';
import { databaseError } from './errors.js';
import type { Database } from './schema.js';

/**
 * Claims `period` for `instance`; true when this instance may run it: the period was
 * unclaimed, already ours, or claimed by an instance that produced no complete snapshot
 * at or after the period (it died or failed: taken over).
 */
export async function claimPeriod(db: Kysely<Database>, period: Date, instance: string): Promise<boolean> {
  try {
    const r = await sql<{ instance: string }>`
      INSERT INTO audit.schedule_claims AS c (period, instance) VALUES (${period}::timestamptz, ${instance})
      ON CONFLICT (period) DO UPDATE SET instance = excluded.instance, claimed_at = now()
       WHERE c.instance = excluded.instance
          OR NOT EXISTS (SELECT 1 FROM audit.snapshots s
                          WHERE s.status = 'complete' AND s.taken_at >= c.period)
      RETURNING instance`.execute(db);
    return r.rows[0]?.instance === instance;
  } catch (error) {
    throw databaseError(error, `claiming the scheduled period ${period.toISOString()}`);
  }
}

/** Gives a period back (its run failed), so that a later catch-up may claim it. */
export async function releasePeriod(db: Kysely<Database>, period: Date, instance: string): Promise<void> {
  try {
    await sql`DELETE FROM audit.schedule_claims
               WHERE period = ${period}::timestamptz AND instance = ${instance}`.execute(db);
  } catch (error) {
    throw databaseError(error, `releasing the scheduled period ${period.toISOString()}`);
  }
}
