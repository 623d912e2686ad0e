import { createHash, type Hash } from 'node:crypto';
import type { Cell } from './cells.js';
import type { ColumnSpec } from './sheets.js';

/**
 * The SHA-256 of a report's *data*, shown in its Summary and chained into the next report
 * (`previousDataSha256`), so a series of weekly reports is tamper-evident.
 *
 * Canonical serialisation (version 1) — UTF-8 text made of lines, each one JSON text
 * (JSON.stringify, no spaces) followed by "\n":
 *   for each data sheet in workbook order (Exceptions, Permission Changes, Stale Invites,
 *   Membership Changes, Access Review, Review Status, Invites):
 *     1. {"sheet":<sheet name>,"columns":[<column keys in order>]}
 *     2. one line per data row, in the order written: the JSON array of its cells, where
 *        text is the string as written, numbers are JSON numbers, empty cells are null,
 *        and a date is its instant in UTC as `Date.prototype.toISOString()`
 *        (e.g. "2026-06-30T06:00:00.000Z").
 * A sheet line is an object and a row line an array, so the text cannot be read two ways.
 *
 * Deliberately left out: the Summary sheet (it holds the hash itself and the generation
 * time), header wording, the time zone dates are shown in, styles and column widths. So
 * rebuilding a snapshot's report later, or in another AUDIT_TIMEZONE, gives the same data
 * hash, and any change to a row changes it. Row order is part of the data: the store
 * hands rows in a deterministic order.
 */
export const DATA_HASH_VERSION = 1;

function canonicalCell(cell: Cell): string | number | boolean | null {
  return cell instanceof Date ? cell.toISOString() : cell;
}

function hasDate(cells: readonly Cell[]): boolean {
  for (const cell of cells) if (cell instanceof Date) return true;
  return false;
}

const NEWLINE = Buffer.from('\n');

/**
 * Bytes gathered before they go to the hash: one update a row cost more than the JSON. They
 * are gathered as UTF-8 in a buffer, not as a string: hashing a string holding any character
 * beyond Latin-1 (an en dash in a group name) was three times slower than the JSON itself.
 */
const PENDING_BYTES = 256 * 1024;

export class DataHasher {
  readonly #hash: Hash = createHash('sha256');
  /** Lines not yet hashed (SHA-256 of the concatenation: the same digest, fewer calls). */
  readonly #pending = Buffer.allocUnsafe(PENDING_BYTES);
  #used = 0;

  sheet(name: string, columns: readonly ColumnSpec[]): void {
    this.#addLine(JSON.stringify({ sheet: name, columns: columns.map((c) => c.key) }));
  }

  row(cells: readonly Cell[]): void {
    if (this.#asciiRow(cells)) return;
    // Most rows hold no date: their cells are already canonical (no copy of the row).
    this.#addLine(JSON.stringify(hasDate(cells) ? cells.map(canonicalCell) : cells));
  }

  /**
   * A row of text and empty cells whose every character is printable ASCII that JSON does
   * not escape (nearly every row), written as its JSON bytes directly: JSON.stringify's
   * string and its encoding were the report's largest single cost. False, having written
   * nothing, for any other row.
   */
  #asciiRow(cells: readonly Cell[]): boolean {
    let bound = 3;
    for (const cell of cells) bound += typeof cell === 'string' ? cell.length + 3 : 5;
    if (bound > PENDING_BYTES) return false;
    if (this.#used + bound > PENDING_BYTES) this.#flush();
    const out = this.#pending;
    let at = this.#used;
    out[at++] = 0x5b; // [
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) out[at++] = 0x2c; // ,
      const cell = cells[i];
      if (cell === null) {
        out[at++] = 0x6e; // null
        out[at++] = 0x75;
        out[at++] = 0x6c;
        out[at++] = 0x6c;
        continue;
      }
      if (typeof cell !== 'string') return false;
      out[at++] = 0x22; // "
      for (let k = 0; k < cell.length; k++) {
        const c = cell.charCodeAt(k);
        if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) return false;
        out[at++] = c;
      }
      out[at++] = 0x22;
    }
    out[at++] = 0x5d; // ]
    out[at++] = 0x0a; // newline
    this.#used = at;
    return true;
  }

  /** Hex digest; the hasher cannot be used afterwards. */
  digest(): string {
    this.#flush();
    return this.#hash.digest('hex');
  }

  /** `text` and its "\n", the newline as a byte (a string joined to it was a copy of every line). */
  #addLine(text: string): void {
    // At most 3 bytes of UTF-8 per UTF-16 unit: a line that may not fit goes after the rest.
    const most = text.length * 3 + 1;
    if (this.#used + most > PENDING_BYTES) this.#flush();
    if (most > PENDING_BYTES) {
      this.#hash.update(text, 'utf8');
      this.#hash.update(NEWLINE);
      return;
    }
    this.#used += this.#pending.write(text, this.#used, 'utf8');
    this.#pending[this.#used++] = NEWLINE[0] as number;
  }

  #flush(): void {
    if (this.#used > 0) this.#hash.update(this.#pending.subarray(0, this.#used));
    this.#used = 0;
  }
}
