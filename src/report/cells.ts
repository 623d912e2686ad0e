/**
 * Plain cell values: what the pure part of the report produces and the writer writes.
 * Workspace data is always a string here, never a formula object, so exceljs stores it
 * as text whatever it looks like (`=HYPERLINK(…)`, `+1`, `@SUM(A1)`).
 */
export type Cell = string | number | boolean | Date | null;

/** Excel refuses (offers to repair) a cell holding more than 32,767 characters. */
export const EXCEL_MAX_TEXT = 32_767;

/** Workspace text as a cell: clamped to Excel's limit (the hash covers the clamped text). */
export function text(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value.length > EXCEL_MAX_TEXT ? value.slice(0, EXCEL_MAX_TEXT) : value;
}

/** A yes/no flag as a filterable cell: "yes", or empty. */
export function flag(value: boolean): string | null {
  return value ? 'yes' : null;
}
