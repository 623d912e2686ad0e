/**
 * The roster (what HR or the identity provider says of each person) and the exceptions
 * reconciliation finds against the workspace. Types only (see workspace.ts for the rule
 * on imports).
 */

export type RosterStatus = 'active' | 'terminated';

/** One person of a roster, as imported. */
export interface RosterEntry {
  /** As written in the file. */
  email: string;
  /** The matching key (src/roster/match.ts): lower case, without a +tag. */
  emailKey: string;
  status: RosterStatus;
  /** ISO date (YYYY-MM-DD), or null when the roster gives none. */
  endDate: string | null;
  /** The matching keys of the person's other addresses, sorted. */
  aliases: readonly string[];
}

/** The exception kinds, in the order the sheet and the email list them. */
export const EXCEPTION_KINDS = ['terminated', 'not-in-roster', 'outside-domain', 'dormant'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** One row of the Exceptions sheet: an account (or invite) that should not be there as it is. */
export interface ExceptionRow {
  kind: ExceptionKind;
  /** The account holds a privileged role (or, for an invite, would). */
  privileged: boolean;
  subject: 'user' | 'invite';
  email: string;
  name: string | null;
  /** Why, in words: the end date, the domain, the last activity. */
  detail: string;
  /** The roster's end date (terminated), ISO; null otherwise. */
  endDate: string | null;
  /** Days since the end date (terminated) or since the last event as actor (dormant). */
  days: number | null;
  /** The access held, one `role on resource (via)` per line, privileged first. */
  access: string;
  /** Rows of the Access Review this account holds. */
  accessRows: number;
  userId: string | null;
}

/** What the Summary and the email say of reconciliation. */
export interface ReconciliationSummary {
  /** Rows of the roster in force at the snapshot (0: none loaded, not-in-roster unchecked). */
  rosterEntries: number;
  /** null: ALLOWED_EMAIL_DOMAINS unset for this snapshot (no domain check). */
  allowedDomains: readonly string[] | null;
  /** null: not checked (the trail was not read, or no setting was recorded). */
  dormantDays: number | null;
  counts: Record<ExceptionKind, number>;
  /** Terminated people who still hold privileged access: the email names them first. */
  terminatedPrivileged: { email: string; endDate: string | null; days: number | null }[];
  /** The first rows of the Exceptions sheet (privileged first), for the email to name. */
  first: Pick<ExceptionRow, 'kind' | 'email' | 'privileged' | 'detail'>[];
}
