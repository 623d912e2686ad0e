import { privilegedRuleText } from '../model/privileged.js';
import { CHANGE_KINDS, type ReportSummary, type TrailSummary } from '../model/report-data.js';
import type { ReviewStatusRow } from '../model/review.js';
import type { ReconciliationSummary } from '../model/roster.js';
import type { Completeness } from '../model/workspace.js';
import { type Cell, text } from './cells.js';
import { DATA_HASH_VERSION } from './data-hash.js';
import type { ReportCounts } from './scan.js';
import { signOffLines } from './sign-off.js';

/**
 * The Summary sheet, pure: the lines an auditor reads first. Scope (workspace, API),
 * period, parameters, population, changes, completeness checks and the integrity chain.
 * Dates stay instants here; the writer shows them in the report's time zone.
 */

type SummaryLineKind = 'title' | 'section' | 'field' | 'warning';

export interface SummaryLine {
  kind: SummaryLineKind;
  label: string;
  value: Cell;
}

const title = (label: string): SummaryLine => ({ kind: 'title', label, value: null });
const section = (label: string): SummaryLine => ({ kind: 'section', label, value: null });
const field = (label: string, value: Cell): SummaryLine => ({ kind: 'field', label, value });
const warning = (label: string, value: Cell): SummaryLine => ({ kind: 'warning', label, value });

const countOrUnknown = (n: number | null | undefined): Cell =>
  n === null || n === undefined ? 'not recorded' : n;

function declaredVsWalked(
  declared: number | undefined,
  walked: number,
): { value: string; ok: boolean | undefined } {
  if (declared === undefined) return { value: `walked ${walked} (the API declared no total)`, ok: undefined };
  const ok = declared === walked;
  return { value: `declared ${declared}, walked ${walked}: ${ok ? 'OK' : 'MISMATCH'}`, ok };
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Records without `permissions` (optional in the API: such a user or group holds no
 * direct grant) and resource lists the token could not read. Snapshots from before these
 * were recorded say so rather than claim zero.
 */
function permissionsAndNames(c: Partial<Completeness>): SummaryLine[] {
  const w = c.withoutPermissions;
  const lines = [
    field(
      'Detail records without permissions',
      w === undefined
        ? 'not recorded for this snapshot'
        : `${count(w.users, 'user')}, ${count(w.groups, 'group')} (no permissions member: no direct grants)`,
    ),
  ];
  const unreadable = c.unreadableResourceLists;
  if (unreadable === undefined) lines.push(field('Resource names', 'not recorded for this snapshot'));
  else if (unreadable.length === 0) lines.push(field('Resource names', 'every resource list was read'));
  else {
    lines.push(
      warning(
        'Resource names',
        text(
          `the token could not read ${unreadable.join(', ')}: resources of ${unreadable.length === 1 ? 'that kind' : 'those kinds'} are named by id only`,
        ),
      ),
    );
  }
  return lines;
}

function completenessLines(c: Completeness | null): SummaryLine[] {
  if (c === null) return [field('Completeness', 'not recorded for this snapshot')];
  const lines: SummaryLine[] = [];
  for (const list of ['users', 'invites', 'groups', 'roles'] as const) {
    const r = declaredVsWalked(c.declared[list], c.walked[list]);
    const label = `${list[0]?.toUpperCase()}${list.slice(1)} (totalEntries)`;
    lines.push(r.ok === false ? warning(label, r.value) : field(label, r.value));
  }
  if (c.memberCountMismatches.length === 0) {
    lines.push(field('Group memberCount checks', 'every group: declared = walked'));
  } else {
    lines.push(warning('Group memberCount mismatches', c.memberCountMismatches.length));
    for (const m of c.memberCountMismatches) {
      lines.push(warning(`  group ${text(m.groupId) ?? ''}`, `declared ${m.declared}, walked ${m.walked}`));
    }
  }
  if (c.groupsDeletedDuringWalk.length === 0) {
    lines.push(field('Groups deleted during the walk', 'none'));
  } else {
    lines.push(warning('Groups deleted during the walk', text(c.groupsDeletedDuringWalk.join(', '))));
  }
  const x = c.crossCheck;
  const xText = `sampled ${x.sampled} users, ${x.agreed} agreed, ${x.disagreements.length} disagreed`;
  lines.push(
    x.disagreements.length === 0
      ? field('Membership cross-check', xText)
      : warning('Membership cross-check', xText),
  );
  for (const d of x.disagreements) {
    lines.push(
      warning(
        `  user ${text(d.userId) ?? ''}`,
        text(`user's groups [${d.fromUser.join(', ')}] vs group walks [${d.fromGroups.join(', ')}]`),
      ),
    );
  }
  lines.push(...permissionsAndNames(c));
  if (c.warnings.length === 0) lines.push(field('Crawler warnings', 'none'));
  for (const w of c.warnings) lines.push(warning('Crawler warning', text(w)));
  return lines;
}

/**
 * The audit trail: whether the run could read it (and why not), then who the period's
 * changes are put down to. Without the trail nothing is "unexplained": the counts say so.
 */
function trailLines(t: TrailSummary | undefined, baseline: boolean): SummaryLine[] {
  const lines = [section('Who changed it (audit trail)')];
  if (t === undefined || t.status === null)
    return [...lines, field('Audit trail', 'not read for this snapshot')];
  if (t.status === 'unavailable') {
    lines.push(warning('Audit trail', text(`audit trail unavailable: ${t.error ?? 'no reason given'}`)));
  } else {
    lines.push(field('Audit trail', `read: ${count(t.events ?? 0, 'event')} fetched by this run`));
  }
  if (baseline) return lines;
  lines.push(
    field('Changes attributed', t.attributed),
    field('Changes unattributed', t.unattributed),
    field('  of which ambiguous (not guessed)', t.ambiguous),
  );
  for (const flag of ['self-granted', 'by-token', 'no-audit-event'] as const) {
    const n = t.flags[flag];
    lines.push(n > 0 && flag !== 'no-audit-event' ? warning(`Flag ${flag}`, n) : field(`Flag ${flag}`, n));
  }
  return lines;
}

/**
 * Each exception kind's count, or why it was not checked: a zero that means "not looked
 * at" must not read as "nothing found".
 */
function reconciliationLines(r: ReconciliationSummary | undefined): SummaryLine[] {
  if (r === undefined) return [field('Exceptions', 'not reconciled for this report')];
  const flagged = (label: string, n: number): SummaryLine => (n > 0 ? warning(label, n) : field(label, n));
  const roster = r.rosterEntries > 0;
  return [
    field(
      'Roster',
      roster
        ? `${r.rosterEntries} people in force at this snapshot`
        : 'none loaded (roster import or ROSTER_FILE)',
    ),
    flagged('Terminated, still holding access', r.counts.terminated),
    roster
      ? flagged('Not in the roster', r.counts['not-in-roster'])
      : field('Not in the roster', 'not checked: no roster'),
    r.allowedDomains === null
      ? field('Outside the allowed domains', 'not checked: ALLOWED_EMAIL_DOMAINS unset')
      : flagged(
          `Outside ${text(r.allowedDomains.join(', '))} (users and invites)`,
          r.counts['outside-domain'],
        ),
    r.dormantDays === null
      ? field('Dormant', 'not checked: the audit trail was not read for this snapshot')
      : flagged(`Dormant (no event as actor for ${r.dormantDays} days)`, r.counts.dormant),
  ];
}

export function summaryLines(
  s: ReportSummary,
  scan: { dataSha256: string; counts: ReportCounts },
  review: readonly ReviewStatusRow[] = [],
): SummaryLine[] {
  const baseline = s.previous === null;
  const w = s.workspace;
  const lines: SummaryLine[] = [
    title(`Segment access audit: ${w.name} (${w.slug})`),
    field(
      'Report',
      baseline
        ? 'Baseline: the first report of this workspace. It records no changes; invite ages count from this first sight.'
        : `Changes between snapshot ${s.previous?.id} and snapshot ${s.current.id}`,
    ),

    section('Scope'),
    field('Workspace name', text(w.name)),
    field('Workspace ID', text(w.id)),
    field('Workspace slug', text(w.slug)),
    field('API base URL', text(s.apiUrl)),

    section('Period'),
    field('Previous snapshot', baseline ? 'baseline (none)' : (s.previous?.id ?? null)),
    field('Previous snapshot taken at', baseline ? 'baseline (none)' : (s.previous?.takenAt ?? null)),
    field('Current snapshot', s.current.id),
    field('Current snapshot taken at', s.current.takenAt),

    section('Parameters'),
    field('Stale invite threshold (days)', s.staleInviteDays),
    field('Privileged (PRIVILEGED_ROLES)', text(privilegedRuleText(s.privilegedRoles))),
    field('Time zone of dates', s.timezone),
    field('Tool version', s.toolVersion),

    section('Population (current snapshot)'),
    field('Users', countOrUnknown(s.current.userCount)),
    field('Invite rows (workspace and group invites)', countOrUnknown(s.current.inviteCount)),
    field('Groups', countOrUnknown(s.current.groupCount)),
    field('Access Review rows', scan.counts.accessReview),
    field('Open invites', scan.counts.invites),

    section('Exceptions (the Exceptions sheet)'),
    ...reconciliationLines(s.reconciliation),

    section('Changes'),
    field('Permission changes (rows)', scan.counts.permissionChanges),
    field('Stale invites', scan.counts.staleInvites),
    field('Membership changes (rows)', scan.counts.membershipChanges),
    ...CHANGE_KINDS.map((kind) => field(`  ${kind}`, s.changeCounts[kind] ?? 0)),
    ...trailLines(s.trail, baseline),

    section('Completeness'),
    ...completenessLines(s.completeness),
  ];

  if (s.crawlStats !== null) {
    const st = s.crawlStats;
    lines.push(
      section('Crawl'),
      field('API requests', st.requests),
      field('Retried attempts', st.retries),
      field('Rate-limited answers (429)', st.rateLimited),
      field('Crawl duration (s)', Math.round(st.durationMs / 100) / 10),
    );
  }

  lines.push(...signOffLines(review));

  lines.push(
    section('Integrity'),
    field('Data SHA-256 (this report)', scan.dataSha256),
    field(
      'Data SHA-256 (previous report)',
      s.previousDataSha256 ?? (baseline ? 'none (baseline)' : 'not recorded'),
    ),
    field(
      'Data hash method',
      `v${DATA_HASH_VERSION}: SHA-256 over the data sheets' rows as JSON lines (dates as UTC instants); excludes this Summary`,
    ),
    field('Generated at', s.generatedAt),
  );
  return lines;
}
