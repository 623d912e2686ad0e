import { readAuditTrail, SegmentClient, type TrailRead, type TrailWindow } from '../segment/index.js';
import { type CrawlOptions, clientOptions } from './crawl.js';

export type { TrailRead, TrailWindow };

/**
 * The audit trail of a window (`GET /audit-events`), read after the workspace walk with a
 * client of its own: every event once, or `unavailable` with the API's reason when the
 * workspace or token may not read it (no Business plan, not an Owner). Any other failure
 * throws, and fails the run like a failed list would.
 */
export async function crawlAuditTrail(
  options: Omit<CrawlOptions, 'progress' | 'concurrency' | 'crossCheckSample'>,
  window: TrailWindow,
): Promise<TrailRead> {
  const client = new SegmentClient({
    ...clientOptions(options),
    logger: options.logger,
    signal: options.signal,
  });
  const read = await readAuditTrail(client.listAuditEvents(window));
  if (read.status === 'read') {
    options.logger?.info({ events: read.events.length, pages: read.pages }, 'audit trail read');
  } else {
    options.logger?.warn({ status: read.httpStatus, reason: read.reason }, 'audit trail unavailable');
  }
  return read;
}
