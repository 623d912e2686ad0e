import type { HeaderFooter, PageSetup } from 'exceljs';

/**
 * How the workbook prints, pure: an auditor files it as evidence, so every data sheet prints
 * landscape and one page wide (however many pages long) and repeats its header row on every
 * page, and the Summary (two panels side by side, ~50 rows) fits on one landscape page. exceljs's streaming writer takes
 * all of this only at addWorksheet (it writes <sheetPr> with <fitToPage/> first).
 */

/** Inches: narrower than Excel's 0.7 at the sides, so fitting to the width shrinks less. */
const MARGINS = { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 };

/**
 * The Summary is fitted to one page up to this many rows; a longer one (hundreds of
 * crawler warnings, say) would shrink to nothing, so it flows on, still one page wide.
 */
export const SUMMARY_ONE_PAGE_ROWS = 70;

function fitted(fitToHeight: number): Partial<PageSetup> {
  // fitToHeight 0: as many pages long as it takes (Excel's "Fit all columns on one page").
  return { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight, margins: MARGINS };
}

export function dataSheetPageSetup(): Partial<PageSetup> {
  return { ...fitted(0), printTitlesRow: '1:1' };
}

/** Landscape like every sheet: the Summary's two panels (summary-layout.ts) fill the width. */
export function summaryPageSetup(rows: number): Partial<PageSetup> {
  return fitted(rows <= SUMMARY_ONE_PAGE_ROWS ? 1 : 0);
}

/** Sheet name at the left, "Page 3 of 12" at the right, on every printed page. */
export const PRINT_FOOTER: Partial<HeaderFooter> = { oddFooter: '&L&A&RPage &P of &N' };
