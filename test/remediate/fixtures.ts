/** Review decisions seeded by plain INSERTs (the review import is another room's). */
import { type Kysely, sql } from 'kysely';
import type { ReviewDecision } from '../../src/model/review.js';
import type { Database } from '../../src/store/index.js';

/** A decision as the record type has it; the fields a test rarely cares about default. */
export type DecisionRow = Pick<
  ReviewDecision,
  'snapshotId' | 'userId' | 'email' | 'roleId' | 'roleName' | 'resourceType' | 'resourceId'
> &
  Partial<Pick<ReviewDecision, 'labels' | 'via' | 'decision' | 'decidedAt'>>;

let files = 0;

/** Inserts one decision; returns its id. Each call is its own "file", so rows never collide. */
export async function decide(db: Kysely<Database>, row: DecisionRow): Promise<string> {
  files++;
  const sha = files.toString(16).padStart(64, '0');
  const r = await sql<{ id: string }>`
    INSERT INTO audit.review_decisions
           (snapshot_id, user_id, email, role_id, role_name, resource_type, resource_id, labels, via,
            privileged, decision, reason, reviewer, decided_at, file_sha256)
    VALUES (${row.snapshotId}, ${row.userId}, ${row.email}, ${row.roleId}, ${row.roleName}, ${row.resourceType},
            ${row.resourceId}, ${row.labels ?? ''}, ${row.via ?? 'direct'}, false, ${row.decision ?? 'revoke'},
            'left the team', 'reviewer@example.com', ${row.decidedAt ?? new Date()}, ${sha})
    RETURNING id::text AS id`.execute(db);
  return r.rows[0]!.id;
}

export interface ActionRow {
  id: string;
  operation: string;
  target: string;
  status: string;
  outcome: string | null;
  error: string | null;
  verified_snapshot_id: number | null;
  unverified_snapshot_id: number | null;
  undo_of: string | null;
}

export async function actions(db: Kysely<Database>): Promise<ActionRow[]> {
  const r = await sql<ActionRow>`
    SELECT id::text AS id, operation, target, status, outcome, error, verified_snapshot_id,
           unverified_snapshot_id, undo_of::text AS undo_of
      FROM audit.remediation_actions ORDER BY id`.execute(db);
  return r.rows;
}
