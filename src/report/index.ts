/** The report stage: workbook building (pure) and file writing. */
export { type Cell, EXCEL_MAX_TEXT } from './cells.js';
export { DATA_HASH_VERSION, DataHasher } from './data-hash.js';
export { reportFileName } from './file-name.js';
export { type ReportCounts, type ReportScan, reportDataSha256, scanReport } from './scan.js';
export { DECISIONS, dataSheets } from './sheets.js';
export { type SummaryLine, summaryLines } from './summary.js';
export {
  prepareReportsDir,
  REPORT_CREATOR,
  type WriteReportOptions,
  type WrittenReport,
  writeReport,
} from './write.js';
