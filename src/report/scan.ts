import type { AccessRow, ReportData } from '../model/report-data.js';
import type { Cell } from './cells.js';
import { DataHasher } from './data-hash.js';
import { type AnySheetSource, type ColumnSpec, dataSheets, headerText } from './sheets.js';

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

const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
const DATE_WIDTH = 20;

/**
 * A width unit is one Calibri digit; capitals are wider (about 1.3 digits), so a mixed-case
 * id like Segment's `0euB8dZfyHYswQ6GG2QMKT77ZkD` counted by its length alone was cut.
 */
function displayLength(cell: Cell): number {
  if (cell === null) return 0;
  if (cell instanceof Date) return DATE_WIDTH;
  const text = String(cell);
  const capitals = text.length - text.replace(/[A-Z]/g, '').length;
  return Math.ceil(text.length + 0.3 * capitals);
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

/**
 * What the report needs to know of its data besides the rows themselves: the data hash,
 * the row counts and the column widths, fed one sheet and one row at a time, in workbook
 * order. The write feeds it as it writes (one read of the data); scanReport feeds it alone.
 */
export class ReportTally {
  readonly #hasher = new DataHasher();
  readonly #timezone: string;
  readonly counts: ReportCounts = {
    exceptions: 0,
    permissionChanges: 0,
    staleInvites: 0,
    membershipChanges: 0,
    accessReview: 0,
    invites: 0,
    reviewStatus: 0,
    privilegedAccess: 0,
  };
  #tracker: WidthTracker | undefined;
  #key: keyof ReportCounts = 'permissionChanges';

  constructor(timezone: string) {
    this.#timezone = timezone;
  }

  sheet(source: AnySheetSource): void {
    this.#hasher.sheet(source.spec.name, source.spec.columns);
    this.#tracker = new WidthTracker(source.spec.columns, this.#timezone);
    this.#key = countKey(source.spec.name);
  }

  row(cells: readonly Cell[], item: unknown): void {
    this.#hasher.row(cells);
    this.#tracker?.add(cells);
    this.counts[this.#key]++;
    if (this.#key === 'accessReview' && (item as AccessRow).privileged) this.counts.privilegedAccess++;
  }

  /**
   * Column widths of the current sheet from the rows fed so far (header included). They
   * are final: the sheet's later rows are not measured (the writer cannot use them).
   */
  widths(): number[] {
    const widths = this.#tracker?.widths() ?? [];
    this.#tracker = undefined;
    return widths;
  }

  /** The data hash; the tally cannot be fed afterwards. */
  digest(): string {
    return this.#hasher.digest();
  }
}

/** The data hash and counts without writing a workbook (one walk of the data). */
export async function scanReport(data: ReportData): Promise<{ dataSha256: string; counts: ReportCounts }> {
  const tally = new ReportTally(data.summary.timezone);
  for (const source of dataSheets(data)) {
    tally.sheet(source);
    for await (const page of source.pages())
      for (const item of page) tally.row(source.spec.toCells(item), item);
  }
  return { dataSha256: tally.digest(), counts: tally.counts };
}

/** The data hash alone (e.g. to check a stored report's chain). */
export async function reportDataSha256(data: ReportData): Promise<string> {
  return (await scanReport(data)).dataSha256;
}
