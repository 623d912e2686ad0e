import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { zipBacklog } from '../../src/report/backpressure.js';

describe('backpressure', () => {
  it("finds exceljs's zip entry stream (so the writer can wait for deflate)", async () => {
    const sink = new PassThrough();
    sink.resume();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink });
    const ws = wb.addWorksheet('A');
    for (let i = 0; i < 2000; i++) ws.addRow([`row ${i}`, 'some text to deflate', i]).commit();
    // If an exceljs upgrade moves these internals, this fails and backpressure.ts needs a look.
    const backlog = zipBacklog(ws);
    expect(typeof backlog).toBe('number');
    expect(backlog).toBeGreaterThanOrEqual(0);
    ws.commit();
    await wb.commit();
  });
});
