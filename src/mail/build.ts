import type { SendMailOptions } from 'nodemailer';
import { XLSX_CONTENT_TYPE } from '../model/files.js';
import { CHANGE_KINDS, type ReportSummary } from '../model/report-data.js';
import { formatBytes } from '../text/bytes.js';
import { escapeHtml, safeHref } from '../text/html.js';
import { localDate, localDateTimeWithZone } from '../text/time-zone.js';
import { messageIdFor } from './message-id.js';

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
  /** Where the download site serves this report, when there is one. */
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

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

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
  rows: [string, string][];
  otherChanges: string[];
  findings: string[];
  reportLine: string;
  downloadLine: string | null;
  footer: string;
}

function facts(input: AuditMessageInput, attached: boolean): Facts {
  const s = input.summary;
  const tz = s.timezone;
  const w = s.workspace;
  const period =
    s.previous === null
      ? `Baseline: the first audit of this workspace (snapshot ${s.current.id}, ${localDateTimeWithZone(s.current.takenAt, tz)}). It reports no changes; invite ages count from today.`
      : `Snapshot ${s.current.id} (${localDateTimeWithZone(s.current.takenAt, tz)}) compared with snapshot ${s.previous.id} (${localDateTimeWithZone(s.previous.takenAt, tz)}).`;
  const count = (n: number | null): string => (n === null ? 'not recorded' : String(n));
  const exceptions = exceptionFacts(s);
  const rows: [string, string][] = [
    ['Workspace', `${w.name} (${w.slug}, ${w.id})`],
    ['Permission changes', String(input.counts.permissionChanges)],
    [`Stale invites (pending ≥ ${s.staleInviteDays} days)`, String(input.counts.staleInvites)],
    ...exceptions.rows,
    ['Users', count(s.current.userCount)],
    ['Invite rows', count(s.current.inviteCount)],
    ['Groups', count(s.current.groupCount)],
  ];
  const otherChanges = CHANGE_KINDS.filter((k) => (s.changeCounts[k] ?? 0) > 0).map(
    (k) => `${k}: ${s.changeCounts[k]}`,
  );
  const r = input.report;
  const reportLine = attached
    ? `The report is attached: ${r.fileName} (${formatBytes(r.bytes)}).`
    : `The report ${r.fileName} (${formatBytes(r.bytes)}) is too large to attach.`;
  let downloadLine: string | null = null;
  if (!attached) {
    downloadLine =
      input.downloadUrl !== undefined
        ? `Download it from ${input.downloadUrl}`
        : `It is in the reports directory: ${r.path}`;
  } else if (input.downloadUrl !== undefined) {
    downloadLine = `It can also be downloaded from ${input.downloadUrl}`;
  }
  const hash = r.dataSha256 === undefined ? '' : ` Data SHA-256 ${r.dataSha256}.`;
  const footer = `Generated by segment-access-audit ${s.toolVersion} at ${localDateTimeWithZone(s.generatedAt, tz)} from ${s.apiUrl}.${hash}`;
  return {
    alerts: exceptions.alerts,
    exceptions: exceptions.list,
    heading: `Segment access audit: ${w.name} (${w.slug})`,
    period,
    rows,
    otherChanges,
    findings: completenessFindings(s),
    reportLine,
    downloadLine,
    footer,
  };
}

function textBody(f: Facts): string {
  const lines = [f.heading, '', ...f.alerts.map((a) => `!! ${a}`), ...(f.alerts.length > 0 ? [''] : [])];
  lines.push(f.period, '');
  const width = Math.max(...f.rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of f.rows) lines.push(`${`${k}:`.padEnd(width)}${v}`);
  if (f.exceptions.length > 0) lines.push('', 'Exceptions:', ...f.exceptions.map((x) => `  - ${x}`));
  if (f.otherChanges.length > 0) lines.push('', 'Changes by kind:', ...f.otherChanges.map((c) => `  ${c}`));
  lines.push('');
  if (f.findings.length === 0) lines.push('Completeness: every check agreed with what the API declared.');
  else lines.push('Completeness warnings:', ...f.findings.map((x) => `  - ${x}`));
  lines.push('', f.reportLine);
  if (f.downloadLine !== null) lines.push(f.downloadLine);
  lines.push('', f.footer, '');
  return lines.join('\n');
}

function htmlBody(f: Facts, downloadUrl: string | undefined): string {
  const e = escapeHtml;
  const cell = 'style="padding:2px 12px 2px 0;text-align:left;vertical-align:top"';
  const rows = f.rows.map(([k, v]) => `<tr><th ${cell}>${e(k)}</th><td ${cell}>${e(v)}</td></tr>`).join('');
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`;
  const href = downloadUrl === undefined ? null : safeHref(downloadUrl);
  let download = '';
  if (f.downloadLine !== null) {
    download =
      href !== null && downloadUrl !== undefined
        ? `<p>${e(f.downloadLine.slice(0, -downloadUrl.length))}<a href="${e(href)}">${e(downloadUrl)}</a></p>`
        : `<p>${e(f.downloadLine)}</p>`;
  }
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>',
    e(f.heading),
    '</title></head><body style="font-family:sans-serif;font-size:14px">',
    `<h2>${e(f.heading)}</h2>`,
    ...f.alerts.map((a) => `<p style="color:#9c0006"><b>${e(a)}</b></p>`),
    `<p>${e(f.period)}</p>`,
    `<table>${rows}</table>`,
    f.exceptions.length > 0 ? `<p>Exceptions:</p>${list(f.exceptions)}` : '',
    f.otherChanges.length > 0 ? `<p>Changes by kind:</p>${list(f.otherChanges)}` : '',
    f.findings.length === 0
      ? '<p>Completeness: every check agreed with what the API declared.</p>'
      : `<p style="color:#9c0006"><b>Completeness warnings:</b></p>${list(f.findings)}`,
    `<p>${e(f.reportLine)}</p>`,
    download,
    `<p style="color:#666;font-size:12px">${e(f.footer)}</p>`,
    '</body></html>',
  ].join('');
}

export function buildAuditMessage(input: AuditMessageInput): AuditMessage {
  const s = input.summary;
  const limit = input.attachLimitBytes ?? DEFAULT_ATTACH_LIMIT_BYTES;
  const attached = input.report.bytes <= limit;
  const f = facts(input, attached);
  const subject = oneLine(
    `[access-audit] ${s.workspace.name} (${s.workspace.slug}): ` +
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
    html: htmlBody(f, input.downloadUrl),
    messageId: messageIdFor(s.workspace.id, s.current.id, input.messageIdDomain),
    // The report's generation time, not "now": a re-send is the same message.
    date: s.generatedAt,
    headers,
    attachments: attached
      ? [{ filename: input.report.fileName, path: input.report.path, contentType: XLSX_CONTENT_TYPE }]
      : [],
  };
}
