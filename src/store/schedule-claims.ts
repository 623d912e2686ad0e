/**
 * Scheduled periods claimed by instances (audit.schedule_claims), so that two instances
 * firing for the same tick take one snapshot, not two. "One run per period" is a database
 * fact: the claim is a conditional upsert, atomic on the server.
 */
import { type Kysely, sql } from 'kysely';
import { databaseError } from './errors.js';
import { RUN_LOCK_KEY } from './run-lock.js';
import type { Database } from './schema.js';

/** The run lock's key (run-lock.ts) as pg_locks shows a bigint advisory key. */
const RUN_LOCK_CLASSID = Number(RUN_LOCK_KEY >> 32n);
const RUN_LOCK_OBJID = Number(RUN_LOCK_KEY & 0xffffffffn);

/**
 * Claims `period` for `instance`; true when this instance may run it: the period was
 * unclaimed, already ours, or claimed by an instance that produced no complete snapshot
 * at or after the period and is not running an audit now (no session holds the run lock
 * on this database: the owner died or failed, so its claim is taken over). Without the
 * last condition a second instance firing for the same tick would take the claim from a
 * live owner in the middle of its crawl.
 */
export async function claimPeriod(db: Kysely<Database>, period: Date, instance: string): Promise<boolean> {
  try {
    const r = await sql<{ instance: string }>`
      INSERT INTO audit.schedule_claims AS c (period, instance) VALUES (${period}::timestamptz, ${instance})
      ON CONFLICT (period) DO UPDATE SET instance = excluded.instance, claimed_at = now()
       WHERE c.instance = excluded.instance
          OR (NOT EXISTS (SELECT 1 FROM audit.snapshots s
                           WHERE s.status = 'complete' AND s.taken_at >= c.period)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                               WHERE l.locktype = 'advisory' AND l.granted
                                 AND l.database = (SELECT oid FROM pg_catalog.pg_database
                                                    WHERE datname = current_database())
                                 AND l.classid = ${RUN_LOCK_CLASSID}::oid
                                 AND l.objid = ${RUN_LOCK_OBJID}::oid AND l.objsubid = 1))
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
