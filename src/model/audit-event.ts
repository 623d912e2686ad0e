import type { ChangeKind } from './report-data.js';

/**
 * One audit-trail event as every stage sees it (read by segment/, kept by store/, matched
 * by trail/): the SDK's `AuditEventV1` with its timestamp parsed and `actorEmail` absent
 * when the API gives none (absent or null there).
 */
export interface AuditEvent {
  id: string;
  occurredAt: Date;
  type: string;
  /** "The user or API token that triggered this event". */
  actor: string;
  actorEmail: string | undefined;
  resourceId: string;
  resourceType: string;
  resourceName: string;
}

/**
 * One `audit.changes` row as attribution reads it: kept by store/ (changeSubjects), matched
 * to events by trail/ (attributeChanges).
 */
export interface ChangeToAttribute {
  /** `audit.changes.id` (bigint, as text). */
  id: string;
  kind: ChangeKind;
  subjectType: 'user' | 'group' | 'invite';
  subjectId: string;
  /** The user's email, the group's name, or the invite's email. */
  subjectLabel: string | null;
  groupId: string | null;
  /** `detail.group_name` of a membership or group invite, where known. */
  groupName: string | null;
}
