import type { SendMailOptions } from 'nodemailer';
import { reportUrlFor, XLSX_CONTENT_TYPE } from '../model/files.js';
import { privilegedRuleText } from '../model/privileged.js';
import { CHANGE_KINDS, type ReportSummary } from '../model/report-data.js';
import { formatBytes } from '../text/bytes.js';
import { escapeHtml, safeHref } from '../text/html.js';
import { localDate, localDateTimeWithZone } from '../text/time-zone.js';
import { type ChangeGroup, changesByPerson } from './changes-by-person.js';
import { headlineItems } from './headline.js';
import { messageIdFor } from './message-id.js';
import { firstFew, type MailRows, plural } from './rows.js';
import { signOffText } from './sign-off.js';
import { staleInviteLine, UNKNOWN_AGE_NOTE } from './stale-invites.js';
import { trailHeadline } from './trail-headline.js';

/**
 * The audit email, built as a pure function of its inputs: the same snapshot and report
 * give the same message (Message-ID, Date, subject, bodies, attachment), which is what
 * makes a repeated send a harmless duplicate rather than a second, different message.
 */

/** A report over 10 MB is not attached: the email says it is too large and names the file. */
export const DEFAULT_ATTACH_LIMIT_BYTES = 10 * 1024 * 1024;

export interface AuditMessageInput {
  summary: ReportSummary;
  /** Rows of the Permission Changes and Stale Invites sheets. */
  counts: { permissionChanges: number; staleInvites: number };
  report: { path: string; fileName: string; bytes: number; dataSha256?: string };
  from: string;
  to: readonly string[];
  /** The rows the body names: headline, changes by person, stale invites. */
  rows: MailRows;
  /** SITE_URL (ends in '/'): the download site, linked with this report's place on it. */
  siteUrl?: string;
  /** Where the download site serves this report (default: derived from siteUrl). */
  downloadUrl?: string;
  attachLimitBytes?: number;
  /** Message-ID domain (default: message-id.ts); keep it fixed across runs. */
  messageIdDomain?: string;
}

/** What the transports send: nodemailer options with the fields we always set. */
export type AuditMessage = SendMailOptions & {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  date: Date;
};

/** Header text: one line whatever the workspace name holds. */
const oneLine = (s: string): string => s.replace(/\p{Cc}+/gu, ' ').trim();

/** The completeness findings worth a reader's attention (empty: everything agreed). */
function completenessFindings(summary: ReportSummary): string[] {
  const c = summary.completeness;
  if (c === null) return ['completeness checks were not recorded for this snapshot'];
  const out: string[] = [];
  for (const list of ['users', 'invites', 'groups', 'roles'] as const) {
    const declared = c.declared[list];
    if (declared !== undefined && declared !== c.walked[list]) {
      out.push(`${list}: the API declared ${declared}, the walk found ${c.walked[list]}`);
    }
  }
  for (const m of c.memberCountMismatches) {
    out.push(`group ${m.groupId}: memberCount ${m.declared}, walked ${m.walked}`);
  }
  if (c.groupsDeletedDuringWalk.length > 0) {
    out.push(`groups deleted during the walk: ${c.groupsDeletedDuringWalk.join(', ')}`);
  }
  if (c.crossCheck.disagreements.length > 0) {
    out.push(
      `membership cross-check: ${c.crossCheck.disagreements.length} of ${c.crossCheck.sampled} sampled users disagreed`,
    );
  }
  for (const w of c.warnings) if (!out.includes(w)) out.push(w);
  return out;
}

/**
 * Reconciliation in the email: terminated people who still hold privileged access come
 * first, by name; then each exception kind's count (only kinds that were checked).
 */
function exceptionFacts(summary: ReportSummary): {
  alerts: string[];
  rows: [string, string][];
  list: string[];
} {
  const r = summary.reconciliation;
  if (r === undefined) return { alerts: [], rows: [], list: [] };
  const alerts = r.terminatedPrivileged.map(
    (t) =>
      `${t.email} is terminated${t.endDate === null ? '' : ` (end date ${t.endDate}, ${t.days} days ago)`} and still holds privileged access`,
  );
  const rows: [string, string][] = [['Terminated, still holding access', String(r.counts.terminated)]];
  if (r.rosterEntries > 0) rows.push(['Not in the roster', String(r.counts['not-in-roster'])]);
  if (r.allowedDomains !== null)
    rows.push(['Outside the allowed domains', String(r.counts['outside-domain'])]);
  if (r.dormantDays !== null) rows.push([`Dormant (${r.dormantDays} days)`, String(r.counts.dormant)]);
  const total = Object.values(r.counts).reduce((a, b) => a + b, 0);
  const list = r.first.map((x) => `${x.kind}: ${x.email}${x.privileged ? ' (privileged)' : ''}: ${x.detail}`);
  if (total > list.length) list.push(`… ${total - list.length} more on the Exceptions sheet`);
  return { alerts, rows, list };
}

const exceptionTotal = (summary: ReportSummary): number =>
  Object.values(summary.reconciliation?.counts ?? {}).reduce((a, b) => a + b, 0);

interface Facts {
  alerts: string[];
  exceptions: string[];
  heading: string;
  period: string;
  /** What needs attention, one item each (headline.ts); shown first. */
  headline: string[];
  rows: [string, string][];
  changes: ChangeGroup[];
  /** Change lines left out of `changes` (shown as "and N more"). */
  changesLeftOut: number;
  staleInvites: string[];
  unknownAges: boolean;
  otherChanges: string[];
  findings: string[];
  reportLine: string;
  /** [words, url]: the url is shown as a link in HTML. */
  links: [string, string][];
  /** The report's place on disk when it is not attached and there is no site. */
  pathLine: string | null;
  footer: string;
}

/** The body names this many headline items, change lines and stale invites before "and N more". */
const HEADLINE_LIMIT = 10;
const CHANGE_LINES_LIMIT = 25;
const STALE_INVITES_LIMIT = 20;
/** The subject names this many headline items. */
const SUBJECT_ITEMS = 2;

function periodText(s: ReportSummary): string {
  const tz = s.timezone;
  return s.previous === null
    ? `Baseline: the first audit of this workspace (snapshot ${s.current.id}, ${localDateTimeWithZone(s.current.takenAt, tz)}). It reports no changes; invite ages count from today.`
    : `Snapshot ${s.current.id} (${localDateTimeWithZone(s.current.takenAt, tz)}) compared with snapshot ${s.previous.id} (${localDateTimeWithZone(s.previous.takenAt, tz)}).`;
}

function countRows(input: AuditMessageInput): [string, string][] {
  const s = input.summary;
  const w = s.workspace;
  const count = (n: number | null): string => (n === null ? 'not recorded' : String(n));
  const exceptions = exceptionFacts(s);
  return [
    ['Workspace', `${w.name} (${w.slug}, ${w.id})`],
    ['Permission changes', String(input.counts.permissionChanges)],
    [`Stale invites (pending ≥ ${s.staleInviteDays} days)`, String(input.counts.staleInvites)],
    ...exceptions.rows,
    ...(input.rows.reviewStatus === undefined
      ? []
      : [['Review', signOffText(input.rows.reviewStatus)] as [string, string]]),
    ['Users', count(s.current.userCount)],
    ['Invite rows', count(s.current.inviteCount)],
    ['Groups', count(s.current.groupCount)],
    ['Privileged means', privilegedRuleText(s.privilegedRoles)],
  ];
}

/** The report line, and where to get it: the site's link for it, else its path. */
function reportPlace(input: AuditMessageInput, attached: boolean) {
  const r = input.report;
  const reportLine = attached
    ? `The report is attached: ${r.fileName} (${formatBytes(r.bytes)}).`
    : `The report ${r.fileName} (${formatBytes(r.bytes)}) is too large to attach.`;
  const url =
    input.downloadUrl ?? (input.siteUrl === undefined ? undefined : reportUrlFor(input.siteUrl, r.fileName));
  const links: [string, string][] = [];
  if (url !== undefined)
    links.push([attached ? 'It can also be downloaded from ' : 'Download it from ', url]);
  if (input.siteUrl !== undefined) links.push(['Every report: ', input.siteUrl]);
  const pathLine = !attached && url === undefined ? `It is in the reports directory: ${r.path}` : null;
  return { reportLine, links, pathLine };
}

function facts(input: AuditMessageInput, attached: boolean): Facts {
  const s = input.summary;
  const changes = changesByPerson(input.rows.permissionChanges);
  const stale = input.rows.staleInvites;
  const hash = input.report.dataSha256 === undefined ? '' : ` Data SHA-256 ${input.report.dataSha256}.`;
  const exceptions = exceptionFacts(s);
  return {
    alerts: exceptions.alerts,
    exceptions: exceptions.list,
    heading: `Segment access audit: ${s.workspace.name} (${s.workspace.slug})`,
    period: periodText(s),
    // Who changed it first (self-grants, privileged grants by a token, a trail not read):
    // rarer than the privileged changes, and what an auditor asks about first.
    headline: firstFew(
      [...trailHeadline(s), ...headlineItems(input.rows)],
      HEADLINE_LIMIT,
      (n) => `and ${n} more`,
    ),
    rows: countRows(input),
    changes: changes.slice(0, CHANGE_LINES_LIMIT),
    changesLeftOut: Math.max(0, changes.length - CHANGE_LINES_LIMIT),
    staleInvites: firstFew(
      stale.map(staleInviteLine),
      STALE_INVITES_LIMIT,
      (n) => `and ${n} more (see the Stale Invites sheet)`,
    ),
    unknownAges: stale.some((i) => i.seenAtBaseline),
    otherChanges: CHANGE_KINDS.filter((k) => (s.changeCounts[k] ?? 0) > 0).map(
      (k) => `${k}: ${s.changeCounts[k]}`,
    ),
    findings: completenessFindings(s),
    ...reportPlace(input, attached),
    footer: `Generated by segment-access-audit ${s.toolVersion} at ${localDateTimeWithZone(s.generatedAt, s.timezone)} from ${s.apiUrl}.${hash}`,
  };
}

const NOTHING_FLAGGED = 'Needs attention: nothing flagged (no privileged role was granted or revoked).';
const moreChanges = (n: number) => `and ${plural(n, 'more line')} (see the Permission Changes sheet)`;

function textBody(f: Facts): string {
  // A terminated person still holding privileged access comes before everything else.
  const lines = [f.heading, '', ...f.alerts.map((a) => `!! ${a}`), ...(f.alerts.length > 0 ? [''] : [])];
  lines.push(f.period, '');
  if (f.headline.length === 0) lines.push(NOTHING_FLAGGED);
  else lines.push('Needs attention:', ...f.headline.map((h) => `  - ${h}`));
  lines.push('');
  const width = Math.max(...f.rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of f.rows) lines.push(`${`${k}:`.padEnd(width)}${v}`);
  if (f.exceptions.length > 0) lines.push('', 'Exceptions:', ...f.exceptions.map((x) => `  - ${x}`));
  if (f.changes.length > 0) {
    lines.push('', 'Changes by person:');
    for (const c of f.changes) lines.push(`  ${c.privileged ? '! ' : ''}${c.person}: ${c.what}: ${c.access}`);
    if (f.changesLeftOut > 0) lines.push(`  ${moreChanges(f.changesLeftOut)}`);
  }
  if (f.staleInvites.length > 0) {
    lines.push('', 'Stale invites:', ...f.staleInvites.map((i) => `  ${i}`));
    if (f.unknownAges) lines.push(`  ${UNKNOWN_AGE_NOTE}`);
  }
  if (f.otherChanges.length > 0) lines.push('', 'Changes by kind:', ...f.otherChanges.map((c) => `  ${c}`));
  lines.push('');
  if (f.findings.length === 0) lines.push('Completeness: every check agreed with what the API declared.');
  else lines.push('Completeness warnings:', ...f.findings.map((x) => `  - ${x}`));
  lines.push('', f.reportLine, ...f.links.map(([words, url]) => `${words}${url}`));
  if (f.pathLine !== null) lines.push(f.pathLine);
  lines.push('', f.footer, '');
  return lines.join('\n');
}

const e = escapeHtml;
const CELL = 'style="padding:2px 12px 2px 0;text-align:left;vertical-align:top"';
// The facts' labels on one line: a mail client's table otherwise gives the long values the
// width and wraps "Stale invites (pending ≥ 14 days)" into two-word lines.
const LABEL_CELL = 'style="padding:2px 12px 2px 0;text-align:left;vertical-align:top;white-space:nowrap"';
const list = (items: string[]) => `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`;

/** A link only to an http(s) URL (safeHref); anything else stays text. */
function linkHtml([words, url]: [string, string]): string {
  const href = safeHref(url);
  return href === null ? `<p>${e(words + url)}</p>` : `<p>${e(words)}<a href="${e(href)}">${e(url)}</a></p>`;
}

function changesHtml(f: Facts): string {
  if (f.changes.length === 0) return '';
  const head = ['Person', 'What happened', 'Gained or lost'].map((h) => `<th ${CELL}>${h}</th>`).join('');
  const body = f.changes
    .map((c) => {
      const style = c.privileged ? ' style="color:#9c0006;font-weight:bold"' : '';
      return `<tr${style}><td ${CELL}>${e(c.person)}</td><td ${CELL}>${e(c.what)}</td><td ${CELL}>${e(c.access)}</td></tr>`;
    })
    .join('');
  const more = f.changesLeftOut > 0 ? `<p>${e(moreChanges(f.changesLeftOut))}</p>` : '';
  return `<p><b>Changes by person</b></p><table><tr>${head}</tr>${body}</table>${more}`;
}

function staleInvitesHtml(f: Facts): string {
  if (f.staleInvites.length === 0) return '';
  const note = f.unknownAges ? `<p style="color:#666">${e(UNKNOWN_AGE_NOTE)}</p>` : '';
  return `<p><b>Stale invites</b></p>${list(f.staleInvites)}${note}`;
}

function htmlBody(f: Facts): string {
  const rows = f.rows
    .map(([k, v]) => `<tr><th ${LABEL_CELL}>${e(k)}</th><td ${CELL}>${e(v)}</td></tr>`)
    .join('');
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>',
    e(f.heading),
    '</title></head><body style="font-family:sans-serif;font-size:14px">',
    `<h2>${e(f.heading)}</h2>`,
    ...f.alerts.map((a) => `<p style="color:#9c0006"><b>${e(a)}</b></p>`),
    `<p>${e(f.period)}</p>`,
    f.headline.length === 0
      ? `<p>${e(NOTHING_FLAGGED)}</p>`
      : `<p style="color:#9c0006"><b>Needs attention:</b></p>${list(f.headline)}`,
    `<table>${rows}</table>`,
    f.exceptions.length > 0 ? `<p><b>Exceptions</b></p>${list(f.exceptions)}` : '',
    changesHtml(f),
    staleInvitesHtml(f),
    f.otherChanges.length > 0 ? `<p><b>Changes by kind</b></p>${list(f.otherChanges)}` : '',
    f.findings.length === 0
      ? '<p>Completeness: every check agreed with what the API declared.</p>'
      : `<p style="color:#9c0006"><b>Completeness warnings:</b></p>${list(f.findings)}`,
    `<p>${e(f.reportLine)}</p>`,
    ...f.links.map(linkHtml),
    f.pathLine === null ? '' : `<p>${e(f.pathLine)}</p>`,
    `<p style="color:#666;font-size:12px">${e(f.footer)}</p>`,
    '</body></html>',
  ].join('');
}

/** "Workspace Owner granted to zoe@…; … and 3 more — " before the counts, or nothing. */
function subjectLead(headline: string[]): string {
  if (headline.length === 0) return '';
  const named = headline.slice(0, SUBJECT_ITEMS).join('; ');
  const more = headline.length > SUBJECT_ITEMS ? ` and ${headline.length - SUBJECT_ITEMS} more` : '';
  return `${named}${more} — `;
}

export function buildAuditMessage(input: AuditMessageInput): AuditMessage {
  const s = input.summary;
  const limit = input.attachLimitBytes ?? DEFAULT_ATTACH_LIMIT_BYTES;
  const attached = input.report.bytes <= limit;
  const f = facts(input, attached);
  const subject = oneLine(
    `[access-audit] ${s.workspace.name} (${s.workspace.slug}): ${subjectLead(headlineItems(input.rows))}` +
      `${plural(input.counts.permissionChanges, 'permission change')}, ` +
      `${plural(input.counts.staleInvites, 'stale invite')}` +
      (exceptionTotal(s) > 0 ? `, ${plural(exceptionTotal(s), 'exception')}` : '') +
      ` — ${localDate(s.current.takenAt, s.timezone)}` +
      (s.previous === null ? ' (baseline)' : ''),
  );
  const headers: Record<string, string> = { 'X-Access-Audit-Snapshot': String(s.current.id) };
  if (input.report.dataSha256 !== undefined) headers['X-Access-Audit-Data-SHA256'] = input.report.dataSha256;
  return {
    from: input.from,
    to: [...input.to],
    subject,
    text: textBody(f),
    html: htmlBody(f),
    messageId: messageIdFor(s.workspace.id, s.current.id, input.messageIdDomain),
    // The report's generation time, not "now": a re-send is the same message.
    date: s.generatedAt,
    headers,
    attachments: attached
      ? [{ filename: input.report.fileName, path: input.report.path, contentType: XLSX_CONTENT_TYPE }]
      : [],
  };
}
