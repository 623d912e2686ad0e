/**
 * One audit run at a time per database. A run holds this lock from before it marks
 * abandoned snapshots until its snapshot is complete (or failed), so a `running`
 * snapshot seen under the lock can only be a dead process's.
 *
 * - Real server: a session advisory lock, taken with pg_try_advisory_lock on a dedicated
 *   connection held for the whole run. If the process dies, its connection closes and the
 *   server releases the lock by itself — after it notices, so a held lock is retried for
 *   BUSY_GRACE_MS before the run gives up. (A client host that vanishes without closing
 *   its connections keeps the lock until the server's TCP keepalive drops the session.)
 * - Embedded: the socket's connections share one session, so advisory locks exclude
 *   nothing; the directory lock taken by openDatabase already makes this process the only
 *   one on the database, and a flag on the handle keeps two runs of this process apart.
 */
import pg from 'pg';
import { AuditError } from '../errors.js';
import { connectError, databaseError } from './errors.js';
import { type DatabaseHandle, handleInternals } from './open.js';

/** An arbitrary fixed key ("access-audit run" in 63 bits), the same for every instance. */
export const RUN_LOCK_KEY = 0x61636365737361n; // 'accessa'

export type ReleaseRunLock = () => Promise<void>;

/** How long a run keeps trying a held lock before it reports another run in progress. */
const BUSY_GRACE_MS = 1_000;

function busy(target: string): AuditError {
  return new AuditError(
    'DB_BUSY',
    `another audit run is in progress on this database (${target}); try again when it has finished`,
    { details: { target } },
  );
}

export async function acquireRunLock(handle: DatabaseHandle): Promise<ReleaseRunLock> {
  const inner = handleInternals(handle);
  if (inner.mode === 'embedded') {
    if (inner.runLockHeld) throw busy(handle.target);
    inner.runLockHeld = true;
    return async () => {
      inner.runLockHeld = false;
    };
  }
  const client = new pg.Client(inner.connection);
  // A dropped lock connection must not crash the process; the run notices at its next query.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw connectError(error, handle.target);
  }
  let got = false;
  try {
    // A run killed a moment ago still holds the lock until the server has noticed its
    // connection close (a few milliseconds, more on a busy server): a run started right
    // after it (a restart, a retry) waits that out instead of failing as "in progress".
    const deadline = Date.now() + BUSY_GRACE_MS;
    for (;;) {
      const res = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [
        RUN_LOCK_KEY.toString(),
      ]);
      got = res.rows[0]?.got === true;
      if (got || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    throw databaseError(error, 'taking the run lock', handle.target);
  } finally {
    if (!got) await client.end().catch(() => {});
  }
  if (!got) throw busy(handle.target);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    try {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [RUN_LOCK_KEY.toString()]);
    } finally {
      await client.end().catch(() => {});
    }
  };
}
