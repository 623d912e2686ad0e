/**
 * Kysely's view of the `audit` schema (see migrations/). Types only. Times come back
 * from pg as Date; integer ids as number; bigint ids (history and change rows) as string.
 */
import type { ColumnType, Generated } from 'kysely';
import type { RemediationOperation } from '../model/remediation.js';
import type { SnapshotStatus } from '../model/report-data.js';
import type { ReviewDecision } from '../model/review.js';
import type { SnakeRow } from './rows.js';

type Json = ColumnType<unknown, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type BigId = ColumnType<string, never, never>;

export interface SnapshotsTable {
  id: Generated<number>;
  taken_at: Timestamp;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
  status: Generated<SnapshotStatus>;
  error: string | null;
  user_count: number | null;
  invite_count: number | null;
  group_count: number | null;
  membership_count: number | null;
  grant_count: number | null;
  change_count: number | null;
  workspace_id: string | null;
  workspace_name: string | null;
  workspace_slug: string | null;
  api_url: string;
  stale_invite_days: number;
  completeness: Json | null;
  crawl_stats: Json | null;
  roles: Json | null;
  /** Whether the run read the audit trail (0008); NULL: a run from before. */
  trail_status: 'read' | 'unavailable' | null;
  trail_error: string | null;
  trail_events: number | null;
  /** Migration 0011: the reconciliation settings in force for this snapshot. */
  allowed_email_domains: string[] | null;
  dormant_days: number | null;
}

interface Validity {
  valid_from: Timestamp;
  valid_to: Timestamp | null;
}

interface UserHistoryTable extends Validity {
  id: BigId;
  user_id: string;
  email: string;
  name: string;
}

interface GroupHistoryTable extends Validity {
  id: BigId;
  group_id: string;
  name: string;
}

interface MembershipHistoryTable extends Validity {
  id: BigId;
  user_id: string;
  group_id: string;
}

interface GrantHistoryTable extends Validity {
  id: BigId;
  principal_type: 'user' | 'group';
  principal_id: string;
  role_id: string;
  role_name: string;
  resource_type: string;
  resource_id: string;
  /** The grant's label scope, canonical (labels.ts); '' when none. */
  labels: ColumnType<string, string | undefined, string>;
}

/** The name of a resource (source, warehouse, space, function, label, the workspace) over time. */
export interface ResourceHistoryTable extends Validity {
  id: BigId;
  resource_type: string;
  resource_id: string;
  name: string;
}

interface InviteHistoryTable {
  id: BigId;
  email: string;
  group_id: string | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
  closed_at: Timestamp | null;
  outcome: 'accepted' | 'withdrawn' | null;
  accepted_user_id: string | null;
}

interface ChangesTable {
  id: BigId;
  snapshot_id: number;
  detected_at: Timestamp;
  kind: string;
  subject_type: 'user' | 'group' | 'invite';
  subject_id: string;
  subject_label: string | null;
  role_id: string | null;
  role_name: string | null;
  resource_type: string | null;
  resource_id: string | null;
  /** A grant change's label scope; '' for other kinds and unscoped grants. */
  labels: ColumnType<string, string | undefined, string>;
  group_id: string | null;
  detail: Json;
  /** The audit trail's author (0008) and what attribution concluded (0012). */
  changed_by: string | null;
  event_id: string | null;
  attribution: string | null;
  attribution_flags: Generated<string[]>;
  attribution_note: string | null;
}

export interface ReportsTable {
  id: Generated<number>;
  snapshot_id: number;
  against_snapshot_id: number | null;
  file_name: string;
  /** bigint in SQL; the pools parse it as a number (reports are far below 2^53 bytes). */
  bytes: number;
  file_sha256: string;
  data_sha256: string;
  permission_changes: Generated<number>;
  stale_invites: Generated<number>;
  open_invites: Generated<number>;
  privileged_grants: Generated<number>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** PRIVILEGED_ROLES the report was written with; null for reports from before migration 0014. */
  privileged_roles: ColumnType<
    string[] | null,
    readonly string[] | null | undefined,
    readonly string[] | null
  >;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'skipped';

export interface DeliveriesTable {
  id: Generated<number>;
  snapshot_id: number;
  message_id: string;
  recipients: string[];
  status: DeliveryStatus;
  attempts: Generated<number>;
  last_error: string | null;
  last_attempt_at: Timestamp | null;
  sent_at: Timestamp | null;
  created_at: Generated<Date>;
}

/**
 * Append-only (migration 0009's trigger refuses UPDATE and DELETE). Its columns are the
 * decision record's fields, snake_cased, plus the row's identity and provenance.
 */
export type ReviewDecisionsTable = SnakeRow<ReviewDecision> & {
  id: BigId;
  file_sha256: string;
  recorded_at: Generated<Date>;
};

export type RemediationStatus = 'planned' | 'applied' | 'failed' | 'undone';
export type RemediationOutcome = 'sent' | 'already-gone' | 'found-done';

interface RemediationActionsTable {
  id: BigId;
  plan_key: string;
  decision_id: string | null;
  decision_ids: ColumnType<string[], string[] | undefined, string[]>;
  operation: RemediationOperation;
  target: string;
  request: Json;
  revoked: ColumnType<unknown, string | undefined, string>;
  status: Generated<RemediationStatus>;
  outcome: RemediationOutcome | null;
  response: Json | null;
  error: string | null;
  undo_of: string | null;
  recorded_at: Timestamp;
  applied_at: Timestamp | null;
  undone_at: Timestamp | null;
  verified_snapshot_id: number | null;
  unverified_snapshot_id: number | null;
}

/** Migration 0011: the roster's history (end_date is a date: read it as text). */
interface RosterHistoryTable extends Validity {
  id: BigId;
  email: string;
  email_key: string;
  status: 'active' | 'terminated';
  end_date: ColumnType<string | null, string | null, string | null>;
  aliases: Generated<string>;
}

interface ScheduleClaimsTable {
  period: Timestamp;
  instance: string;
  claimed_at: Generated<Date>;
}

/** One row (id always true): configuration SQL itself reads (migration 0013). */
interface SettingsTable {
  id: Generated<boolean>;
  privileged_roles: string[];
}

export interface Database {
  'audit.snapshots': SnapshotsTable;
  'audit.user_history': UserHistoryTable;
  'audit.group_history': GroupHistoryTable;
  'audit.membership_history': MembershipHistoryTable;
  'audit.grant_history': GrantHistoryTable;
  'audit.resource_history': ResourceHistoryTable;
  'audit.invite_history': InviteHistoryTable;
  'audit.changes': ChangesTable;
  'audit.reports': ReportsTable;
  'audit.deliveries': DeliveriesTable;
  'audit.schedule_claims': ScheduleClaimsTable;
  'audit.review_decisions': ReviewDecisionsTable;
  'audit.remediation_actions': RemediationActionsTable;
  'audit.roster_history': RosterHistoryTable;
  'audit.settings': SettingsTable;
}
