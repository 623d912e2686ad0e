import type { Config } from '../config.js';
import { crawlAuditTrail, type TrailRead } from '../crawl/index.js';
import type { Secret } from '../secret.js';
import {
  type AlsoWrite,
  auditEventsBetween,
  changeSubjects,
  type DatabaseHandle,
  insertAuditEvents,
  lastCompleteSnapshot,
  recordTrailOutcome,
  writeAttributions,
} from '../store/index.js';
import { type AttributionCounts, attributeChanges, countAttributions, trailWindow } from '../trail/index.js';
import type { RunDeps } from './run-audit.js';

/**
 * "Who changed it": the run reads the audit trail from the last complete snapshot's time
 * (less an overlap; the first run: all the API keeps) to its own, then, in the snapshot's
 * transaction, keeps the events (once per id), joins them to the period's change rows and
 * records whether the trail could be read at all.
 */
export async function readTrailForRun(
  handle: DatabaseHandle,
  config: Config,
  deps: RunDeps,
  token: Secret,
  takenAt: Date,
): Promise<TrailRead> {
  const last = await lastCompleteSnapshot(handle.db);
  return crawlAuditTrail(
    {
      ...deps.crawl,
      apiUrl: config.segmentApiUrl,
      token,
      logger: deps.logger,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    },
    trailWindow(last?.takenAt, takenAt),
  );
}

export type TrailOutcome =
  | { status: 'read'; events: number; attribution: AttributionCounts | undefined }
  | { status: 'unavailable'; reason: string };

/** The snapshot transaction's trail step, and what it found once it ran. */
export function trailWriter(read: TrailRead): {
  write: AlsoWrite;
  outcome: () => TrailOutcome;
} {
  let counts: AttributionCounts | undefined;
  return {
    outcome: () =>
      read.status === 'read'
        ? { status: 'read', events: read.events.length, attribution: counts }
        : { status: 'unavailable', reason: read.reason },
    async write(trx, snapshot) {
      if (read.status === 'read') {
        await insertAuditEvents(trx, snapshot.id, read.events);
        await recordTrailOutcome(trx, snapshot.id, { status: 'read', events: read.events.length });
      } else {
        await recordTrailOutcome(trx, snapshot.id, { status: 'unavailable', reason: read.reason });
      }
      if (snapshot.previousTakenAt === undefined) return; // the baseline records no changes
      const period = { from: snapshot.previousTakenAt, to: snapshot.takenAt };
      const events = read.status === 'read' ? await auditEventsBetween(trx, period.from, period.to) : [];
      const results = attributeChanges(
        await changeSubjects(trx, snapshot.id),
        events,
        period,
        read.status === 'read',
      );
      await writeAttributions(
        trx,
        results.map((r) => ({
          changeId: r.changeId,
          changedBy: r.changedBy,
          eventId: r.eventId,
          status: r.status,
          flags: r.flags,
          note: r.status === 'attributed' ? undefined : r.reason,
        })),
      );
      counts = countAttributions(results);
    },
  };
}
