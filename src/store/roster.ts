/**
 * The roster's history (migration 0011) and what reconciliation reads at a snapshot.
 * An import is a dated snapshot of the whole roster, applied in one transaction: a person
 * whose status, end date, address or aliases changed gets their row closed and a new one
 * opened at the import's time; a person the file no longer lists is closed; the others
 * are left as they are. A bad file never reaches here (src/roster/parse.ts refuses it
 * whole), so nothing is ever half-imported.
 */
import { type Kysely, sql } from 'kysely';
import { AuditError } from '../errors.js';
import type { AccessRow } from '../model/report-data.js';
import type { RosterEntry } from '../model/roster.js';
import { accessOfUsersAt } from './access-review.js';
import { attempt } from './errors.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface RosterImportResult {
  /** Rows opened (new people and changed ones). */
  opened: number;
  /** Rows closed (changed people and people no longer listed). */
  closed: number;
  unchanged: number;
}

interface CurrentRow {
  id: string;
  email: string;
  email_key: string;
  status: string;
  end_date: string | null;
  aliases: string;
}

const same = (row: CurrentRow, e: RosterEntry): boolean =>
  row.email === e.email &&
  row.status === e.status &&
  row.end_date === e.endDate &&
  row.aliases === e.aliases.join(';');

/**
 * The instant an import must come after to change anything: the roster's last change, and
 * the last complete snapshot (a roster dated before it would change that snapshot's
 * exceptions after its report and email went out). null: neither exists.
 */
async function lastChange(db: Db): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`
    SELECT greatest(
             (SELECT max(greatest(valid_from, coalesce(valid_to, valid_from))) FROM audit.roster_history),
             (SELECT max(taken_at) FROM audit.snapshots WHERE status = 'complete')) AS at`.execute(db);
  return r.rows[0]?.at ?? null;
}

async function applyImport(trx: Db, entries: readonly RosterEntry[], at: Date): Promise<RosterImportResult> {
  // One import at a time: two at once would each close rows the other opens.
  await sql`LOCK TABLE audit.roster_history IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
  const current = await sql<CurrentRow>`
    SELECT id::text AS id, email, email_key, status, end_date::text AS end_date, aliases
      FROM audit.roster_history WHERE valid_to IS NULL`.execute(trx);
  const byKey = new Map(current.rows.map((r) => [r.email_key, r]));
  const listed = new Set(entries.map((e) => e.emailKey));
  const toOpen = entries.filter((e) => {
    const row = byKey.get(e.emailKey);
    return row === undefined || !same(row, e);
  });
  const toClose = current.rows.filter(
    (r) => !listed.has(r.email_key) || toOpen.some((e) => e.emailKey === r.email_key),
  );
  const result = { opened: toOpen.length, closed: toClose.length, unchanged: entries.length - toOpen.length };
  if (toOpen.length === 0 && toClose.length === 0) return result;
  const last = await lastChange(trx);
  if (last !== null && at.getTime() <= last.getTime()) {
    throw new AuditError(
      'USAGE',
      `the roster or a complete snapshot was last recorded at ${last.toISOString()}, not before this import's time ${at.toISOString()}: history only moves forward (check AUDIT_NOW)`,
    );
  }
  await sql`UPDATE audit.roster_history SET valid_to = ${at}::timestamptz
             WHERE id = ANY(${toClose.map((r) => r.id)}::bigint[])`.execute(trx);
  await sql`
    INSERT INTO audit.roster_history (email, email_key, status, end_date, aliases, valid_from)
    SELECT e.*, ${at}::timestamptz
      FROM unnest(${toOpen.map((e) => e.email)}::text[], ${toOpen.map((e) => e.emailKey)}::text[],
                  ${toOpen.map((e) => e.status)}::text[], ${toOpen.map((e) => e.endDate)}::date[],
                  ${toOpen.map((e) => e.aliases.join(';'))}::text[]) AS e`.execute(trx);
  return result;
}

/** Records a roster as of instant `at`, all or nothing. */
export async function importRoster(
  db: Db,
  entries: readonly RosterEntry[],
  at: Date,
): Promise<RosterImportResult> {
  return attempt('importing the roster', () =>
    db.transaction().execute((trx) => applyImport(trx, entries, at)),
  );
}

/** The roster in force at instant `at` (empty: none loaded by then). */
export async function rosterAt(db: Db, at: Date): Promise<RosterEntry[]> {
  const r = await attempt('reading the roster', () =>
    sql<{
      email: string;
      email_key: string;
      status: RosterEntry['status'];
      end_date: string | null;
      aliases: string;
    }>`
    SELECT email, email_key, status, end_date::text AS end_date, aliases FROM audit.roster_history
     WHERE valid_from <= ${at}::timestamptz AND (valid_to IS NULL OR valid_to > ${at}::timestamptz)
     ORDER BY email_key`.execute(db),
  );
  return r.rows.map((row) => ({
    email: row.email,
    emailKey: row.email_key,
    status: row.status,
    endDate: row.end_date,
    aliases: row.aliases === '' ? [] : row.aliases.split(';'),
  }));
}

export interface ReconciliationSettings {
  allowedDomains: string[] | null;
  dormantDays: number | null;
  trailRead: boolean;
}

/** The settings in force for a run, kept with its snapshot so a rebuilt report agrees. */
export async function recordReconciliationSettings(
  db: Db,
  snapshotId: number,
  settings: Omit<ReconciliationSettings, 'trailRead'>,
): Promise<void> {
  await attempt(`recording the reconciliation settings of snapshot ${snapshotId}`, () =>
    db
      .updateTable('audit.snapshots')
      .set({ allowed_email_domains: settings.allowedDomains, dormant_days: settings.dormantDays })
      .where('id', '=', snapshotId)
      .execute(),
  );
}

/** What reconciliation needs of a snapshot: its settings, and whether its run read the trail. */
export async function reconciliationSettings(db: Db, snapshotId: number): Promise<ReconciliationSettings> {
  const row = await attempt('reading the reconciliation settings', () =>
    db
      .selectFrom('audit.snapshots')
      .select(['allowed_email_domains', 'dormant_days', sql<string | null>`trail_status`.as('trail_status')])
      .where('id', '=', snapshotId)
      .executeTakeFirst(),
  );
  return {
    allowedDomains: row?.allowed_email_domains ?? null,
    dormantDays: row?.dormant_days ?? null,
    trailRead: row?.trail_status === 'read',
  };
}

/**
 * Users at instant `at`, each with when the audits first saw them, in no particular order
 * (reconciliation sorts what it finds). The first sighting comes as epoch milliseconds (a
 * float8), not a timestamptz: the driver's date parser was a third of this read's time at
 * 100,000 users. History holds whole milliseconds (JavaScript dates), which round() gives
 * back exactly. One grouped pass over the history, not a lookup a user, and no sort by
 * email: together more than half of this read's time at 100,000 users.
 */
export async function usersWithFirstSeen(
  db: Db,
  at: Date,
): Promise<{ userId: string; email: string; name: string; firstSeen: Date }[]> {
  const r = await attempt('reading the users to reconcile', () =>
    sql<{ userId: string; email: string; name: string; firstSeenMs: number }>`
    SELECT u.user_id AS "userId", u.email, u.name, round(date_part('epoch', f.first) * 1000) AS "firstSeenMs"
      FROM audit.user_history u
      JOIN (SELECT user_id, min(valid_from) AS first FROM audit.user_history GROUP BY user_id) f
        ON f.user_id = u.user_id
     WHERE u.valid_from <= ${at}::timestamptz AND (u.valid_to IS NULL OR u.valid_to > ${at}::timestamptz)`.execute(
      db,
    ),
  );
  return r.rows.map((u) => ({
    userId: u.userId,
    email: u.email,
    name: u.name,
    firstSeen: new Date(u.firstSeenMs),
  }));
}

/** Each actor address's latest event at or before `at` (as kept; matching normalises it). */
export async function lastActivity(db: Db, at: Date): Promise<Map<string, Date>> {
  const r = await attempt('reading the audit trail', () =>
    sql<{ actor: string; last: Date }>`
    SELECT lower(actor_email) AS actor, max(occurred_at) AS last FROM audit.audit_events
     WHERE actor_email IS NOT NULL AND occurred_at <= ${at}::timestamptz
     GROUP BY 1`.execute(db),
  );
  return new Map(r.rows.map((row) => [row.actor, row.last]));
}

/**
 * The Access Review rows of some users at `at`, per user (a page at a time), marked
 * privileged by the rule in force (model/privileged.ts), as the sheet marks them.
 */
export async function accessOfUsers(
  db: Db,
  at: Date,
  userIds: readonly string[],
  isPrivileged: (roleName: string, resourceType: string) => boolean,
): Promise<Map<string, AccessRow[]>> {
  const held = await attempt('reading the access of exceptions', () =>
    accessOfUsersAt(db, at, [...new Set(userIds)]),
  );
  const out = new Map<string, AccessRow[]>();
  for (const [userId, rows] of held) {
    out.set(
      userId,
      rows.map((row) => ({ ...row, privileged: isPrivileged(row.roleName, row.resourceType) })),
    );
  }
  return out;
}
