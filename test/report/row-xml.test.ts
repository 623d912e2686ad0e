import { PassThrough } from 'node:stream';
import ExcelJS, { type Style } from 'exceljs';
// jszip comes with exceljs (a dependency of it, not of ours): used here only, to read raw XML.
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/report/cells.js';
import { directRows } from '../../src/report/row-xml.js';
import * as S from '../../src/report/styles.js';

const COLUMNS = 6;

/**
 * Rows with what escaping and styling must get right: markup, quotes, DEL, emoji, formulas,
 * empties, and a row too large for the writer's buffer.
 */
const ROWS: { cells: Cell[]; styles: Partial<Style>[] }[] = [
  { cells: ['a&b<c>"d\'e', '=HYPERLINK("http://x","y")', '+1', null, 'x\x7Fy', ''], styles: [] },
  { cells: ['yes', '😀 emoji', 'tab\there', 'line\nbreak', null, '@SUM(A1)'], styles: [S.PRIVILEGED] },
  {
    cells: ['granted', null, 'user@example.com', null, 'ws1', 'direct; Engineers'],
    styles: Array(COLUMNS).fill(S.GRANTED),
  },
  {
    cells: ['revoked', 'yes', null, null, null, null],
    styles: [S.REVOKED, S.REVOKED_PRIVILEGED, ...Array(4).fill(S.REVOKED)],
  },
  { cells: [null, null, null, null, null, null], styles: [] },
  // Too large for the writer's buffer, which grows for it, between rows that are not.
  { cells: ['long', 'é&<'.repeat(8000), null, '😀'.repeat(3000), null, 'end'], styles: [S.PRIVILEGED] },
  { cells: ['after', null, null, null, null, 'the long row'], styles: [] },
  // Plain ASCII, and one character that is not, first, last or alone.
  {
    cells: ['~!#$%()*+,-./:;=?@[]^_`{|} plain', 'ends with &', 'ctl\x01x', 'café', "'", '"'],
    styles: [],
  },
];

const styleOf = (row: (typeof ROWS)[number], i: number) => row.styles[i] ?? S.PLAIN;

/** One workbook of one sheet: header through exceljs, data rows through `write`; its zip parts as text. */
async function workbook(
  write: (wb: ExcelJS.stream.xlsx.WorkbookWriter, ws: ExcelJS.Worksheet) => void,
): Promise<{ sheet: string; styles: string }> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink,
    useStyles: true,
    useSharedStrings: false,
  });
  const ws = wb.addWorksheet('Sheet', { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  ws.columns = Array.from({ length: COLUMNS }, (_, i) => ({ key: `c${i}`, width: 10 + i }));
  const header = ws.addRow(Array.from({ length: COLUMNS }, (_, i) => `Header ${i}`));
  header.eachCell((cell) => {
    cell.style = S.HEADER;
  });
  header.commit();
  write(wb, ws);
  ws.commit();
  await wb.commit();
  const zip = await JSZip.loadAsync(Buffer.concat(chunks));
  const text = (name: string) =>
    zip.file(name)?.async('string') ?? Promise.reject(new Error(`${name} missing`));
  return { sheet: await text('xl/worksheets/sheet1.xml'), styles: await text('xl/styles.xml') };
}

describe('direct row XML', () => {
  it("writes the same bytes as exceljs's rows (so exceljs's internals it relies on have not moved)", async () => {
    const viaExceljs = await workbook((_wb, ws) => {
      for (const row of ROWS) {
        const r = ws.addRow(row.cells);
        for (let i = 0; i < COLUMNS; i++) r.getCell(i + 1).style = styleOf(row, i);
        r.commit();
      }
    });
    const direct = await workbook((wb, ws) => {
      const rows = directRows(wb, ws, COLUMNS);
      // Undefined means exceljs's internals moved: the report then writes through exceljs's
      // rows, correct but several times slower. Look at row-xml.ts when this fails.
      expect(rows).toBeDefined();
      ROWS.forEach((row, n) => {
        rows?.add(
          n + 2,
          row.cells,
          Array.from({ length: COLUMNS }, (_, i) => styleOf(row, i)),
        );
      });
      rows?.flush();
    });
    expect(direct.sheet).toContain('<row r="5"');
    // A row without a value is left out, as exceljs leaves it out.
    expect(direct.sheet).not.toContain('<row r="6"');
    expect(direct.sheet).toContain('&lt;c&gt;&quot;d&apos;e');
    expect(direct.sheet).not.toContain('<f>');
    // The row too large for the buffer, and the row after it, in their places.
    expect(direct.sheet).toContain(`<row r="7" spans="1:6" x14ac:dyDescent="0.25"><c r="A7" s="`);
    expect(direct.sheet).toContain('é&amp;&lt;'.repeat(8000));
    expect(direct.sheet.indexOf('<row r="8"')).toBeGreaterThan(direct.sheet.indexOf('<row r="7"'));
    expect(direct.sheet).toBe(viaExceljs.sheet);
    expect(direct.styles).toBe(viaExceljs.styles);
  });

  it('is not offered before the header row is committed', () => {
    const sink = new PassThrough();
    sink.resume();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true });
    const ws = wb.addWorksheet('Sheet');
    expect(directRows(wb, ws, 2)).toBeUndefined();
  });

  it('refuses a cell that is not text', async () => {
    await workbook((wb, ws) => {
      const rows = directRows(wb, ws, 2);
      expect(() => rows?.add(2, ['x', 3], [S.PLAIN, S.PLAIN])).toThrow(/text cells only/);
    });
  });
});
