import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { AuditError, isAuditError, unusableDirectory } from '../errors.js';
import { createDirs, makePrivateDir, PRIVATE_FILE } from '../files/private.js';
import type { ReportData } from '../model/report-data.js';
import { oneLine } from '../text/one-line.js';
import { reliefFor } from './backpressure.js';
import { reportFileName } from './file-name.js';
import { type ReportCounts, ReportTally } from './scan.js';
import { writeDataSheet, writeSummarySheet } from './sheet-writer.js';
import { dataSheets } from './sheets.js';
import { summaryLines } from './summary.js';

/**
 * The thin I/O edge of the report: one pass over the data (each row written, hashed and
 * counted as it is read; the Summary, which shows the hash and counts, written last and
 * listed first), exceljs's streaming writer into a temporary file in the target directory,
 * fsync, rename. A reader (the download site, the mailer) never sees half a file, and a
 * failure leaves neither the file nor the temporary file behind.
 */

export interface WriteReportOptions {
  /** Directory of reports (REPORTS_DIR); the file is named by reportFileName unless fileName is given. */
  dir: string;
  fileName?: string;
  /** An exact path (e.g. `report --out FILE`); takes precedence over dir and fileName. */
  outPath?: string;
}

export interface WrittenReport {
  /** Absolute path of the report. */
  path: string;
  fileName: string;
  bytes: number;
  /** SHA-256 of the file's bytes (differs between rebuilds: zip timestamps, generation time). */
  fileSha256: string;
  /** SHA-256 of the report's data (data-hash.ts): the same for a rebuild of the same snapshot. */
  dataSha256: string;
  counts: ReportCounts;
}

const REPORT_CREATOR = 'segment-access-audit';

function targetOf(data: ReportData, options: WriteReportOptions): string {
  if (options.outPath !== undefined) return resolve(options.outPath);
  const s = data.summary;
  return resolve(
    options.dir,
    options.fileName ?? reportFileName(s.current.takenAt, s.current.id, s.timezone),
  );
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function reportError(error: unknown, fileName: string): AuditError {
  if (isAuditError(error)) return error;
  const why = oneLine(error instanceof Error ? error.message : String(error));
  return new AuditError('REPORT_FAILED', `could not write the report ${fileName}: ${why}`, {
    cause: error,
    details: { fileName },
  });
}

/**
 * Makes sure REPORTS_DIR can take reports (created if missing, writable), so a run with an
 * unusable one stops before it crawls, with a configuration error naming the variable,
 * instead of failing after its snapshot.
 */
export async function prepareReportsDir(dir: string): Promise<void> {
  try {
    await makePrivateDir(dir);
    await access(dir, constants.W_OK | constants.X_OK);
    if (!(await stat(dir)).isDirectory())
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    throw unusableDirectory('REPORTS_DIR', dir, 'reports', 'set REPORTS_DIR to a writable directory', error);
  }
}

export async function writeReport(data: ReportData, options: WriteReportOptions): Promise<WrittenReport> {
  const path = targetOf(data, options);
  const dir = dirname(path);
  const fileName = basename(path);
  // Hidden and not ending in .xlsx, so listings of REPORTS_DIR never show it.
  const temp = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`);
  let out: WriteStream | undefined;
  let zip: { abort(): void; on(event: 'error', listener: (e: Error) => void): void } | undefined;

  try {
    const s = data.summary;
    // REPORTS_DIR is made 0700; the directory of `report --out FILE` is the user's and
    // only gets that mode if this creates it. The file itself is 0600 either way.
    if (options.outPath === undefined) await makePrivateDir(dir);
    else await createDirs(dir);

    out = createWriteStream(temp, { flags: 'wx', mode: PRIVATE_FILE });
    const closed = once(out, 'close');
    closed.catch(() => {}); // awaited below; an error surfaces through streamFailure
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false,
      // Level 1 is archiver's default too; output chunks of 256 KB, not zlib's 16 KB: each
      // chunk is a callback, a CRC pass and a write on this thread (5% of the write).
      zip: { zlib: { level: 1, chunkSize: 256 * 1024 } },
    });
    zip = (wb as unknown as { zip: typeof zip }).zip;
    // Remember the first failure of the zip or the file; the row loop stops on it (and no
    // 'error' goes unhandled while we are not yet awaiting commit()).
    let streamError: Error | undefined;
    let failStreams: (e: Error) => void = () => {};
    // Rejects on the first error of the zip or the file: exceljs's commit() only listens
    // for errors from its own finalisation on, and would wait forever for an earlier one.
    const streamFailure = new Promise<never>((_, reject) => {
      failStreams = reject;
    });
    streamFailure.catch(() => {});
    const onStreamError = (e: Error) => {
      streamError ??= e;
      failStreams(e);
    };
    zip?.on('error', onStreamError);
    out.on('error', onStreamError);
    wb.creator = REPORT_CREATOR;
    wb.lastModifiedBy = REPORT_CREATOR;
    wb.created = s.generatedAt;
    wb.modified = s.generatedAt;
    wb.title = `Segment access audit: ${s.workspace.name} (${s.workspace.slug}), snapshot ${s.current.id}`;
    wb.subject = 'Access review and changes of a Twilio Segment workspace';
    wb.keywords = `access-audit segment ${s.workspace.slug} snapshot-${s.current.id}`;

    // The hash covers exactly what was written: it is computed from the cells as they go in.
    const tally = new ReportTally(s.timezone);
    const relieve = reliefFor(out, () => streamError);
    for (const source of dataSheets(data)) {
      await writeDataSheet(wb, source, { timezone: s.timezone, tally, relieve });
    }
    const scan = { dataSha256: tally.digest(), counts: tally.counts };
    wb.description = `Data SHA-256 ${scan.dataSha256}`;
    writeSummarySheet(wb, summaryLines(s, scan, data.reviewStatus), s.timezone);
    await Promise.race([wb.commit(), streamFailure]);
    await Promise.race([closed, streamFailure]);

    // Durable before visible: a crash after the rename must not leave an empty report.
    const handle = await open(temp, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
    const [bytes, fileSha256] = await Promise.all([stat(temp).then((st) => st.size), sha256File(temp)]);
    await rename(temp, path);
    return { path, fileName, bytes, fileSha256, dataSha256: scan.dataSha256, counts: scan.counts };
  } catch (error) {
    zip?.on('error', () => {});
    zip?.abort();
    if (out !== undefined) {
      out.on('error', () => {});
      if (!out.closed) {
        const done = once(out, 'close').catch(() => {});
        out.destroy();
        await done;
      }
    }
    await rm(temp, { force: true }).catch(() => {});
    throw reportError(error, fileName);
  }
}
