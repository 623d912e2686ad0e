/**
 * The next audit's check of remediation: each applied action is judged by the first
 * complete snapshot taken after it. If that snapshot no longer sees the revoked grants
 * (or the deleted user, or the withdrawn workspace invite) the action is verified by it,
 * and the snapshot's change rows of that access name the action
 * (`detail.remediationActionId`); if it still sees them the
 * action is flagged (`unverified_snapshot_id`). Idempotent: a run that died before this
 * step leaves the work to the next one, which judges by the same first snapshot.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export interface VerificationResult {
  verified: string[];
  /** Actions whose effect the audit does not see. */
  flagged: { id: string; target: string; snapshotId: number }[];
}

/** A revoked grant key `k` (jsonb) still held by the action's user at the snapshot's time. */
const STILL_SEEN = sql`
  (a.operation = 'replace_permissions_for_user' AND EXISTS (
     SELECT 1 FROM jsonb_array_elements(a.revoked) k, audit.grant_history g
      WHERE g.principal_type = 'user' AND g.principal_id = a.target
        AND g.role_id = k->>'roleId' AND g.resource_type = k->>'resourceType'
        AND g.resource_id = k->>'resourceId' AND g.labels = k->>'labels'
        AND g.valid_from <= s.taken_at AND (g.valid_to IS NULL OR g.valid_to > s.taken_at)))
  OR (a.operation = 'delete_users' AND EXISTS (
     SELECT 1 FROM audit.user_history u
      WHERE u.user_id = a.target AND u.valid_from <= s.taken_at AND (u.valid_to IS NULL OR u.valid_to > s.taken_at)))
  OR (a.operation = 'delete_invites' AND EXISTS (
     SELECT 1 FROM audit.invite_history i
      WHERE lower(i.email) = lower(a.target) AND i.group_id IS NULL
        AND i.first_seen <= s.taken_at AND (i.closed_at IS NULL OR i.closed_at > s.taken_at)))`;

export async function verifyRemediation(db: Kysely<Database>): Promise<VerificationResult> {
  return db.transaction().execute(async (trx) => {
    const judged = await sql<{ id: string; target: string; snapshotId: number; seen: boolean }>`
      WITH cand AS (
        SELECT a.id, (SELECT s.id FROM audit.snapshots s
                       WHERE s.status = 'complete' AND s.taken_at > a.applied_at
                       ORDER BY s.taken_at, s.id LIMIT 1) AS snapshot_id
          FROM audit.remediation_actions a
         WHERE a.status = 'applied'
           AND a.operation IN ('replace_permissions_for_user', 'delete_users', 'delete_invites')
           AND a.verified_snapshot_id IS NULL AND a.unverified_snapshot_id IS NULL),
      judged AS (
        SELECT a.id, a.target, s.id AS snapshot_id, (${STILL_SEEN}) AS seen
          FROM cand c JOIN audit.remediation_actions a ON a.id = c.id JOIN audit.snapshots s ON s.id = c.snapshot_id)
      UPDATE audit.remediation_actions r
         SET verified_snapshot_id = CASE WHEN j.seen THEN NULL ELSE j.snapshot_id END,
             unverified_snapshot_id = CASE WHEN j.seen THEN j.snapshot_id ELSE NULL END
        FROM judged j WHERE r.id = j.id
      RETURNING r.id::text AS id, r.target, j.snapshot_id AS "snapshotId", j.seen`.execute(trx);
    const verified = judged.rows.filter((r) => !r.seen).map((r) => r.id);
    if (verified.length > 0) await nameActionsInChanges(trx, verified);
    return {
      verified,
      flagged: judged.rows
        .filter((r) => r.seen)
        .map(({ id, target, snapshotId }) => ({ id, target, snapshotId })),
    };
  });
}

/** The verifying snapshot's change rows of the removed access get the action's id. */
async function nameActionsInChanges(db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  await sql`
    UPDATE audit.changes c SET detail = c.detail || jsonb_build_object('remediationActionId', a.id::text)
      FROM audit.remediation_actions a
     WHERE a.id = ANY (${[...ids]}::bigint[]) AND a.outcome IN ('sent', 'found-done')
       AND c.snapshot_id = a.verified_snapshot_id
       AND ((a.operation = 'delete_invites' AND c.kind = 'invite_withdrawn' AND c.subject_type = 'invite'
             AND lower(c.subject_id) = lower(a.target) AND c.group_id IS NULL)
         OR (c.subject_type = 'user' AND c.subject_id = a.target
             AND ((a.operation = 'delete_users' AND c.kind = 'user_removed')
               OR (a.operation = 'replace_permissions_for_user' AND c.kind = 'permission_revoked' AND EXISTS (
                    SELECT 1 FROM jsonb_array_elements(a.revoked) k
                     WHERE c.role_id = k->>'roleId' AND c.resource_type = k->>'resourceType'
                       AND c.resource_id = k->>'resourceId' AND c.labels = k->>'labels')))))`.execute(db);
}
