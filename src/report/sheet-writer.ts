import type { DataValidation, Row, Style, Workbook, Worksheet } from 'exceljs';
import { SUMMARY_LABEL_COLUMNS } from '../model/report-data.js';
import { wallClockDate } from '../text/time-zone.js';
import type { Relief } from './backpressure.js';
import type { Cell } from './cells.js';
import { columnLetter } from './column-letter.js';
import { dataSheetPageSetup, PRINT_FOOTER, summaryPageSetup } from './print.js';
import { directRows } from './row-xml.js';
import type { ReportTally } from './scan.js';
import {
  type AnySheetSource,
  type ColumnSpec,
  DECISIONS,
  headerText,
  REASON_MAX_LENGTH,
  SUMMARY_SHEET,
} from './sheets.js';
import * as S from './styles.js';
import type { SummaryLine } from './summary.js';
import { summaryPanels } from './summary-layout.js';

/**
 * Writing sheets into exceljs's streaming WorkbookWriter: every row is committed as soon
 * as it is written, so memory does not grow with the Access Review. Order matters there:
 * views (frozen panes) only at addWorksheet, column widths before the first commit,
 * auto-filter and validations before the sheet's commit. No hyperlinks anywhere: the
 * streaming writer puts them before conditional formatting/validations, which Excel
 * repairs (exceljs #2784), and the Access Review has a validation list.
 */

const FROZEN_HEADER = [
  { state: 'frozen' as const, xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' },
];

type Tint = 'granted' | 'revoked' | null;
const TINTS: readonly Tint[] = [null, 'granted', 'revoked'];

/** Sheets whose rows are tinted by their Change column: access gained green, lost red. */
const TINTED_SHEETS = new Set(['Permission Changes', 'Membership Changes']);

/** Which tint a data row of a tinted sheet gets, as an index into TINTS. */
function tintAt(cells: readonly Cell[]): number {
  const change = cells[0];
  if (change === 'granted' || change === 'added') return 1;
  if (change === 'revoked' || change === 'removed') return 2;
  return 0;
}

/** Memoised composition, so equal looks share one style object (and one styles.xml entry). */
const composed = new Map<string, Partial<Style>>();
function cellStyle(tint: Tint, kind: ColumnSpec['kind'], privileged: boolean): Partial<Style> | undefined {
  const key = `${tint}|${kind === 'date'}|${privileged}`;
  const hit = composed.get(key);
  if (hit !== undefined || composed.has(key)) return hit;
  let style: Partial<Style> | undefined;
  if (tint === 'granted') style = privileged ? S.GRANTED_PRIVILEGED : S.GRANTED;
  else if (tint === 'revoked') style = privileged ? S.REVOKED_PRIVILEGED : S.REVOKED;
  else if (privileged) style = S.PRIVILEGED;
  if (kind === 'date') style = { ...(style ?? {}), numFmt: S.DATE_FORMAT };
  composed.set(key, style as Partial<Style>);
  return style;
}

/**
 * The sign-off columns accept only what the review import (issue 16) can read back: a
 * Decision from the list, a Reason of bounded length. Both may stay empty.
 */
function addReviewValidations(ws: Worksheet, columns: readonly ColumnSpec[], lastRow: number): void {
  // Worksheet.dataValidations exists at run time but is missing from exceljs's typings.
  const validations = (ws as unknown as { dataValidations: { add(ref: string, v: DataValidation): void } })
    .dataValidations;
  const range = (kind: ColumnSpec['kind']): string | undefined => {
    const at = columns.findIndex((c) => c.kind === kind);
    if (at < 0) return undefined;
    const col = columnLetter(at + 1);
    return `${col}2:${col}${lastRow}`;
  };
  const decision = range('decision');
  if (decision !== undefined) {
    validations.add(decision, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${DECISIONS.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: 'Decision',
      error: `Choose ${DECISIONS.join(' or ')}, or leave empty.`,
      showInputMessage: true,
      promptTitle: 'Reviewer decision',
      prompt: `${DECISIONS.join(' or ')}`,
    });
  }
  const reason = range('reason');
  if (reason !== undefined) {
    validations.add(reason, {
      type: 'textLength',
      operator: 'lessThanOrEqual',
      allowBlank: true,
      formulae: [REASON_MAX_LENGTH],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: 'Reason',
      error: `At most ${REASON_MAX_LENGTH} characters.`,
      showInputMessage: true,
      promptTitle: 'Reason',
      prompt: `Why keep or revoke (needed for Revoke, and for Keep on a privileged row); at most ${REASON_MAX_LENGTH} characters.`,
    });
  }
}

/**
 * Rows between two waits for the zip and the file to catch up (see backpressure.ts). Each
 * wait is also the turn in which deflate's finished chunks are taken and its next one
 * handed over: deflate works on another core only while it has a chunk, so between two
 * turns it stands idle. At 500 rows a turn the 100,000-user report waited on deflate a
 * quarter of its time (5.9 to 6.8 s); at 100, 4.1 to 4.5 s on the same machine.
 */
const RELIEF_EVERY = 100;

/**
 * Rows read before the column widths are set (exceljs's streaming writer takes widths only
 * before the first row is committed). Every sheet but the Access Review is shorter, so its
 * widths come from all its rows; the Access Review's from its first rows, which the data is
 * read once for, not twice.
 */
const WIDTH_SAMPLE_ROWS = 2000;

/** The style objects of a row's cells for one look (tint, privileged flag). */
function rowLook(
  spec: AnySheetSource['spec'],
  privilegedAt: number,
  tint: Tint,
  privileged: boolean,
): Partial<Style>[] {
  return spec.columns.map((column: ColumnSpec, i: number) => {
    // Untinted rows flag only the Privileged cell; tinted rows colour the whole row.
    const special = tint !== null || (privileged && i === privilegedAt);
    // Always a shared style object: exceljs caches style ids by object identity, and
    // otherwise serialises a fresh `{}` for every cell (a third of the write time).
    const style = special
      ? cellStyle(tint, column.kind, privileged && i === privilegedAt)
      : S.columnStyle(column.kind);
    return style ?? S.PLAIN;
  });
}

/**
 * The shared style objects of one sheet's cells, chosen per row (tint, privileged flag)
 * among the six looks a row can have, each made once.
 */
function rowStyler(spec: AnySheetSource['spec']): (cells: readonly Cell[]) => readonly Partial<Style>[] {
  const privilegedAt = spec.columns.findIndex((c: ColumnSpec) => c.kind === 'flag' && c.key === 'privileged');
  const tinted = TINTED_SHEETS.has(spec.name);
  const looks = TINTS.map((tint) =>
    [false, true].map((privileged) => rowLook(spec, privilegedAt, tint, privileged)),
  );
  return (cells) => {
    const tint = tinted ? tintAt(cells) : 0;
    const privileged = privilegedAt >= 0 && cells[privilegedAt] === 'yes';
    return looks[tint]?.[privileged ? 1 : 0] as Partial<Style>[];
  };
}

/** Sheets whose cells are all text or empty: their rows can go straight in as XML (row-xml.ts). */
function textOnly(spec: AnySheetSource['spec']): boolean {
  return spec.columns.every((c: ColumnSpec) => c.kind !== 'date' && c.kind !== 'int');
}

/**
 * Writes data rows after the header: as XML straight into the sheet's stream when the
 * sheet is text only and exceljs's internals allow it (the same bytes, a fraction of the
 * CPU), else through exceljs's rows.
 */
function rowSink(wb: Workbook, ws: Worksheet, spec: AnySheetSource['spec'], timezone: string) {
  const style = rowStyler(spec);
  const direct = textOnly(spec) ? directRows(wb, ws, spec.columns.length) : undefined;
  if (direct !== undefined) {
    return {
      add: (rowNumber: number, cells: readonly Cell[]) => direct.add(rowNumber, cells, style(cells)),
      flush: () => direct.flush(),
    };
  }
  return {
    add: (_rowNumber: number, cells: readonly Cell[]) => {
      const row = ws.addRow(cells.map((v) => (v instanceof Date ? wallClockDate(v, timezone) : v)));
      const styles = style(cells);
      for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i] as Partial<Style>;
      row.commit();
    },
    flush: () => {},
  };
}

/** A data sheet being written: its rows go in one by one, with a wait for the zip now and then. */
interface OpenSheet {
  /** Adds the next data row; true when it is time to let the zip and the file catch up. */
  add(cells: readonly Cell[]): boolean;
  relieve(): Promise<void>;
  /** Auto-filter, validations, commit; the number of data rows. */
  close(): number;
}

function startSheet(
  wb: Workbook,
  spec: AnySheetSource['spec'],
  widths: readonly number[],
  options: { timezone: string; relieve: Relief },
): OpenSheet {
  const ws = openDataSheet(wb, spec, widths, options.timezone);
  const sink = rowSink(wb, ws, spec, options.timezone);
  let rowNumber = 1;
  return {
    add(cells) {
      sink.add(++rowNumber, cells);
      return rowNumber % RELIEF_EVERY === 0;
    },
    async relieve() {
      sink.flush();
      await options.relieve(ws);
    },
    close() {
      sink.flush();
      ws.autoFilter = `A1:${columnLetter(spec.columns.length)}${rowNumber}`;
      if (rowNumber >= 2) addReviewValidations(ws, spec.columns, rowNumber);
      ws.commit();
      return rowNumber - 1;
    },
  };
}

/**
 * Writes one data sheet, feeding every row to the tally as it goes (hash, counts, widths):
 * the data is read once, a page at a time, and a row costs no await of its own. Returns
 * the number of data rows.
 */
export async function writeDataSheet(
  wb: Workbook,
  source: AnySheetSource,
  options: { timezone: string; tally: ReportTally; relieve: Relief },
): Promise<number> {
  const { spec } = source;
  const { tally } = options;
  tally.sheet(source);
  // Rows held back until the column widths are known (see WIDTH_SAMPLE_ROWS).
  const sample: Cell[][] = [];
  let sheet: OpenSheet | undefined;
  const open = (): OpenSheet => {
    const opened = startSheet(wb, spec, tally.widths(), options);
    for (const cells of sample.splice(0)) opened.add(cells);
    return opened;
  };
  for await (const page of source.pages()) {
    for (const item of page) {
      const cells = spec.toCells(item);
      tally.row(cells, item);
      if (sheet === undefined) {
        sample.push(cells);
        if (sample.length === WIDTH_SAMPLE_ROWS) sheet = open();
      } else if (sheet.add(cells)) {
        await sheet.relieve();
      }
    }
  }
  sheet ??= open();
  return sheet.close();
}

/** A data sheet with its frozen header row, column widths and styles, before any data row. */
function openDataSheet(
  wb: Workbook,
  spec: AnySheetSource['spec'],
  widths: readonly number[],
  timezone: string,
): Worksheet {
  const ws: Worksheet = wb.addWorksheet(spec.name, {
    views: FROZEN_HEADER,
    pageSetup: dataSheetPageSetup(),
    headerFooter: PRINT_FOOTER,
  });
  ws.columns = spec.columns.map((c: ColumnSpec, i: number) => ({
    key: c.key,
    width: widths[i] ?? 12,
    style: S.columnStyle(c.kind),
  }));
  const header = ws.addRow(spec.columns.map((c: ColumnSpec) => headerText(c, timezone)));
  header.eachCell((cell) => {
    cell.style = S.HEADER;
  });
  header.commit();
  return ws;
}

/**
 * The Summary, written after the data sheets (it shows their hash and counts) and listed
 * first: exceljs's streaming writer lists sheets in the order of its private `_worksheets`
 * (by id, which it never reads back for anything but its file names), so the sheet moves
 * to the front there before the workbook is committed. Checked by test/report/workbook.test.ts.
 * Two panels side by side (summary-layout.ts), so the one landscape page stays legible.
 */
export function writeSummarySheet(wb: Workbook, lines: readonly SummaryLine[], timezone: string): void {
  const rows = summaryPanels(lines);
  const ws = wb.addWorksheet(SUMMARY_SHEET, {
    properties: { tabColor: { argb: 'FF1F3864' } },
    pageSetup: summaryPageSetup(rows.length),
    headerFooter: PRINT_FOOTER,
  });
  const labelWidth = summaryLabelWidth(lines);
  ws.columns = [
    { width: labelWidth },
    { width: SUMMARY_VALUE_WIDTH },
    { width: SUMMARY_GAP_WIDTH },
    { width: labelWidth },
    { width: SUMMARY_VALUE_WIDTH },
  ];
  for (const { left, right } of rows) {
    const row = ws.addRow([]);
    const [leftAt, rightAt] = SUMMARY_LABEL_COLUMNS;
    const lineCount = Math.max(putLine(row, leftAt, left, timezone), putLine(row, rightAt, right, timezone));
    // LibreOffice keeps the default height of a row it reads, so a wrapped value would
    // print over the row above: the height is set for the lines it wraps to.
    if (lineCount > 1) row.height = SUMMARY_LINE_POINTS * lineCount;
    row.commit();
  }
  ws.commit();
  listFirst(wb, ws);
}

/** One Summary line into a panel (label at `at`, value next to it); the lines it wraps to. */
function putLine(row: Row, at: number, line: SummaryLine | null, timezone: string): number {
  if (line === null) return 1;
  const label = row.getCell(at);
  label.value = line.label;
  if (line.kind === 'title' || line.kind === 'section') {
    label.style = line.kind === 'title' ? S.SUMMARY_TITLE : S.SUMMARY_SECTION;
    return 1;
  }
  label.style = line.kind === 'warning' ? S.SUMMARY_WARNING : S.SUMMARY_LABEL;
  const value = row.getCell(at + 1);
  value.value = line.value instanceof Date ? wallClockDate(line.value, timezone) : line.value;
  value.style = line.value instanceof Date ? S.SUMMARY_DATE : S.SUMMARY_VALUE;
  return wrappedLines(value.value);
}

const SUMMARY_VALUE_WIDTH = 66;
const SUMMARY_GAP_WIDTH = 3;
const SUMMARY_LINE_POINTS = 15;

/**
 * Wide enough for the longest bold label ("Outside <domain> (users and invites)"), within
 * reason: a label's letters average a little under a width unit (one "0").
 */
function summaryLabelWidth(lines: readonly SummaryLine[]): number {
  const longest = Math.max(0, ...lines.filter((l) => l.kind !== 'title').map((l) => l.label.length));
  return Math.min(56, Math.max(32, Math.ceil(longest * 0.95) + 2));
}

/** How many lines a value wraps to: about 1.2 Calibri characters to a width unit, rounded up. */
function wrappedLines(value: unknown): number {
  if (typeof value !== 'string') return 1;
  return Math.max(1, Math.ceil(value.length / (SUMMARY_VALUE_WIDTH * 1.2)));
}

function listFirst(wb: Workbook, ws: Worksheet): void {
  const sheets = (wb as unknown as { _worksheets?: (Worksheet | undefined)[] })._worksheets;
  const at = sheets?.indexOf(ws) ?? -1;
  if (sheets === undefined || at < 0) throw new Error('exceljs: cannot order the workbook sheets');
  sheets.splice(at, 1);
  // Index 0 stays empty: exceljs's sheet ids start at 1.
  sheets.splice(1, 0, ws);
}
