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

  it('hashes rows of plain ASCII, and rows with one character JSON escapes or UTF-8 widens, as their JSON lines', () => {
    // A deterministic mix: most characters printable ASCII, now and then one of the others.
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const rare = ['"', '\\', '\n', '\x01', '\x7F', '\x80', 'é', '–', '😀', '\uD800'];
    const text = () => {
      let out = '';
      for (let n = Math.floor(next() * 40); n > 0; n--)
        out +=
          next() < 0.002
            ? rare[Math.floor(next() * rare.length)]
            : String.fromCharCode(0x20 + Math.floor(next() * 95));
      return out;
    };
    const rows: Cell[][] = [];
    for (let i = 0; i < 20_000; i++) {
      const kind = next();
      const cell = (): Cell => (kind < 0.9 ? (next() < 0.2 ? null : text()) : kind < 0.95 ? i : true);
      rows.push(Array.from({ length: 1 + Math.floor(next() * 12) }, cell));
    }
    rows.push([], [null], ['']);
    const hasher = new DataHasher();
    for (const row of rows) hasher.row(row);
    const lines = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    expect(hasher.digest()).toBe(createHash('sha256').update(lines, 'utf8').digest('hex'));
  });
});
