import type { SummaryLine } from './summary.js';

/**
 * Where the Summary's lines go on its one landscape page, pure. One label/value column
 * pair would be ~100 rows tall and narrow, so a landscape page would shrink it to ~40 %;
 * two panels side by side (columns A–B and D–E), whole sections in each, read left then
 * right like a newspaper, print at about two thirds.
 */

/** One printed row: a line (or null, a blank row) in the left panel and in the right. */
export interface SummaryRow {
  left: SummaryLine | null;
  right: SummaryLine | null;
}

/** The title and what precedes the first section, then each section with its lines. */
function blocks(lines: readonly SummaryLine[]): SummaryLine[][] {
  const out: SummaryLine[][] = [];
  for (const line of lines) {
    const last = out.at(-1);
    if (last === undefined || line.kind === 'section') out.push([line]);
    else last.push(line);
  }
  return out;
}

/** A panel's rows: its blocks with a blank row before every block but the first. */
function panel(parts: readonly SummaryLine[][]): (SummaryLine | null)[] {
  return parts.flatMap((part, i) => (i === 0 ? part : [null, ...part]));
}

/** Splits at the section boundary that makes the taller panel shortest. */
export function summaryPanels(lines: readonly SummaryLine[]): SummaryRow[] {
  const parts = blocks(lines);
  let best = { at: parts.length, height: Number.POSITIVE_INFINITY };
  for (let at = 1; at <= parts.length; at++) {
    const height = Math.max(panel(parts.slice(0, at)).length, panel(parts.slice(at)).length);
    if (height < best.height) best = { at, height };
  }
  const left = panel(parts.slice(0, best.at));
  const right = panel(parts.slice(best.at));
  return Array.from({ length: Math.max(left.length, right.length) }, (_, i) => ({
    left: left[i] ?? null,
    right: right[i] ?? null,
  }));
}
