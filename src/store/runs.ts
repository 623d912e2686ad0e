/**
 * Every audit run as the download site lists it: each snapshot row, whatever its status
 * (a failed run shows with its reason), and the workspace's name as last seen.
 */
import type { Kysely } from 'kysely';
import type { RunListing } from '../model/site.js';
import { databaseError } from './errors.js';
import type { Database } from './schema.js';

export async function listRuns(
  db: Kysely<Database>,
): Promise<{ workspaceName: string | null; runs: RunListing[] }> {
  try {
    const rows = await db
      .selectFrom('audit.snapshots')
      .select(['id', 'taken_at', 'status', 'error', 'workspace_name'])
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return {
      workspaceName: rows.find((r) => r.status === 'complete' && r.workspace_name)?.workspace_name ?? null,
      runs: rows.map((r) => ({ snapshotId: r.id, takenAt: r.taken_at, status: r.status, error: r.error })),
    };
  } catch (error) {
    throw databaseError(error, 'listing audit runs');
  }
}
