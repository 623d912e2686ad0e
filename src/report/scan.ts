import type { AccessRow, ReportData } from '../model/report-data.js';
import type { Cell } from './cells.js';
import { DataHasher } from './data-hash.js';
import { type AnySheetSource, type ColumnSpec, dataSheets, headerText } from './sheets.js';

/**
 * The first pass over the report's data: the data hash, the row counts and the column
 * widths, all needed before the first row is written (the Summary comes first and shows
 * the hash; exceljs's streaming writer drops column widths set after the first commit).
 * It walks `accessReview` once more than the write does; see bench/report.ts for its cost.
 */

export interface ReportCounts {
  exceptions: number;
  permissionChanges: number;
  staleInvites: number;
  membershipChanges: number;
  accessReview: number;
  invites: number;
  /** Rows of the Review Status sheet: review decisions made by this snapshot. */
  reviewStatus: number;
  /** Access Review rows of privileged roles (the download site's trend chart). */
  privilegedAccess: number;
}

export interface ReportScan {
  dataSha256: string;
  counts: ReportCounts;
  /** Column widths (Excel character units) per data sheet name. */
  widths: Map<string, number[]>;
}

const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
const DATE_WIDTH = 20;

function displayLength(cell: Cell): number {
  if (cell === null) return 0;
  if (cell instanceof Date) return DATE_WIDTH;
  return String(cell).length;
}

/** Widths from the longest cell of each column (header included), within sensible bounds. */
class WidthTracker {
  readonly #max: number[];
  readonly #columns: readonly ColumnSpec[];

  constructor(columns: readonly ColumnSpec[], timezone: string) {
    this.#columns = columns;
    this.#max = columns.map((c) => headerText(c, timezone).length + 3); // room for the filter button
  }

  add(cells: readonly Cell[]): void {
    for (let i = 0; i < cells.length; i++) {
      const n = displayLength(cells[i] ?? null);
      if (n > (this.#max[i] ?? 0)) this.#max[i] = n;
    }
  }

  widths(): number[] {
    return this.#max.map((n, i) => {
      const kind = this.#columns[i]?.kind;
      if (kind === 'date') return Math.max(n, DATE_WIDTH);
      if (kind === 'decision') return Math.max(n, 14);
      if (kind === 'reason') return Math.max(n, 30);
      // +3: a character of air on each side beyond the longest value, so ids do not touch.
      return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, n + 3));
    });
  }
}

const COUNT_KEYS: Record<string, keyof ReportCounts> = {
  Exceptions: 'exceptions',
  'Permission Changes': 'permissionChanges',
  'Stale Invites': 'staleInvites',
  'Membership Changes': 'membershipChanges',
  'Access Review': 'accessReview',
  Invites: 'invites',
  'Review Status': 'reviewStatus',
};

function countKey(sheetName: string): keyof ReportCounts {
  const key = COUNT_KEYS[sheetName];
  if (key === undefined) throw new Error(`unknown data sheet ${sheetName}`);
  return key;
}

/** Feeds every row of every data sheet, in workbook order, to `visit`. */
async function walkSheets(
  sheets: readonly AnySheetSource[],
  visit: {
    sheet(source: AnySheetSource): void;
    row(cells: Cell[], source: AnySheetSource, item: unknown): void;
  },
): Promise<void> {
  for (const source of sheets) {
    visit.sheet(source);
    for await (const item of source.rows()) visit.row(source.spec.toCells(item), source, item);
  }
}

export async function scanReport(data: ReportData): Promise<ReportScan> {
  const hasher = new DataHasher();
  const counts: ReportCounts = {
    exceptions: 0,
    permissionChanges: 0,
    staleInvites: 0,
    membershipChanges: 0,
    accessReview: 0,
    invites: 0,
    reviewStatus: 0,
    privilegedAccess: 0,
  };
  const trackers = new Map<string, WidthTracker>();
  let tracker: WidthTracker | undefined;
  let key: keyof ReportCounts = 'permissionChanges';
  await walkSheets(dataSheets(data), {
    sheet(source) {
      hasher.sheet(source.spec.name, source.spec.columns);
      tracker = new WidthTracker(source.spec.columns, data.summary.timezone);
      trackers.set(source.spec.name, tracker);
      key = countKey(source.spec.name);
    },
    row(cells, _source, item) {
      hasher.row(cells);
      tracker?.add(cells);
      counts[key]++;
      if (key === 'accessReview' && (item as AccessRow).privileged) counts.privilegedAccess++;
    },
  });
  const widths = new Map<string, number[]>();
  for (const [name, t] of trackers) widths.set(name, t.widths());
  return { dataSha256: hasher.digest(), counts, widths };
}

/** The data hash alone (e.g. to check a stored report's chain). */
export async function reportDataSha256(data: ReportData): Promise<string> {
  return (await scanReport(data)).dataSha256;
}
