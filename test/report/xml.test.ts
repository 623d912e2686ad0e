import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { SHEET_NAMES } from '../../src/report/sheets.js';
import { INJECTIONS, withChanges } from './fixtures.js';
import { orderViolation, readWorkbook, rootChildren, sheetXml } from './xlsx-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-xml-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the sheet XML', () => {
  it('keeps every worksheet child in schema order (no Excel repair prompt)', async () => {
    const data = withChanges(null);
    // Injections in every text column of a tinted sheet, too.
    data.permissionChanges = [
      ...data.permissionChanges,
      ...INJECTIONS.map((s) => ({ ...data.permissionChanges[0]!, email: s, via: s, roleName: s })),
    ];
    const report = await writeReport(data, { dir });
    const sheets = await sheetXml(report.path);
    expect([...sheets.keys()]).toEqual(SHEET_NAMES);
    for (const [name, xml] of sheets) {
      const children = rootChildren(xml);
      expect(children, name).toContain('sheetData');
      expect(orderViolation(children), `${name}: ${children.join(' ')}`).toBeNull();
      // No hyperlinks at all: the streaming writer would misplace them next to validations.
      expect(children).not.toContain('hyperlinks');
      // Workspace data is never a formula.
      expect(xml).not.toMatch(/<f[ >]/);
    }
    expect(rootChildren(sheets.get('Access Review')!)).toEqual(
      expect.arrayContaining(['sheetViews', 'cols', 'sheetData', 'autoFilter', 'dataValidations']),
    );

    const wb = await readWorkbook(report.path);
    const ws = wb.getWorksheet('Permission Changes')!;
    const emails: unknown[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) emails.push(row.getCell(3).value);
    });
    expect(emails).toEqual(expect.arrayContaining(INJECTIONS));
    for (const s of INJECTIONS) expect(typeof emails.find((e) => e === s)).toBe('string');
  });

  it('the order check catches exceljs putting hyperlinks before validations', async () => {
    // A positive control for the checker: the combination the toolchain notes warn about.
    const path = join(dir, 'bad.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path });
    const ws = wb.addWorksheet('Bad');
    const row = ws.addRow(['link', 'x']);
    row.getCell(1).value = { text: 'link', hyperlink: 'https://example.com' };
    row.commit();
    (
      ws as unknown as { dataValidations: { add(ref: string, v: ExcelJS.DataValidation): void } }
    ).dataValidations.add('B1:B1', { type: 'list', allowBlank: true, formulae: ['"a,b"'] });
    ws.commit();
    await wb.commit();
    const xml = (await sheetXml(path)).get('Bad')!;
    expect(orderViolation(rootChildren(xml))).toBe('<dataValidations> after <hyperlinks>');
  });
});
