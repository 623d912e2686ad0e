import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/report/cells.js';
import { DataHasher } from '../../src/report/data-hash.js';

describe('DataHasher', () => {
  it('hashes the UTF-8 of its JSON lines, whatever the text and however the lines fall in its buffer', () => {
    const columns = [{ key: 'a', header: 'A', kind: 'text' as const }];
    const rows: Cell[][] = [];
    // Text beyond Latin-1 (en dash, emoji), Latin-1 accents, dates, numbers, empties…
    for (let i = 0; i < 5000; i++) {
      rows.push([
        `Contractors – Agency ${i}`,
        `Carlos Novák 😀 ${i}`,
        i,
        null,
        new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      ]);
    }
    // …and lines far longer than the hasher's buffer, between the others.
    rows.splice(1234, 0, ['x'.repeat(32_767), '–'.repeat(32_767), 'é'.repeat(32_767)]);
    rows.splice(4000, 0, ['–'.repeat(100_000)]);

    const hasher = new DataHasher();
    hasher.sheet('Sheet – one', columns);
    for (const row of rows) hasher.row(row);
    const text =
      `${JSON.stringify({ sheet: 'Sheet – one', columns: ['a'] })}\n` +
      rows
        .map((r) => `${JSON.stringify(r.map((c) => (c instanceof Date ? c.toISOString() : c)))}\n`)
        .join('');
    expect(hasher.digest()).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });
});
