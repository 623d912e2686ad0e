import { AuditError } from '../errors.js';
import type { RunResult } from './run-audit.js';

/**
 * The exit-3 verdict of a run (pure): an error when this snapshot's email, or one that an
 * earlier run owed and this run retried, is still undelivered (the next run tries again).
 */
export function undeliveredError(result: RunResult): AuditError | null {
  const failed = [{ snapshotId: result.snapshotId, email: result.email }, ...result.recovered]
    .flatMap((r) =>
      r.email?.status === 'failed' ? [{ snapshotId: r.snapshotId, error: r.email.error }] : [],
    )
    .sort((a, b) => a.snapshotId - b.snapshotId);
  const first = failed[0];
  if (!first) return null;
  const which =
    failed.length > 1
      ? `the emails of snapshots ${failed.map((f) => f.snapshotId).join(', ')} were`
      : first.snapshotId === result.snapshotId
        ? 'the email was'
        : `the email of snapshot ${first.snapshotId} was`;
  return new AuditError(
    'MAIL_UNDELIVERED',
    `the audit completed (snapshot ${result.snapshotId}) but ${which} not delivered: ${first.error.message}`,
  );
}
