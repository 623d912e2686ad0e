import ExcelJS from 'exceljs';
import { AuditError } from '../errors.js';
import { SUMMARY_LABEL_COLUMNS } from '../model/report-data.js';
import { oneLine } from '../text/one-line.js';

/**
 * Reading a filled-in report back: the bytes must be a zip (an .xlsx is one) of bounded
 * size that exceljs can read, and its Summary must name the report it claims to be.
 * Nothing here trusts those claims: compare.ts checks every data cell against the
 * database's own rebuild.
 */

/** The largest review workbook accepted (a 100,000-row report is about 8 MB). */
export const REVIEW_FILE_MAX_BYTES = 50 * 1024 * 1024;

export function refused(source: string, why: string): AuditError {
  return new AuditError('REVIEW_REFUSED', `review workbook ${source} refused: ${why}; nothing recorded`);
}

/**
 * The most the workbook may hold once unzipped: a 100,000-row report is about 60 MB of
 * XML; a few megabytes that inflate to gigabytes (a zip bomb) are refused unread.
 */
const UNZIPPED_MAX_BYTES = 400 * 1024 * 1024;

/**
 * The unzipped size the archive declares (its central directory's uncompressed sizes),
 * or null when the directory cannot be read. A Zip64 size (0xFFFFFFFF) counts as
 * unbounded: no report needs one.
 */
function declaredUnzippedBytes(zip: Buffer): number | null {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > zip.length) return null;
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return null;
    const size = zip.readUInt32LE(at + 24);
    total += size === 0xffffffff ? Number.POSITIVE_INFINITY : size;
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return total;
}

/** An .xlsx file is a zip archive: its first bytes are a local file header. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export async function openReviewWorkbook(bytes: Buffer, source: string): Promise<ExcelJS.Workbook> {
  if (bytes.length > REVIEW_FILE_MAX_BYTES) {
    throw refused(source, `it is ${bytes.length} bytes, more than the ${REVIEW_FILE_MAX_BYTES} accepted`);
  }
  if (bytes.length < ZIP_MAGIC.length || !bytes.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
    throw refused(source, 'it is not an .xlsx workbook');
  }
  const unzipped = declaredUnzippedBytes(bytes);
  if (unzipped === null) throw refused(source, 'it is not a readable .xlsx workbook (a damaged zip archive)');
  if (unzipped > UNZIPPED_MAX_BYTES) {
    throw refused(source, `it would unzip to more than the ${UNZIPPED_MAX_BYTES} bytes accepted`);
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    const why = oneLine(error instanceof Error ? error.message : String(error)).slice(0, 200);
    throw refused(source, `it is not a readable .xlsx workbook (${why})`);
  }
  return wb;
}

/** What a report's Summary says it is. */
export interface ReportClaims {
  snapshotId: number;
  workspaceId: string;
  dataSha256: string;
  timezone: string;
}

/**
 * The Summary's value cells by their label, in either panel (A → B, D → E); a report
 * written before the Summary had two panels has only the first.
 */
function summaryFields(ws: ExcelJS.Worksheet): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  ws.eachRow((row) => {
    for (const at of SUMMARY_LABEL_COLUMNS) {
      const label = row.getCell(at).value;
      if (typeof label === 'string' && !fields.has(label)) fields.set(label, row.getCell(at + 1).value);
    }
  });
  return fields;
}

export function reportClaims(wb: ExcelJS.Workbook, source: string): ReportClaims {
  const ws = wb.getWorksheet('Summary');
  if (ws === undefined) throw refused(source, 'it has no Summary sheet: it is not an access-audit report');
  const f = summaryFields(ws);
  const snapshotId = f.get('Current snapshot');
  const workspaceId = f.get('Workspace ID');
  const dataSha256 = f.get('Data SHA-256 (this report)');
  const timezone = f.get('Time zone of dates');
  if (
    typeof snapshotId !== 'number' ||
    !Number.isSafeInteger(snapshotId) ||
    typeof dataSha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(dataSha256) ||
    typeof timezone !== 'string'
  ) {
    throw refused(
      source,
      'its Summary does not name a snapshot and a data SHA-256: it is not an access-audit report',
    );
  }
  return {
    snapshotId,
    workspaceId: typeof workspaceId === 'string' ? workspaceId : '',
    dataSha256,
    timezone,
  };
}
