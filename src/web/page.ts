import type { ReportListing, RunHistory } from '../model/site.js';
import { formatBytes } from '../text/bytes.js';
import { escapeHtml } from '../text/html.js';
import { localDateTime } from '../text/time-zone.js';
import { trendChart } from './chart.js';

/**
 * The index page (pure): the workspace, the trend charts, then every run newest first —
 * complete runs with their report, failed and abandoned runs with their reason, and the
 * scheduled periods that got no snapshot at all. "Permission changes" is the number of
 * rows of a report's Permission Changes sheet, as in the email's subject.
 */
export interface IndexPageInput {
  title: string;
  reports: readonly ReportListing[];
  /** Every run and the missed periods; without it, the reports alone are listed. */
  history?: RunHistory | undefined;
  timeZone: string;
}

interface Row {
  at: Date;
  /** Tie-break among rows of one instant: the higher snapshot id first. */
  order: number;
  html: string;
}

const when = (at: Date, timeZone: string) => escapeHtml(localDateTime(at, timeZone).slice(0, 16));

function reportRow(r: ReportListing, timeZone: string): Row {
  return {
    at: r.takenAt,
    order: r.snapshotId,
    html:
      `<tr class="complete"><td>${when(r.takenAt, timeZone)}</td><td>${r.snapshotId}</td>` +
      `<td class="n">${r.permissionChanges}</td><td class="n">${r.staleInvites}</td>` +
      `<td class="n">${escapeHtml(formatBytes(r.bytes))}</td>` +
      `<td><a href="reports/${encodeURIComponent(r.fileName)}" download>${escapeHtml(r.fileName)}</a></td></tr>`,
  };
}

/** A run without a report: failed, abandoned, running, or complete with its report still owed. */
function runRow(run: RunHistory['runs'][number], timeZone: string): Row {
  const what =
    run.status === 'complete'
      ? 'complete; its report is written by the next run'
      : `${run.status}${run.error ? `: ${run.error}` : ''}`;
  return {
    at: run.takenAt,
    order: run.snapshotId,
    html:
      `<tr class="${escapeHtml(run.status)}"><td>${when(run.takenAt, timeZone)}</td><td>${run.snapshotId}</td>` +
      `<td class="n"></td><td class="n"></td><td class="n"></td><td class="why">${escapeHtml(what)}</td></tr>`,
  };
}

function missedRow(at: Date, timeZone: string): Row {
  return {
    at,
    order: -1,
    html:
      `<tr class="missed"><td>${when(at, timeZone)}</td><td></td><td class="n"></td><td class="n"></td>` +
      '<td class="n"></td><td class="why">missed: no snapshot for this scheduled period</td></tr>',
  };
}

function rows(input: IndexPageInput): string {
  const reported = new Set(input.reports.map((r) => r.snapshotId));
  const all: Row[] = [
    ...input.reports.map((r) => reportRow(r, input.timeZone)),
    ...(input.history?.runs ?? [])
      .filter((r) => !reported.has(r.snapshotId))
      .map((r) => runRow(r, input.timeZone)),
    ...(input.history?.missed ?? []).map((at) => missedRow(at, input.timeZone)),
  ];
  return all
    .sort((a, b) => b.at.getTime() - a.at.getTime() || b.order - a.order)
    .map((r) => r.html)
    .join('\n');
}

export function indexPage(input: IndexPageInput): string {
  const workspace = input.history?.workspaceName;
  const heading = workspace ? `${input.title}: ${workspace}` : input.title;
  const empty = input.reports.length === 0 && (input.history?.runs.length ?? 0) === 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(heading)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin-top:1rem}th,td{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}
td.n,td a{white-space:nowrap}td.n{text-align:right}h2{font-size:1.1em}h2 small{font-weight:normal;color:#555}
.trend{display:flex;flex-wrap:wrap;gap:.5rem 1rem}.trend h2{flex-basis:100%;margin:0}figure{margin:0}
tr.failed td,tr.abandoned td{color:#a40000}tr.missed td{color:#8a5a00;font-style:italic}
</style></head>
<body><h1>${escapeHtml(input.title)}</h1>
${workspace ? `<p class="workspace">Workspace: <strong>${escapeHtml(workspace)}</strong></p>` : ''}
<p><a href="review">Upload a signed-off access review</a></p>
${empty ? '<p>No reports yet.</p>' : trendChart(input.reports, input.timeZone)}
<h2>Audit runs</h2>
<table><thead><tr><th>Date (${escapeHtml(input.timeZone)})</th><th>Snapshot</th><th>Permission changes</th><th>Stale invites</th><th>Size</th><th>Report</th></tr></thead>
<tbody>
${rows(input)}
</tbody></table></body></html>
`;
}
