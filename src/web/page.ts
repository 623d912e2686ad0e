import type { ReportListing } from '../model/site.js';
import { formatBytes } from '../text/bytes.js';
import { escapeHtml } from '../text/html.js';
import { localDateTime } from '../text/time-zone.js';
import { trendChart } from './chart.js';

/** The index page (pure): every report, newest first, with the trend chart above. */
export function indexPage(input: {
  title: string;
  reports: readonly ReportListing[];
  timeZone: string;
}): string {
  const rows = [...input.reports]
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())
    .map(
      (r) =>
        `<tr><td>${escapeHtml(localDateTime(r.takenAt, input.timeZone).slice(0, 16))}</td><td>${r.snapshotId}</td>` +
        `<td class="n">${r.permissionChanges}</td><td class="n">${r.staleInvites}</td>` +
        `<td class="n">${escapeHtml(formatBytes(r.bytes))}</td>` +
        `<td><a href="reports/${encodeURIComponent(r.fileName)}" download>${escapeHtml(r.fileName)}</a></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin-top:1rem}th,td{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right}figure{margin:1rem 0}.key{font-size:1.2em}
</style></head>
<body><h1>${escapeHtml(input.title)}</h1>
<p><a href="review">Upload a signed-off access review</a></p>
${input.reports.length === 0 ? '<p>No reports yet.</p>' : trendChart(input.reports)}
<table><thead><tr><th>Date (${escapeHtml(input.timeZone)})</th><th>Snapshot</th><th>Permission changes</th><th>Stale invites</th><th>Size</th><th>Report</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
