import { z } from 'zod';
import { isAuditError } from '../errors.js';
import type { AuditEvent } from '../model/audit-event.js';
import type { SegmentHttp } from './http.js';
import { type Page, type PaginateOptions, paginate } from './paginate.js';
import { bounded, optional, paginationSchema } from './schemas.js';

/**
 * The audit trail, `GET /audit-events` (the SDK's `api/auditTrailApi.ts`), read as one
 * paginated list filtered by `startTime` / `endTime`. Its models (`model/auditEventV1.ts`,
 * `listAuditEventsV1Output.ts`): every event member is required except `actorEmail`, and
 * the output's `pagination` is optional (a page without it is the last).
 *
 * The trail needs the Business plan and Workspace Owner access: a workspace or token that
 * cannot read it is not a failed audit but an audit without authors, so a refusal of the
 * trail itself (401, 402, 403, 404) becomes `unavailable` with the API's reason. Anything
 * else (a malformed page, a runaway cursor, 5xx after retries) fails like any other list:
 * a half-read trail would flag changes as unexplained that the missing pages explain.
 */

const timestamp = z
  .string()
  .max(64)
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: 'not an ISO-8601 timestamp' });

const auditEvent = z.object({
  id: bounded.id,
  timestamp,
  type: bounded.name,
  // "The user or API token that triggered this event": a name, an email or a token's label.
  actor: bounded.name,
  actorEmail: optional(bounded.email),
  resourceId: bounded.id,
  resourceType: bounded.id,
  resourceName: bounded.name,
});

const auditEventsSchema = z.object({
  events: z.array(auditEvent),
  pagination: optional(paginationSchema),
});

export type ApiAuditEvent = z.infer<typeof auditEvent>;

/** The window asked for; `startTime` absent: all the API still keeps (90 days). */
export interface TrailWindow {
  startTime?: Date;
  endTime?: Date;
}

export type TrailRead =
  | { status: 'read'; events: AuditEvent[]; pages: number }
  /** `reason`: the request's one-line error (the token never appears in it). */
  | { status: 'unavailable'; reason: string; httpStatus: number };

export function auditEventPages(
  http: SegmentHttp,
  window: TrailWindow,
  paging: PaginateOptions,
): AsyncGenerator<Page<ApiAuditEvent>> {
  const query: Record<string, string> = {};
  if (window.startTime) query.startTime = window.startTime.toISOString();
  if (window.endTime) query.endTime = window.endTime.toISOString();
  return paginate(http, '/audit-events', auditEventsSchema, (d) => d.events, { ...paging, query });
}

/** Statuses that mean "this workspace's trail is not readable by this token", not a fault. */
const UNAVAILABLE = new Set([401, 402, 403, 404]);

function unavailableStatus(error: unknown): number | undefined {
  if (!isAuditError(error)) return undefined;
  const status = error.details.status;
  return typeof status === 'number' && UNAVAILABLE.has(status) ? status : undefined;
}

function toEvent(e: ApiAuditEvent): AuditEvent {
  return {
    id: e.id,
    occurredAt: new Date(e.timestamp),
    type: e.type,
    actor: e.actor,
    actorEmail: e.actorEmail,
    resourceId: e.resourceId,
    resourceType: e.resourceType,
    resourceName: e.resourceName,
  };
}

/**
 * Every event of the window, each id once (a page boundary that shifts while the trail grows
 * can repeat one), oldest first; or `unavailable` when the trail is refused. A refusal after
 * the first page is not a plan question, so it fails like any list.
 */
export async function readAuditTrail(pages: AsyncIterable<Page<ApiAuditEvent>>): Promise<TrailRead> {
  const byId = new Map<string, AuditEvent>();
  let walked = 0;
  try {
    for await (const page of pages) {
      walked = page.page;
      for (const e of page.items) if (!byId.has(e.id)) byId.set(e.id, toEvent(e));
    }
  } catch (error) {
    const status = walked === 0 ? unavailableStatus(error) : undefined;
    if (status === undefined || !isAuditError(error)) throw error;
    return { status: 'unavailable', reason: error.message, httpStatus: status };
  }
  const events = [...byId.values()].sort(
    (a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id.localeCompare(b.id),
  );
  return { status: 'read', events, pages: walked };
}
