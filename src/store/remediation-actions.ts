/**
 * audit.remediation_actions, and the decisions and invites remediation starts from.
 *
 * The order of effects is the crash-safety: `insertPlanned` commits an action before its
 * request is sent, `recordOutcome` after the answer. A `planned` row a later run finds is
 * an action whose outcome is unknown; `pendingActions` hands those back first.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type {
  FullyRevokedUser,
  RemediationOperation,
  RevokeDecision,
  StaleInvite,
} from '../model/remediation.js';
import type { Database, RemediationOutcome, RemediationStatus } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface RemediationAction {
  id: string;
  planKey: string;
  decisionIds: string[];
  operation: RemediationOperation;
  target: string;
  request: unknown;
  revoked: unknown;
  status: RemediationStatus;
  outcome: RemediationOutcome | null;
  error: string | null;
  undoOf: string | null;
  appliedAt: Date | null;
  verifiedSnapshotId: number | null;
  unverifiedSnapshotId: number | null;
}

export interface NewAction {
  planKey: string;
  decisionIds: readonly string[];
  operation: RemediationOperation;
  target: string;
  request: unknown;
  revoked?: unknown;
  undoOf?: string;
}

const ACTION_COLUMNS = sql`
  id::text AS id, plan_key AS "planKey", decision_ids::text[] AS "decisionIds", operation, target,
  request, revoked, status, outcome, error, undo_of::text AS "undoOf", applied_at AS "appliedAt",
  verified_snapshot_id AS "verifiedSnapshotId", unverified_snapshot_id AS "unverifiedSnapshotId"`;

/**
 * Rows whose latest decision (by decided_at, then id) is Revoke and that no live action
 * (planned, applied or undone) carries: a failed attempt leaves its decisions open.
 */
export async function openRevokes(db: Db): Promise<RevokeDecision[]> {
  const r = await sql<RevokeDecision>`
    SELECT id::text AS id, snapshot_id AS "snapshotId", user_id AS "userId", email,
           role_id AS "roleId", role_name AS "roleName", resource_type AS "resourceType",
           resource_id AS "resourceId", labels, via, decided_at AS "decidedAt"
      FROM (SELECT DISTINCT ON (user_id, role_id, resource_type, resource_id, labels) *
              FROM audit.review_decisions
             ORDER BY user_id, role_id, resource_type, resource_id, labels, decided_at DESC, id DESC) latest
     WHERE decision = 'revoke'
       AND NOT EXISTS (SELECT 1 FROM audit.remediation_actions a
                        WHERE a.status <> 'failed' AND latest.id = ANY (a.decision_ids))
     ORDER BY user_id, id`.execute(db);
  return r.rows;
}

/** Users of the current access every one of whose rows has Revoke as its latest decision. */
export async function fullyRevokedUsers(
  db: Db,
  open: readonly RevokeDecision[],
): Promise<FullyRevokedUser[]> {
  const users = [...new Set(open.map((d) => d.userId))];
  if (users.length === 0) return [];
  const r = await sql<{ userId: string; rows: number }>`
    SELECT user_id AS "userId", count(DISTINCT (role_id, resource_type, resource_id, labels))::int AS rows
      FROM audit.effective_access WHERE user_id = ANY (${users}::text[]) GROUP BY user_id`.execute(db);
  return r.rows.flatMap(({ userId, rows }) => {
    const mine = open.filter((d) => d.userId === userId);
    // Every row of the current access decided Revoke (and still open).
    const decided = new Set(
      mine.map((d) => `${d.roleId}\u0000${d.resourceType}\u0000${d.resourceId}\u0000${d.labels}`),
    );
    if (decided.size < rows) return [];
    return [{ userId, email: mine[0]!.email, decisionIds: mine.map((d) => d.id) }];
  });
}

/** Stale invites of the latest complete snapshot, with their group's current name. */
export async function staleInvites(db: Db): Promise<StaleInvite[]> {
  const r = await sql<StaleInvite>`
    SELECT s.email, s.group_id AS "groupId", g.name AS "groupName", s.first_seen AS "firstSeen",
           s.days_pending::int AS "daysPending"
      FROM audit.stale_invites s
      LEFT JOIN audit.group_history g ON g.group_id = s.group_id AND g.valid_to IS NULL
     ORDER BY s.email, s.group_id NULLS FIRST`.execute(db);
  return r.rows;
}

/** Actions whose outcome a dead process left unknown, oldest first. */
export async function pendingActions(db: Db): Promise<RemediationAction[]> {
  const r = await sql<RemediationAction>`
    SELECT ${ACTION_COLUMNS} FROM audit.remediation_actions WHERE status = 'planned' ORDER BY id`.execute(db);
  return r.rows;
}

/** Applied actions whose access the next complete snapshot still saw. */
export async function flaggedActions(db: Db): Promise<RemediationAction[]> {
  const r = await sql<RemediationAction>`
    SELECT ${ACTION_COLUMNS} FROM audit.remediation_actions
     WHERE status = 'applied' AND unverified_snapshot_id IS NOT NULL ORDER BY id`.execute(db);
  return r.rows;
}

export async function getAction(db: Db, id: string): Promise<RemediationAction | undefined> {
  const r = await sql<RemediationAction>`
    SELECT ${ACTION_COLUMNS} FROM audit.remediation_actions WHERE id = ${id}::bigint`.execute(db);
  return r.rows[0];
}

/**
 * Records an action `planned` (committed before its request goes out). undefined when a
 * live action with the same key exists: the same decisions are never acted on twice.
 */
export async function insertPlanned(db: Db, action: NewAction, now: Date): Promise<string | undefined> {
  const r = await sql<{ id: string }>`
    INSERT INTO audit.remediation_actions
           (plan_key, decision_id, decision_ids, operation, target, request, revoked, undo_of, recorded_at)
    VALUES (${action.planKey}, ${action.decisionIds[0] ?? null}::bigint, ${[...action.decisionIds]}::bigint[],
            ${action.operation}, ${action.target}, ${JSON.stringify(action.request)}::jsonb,
            ${JSON.stringify(action.revoked ?? [])}::jsonb, ${action.undoOf ?? null}::bigint, ${now})
    ON CONFLICT (plan_key) WHERE status <> 'failed' DO NOTHING
    RETURNING id::text AS id`.execute(db);
  return r.rows[0]?.id;
}

/** A new request body for a pending action (re-read permissions before it is sent again). */
export async function updateRequest(db: Db, id: string, request: unknown): Promise<void> {
  await sql`UPDATE audit.remediation_actions SET request = ${JSON.stringify(request)}::jsonb
             WHERE id = ${id}::bigint AND status = 'planned'`.execute(db);
}

export interface Outcome {
  status: 'applied' | 'failed' | 'planned';
  outcome?: RemediationOutcome;
  response?: unknown;
  error?: string;
}

/** The answer to a planned action; only a `planned` row changes (an applied one never goes back). */
export async function recordOutcome(db: Db, id: string, o: Outcome, now: Date): Promise<void> {
  const applied = o.status === 'applied' ? now : null;
  await sql`
    UPDATE audit.remediation_actions
       SET status = ${o.status}, outcome = ${o.outcome ?? null},
           response = ${o.response === undefined ? null : JSON.stringify(o.response)}::jsonb,
           error = ${o.error ?? null}, applied_at = ${applied}
     WHERE id = ${id}::bigint AND status = 'planned'`.execute(db);
}

/** An undo applied: the original action becomes `undone` in the same transaction. */
export async function markUndone(db: Db, id: string, now: Date): Promise<void> {
  await sql`UPDATE audit.remediation_actions SET status = 'undone', undone_at = ${now}
             WHERE id = ${id}::bigint AND status = 'applied'`.execute(db);
}
