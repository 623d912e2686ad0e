import type { ReportData } from '../model/report-data.js';
import type { Cell } from './cells.js';
import { dataSheets, headerText } from './sheets.js';

/**
 * The data sheets of a report as plain cells, row by row, with each column's key, header
 * (as written in the report's time zone) and kind: what the review import compares an
 * uploaded workbook with. The cells are those the data hash covers.
 */
export interface SheetCells {
  name: string;
  columns: { key: string; header: string; kind: string }[];
  rows: () => AsyncIterable<Cell[]>;
}

export function reportSheetCells(data: ReportData): SheetCells[] {
  return dataSheets(data).map((source) => ({
    name: source.spec.name,
    columns: source.spec.columns.map((c) => ({
      key: c.key,
      header: headerText(c, data.summary.timezone),
      kind: c.kind,
    })),
    rows: async function* () {
      for await (const page of source.pages()) for (const item of page) yield source.spec.toCells(item);
    },
  }));
}
