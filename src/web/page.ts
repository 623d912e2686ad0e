import { trendChart } from './chart.js';
import { escapeHtml } from './html.js';
import type { ReportListing } from './listing.js';

/** The index page (pure): every report, newest first, with the trend chart above. */
function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function formatDate(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
}

export function indexPage(input: {
  title: string;
  reports: readonly ReportListing[];
  timeZone: string;
}): string {
  const rows = [...input.reports]
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())
    .map(
      (r) =>
        `<tr><td>${escapeHtml(formatDate(r.takenAt, input.timeZone))}</td><td>${r.snapshotId}</td>` +
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
${input.reports.length === 0 ? '<p>No reports yet.</p>' : trendChart(input.reports)}
<table><thead><tr><th>Date (${escapeHtml(input.timeZone)})</th><th>Snapshot</th><th>Permission changes</th><th>Stale invites</th><th>Size</th><th>Report</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
