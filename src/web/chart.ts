import type { ReportListing } from '../model/site.js';
import { escapeHtml } from '../text/html.js';
import { localDateTime } from '../text/time-zone.js';

/**
 * The trend across snapshots as inline SVG (pure: data in, markup out): one small chart
 * per measure, since users and stale invites differ by orders of magnitude and one shared
 * scale would flatten the small ones. Each chart has its own labelled y axis from 0 with
 * round ticks, and a time axis with dated ticks (points are placed by date, so an
 * irregular history is not drawn as a regular one). Each point carries its date and value.
 */
const MEASURES = [
  { key: 'users', label: 'Users', colour: '#1f77b4' },
  { key: 'privilegedGrants', label: 'Privileged grants', colour: '#d62728' },
  { key: 'openInvites', label: 'Open invites', colour: '#2ca02c' },
  { key: 'staleInvites', label: 'Stale invites', colour: '#ff7f0e' },
  { key: 'permissionChanges', label: 'Permission changes', colour: '#9467bd' },
] as const;

const W = 300;
const H = 160;
/** Room for the y labels (left), the title (top), the date labels (bottom; half the last one, right). */
const LEFT = 44;
const RIGHT = 36;
const TOP = 24;
const BOTTOM = 30;

/** Round tick steps (1, 2 or 5 × 10^k) from 0 to at least max, about four of them. */
export function valueTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power);
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}

/** Up to four dates spread over the span (the first and last snapshot among them). */
function timeTicks(from: number, to: number): number[] {
  if (to <= from) return [from];
  return [0, 1 / 3, 2 / 3, 1].map((f) => from + f * (to - from));
}

const day = (t: number, timeZone: string) => localDateTime(new Date(t), timeZone).slice(0, 10);

function smallChart(
  points: readonly ReportListing[],
  measure: (typeof MEASURES)[number],
  timeZone: string,
): string {
  const times = points.map((p) => p.takenAt.getTime());
  const from = times[0]!;
  const to = times[times.length - 1]!;
  const values = points.map((p) => p[measure.key]);
  const ticks = valueTicks(Math.max(...values));
  const top = ticks[ticks.length - 1]!;
  const x = (t: number) =>
    to === from ? (LEFT + W - RIGHT) / 2 : LEFT + ((t - from) * (W - LEFT - RIGHT)) / (to - from);
  const y = (v: number) => H - BOTTOM - (v * (H - TOP - BOTTOM)) / top;
  const f = (n: number) => n.toFixed(1);
  const yAxis = ticks.map(
    (v) =>
      `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#e4e4e4"/>` +
      `<text x="${LEFT - 6}" y="${f(y(v) + 4)}" text-anchor="end">${v}</text>`,
  );
  const xAxis = timeTicks(from, to).map(
    (t) =>
      `<line x1="${f(x(t))}" x2="${f(x(t))}" y1="${H - BOTTOM}" y2="${H - BOTTOM + 4}" stroke="#888"/>` +
      `<text x="${f(x(t))}" y="${H - BOTTOM + 16}" text-anchor="middle">${escapeHtml(day(t, timeZone))}</text>`,
  );
  const coords = values.map((v, i) => `${f(x(times[i]!))},${f(y(v))}`).join(' ');
  const dots = values.map(
    (v, i) =>
      `<circle cx="${f(x(times[i]!))}" cy="${f(y(v))}" r="3" fill="${measure.colour}">` +
      `<title>${escapeHtml(`${day(times[i]!, timeZone)}: ${v}`)}</title></circle>`,
  );
  const latest = values[values.length - 1] ?? 0;
  return [
    `<figure class="measure"><svg role="img" aria-label="${escapeHtml(measure.label)} across snapshots" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="system-ui,sans-serif" fill="#444">`,
    `<text x="${LEFT}" y="14" font-size="13" fill="#222">${escapeHtml(measure.label)}: ${latest}</text>`,
    ...yAxis,
    `<line x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${H - BOTTOM}" stroke="#888"/>`,
    `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${H - BOTTOM}" y2="${H - BOTTOM}" stroke="#888"/>`,
    ...xAxis,
    `<polyline fill="none" stroke="${measure.colour}" stroke-width="2" points="${coords}"/>`,
    ...dots,
    '</svg></figure>',
  ].join('');
}

export function trendChart(reports: readonly ReportListing[], timeZone: string): string {
  const points = [...reports].sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
  if (points.length === 0) return '';
  return [
    `<section class="trend" aria-label="Trend across snapshots"><h2>Trend across snapshots <small>(dates in ${escapeHtml(timeZone)}; each chart has its own scale, from 0)</small></h2>`,
    ...MEASURES.map((m) => smallChart(points, m, timeZone)),
    '</section>',
  ].join('');
}
