import type { AuditEvent } from '../model/audit-event.js';
import type { ChangeKind } from '../model/report-data.js';

/**
 * What the audit trail's event types can explain. Segment's IAM reference names the events
 * its write operations emit; an event type is compared without regard to case or spacing
 * (the reference itself is not consistent about capitals). A kind missing here (a user
 * accepting an invite, renaming themselves, a group created) has no documented event, so
 * "nothing in the trail explains it" would say nothing about it: it is never flagged.
 */
const EXPLAINS: Readonly<Record<string, readonly ChangeKind[]>> = {
  'policy created': ['permission_granted', 'permission_revoked'],
  'user policy updated': ['permission_granted', 'permission_revoked'],
  'user group policy updated': ['permission_granted', 'permission_revoked'],
  'user added to user group': ['membership_added'],
  'user removed from user group': ['membership_removed'],
  'invite created': ['invite_created'],
  'invite deleted': ['invite_withdrawn'],
  'user deleted': ['user_removed'],
};

/** Event types that name a user's own policy, or a group's: they never explain the other subject. */
const USER_ONLY = new Set(['user policy updated']);
const GROUP_ONLY = new Set(['user group policy updated']);

function normalType(type: string): string {
  return type.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Kinds some documented event type can explain: only these can be `no-audit-event`. */
export const TRACEABLE_KINDS: ReadonlySet<ChangeKind> = new Set(Object.values(EXPLAINS).flat());

export function explains(event: AuditEvent, kind: ChangeKind, subjectType: string): boolean {
  const type = normalType(event.type);
  if (!(EXPLAINS[type] ?? []).includes(kind)) return false;
  if (USER_ONLY.has(type) && subjectType !== 'user') return false;
  if (GROUP_ONLY.has(type) && subjectType !== 'group') return false;
  return true;
}

/**
 * Whether an API token, not a person, triggered the event. The SDK's model says `actor`
 * is "the user or API token that triggered this event" and `actorEmail` "the email of the
 * user": a token has no email. So: no actorEmail, and an actor that is not an email
 * address either (some events may carry the user's email as the actor and no actorEmail).
 */
export function isTokenActor(event: AuditEvent): boolean {
  if (event.actorEmail !== undefined && event.actorEmail.trim() !== '') return false;
  return !/^[^\s@]+@[^\s@]+$/.test(event.actor.trim());
}

/** `changed_by`: the actor's email, else the actor (a name or a token's label). */
export function authorOf(event: AuditEvent): string {
  const email = event.actorEmail?.trim();
  return email ? email : event.actor;
}
