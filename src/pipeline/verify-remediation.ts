import type { Logger } from '../log/logger.js';
import { type DatabaseHandle, verifyRemediation } from '../store/index.js';

/**
 * After a complete snapshot, before its report: applied remediation actions are judged by
 * the first complete snapshot after them; one whose access is still seen is flagged.
 */
export async function checkRemediation(handle: DatabaseHandle, logger: Logger): Promise<void> {
  let result: Awaited<ReturnType<typeof verifyRemediation>>;
  try {
    result = await verifyRemediation(handle.db);
  } catch (error) {
    // The snapshot is complete: its report and email matter more; the next run verifies again.
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'remediation not verified');
    return;
  }
  if (result.verified.length > 0) logger.info({ actions: result.verified }, 'remediation verified');
  for (const f of result.flagged) {
    logger.warn(
      { actionId: f.id, target: f.target, snapshotId: f.snapshotId },
      'remediation action not seen by the audit: the access it removed is still there',
    );
  }
}
