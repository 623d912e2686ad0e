import type { AuditEvent, ChangeToAttribute } from '../model/audit-event.js';
import type { ChangeFlag } from '../model/report-data.js';
import { authorOf, explains, isTokenActor, TRACEABLE_KINDS } from './events.js';

/**
 * Who made each change of a period: a change row and the audit-trail events of the same
 * period are joined on what the events carry (type ↔ kind, the id or name they name, time).
 * Pure: the caller reads the rows and events and writes the result.
 *
 * Which id an event names depends on its type (the user, the group, the policy, an invite's
 * email), so an event matches a change when its resourceId or resourceName is any of the
 * change's names. Never a guess: when the candidates disagree on who acted, the change stays
 * unattributed and says so. Candidates that agree on the actor (one API call emits both
 * "Policy Created" and "User Policy Updated") attribute to that actor, with the latest event.
 * An event naming a membership's group rather than its user explains it only when that user
 * is the group's only one to join (or leave) in the period.
 */

/** The changes' period: events with `from < occurredAt <= to` (the two snapshots' taken_at). */
export interface TrailPeriod {
  from: Date;
  to: Date;
}

export type AttributionStatus =
  /** One actor explains it. */
  | 'attributed'
  /** Events of the period fit, from different actors: not guessed. */
  | 'ambiguous'
  /** No event of the period fits. */
  | 'unexplained'
  /** No documented event type records this kind of change. */
  | 'untraceable'
  /** The trail could not be read for the period. */
  | 'trail-unavailable';

export interface Attribution {
  changeId: string;
  status: AttributionStatus;
  /** Set exactly when attributed: the actor email, else the actor. */
  changedBy: string | undefined;
  eventId: string | undefined;
  flags: ChangeFlag[];
  /** Every fitting event's id, oldest first (one or more when attributed or ambiguous). */
  candidates: string[];
  /** Why it is not attributed, one line (for the report and the logs). */
  reason: string | undefined;
}

function lower(v: string | null | undefined): string | undefined {
  const t = v?.trim().toLowerCase();
  return t ? t : undefined;
}

/** The names an event might give the change's subject itself (lower-cased). */
function subjectNames(change: ChangeToAttribute): Set<string> {
  return new Set(
    [change.subjectId, change.subjectLabel].map(lower).filter((n): n is string => n !== undefined),
  );
}

/** A membership's group, by id and name: an event may name the group, not the user. */
function groupNames(change: ChangeToAttribute): Set<string> {
  if (change.kind !== 'membership_added' && change.kind !== 'membership_removed') return new Set();
  return new Set([change.groupId, change.groupName].map(lower).filter((n): n is string => n !== undefined));
}

function named(event: AuditEvent, names: Set<string>): boolean {
  const id = lower(event.resourceId);
  const name = lower(event.resourceName);
  return (id !== undefined && names.has(id)) || (name !== undefined && names.has(name));
}

function inPeriod(event: AuditEvent, change: ChangeToAttribute, period: TrailPeriod): boolean {
  const at = event.occurredAt.getTime();
  return (
    at > period.from.getTime() &&
    at <= period.to.getTime() &&
    explains(event, change.kind, change.subjectType)
  );
}

function byTime(a: AuditEvent, b: AuditEvent): number {
  return a.occurredAt.getTime() - b.occurredAt.getTime() || a.id.localeCompare(b.id);
}

/** Changes of one kind to one group in the period (a group-naming event cannot tell them apart). */
type Siblings = Map<string, number>;

function siblingKey(change: ChangeToAttribute): string {
  return `${change.kind} ${lower(change.groupId) ?? ''}`;
}

function countSiblings(changes: readonly ChangeToAttribute[]): Siblings {
  const siblings: Siblings = new Map();
  for (const c of changes) {
    if (groupNames(c).size === 0) continue;
    siblings.set(siblingKey(c), (siblings.get(siblingKey(c)) ?? 0) + 1);
  }
  return siblings;
}

/** Gaining access (a grant, a group joined) by the very user who gains it. */
function isSelfGrant(change: ChangeToAttribute, event: AuditEvent): boolean {
  if (change.subjectType !== 'user') return false;
  if (change.kind !== 'permission_granted' && change.kind !== 'membership_added') return false;
  const who = new Set([lower(event.actorEmail), lower(event.actor)]);
  return (
    who.has(lower(change.subjectId)) || (change.subjectLabel !== null && who.has(lower(change.subjectLabel)))
  );
}

function unattributed(
  change: ChangeToAttribute,
  status: Exclude<AttributionStatus, 'attributed'>,
  candidates: AuditEvent[],
  reason: string,
): Attribution {
  return {
    changeId: change.id,
    status,
    changedBy: undefined,
    eventId: undefined,
    flags: status === 'unexplained' ? ['no-audit-event'] : [],
    candidates: candidates.map((e) => e.id),
    reason,
  };
}

/**
 * The events that fit: those naming the subject itself; failing any, those naming a
 * membership's group, when that change is the only one of its kind to that group (else
 * a reason: which of the members an event meant cannot be told).
 */
function candidatesOf(
  change: ChangeToAttribute,
  events: readonly AuditEvent[],
  period: TrailPeriod,
  siblings: Siblings,
): AuditEvent[] | string {
  const fitting = events.filter((e) => inPeriod(e, change, period));
  const own = fitting.filter((e) => named(e, subjectNames(change)));
  if (own.length > 0) return own.sort(byTime);
  const viaGroup = fitting.filter((e) => named(e, groupNames(change)));
  const others = (siblings.get(siblingKey(change)) ?? 0) - 1;
  if (viaGroup.length > 0 && others > 0) {
    return `${viaGroup.length} events name the group, not the user, and ${others + 1} users had a ${change.kind} there`;
  }
  return viaGroup.sort(byTime);
}

function attributeOne(
  change: ChangeToAttribute,
  events: readonly AuditEvent[],
  period: TrailPeriod,
  siblings: Siblings,
): Attribution {
  const candidates = candidatesOf(change, events, period, siblings);
  if (typeof candidates === 'string') return unattributed(change, 'ambiguous', [], candidates);
  if (candidates.length === 0) {
    if (!TRACEABLE_KINDS.has(change.kind)) {
      return unattributed(change, 'untraceable', [], `no audit event type records ${change.kind}`);
    }
    return unattributed(change, 'unexplained', [], 'no audit event of the period names this change');
  }
  const authors = [...new Set(candidates.map(authorOf))];
  if (authors.length > 1) {
    const who = authors.sort().join(', ');
    return unattributed(
      change,
      'ambiguous',
      candidates,
      `${candidates.length} events of different actors fit (${who})`,
    );
  }
  const event = candidates[candidates.length - 1] as AuditEvent;
  const flags: ChangeFlag[] = [];
  if (isSelfGrant(change, event)) flags.push('self-granted');
  if (isTokenActor(event)) flags.push('by-token');
  return {
    changeId: change.id,
    status: 'attributed',
    changedBy: authorOf(event),
    eventId: event.id,
    flags,
    candidates: candidates.map((e) => e.id),
    reason: undefined,
  };
}

/**
 * One attribution per change, in the changes' order. `trailRead` false (the trail was
 * unavailable for the period): nothing is attributed and nothing flagged `no-audit-event`.
 */
export function attributeChanges(
  changes: readonly ChangeToAttribute[],
  events: readonly AuditEvent[],
  period: TrailPeriod,
  trailRead = true,
): Attribution[] {
  if (!trailRead) {
    return changes.map((c) => unattributed(c, 'trail-unavailable', [], 'the audit trail could not be read'));
  }
  const siblings = countSiblings(changes);
  return changes.map((change) => attributeOne(change, events, period, siblings));
}

export interface AttributionCounts {
  attributed: number;
  unattributed: number;
  ambiguous: number;
  flags: Record<ChangeFlag, number>;
}

/** The Summary's figures. */
export function countAttributions(results: readonly Attribution[]): AttributionCounts {
  const counts: AttributionCounts = {
    attributed: 0,
    unattributed: 0,
    ambiguous: 0,
    flags: { 'self-granted': 0, 'by-token': 0, 'no-audit-event': 0 },
  };
  for (const r of results) {
    if (r.status === 'attributed') counts.attributed++;
    else counts.unattributed++;
    if (r.status === 'ambiguous') counts.ambiguous++;
    for (const f of r.flags) counts.flags[f]++;
  }
  return counts;
}
