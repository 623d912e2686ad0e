/**
 * One table for the whole `npm run bench`: each part (a process of its own) appends its
 * figures to the file named by BENCH_RESULTS (JSON lines); bench/index.ts prints them all
 * at the end, each with its target and whether it was met.
 */
import { appendFileSync, readFileSync } from 'node:fs';

export interface Figure {
  /** What was measured, e.g. "crawl 20k users, API instant: CPU a request". */
  figure: string;
  value: string;
  target?: string;
  ok?: boolean;
}

export function record(...figures: Figure[]): void {
  const file = process.env.BENCH_RESULTS;
  if (!file) return;
  for (const f of figures) appendFileSync(file, `${JSON.stringify(f)}\n`);
}

export function printTable(file: string): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const rows = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Figure);
  if (rows.length === 0) return;
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.target ?? '',
    r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED',
  ]);
  const header = ['figure', 'measured', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}
