import type { Alignment, Borders, Fill, Font, Style } from 'exceljs';

/**
 * The workbook's look, in one place. Colours are Excel's own "Good" / "Bad" / "Neutral"
 * cell styles, so a reader recognises them. Styles are shared objects: exceljs's style
 * manager keys them, so thousands of cells cost one entry in styles.xml.
 */

const solid = (argb: string): Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

/**
 * Every font names its face and size: exceljs writes a styled cell's font with only what
 * is given, and a font without a name is drawn in the viewer's fallback (a serif in
 * LibreOffice), which changes widths so that columns sized for Calibri cut their text.
 */
const font = (f: Partial<Font>): Partial<Font> => ({ name: 'Calibri', family: 2, size: 11, ...f });

export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

const headerFont: Partial<Font> = font({ bold: true, color: { argb: 'FF1F1F1F' } });
const headerBorder: Partial<Borders> = { bottom: { style: 'thin', color: { argb: 'FF7F7F7F' } } };
const headerAlign: Partial<Alignment> = { vertical: 'middle' };

export const HEADER: Partial<Style> = {
  font: headerFont,
  fill: solid('FFD9E1F2'),
  border: headerBorder,
  alignment: headerAlign,
};

/** Rows of access gained (Permission Changes, Membership Changes). */
export const GRANTED: Partial<Style> = {
  fill: solid('FFC6EFCE'),
  font: font({ color: { argb: 'FF006100' } }),
};
/** Rows of access lost. */
export const REVOKED: Partial<Style> = {
  fill: solid('FFFFC7CE'),
  font: font({ color: { argb: 'FF9C0006' } }),
};
export const GRANTED_PRIVILEGED: Partial<Style> = {
  fill: GRANTED.fill,
  font: font({ bold: true, color: { argb: 'FF006100' } }),
};
export const REVOKED_PRIVILEGED: Partial<Style> = {
  fill: REVOKED.fill,
  font: font({ bold: true, color: { argb: 'FF9C0006' } }),
};
/** The Privileged cell of a workspace-wide owner/admin role elsewhere. */
export const PRIVILEGED: Partial<Style> = {
  fill: solid('FFFFEB9C'),
  font: font({ bold: true, color: { argb: 'FF9C5700' } }),
};

/** The style of an unstyled cell: one shared object (see sheet-writer.ts on why shared). */
export const PLAIN: Partial<Style> = {};
const DATE_CELL: Partial<Style> = { numFmt: DATE_FORMAT };
// Centred: a right-aligned count would touch the left-aligned text of the next column.
const INT_CELL: Partial<Style> = { alignment: { horizontal: 'center' } };

/** The plain style of a data column of this kind. */
export function columnStyle(kind: string): Partial<Style> {
  if (kind === 'date') return DATE_CELL;
  return kind === 'int' ? INT_CELL : PLAIN;
}

export const SUMMARY_TITLE: Partial<Style> = { font: font({ bold: true, size: 14 }) };
export const SUMMARY_SECTION: Partial<Style> = {
  font: font({ bold: true, color: { argb: 'FF1F3864' } }),
  border: headerBorder,
};
// Top-aligned: a label beside a value wrapped over two lines reads as the first line's.
export const SUMMARY_LABEL: Partial<Style> = { font: font({ bold: true }), alignment: { vertical: 'top' } };
export const SUMMARY_WARNING: Partial<Style> = {
  font: font({ bold: true, color: { argb: 'FF9C0006' } }),
  alignment: { vertical: 'top' },
};
export const SUMMARY_VALUE: Partial<Style> = {
  alignment: { horizontal: 'left', vertical: 'top', wrapText: true },
};
export const SUMMARY_DATE: Partial<Style> = {
  numFmt: DATE_FORMAT,
  alignment: { horizontal: 'left', vertical: 'top' },
};
