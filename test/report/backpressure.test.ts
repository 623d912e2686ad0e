import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { reliefFor, zipBacklog } from '../../src/report/backpressure.js';

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

  it('waits while the file is backed up, and goes on once it has drained', async () => {
    const out = { writableLength: 10 * 1024 * 1024 };
    const relieve = reliefFor(out, () => undefined);
    let done = false;
    const waiting = relieve({} as ExcelJS.Worksheet).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    out.writableLength = 0;
    await waiting;
    expect(done).toBe(true);
  });

  it('stops waiting with the first error of the zip or the file', async () => {
    const error = new Error('disk full');
    const relieve = reliefFor({ writableLength: 10 * 1024 * 1024 }, () => error);
    await expect(relieve({} as ExcelJS.Worksheet)).rejects.toBe(error);
  });
});
