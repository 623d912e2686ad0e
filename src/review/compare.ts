import type ExcelJS from 'exceljs';
import { wallClockDate } from '../text/time-zone.js';
import { refused } from './workbook.js';

/**
 * Every data cell of an uploaded report against the database's rebuild of the same
 * report, row by row: the first difference is named (sheet, row, column) and the whole
 * import refused. Only the sign-off cells (`decision`, `reason` columns) may differ;
 * their values are handed to `onSignOff` with the rebuilt row they belong to.
 */

export type ExpectedCell = string | number | boolean | Date | null;

export interface ExpectedColumn {
  key: string;
  /** As written in row 1 (time zone filled in). */
  header: string;
  kind: string;
}

export interface ExpectedSheet {
  name: string;
  columns: readonly ExpectedColumn[];
  rows: () => AsyncIterable<ExpectedCell[]>;
}

/** A sign-off cell as read: trimmed text, or null when empty. */
export interface SignOff {
  decision: string | null;
  reason: string | null;
}

export type SignOffVisitor = (
  sheet: string,
  rowNumber: number,
  row: Readonly<Record<string, ExpectedCell>>,
  signOff: SignOff,
) => void;

const SIGN_OFF_KINDS = new Set(['decision', 'reason']);

/** A read cell as a plain value: rich text and hyperlinks become their text; a formula stays an object (never equal). */
function plain(value: ExcelJS.CellValue | undefined): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('') || null;
  if ('hyperlink' in value && 'text' in value && typeof value.text === 'string') return value.text || null;
  return value;
}

function sameCell(expected: ExpectedCell, actual: unknown, timezone: string): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (expected instanceof Date) {
    // Excel keeps a date as a day fraction: allow for its rounding, not for an edit.
    return (
      actual instanceof Date &&
      Math.abs(actual.getTime() - wallClockDate(expected, timezone).getTime()) < 1000
    );
  }
  return expected === actual;
}

function signOffText(value: unknown): string | null {
  if (value === null) return null;
  const s = (value instanceof Date ? value.toISOString() : String(value)).trim();
  return s === '' ? null : s;
}

/** The first column whose cell differs, or null. Cells beyond the report's columns count too. */
function firstDifference(
  row: ExcelJS.Row,
  columns: readonly ExpectedColumn[],
  expected: readonly ExpectedCell[],
  timezone: string,
): string | null {
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as ExpectedColumn;
    if (SIGN_OFF_KINDS.has(column.kind)) continue;
    if (!sameCell(expected[i] ?? null, plain(row.getCell(i + 1).value), timezone)) return column.header;
  }
  return filledBeyond(row, columns.length) ? `column ${columns.length + 1}, outside the report` : null;
}

/** Whether a cell after the first `n` columns holds a value (a column added to the sheet). */
function filledBeyond(row: ExcelJS.Row, n: number): boolean {
  for (let c = n + 1; c <= row.cellCount; c++) if (plain(row.getCell(c).value) !== null) return true;
  return false;
}

const isEmpty = (row: ExcelJS.Row): boolean => !filledBeyond(row, 0);

async function compareSheet(
  ws: ExcelJS.Worksheet,
  sheet: ExpectedSheet,
  context: { source: string; timezone: string; onSignOff: SignOffVisitor },
): Promise<void> {
  const where = (n: number) => `row ${n} of sheet '${sheet.name}'`;
  const head = ws.getRow(1);
  const headerAltered =
    sheet.columns.some((c, i) => plain(head.getCell(i + 1).value) !== c.header) ||
    filledBeyond(head, sheet.columns.length);
  if (headerAltered) {
    throw refused(context.source, `${where(1)} (its header) was altered`);
  }
  let n = 1;
  for await (const cells of sheet.rows()) {
    n++;
    const row = ws.getRow(n);
    if (isEmpty(row)) throw refused(context.source, `${where(n)} was deleted`);
    const column = firstDifference(row, sheet.columns, cells, context.timezone);
    if (column !== null) {
      throw refused(
        context.source,
        `${where(n)} was altered (${column}), or a row above it was added or deleted`,
      );
    }
    const byKey = Object.fromEntries(sheet.columns.map((c, i) => [c.key, cells[i] ?? null]));
    const value = (kind: string) => {
      const at = sheet.columns.findIndex((c) => c.kind === kind);
      return at < 0 ? null : signOffText(plain(row.getCell(at + 1).value));
    };
    if (sheet.columns.some((c) => SIGN_OFF_KINDS.has(c.kind))) {
      context.onSignOff(sheet.name, n, byKey, { decision: value('decision'), reason: value('reason') });
    }
  }
  for (let extra = n + 1; extra <= ws.rowCount; extra++) {
    if (!isEmpty(ws.getRow(extra))) throw refused(context.source, `${where(extra)} was added`);
  }
}

/** Compares every data sheet; the workbook may hold no sheet the report does not. */
export async function compareWithReport(
  wb: ExcelJS.Workbook,
  sheets: readonly ExpectedSheet[],
  context: { source: string; timezone: string; onSignOff: SignOffVisitor },
): Promise<void> {
  const known = new Set(['Summary', ...sheets.map((s) => s.name)]);
  const stranger = wb.worksheets.find((ws) => !known.has(ws.name));
  if (stranger !== undefined)
    throw refused(context.source, `sheet '${stranger.name}' is not part of the report`);
  for (const sheet of sheets) {
    const ws = wb.getWorksheet(sheet.name);
    if (ws === undefined) throw refused(context.source, `sheet '${sheet.name}' was deleted`);
    await compareSheet(ws, sheet, context);
  }
}
