/**
 * Reconciliation, pure: the workspace's users and invites at a snapshot against the
 * roster in force then, the allowed domains and the audit trail, as rows of the
 * Exceptions sheet, the Summary's counts and the Access Review's suggested decisions.
 *
 * - terminated: on the roster as terminated and still a user, once the end date (if any)
 *   has come; days count from the end date.
 * - not-in-roster: a user the roster does not list (checked only when a roster is loaded).
 * - outside-domain: a user or invite whose domain is not allowed (ALLOWED_EMAIL_DOMAINS).
 * - dormant: no event as actor for DORMANT_DAYS (only when the trail was read). A user
 *   first seen less than DORMANT_DAYS ago is never dormant: the audits have not watched
 *   them that long, so silence proves nothing yet.
 */
import type { AccessRow } from '../model/report-data.js';
import {
  EXCEPTION_KINDS,
  type ExceptionKind,
  type ExceptionRow,
  type ReconciliationSummary,
  type RosterEntry,
} from '../model/roster.js';
import { domainAllowed, domainOf, emailKey } from './match.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReconcileInput {
  at: Date;
  users: readonly { userId: string; email: string; name: string; firstSeen: Date }[];
  invites: readonly { email: string; groupName: string | null }[];
  /** The roster in force at `at`; empty: none loaded. */
  roster: readonly RosterEntry[];
  allowedDomains: readonly string[] | null;
  /** null: not checked (the trail was not read for this snapshot). */
  dormant: { days: number; lastActivity: ReadonlyMap<string, Date> } | null;
}

/** An exception before the access it concerns is attached. */
export type Finding = Omit<ExceptionRow, 'privileged' | 'access' | 'accessRows'>;

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
const daysBetween = (from: Date, to: Date): number => Math.floor((to.getTime() - from.getTime()) / DAY_MS);

function rosterIndex(roster: readonly RosterEntry[]): Map<string, RosterEntry> {
  const index = new Map<string, RosterEntry>();
  for (const entry of roster) for (const key of [entry.emailKey, ...entry.aliases]) index.set(key, entry);
  return index;
}

function terminated(
  entry: RosterEntry,
  at: Date,
): { detail: string; days: number | null; endDate: string | null } | null {
  if (entry.status !== 'terminated') return null;
  if (entry.endDate === null) {
    return { detail: 'terminated on the roster (no end date given)', days: null, endDate: null };
  }
  const days = daysBetween(new Date(`${entry.endDate}T00:00:00Z`), at);
  // Before the last day the access is still due (a notice period).
  if (days < 0) return null;
  return { detail: `terminated on the roster, end date ${entry.endDate}`, days, endDate: entry.endDate };
}

function dormancy(
  input: ReconcileInput,
  user: ReconcileInput['users'][number],
  keys: readonly string[],
  activity: ReadonlyMap<string, Date>,
): { detail: string; days: number } | null {
  const d = input.dormant;
  if (d === null) return null;
  if (daysBetween(user.firstSeen, input.at) < d.days) return null;
  let last: Date | undefined;
  for (const key of keys) {
    const seen = activity.get(key);
    if (seen !== undefined && (last === undefined || seen > last)) last = seen;
  }
  if (last === undefined) {
    return {
      detail: `no event as actor in the audit trail (first seen ${isoDay(user.firstSeen)})`,
      days: daysBetween(user.firstSeen, input.at),
    };
  }
  const days = daysBetween(last, input.at);
  return days >= d.days ? { detail: `last event as actor on ${isoDay(last)}`, days } : null;
}

/** The latest activity per matching key (actors' addresses normalised by the one rule). */
function activityByKey(lastActivity: ReadonlyMap<string, Date>): Map<string, Date> {
  const out = new Map<string, Date>();
  for (const [email, at] of lastActivity) {
    const key = emailKey(email);
    const known = out.get(key);
    if (known === undefined || at > known) out.set(key, at);
  }
  return out;
}

function outsideDomain(email: string, allowed: readonly string[] | null): string | null {
  if (allowed === null || domainAllowed(email, allowed)) return null;
  return `domain ${domainOf(email) || '(none)'} is not in ${allowed.join(', ')}`;
}

/** Every exception of the snapshot, users then invites, before access is attached. */
export function findExceptions(input: ReconcileInput): Finding[] {
  const index = rosterIndex(input.roster);
  const activity = activityByKey(input.dormant?.lastActivity ?? new Map());
  const out: Finding[] = [];
  for (const user of input.users) {
    const key = emailKey(user.email);
    const entry = index.get(key);
    const base = {
      subject: 'user' as const,
      email: user.email,
      name: user.name,
      userId: user.userId,
      endDate: null,
    };
    const gone = entry ? terminated(entry, input.at) : null;
    if (gone) out.push({ ...base, kind: 'terminated', ...gone });
    if (input.roster.length > 0 && entry === undefined) {
      out.push({ ...base, kind: 'not-in-roster', detail: 'not on the roster', days: null });
    }
    const domain = outsideDomain(user.email, input.allowedDomains);
    if (domain) out.push({ ...base, kind: 'outside-domain', detail: domain, days: null });
    const quiet = dormancy(input, user, [key, ...(entry?.aliases ?? [])], activity);
    if (quiet) out.push({ ...base, kind: 'dormant', ...quiet });
  }
  for (const invite of input.invites) {
    const domain = outsideDomain(invite.email, input.allowedDomains);
    if (domain === null) continue;
    const to = invite.groupName === null ? 'workspace' : `group ${invite.groupName}`;
    out.push({
      kind: 'outside-domain',
      subject: 'invite',
      email: invite.email,
      name: null,
      userId: null,
      endDate: null,
      detail: `pending invite to the ${to}; ${domain}`,
      days: null,
    });
  }
  return out;
}

const MAX_ACCESS_ITEMS = 50;

function accessText(rows: readonly AccessRow[]): string {
  const sorted = [...rows].sort((a, b) => Number(b.privileged) - Number(a.privileged));
  const items = sorted.slice(0, MAX_ACCESS_ITEMS).map((r) => {
    const scope = r.labels === '' ? '' : ` [${r.labels}]`;
    return `${r.roleName} on ${r.resourceType} ${r.resourceName ?? r.resourceId}${scope} (${r.via})`;
  });
  if (sorted.length > MAX_ACCESS_ITEMS) items.push(`… and ${sorted.length - MAX_ACCESS_ITEMS} more`);
  return items.join('; ');
}

/** The sheet's rows: each finding with the access its account holds, privileged first. */
export function exceptionRows(
  findings: readonly Finding[],
  accessByUser: ReadonlyMap<string, readonly AccessRow[]>,
): ExceptionRow[] {
  const rows = findings.map((f): ExceptionRow => {
    const access = f.userId === null ? [] : (accessByUser.get(f.userId) ?? []);
    return {
      ...f,
      privileged: access.some((a) => a.privileged),
      access: accessText(access),
      accessRows: access.length,
    };
  });
  const order = (k: ExceptionKind) => EXCEPTION_KINDS.indexOf(k);
  return rows.sort(
    (a, b) =>
      Number(b.privileged) - Number(a.privileged) ||
      order(a.kind) - order(b.kind) ||
      (a.email < b.email ? -1 : a.email > b.email ? 1 : 0) ||
      (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0) ||
      // Two users of one address: by id, so the users' order as read does not matter.
      ((a.userId ?? '') < (b.userId ?? '') ? -1 : (a.userId ?? '') > (b.userId ?? '') ? 1 : 0),
  );
}

/** How many exceptions the email names (the sheet has them all). */
const FIRST_IN_EMAIL = 10;

export function reconciliationSummary(
  rows: readonly ExceptionRow[],
  input: Pick<ReconcileInput, 'roster' | 'allowedDomains' | 'dormant'>,
): ReconciliationSummary {
  const counts = Object.fromEntries(EXCEPTION_KINDS.map((k) => [k, 0])) as Record<ExceptionKind, number>;
  for (const r of rows) counts[r.kind]++;
  return {
    rosterEntries: input.roster.length,
    allowedDomains: input.allowedDomains,
    dormantDays: input.dormant?.days ?? null,
    counts,
    terminatedPrivileged: rows
      .filter((r) => r.kind === 'terminated' && r.privileged)
      .map((r) => ({ email: r.email, endDate: r.endDate, days: r.days })),
    first: rows
      .slice(0, FIRST_IN_EMAIL)
      .map((r) => ({ kind: r.kind, email: r.email, privileged: r.privileged, detail: r.detail })),
  };
}

/**
 * What the Access Review suggests for an account's rows: `Revoke` for the terminated and
 * the dormant, `Check` for accounts the roster or the domains do not vouch for (a
 * contractor may be there on purpose). A column apart: the reviewer's Decision stays empty.
 */
export function suggestedDecisions(rows: readonly ExceptionRow[]): Map<string, string> {
  const kinds = new Map<string, ExceptionKind[]>();
  for (const r of rows) {
    if (r.userId === null) continue;
    const list = kinds.get(r.userId) ?? [];
    if (!list.includes(r.kind)) list.push(r.kind);
    kinds.set(r.userId, list);
  }
  const out = new Map<string, string>();
  for (const [userId, list] of kinds) {
    const revoke = list.includes('terminated') || list.includes('dormant');
    out.set(userId, `${revoke ? 'Revoke' : 'Check'} (${list.join(', ')})`);
  }
  return out;
}
