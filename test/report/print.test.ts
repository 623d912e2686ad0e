import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_LABEL_COLUMNS } from '../../src/model/report-data.js';
import { type WrittenReport, writeReport } from '../../src/report/index.js';
import { SUMMARY_ONE_PAGE_ROWS, summaryPageSetup } from '../../src/report/print.js';
import { withChanges } from './fixtures.js';
import { partText, readWorkbook, rootChildren, sheetXml } from './xlsx-helpers.js';

/** Printing: what an auditor files. Checked in the written XML and as exceljs reads it back. */

const DATA_SHEETS = [
  'Exceptions',
  'Permission Changes',
  'Stale Invites',
  'Membership Changes',
  'Access Review',
  'Review Status',
  'Invites',
];

let dir: string;
let report: WrittenReport;
let sheets: Map<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-print-'));
  report = await writeReport(withChanges(null), { dir });
  sheets = await sheetXml(report.path);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The attributes of the first `<tag …>` element of some XML. */
function attributes(xml: string, tag: string): Record<string, string> {
  const m = new RegExp(`<${tag}\\b([^>]*?)/?>`).exec(xml);
  if (m === null) throw new Error(`no <${tag}>`);
  return Object.fromEntries([...(m[1] ?? '').matchAll(/([\w:]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
}

describe('printing', () => {
  it('every sheet is landscape, fitted one page wide, with narrow margins and a page footer', () => {
    expect([...sheets.keys()]).toEqual(['Summary', ...DATA_SHEETS]);
    for (const [name, xml] of sheets) {
      expect(xml, name).toMatch(/<sheetPr\b[^>]*>.*?<pageSetUpPr fitToPage="1"\/>.*?<\/sheetPr>/s);
      const setup = attributes(xml, 'pageSetup');
      expect(setup, name).toMatchObject({ orientation: 'landscape', fitToWidth: '1' });
      // Data sheets run as many pages long as they need; the Summary is one page.
      expect(setup.fitToHeight, name).toBe(name === 'Summary' ? '1' : '0');
      expect(Number(attributes(xml, 'pageMargins').left), name).toBeLessThan(0.7);
      expect(xml, name).toContain('<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>');
      // Page setup after the data and validations, footer last: the schema's order.
      const children = rootChildren(xml);
      expect(children.slice(-3), name).toEqual(['pageMargins', 'pageSetup', 'headerFooter']);
    }
  });

  it('every data sheet repeats its header row on each page (_xlnm.Print_Titles); the Summary not', async () => {
    const workbook = await partText(report.path, 'xl/workbook.xml');
    const titles = [
      ...workbook.matchAll(/<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">([^<]*)</g),
    ];
    // XML text: the quotes around a sheet name are written as &apos;.
    expect(titles.map((m) => [Number(m[1]), m[2]?.replaceAll('&apos;', "'")])).toEqual(
      DATA_SHEETS.map((name, i) => [i + 1, `'${name}'!$1:$1`]),
    );
    const wb = await readWorkbook(report.path);
    for (const name of DATA_SHEETS) {
      expect(wb.getWorksheet(name)?.pageSetup, name).toMatchObject({
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '1:1',
      });
    }
    expect(wb.getWorksheet('Summary')?.pageSetup.printTitlesRow).toBeUndefined();
  });

  it('the Summary is two panels of label and value, whole sections in each, labels about as wide as the longest', async () => {
    const ws = (await readWorkbook(report.path)).getWorksheet('Summary');
    const labels: string[][] = [[], []];
    ws?.eachRow((row, n) => {
      SUMMARY_LABEL_COLUMNS.forEach((at, panel) => {
        const label = row.getCell(at).value;
        if (n > 1 && typeof label === 'string') labels[panel]?.push(label);
      });
    });
    const [left = [], right = []] = labels;
    // Balanced, and a section starts the right panel (none is cut in two).
    expect(Math.abs(left.length - right.length)).toBeLessThan(20);
    expect(ws?.getRow(1).getCell(4).font?.color).toEqual({ argb: 'FF1F3864' }); // a section heading
    expect(left).toContain('Workspace ID');
    expect(right).toContain('Data SHA-256 (this report)');
    const longest = Math.max(...left.concat(right).map((l) => l.length));
    for (const at of SUMMARY_LABEL_COLUMNS) {
      expect(ws?.getColumn(at).width).toBeGreaterThanOrEqual(Math.min(56, longest * 0.95));
      expect(ws?.getColumn(at + 1).width).toBeGreaterThanOrEqual(64); // a SHA-256 on one line
    }
    expect(ws?.columnCount).toBe(5);
  });

  it('a Summary value that wraps gets the height of its lines, so it does not print over the row above', async () => {
    const ws = (await readWorkbook(report.path)).getWorksheet('Summary');
    let privileged: number | undefined;
    ws?.eachRow((row) => {
      for (const at of SUMMARY_LABEL_COLUMNS) {
        if (String(row.getCell(at).value).startsWith('Privileged')) privileged = row.height;
      }
    });
    expect(privileged).toBeGreaterThanOrEqual(30);
  });

  it("counts are centred, so a number never touches the next column's text", async () => {
    const ws = (await readWorkbook(report.path)).getWorksheet('Invites');
    if (ws === undefined) throw new Error('no Invites sheet');
    const header = (ws.getRow(1).values as unknown[]).indexOf('Days pending');
    expect(header).toBeGreaterThan(0);
    expect(ws.rowCount).toBeGreaterThan(1);
    for (let r = 2; r <= ws.rowCount; r++) {
      expect(ws.getRow(r).getCell(header).alignment?.horizontal, `row ${r}`).toBe('center');
    }
  });

  it('a Summary too long for one page is still one page wide', () => {
    expect(summaryPageSetup(SUMMARY_ONE_PAGE_ROWS)).toMatchObject({ fitToWidth: 1, fitToHeight: 1 });
    expect(summaryPageSetup(SUMMARY_ONE_PAGE_ROWS + 1)).toMatchObject({ fitToWidth: 1, fitToHeight: 0 });
  });
});
