import { describe, expect, it } from 'vitest';
import type { SummaryLine } from '../../src/report/summary.js';
import { summaryPanels } from '../../src/report/summary-layout.js';

/** The Summary's two panels, pure: whole sections, balanced, nothing lost or reordered. */

const line = (kind: SummaryLine['kind'], label: string): SummaryLine => ({ kind, label, value: 1 });
const section = (name: string, fields: number): SummaryLine[] => [
  line('section', name),
  ...Array.from({ length: fields }, (_, i) => line('field', `${name} ${i}`)),
];

describe('summaryPanels', () => {
  const lines = [
    line('title', 'Title'),
    line('field', 'Report'),
    ...section('A', 10),
    ...section('B', 3),
    ...section('C', 12),
    ...section('D', 4),
  ];
  const rows = summaryPanels(lines);

  it('keeps every line once, in order: left panel top to bottom, then right', () => {
    const read = [...rows.map((r) => r.left), ...rows.map((r) => r.right)].filter((l) => l !== null);
    expect(read).toEqual(lines);
  });

  it('splits at a section boundary, so the right panel starts with a section heading', () => {
    expect(rows[0]?.right?.kind).toBe('section');
  });

  it('balances the panels: the taller is as short as any section split allows', () => {
    // Left: title block (2) + blank + A (11) + blank + B (4) = 19; right: C (13) + blank + D (5) = 19.
    expect(rows).toHaveLength(19);
    expect(rows[0]?.right?.label).toBe('C');
  });

  it('puts a blank row before every section of a panel but its first', () => {
    const leftLabels = rows.map((r) => r.left?.label ?? null);
    expect(leftLabels[2]).toBeNull();
    expect(leftLabels[3]).toBe('A');
    expect(rows.map((r) => r.right?.label ?? null)[13]).toBeNull();
  });

  it('a single block stays in the left panel', () => {
    const one = summaryPanels(section('Only', 3));
    expect(one.map((r) => r.right)).toEqual([null, null, null, null]);
  });
});
