import type { Alignment, Borders, Fill, Font, Style } from 'exceljs';

/**
 * The workbook's look, in one place. Colours are Excel's own "Good" / "Bad" / "Neutral"
 * cell styles, so a reader recognises them. Styles are shared objects: exceljs's style
 * manager keys them, so thousands of cells cost one entry in styles.xml.
 */

const solid = (argb: string): Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

const headerFont: Partial<Font> = { bold: true, color: { argb: 'FF1F1F1F' } };
const headerBorder: Partial<Borders> = { bottom: { style: 'thin', color: { argb: 'FF7F7F7F' } } };
const headerAlign: Partial<Alignment> = { vertical: 'middle' };

export const HEADER: Partial<Style> = {
  font: headerFont,
  fill: solid('FFD9E1F2'),
  border: headerBorder,
  alignment: headerAlign,
};

/** Rows of access gained (Permission Changes, Membership Changes). */
export const GRANTED: Partial<Style> = { fill: solid('FFC6EFCE'), font: { color: { argb: 'FF006100' } } };
/** Rows of access lost. */
export const REVOKED: Partial<Style> = { fill: solid('FFFFC7CE'), font: { color: { argb: 'FF9C0006' } } };
export const GRANTED_PRIVILEGED: Partial<Style> = {
  fill: GRANTED.fill,
  font: { bold: true, color: { argb: 'FF006100' } },
};
export const REVOKED_PRIVILEGED: Partial<Style> = {
  fill: REVOKED.fill,
  font: { bold: true, color: { argb: 'FF9C0006' } },
};
/** The Privileged cell of a workspace-wide owner/admin role elsewhere. */
export const PRIVILEGED: Partial<Style> = {
  fill: solid('FFFFEB9C'),
  font: { bold: true, color: { argb: 'FF9C5700' } },
};

/** The style of an unstyled cell: one shared object (see sheet-writer.ts on why shared). */
export const PLAIN: Partial<Style> = {};
export const DATE_CELL: Partial<Style> = { numFmt: DATE_FORMAT };

export const SUMMARY_TITLE: Partial<Style> = { font: { bold: true, size: 14 } };
export const SUMMARY_SECTION: Partial<Style> = {
  font: { bold: true, color: { argb: 'FF1F3864' } },
  border: headerBorder,
};
export const SUMMARY_LABEL: Partial<Style> = { font: { bold: true } };
export const SUMMARY_WARNING: Partial<Style> = { font: { bold: true, color: { argb: 'FF9C0006' } } };
export const SUMMARY_VALUE: Partial<Style> = { alignment: { horizontal: 'left', wrapText: true } };
export const SUMMARY_DATE: Partial<Style> = { numFmt: DATE_FORMAT, alignment: { horizontal: 'left' } };
