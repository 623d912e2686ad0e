/** Reading an uploaded workbook: what is refused before exceljs ever inflates it, and the Summary's claims. */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { openReviewWorkbook, reportClaims } from '../../src/review/workbook.js';

async function smallWorkbook(summary: [string, string | number][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Summary');
  for (const row of summary) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const CLAIMS: [string, string | number][] = [
  ['Workspace ID', 'ws1'],
  ['Current snapshot', 7],
  ['Time zone of dates', 'Europe/Berlin'],
  ['Data SHA-256 (this report)', 'ab'.repeat(32)],
];

describe('openReviewWorkbook', () => {
  it("reads a workbook and its Summary's claims", async () => {
    const wb = await openReviewWorkbook(await smallWorkbook(CLAIMS), 'r.xlsx');
    expect(reportClaims(wb, 'r.xlsx')).toEqual({
      snapshotId: 7,
      workspaceId: 'ws1',
      timezone: 'Europe/Berlin',
      dataSha256: 'ab'.repeat(32),
    });
  });

  it('refuses a workbook that is not a report (no claims), naming the file', async () => {
    const wb = await openReviewWorkbook(await smallWorkbook(CLAIMS.slice(0, 2)), 'r.xlsx');
    expect(() => reportClaims(wb, 'r.xlsx')).toThrow(
      /review workbook r\.xlsx refused: .*not an access-audit report/,
    );
  });

  it('refuses a damaged zip and one that declares more than it may unzip to, before inflating it', async () => {
    const good = await smallWorkbook(CLAIMS);
    await expect(openReviewWorkbook(good.subarray(0, good.length - 30), 'cut.xlsx')).rejects.toThrow(
      /damaged zip archive/,
    );
    const bomb = Buffer.from(good);
    const central = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bomb.writeUInt32LE(0x7fffffff, central + 24);
    await expect(openReviewWorkbook(bomb, 'bomb.xlsx')).rejects.toThrow(/would unzip to more than/);
    await expect(
      openReviewWorkbook(Buffer.from('PK\x03\x04 and then nothing'), 'x.xlsx'),
    ).rejects.toMatchObject({
      code: 'REVIEW_REFUSED',
    });
  });
});
