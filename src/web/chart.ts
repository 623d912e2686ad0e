import type { ReportListing } from '../model/site.js';
import { escapeHtml } from '../text/html.js';

/**
 * A small inline SVG trend chart across snapshots (pure: data in, markup out). Each
 * series is scaled to its own maximum, since users and stale invites differ by orders
 * of magnitude; the legend gives each series' latest value.
 */
const SERIES = [
  { key: 'users', label: 'Users', colour: '#1f77b4' },
  { key: 'privilegedGrants', label: 'Privileged grants', colour: '#d62728' },
  { key: 'openInvites', label: 'Open invites', colour: '#2ca02c' },
  { key: 'staleInvites', label: 'Stale invites', colour: '#ff7f0e' },
] as const;

const W = 640;
const H = 180;
const PAD = 24;

export function trendChart(reports: readonly ReportListing[]): string {
  const points = [...reports].sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
  if (points.length === 0) return '';
  const x = (i: number) => (points.length === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (points.length - 1));
  const lines = SERIES.map((s) => {
    const values = points.map((p) => p[s.key]);
    const max = Math.max(1, ...values);
    const coords = values
      .map((v, i) => `${x(i).toFixed(1)},${(H - PAD - (v / max) * (H - 2 * PAD)).toFixed(1)}`)
      .join(' ');
    const last = values[values.length - 1] ?? 0;
    return {
      svg: `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${coords}"><title>${escapeHtml(s.label)}</title></polyline>`,
      legend: `<span class="key" style="color:${s.colour}">■</span> ${escapeHtml(s.label)}: ${last}`,
    };
  });
  return [
    `<figure class="trend"><svg role="img" aria-label="Trend across snapshots" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fafafa" stroke="#ddd"/>`,
    ...lines.map((l) => l.svg),
    '</svg>',
    `<figcaption>${lines.map((l) => l.legend).join(' &nbsp; ')} <small>(each line scaled to its own maximum)</small></figcaption></figure>`,
  ].join('');
}
