/**
 * The simulated workspace's audit trail: what `GET /audit-events` serves. Events have the
 * SDK's `AuditEventV1` shape (id, timestamp, type, actor, actorEmail?, resourceId,
 * resourceType, resourceName); a token acting has no `actorEmail`. Kept for a retention
 * window (Segment: 90 days) counted back from the simulation's clock, and switchable off,
 * as for a workspace without the Business plan (the route then refuses the list).
 *
 * Pagination goes through the simulator's sorted-key pages: a key orders events newest
 * first (the trail is read back from `endTime`), then by id, and survives events being
 * added between two page requests.
 */
import { invalid } from './http.js';

export interface TrailActor {
  name: string;
  /** Absent for an API token. */
  email?: string;
}

export interface TrailResource {
  id: string;
  type: string;
  name: string;
}

export interface SimulatedAuditEvent {
  id: string;
  timestamp: string;
  type: string;
  actor: string;
  actorEmail?: string;
  resourceId: string;
  resourceType: string;
  resourceName: string;
}

export interface AuditTrailOptions {
  /** The simulation's clock (the demo moves it; tests fix it). */
  now: () => Date;
  retentionDays?: number;
  enabled?: boolean;
}

export interface TrailWindowQuery {
  startTime?: Date;
  endTime?: Date;
}

const DAY_MS = 86_400_000;
// Keys sort newest first: the time is stored as its distance to a far instant.
const FAR_MS = 9_000_000_000_000_000;

function keyOf(event: SimulatedAuditEvent): string {
  return `${String(FAR_MS - Date.parse(event.timestamp)).padStart(16, '0')} ${event.id}`;
}

export class SimulatedAuditTrail {
  readonly #now: () => Date;
  readonly #retentionMs: number;
  readonly #byKey = new Map<string, SimulatedAuditEvent>();
  #seq = 0;
  /** False: the workspace has no audit trail to read (no plan); events are still recorded. */
  enabled: boolean;
  /** Set: the trail's clock stands at this instant (tests and the demo place events in time). */
  fixedAt: Date | undefined;

  constructor(options: AuditTrailOptions) {
    this.#now = options.now;
    this.#retentionMs = (options.retentionDays ?? 90) * DAY_MS;
    this.enabled = options.enabled ?? true;
  }

  now(): Date {
    return this.fixedAt ?? this.#now();
  }

  /** One event of a write or a scenario mutation, at the simulation's time (or `at`). */
  record(
    type: string,
    actor: TrailActor,
    resource: TrailResource,
    at: Date = this.now(),
  ): SimulatedAuditEvent {
    this.#seq++;
    const event: SimulatedAuditEvent = {
      id: `audit_${String(this.#seq).padStart(10, '0')}`,
      timestamp: at.toISOString(),
      type,
      actor: actor.name,
      ...(actor.email === undefined ? {} : { actorEmail: actor.email }),
      resourceId: resource.id,
      resourceType: resource.type,
      resourceName: resource.name,
    };
    this.#byKey.set(keyOf(event), event);
    return event;
  }

  /**
   * The page keys of a window, newest first: events still within retention, after
   * `startTime` and up to `endTime` (default: now).
   */
  keys(window: TrailWindowQuery = {}): string[] {
    const now = this.now().getTime();
    const from = Math.max(now - this.#retentionMs, window.startTime?.getTime() ?? Number.NEGATIVE_INFINITY);
    const to = window.endTime?.getTime() ?? now;
    const keys: string[] = [];
    for (const [key, e] of this.#byKey) {
      const t = Date.parse(e.timestamp);
      if (t > from && t <= to) keys.push(key);
    }
    return keys.sort();
  }

  event(key: string): SimulatedAuditEvent | undefined {
    return this.#byKey.get(key);
  }
}

function time(query: URLSearchParams, name: 'startTime' | 'endTime'): Date | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  if (raw.trim() === '' || Number.isNaN(ms))
    throw invalid(`${name} must be an ISO-8601 time (got '${raw}')`, name);
  return new Date(ms);
}

/** `startTime` / `endTime` of a request; a malformed one is the API's 422. */
export function parseTrailWindow(query: URLSearchParams): TrailWindowQuery {
  const window = { startTime: time(query, 'startTime'), endTime: time(query, 'endTime') };
  if (window.startTime && window.endTime && window.startTime > window.endTime) {
    throw invalid('startTime must not be after endTime', 'startTime');
  }
  return window;
}
