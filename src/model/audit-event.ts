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
