/**
 * `GET /audit-events` (the SDK's `api/auditTrailApi.ts`): the trail of a `startTime` /
 * `endTime` window, newest first, paginated like every list, within the retention window
 * (Segment keeps 90 days). A workspace without the trail (no Business plan) answers 403
 * with the errors envelope: the real API's exact answer to that is undocumented, and a
 * client must take any refusal of the trail as "unavailable", not as a failed audit.
 *
 * `PUT /_simulator/audit-trail` (simulation only) switches the trail on or off and sets
 * its clock (`now`: an ISO time, or null for the real clock).
 */

import { parseTrailWindow } from './audit-trail.js';
import { ApiError, invalid, isRecord, type Reply } from './http.js';
import type { Route, RouteContext } from './router.js';
import { list, read } from './routes-read.js';

const noTrail = (): ApiError =>
  new ApiError(403, 'Forbidden', 'the Audit Trail is not available: it needs the Business plan');

function listEvents(ctx: RouteContext): Reply {
  if (!ctx.trail.enabled) throw noTrail();
  const window = parseTrailWindow(ctx.query);
  const trail = ctx.trail;
  return list(ctx, 'audit-events', trail.keys(window), 'events', (key) => trail.event(key));
}

function settings(ctx: RouteContext): Reply {
  const body = isRecord(ctx.body) ? ctx.body : {};
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean')
    throw invalid('enabled must be true or false', 'enabled');
  if (
    body.now !== undefined &&
    body.now !== null &&
    (typeof body.now !== 'string' || Number.isNaN(Date.parse(body.now)))
  )
    throw invalid('now must be an ISO-8601 time or null', 'now');
  if (typeof body.enabled === 'boolean') ctx.trail.enabled = body.enabled;
  if (body.now !== undefined)
    ctx.trail.fixedAt = body.now === null ? undefined : new Date(body.now as string);
  return {
    status: 200,
    data: { auditTrail: { enabled: ctx.trail.enabled, now: ctx.trail.now().toISOString() } },
  };
}

export const trailRoutes: Route[] = [
  read('/audit-events', listEvents),
  { method: 'PUT', template: '/_simulator/audit-trail', kind: 'simulation', handle: settings },
];
