/** Shared steps of the store tests. */
import { type Kysely, sql } from 'kysely';
import type { WorkspacePicture } from '../../src/model/workspace.js';
import { recordReport } from '../../src/store/reports.js';
import type { Database } from '../../src/store/schema.js';
import { beginSnapshot } from '../../src/store/snapshots.js';
import { type CompleteSnapshotOptions, completeSnapshot } from '../../src/store/write.js';

export async function snapshot(
  db: Kysely<Database>,
  picture: WorkspacePicture,
  takenAt: Date,
  options: CompleteSnapshotOptions & { staleInviteDays?: number } = {},
) {
  const id = await beginSnapshot(db, {
    takenAt,
    staleInviteDays: options.staleInviteDays ?? 14,
    apiUrl: picture.apiUrl,
  });
  return completeSnapshot(db, id, picture, options);
}

/** Every history row and change, in a stable order, for before/after comparisons. */
export async function dumpHistory(db: Kysely<Database>): Promise<Record<string, unknown[]>> {
  const q = async (text: string) => (await sql.raw(text).execute(db)).rows;
  return {
    users: await q('SELECT user_id, email, name, valid_from, valid_to FROM audit.user_history ORDER BY id'),
    groups: await q('SELECT group_id, name, valid_from, valid_to FROM audit.group_history ORDER BY id'),
    memberships: await q(
      'SELECT user_id, group_id, valid_from, valid_to FROM audit.membership_history ORDER BY id',
    ),
    grants: await q(
      `SELECT principal_type, principal_id, role_id, role_name, resource_type, resource_id, labels,
              valid_from, valid_to
         FROM audit.grant_history ORDER BY id`,
    ),
    resources: await q(
      'SELECT resource_type, resource_id, name, valid_from, valid_to FROM audit.resource_history ORDER BY id',
    ),
    invites: await q(
      'SELECT email, group_id, first_seen, last_seen, closed_at, outcome FROM audit.invite_history ORDER BY id',
    ),
    changes: await q(
      `SELECT snapshot_id, detected_at, kind, subject_type, subject_id, subject_label, role_id, role_name,
              resource_type, resource_id, labels, group_id, detail FROM audit.changes ORDER BY id`,
    ),
    complete: await q(
      `SELECT id, taken_at, user_count, invite_count, group_count FROM audit.snapshots
        WHERE status = 'complete' ORDER BY id`,
    ),
  };
}

/** History without ids or snapshot ids: equal for two databases given the same pictures. */
export async function dumpComparable(db: Kysely<Database>): Promise<Record<string, unknown[]>> {
  const d = await dumpHistory(db);
  return {
    ...d,
    changes: d.changes!.map((c) => ({ ...(c as object), snapshot_id: undefined })),
    complete: d.complete!.map((c) => ({ ...(c as object), id: undefined })),
  };
}

/** Records snapshot 1's report (dated 2026-06-01) with `permissionChanges` rows, as `run` would. */
export async function recordFirstReport(
  db: Kysely<Database>,
  permissionChanges: number,
  createdAt: Date,
): Promise<void> {
  await recordReport(db, {
    snapshotId: 1,
    againstSnapshotId: null,
    fileName: 'access-audit-2026-06-01-s1.xlsx',
    bytes: 1000,
    fileSha256: 'f'.repeat(64),
    dataSha256: 'd'.repeat(64),
    permissionChanges,
    createdAt,
  });
}
