/** The report stage: workbook building (pure) and file writing. */
export { EXCEL_MAX_TEXT } from './cells.js';
export { reportFileName } from './file-name.js';
export { reportDataSha256, scanReport } from './scan.js';
export { reportSheetCells } from './sheet-cells.js';
export { DECISIONS, REASON_MAX_LENGTH } from './sheets.js';
export { summaryLines } from './summary.js';
export { prepareReportsDir, type WrittenReport, writeReport } from './write.js';
