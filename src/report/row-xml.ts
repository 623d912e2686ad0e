import ExcelJS, { type Style, type Workbook, type Worksheet } from 'exceljs';
import type { Cell } from './cells.js';
import { columnLetter } from './column-letter.js';

/**
 * Text-only data rows written as XML straight into exceljs's worksheet stream, as exceljs's
 * streaming writer would write them, byte for byte. exceljs builds a Row, a Cell per column,
 * a cell model and an XmlStream for every row and asks its style manager for each cell's
 * style: at 500,000 Access Review rows that was most of the report's CPU time (and of its
 * garbage). Here a row is one string, and the style ids come from exceljs's own style
 * manager (the same call it makes, so styles.xml is the same).
 *
 * It leans on exceljs internals: the worksheet's `stream` (its zip entry), `startedData`
 * (the columns and `<sheetData>` already written, by the header row's commit) and the
 * workbook's `styles.addStyleModel`. `directRows` returns undefined when any of them is
 * missing, and the writer then goes through exceljs's rows; test/report/row-xml.test.ts
 * fails when that happens or when the bytes differ from exceljs's.
 */

interface StylesLike {
  addStyleModel(model: Partial<Style>, cellType?: number): number;
}
interface SheetStreamLike {
  write(chunk: Buffer): unknown;
}

/** Bytes of rows gathered before one write to the sheet's stream (each write costs a promise and a copy). */
const PENDING_BYTES = 64 * 1024;

/** What exceljs's xmlEncode escapes, and the characters it drops (C0 controls but tab, LF, CR; DEL). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters exceljs drops.
const NEEDS_ESCAPE = /[&<>"'\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters exceljs drops.
const ESCAPE_ALL = /[&<>"'\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g;
const ESCAPED: Record<string, string> = {
  '"': '&quot;',
  '&': '&amp;',
  "'": '&apos;',
  '<': '&lt;',
  '>': '&gt;',
};

/** exceljs's xmlEncode (utils.js), which must be matched exactly: the same file for the same rows. */
function xmlEncode(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(ESCAPE_ALL, (c) => ESCAPED[c] ?? '');
}

export interface DirectRows {
  /** Appends data row `rowNumber`: text or empty cells, each with its (shared) style object. */
  add(rowNumber: number, cells: readonly Cell[], styles: readonly Partial<Style>[]): void;
  /** Hands what is pending to the sheet's stream (before waiting on it, and before its commit). */
  flush(): void;
}

/** Bytes of ASCII text known in advance (markup). */
const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

const CELL_OPEN = ascii('<c r="');
const TEXT_OPEN = ascii(' t="str"><v>');
const TEXT_CLOSE = ascii('</v></c>');
const EMPTY_CLOSE = ascii('/>');
const ROW_OPEN = ascii('<row r="');
const ROW_CLOSE = ascii('</row>');
const QUOTE = 0x22;

/**
 * The buffer rows are written into byte by byte, markup and row numbers included, not built
 * as strings first: a row's string and its pieces were a third of everything the report
 * allocated (and so of its garbage collection), and a string holding one character beyond
 * Latin-1 is stored two bytes a character. Handed to the sheet's stream in chunks.
 */
function rowBuffer(write: (chunk: Buffer) => unknown) {
  let pending = Buffer.allocUnsafe(PENDING_BYTES);
  let used = 0;
  // The row number's digits, set once a row and copied into every cell reference.
  const digits = new Uint8Array(16);
  let digitCount = 0;
  const put = (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) pending[used++] = bytes[i] as number;
  };
  const putDigits = () => {
    for (let i = 0; i < digitCount; i++) pending[used++] = digits[i] as number;
  };
  const flush = () => {
    if (used === 0) return;
    // A copy: the stream may keep the chunk, and this buffer is filled again. Bytes, not a
    // string: exceljs's stream re-encodes a string chunk each time it asks its length.
    write(Buffer.from(pending.subarray(0, used)));
    used = 0;
  };
  return {
    put,
    flush,
    /** Makes room for `bytes` more: a row larger than the buffer (cells of thousands of characters) grows it. */
    room(bytes: number) {
      if (used + bytes > pending.length) flush();
      if (bytes > pending.length) pending = Buffer.allocUnsafe(bytes);
    },
    rowOpen(rowNumber: number, spans: Uint8Array) {
      const number = String(rowNumber);
      for (let i = 0; i < number.length; i++) digits[i] = number.charCodeAt(i);
      digitCount = number.length;
      put(ROW_OPEN);
      putDigits();
      put(spans);
    },
    /** `<c r="B12" s="3"`: a cell's reference in the current row and its style. */
    cellOpen(letter: Uint8Array, style: Uint8Array) {
      put(CELL_OPEN);
      put(letter);
      putDigits();
      pending[used++] = QUOTE;
      put(style);
    },
    text(value: string) {
      // Printable ASCII with nothing to escape (nearly every cell) is its own bytes: copied
      // here, without a test, an escape and a call into the encoder for each cell.
      let at = used;
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c < 0x20 || c > 0x7e || c === 0x26 || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x27) {
          used += pending.write(xmlEncode(value), used, 'utf8');
          return;
        }
        pending[at++] = c;
      }
      used = at;
    },
  };
}

/**
 * exceljs keeps a style's id by object identity (a WeakMap: the first cell type asked with
 * decides), so asking it once per style object here gives the ids it would give; each as
 * the bytes of its ` s="…"` attribute (none for style 0).
 */
function styleIds(addStyleModel: StylesLike['addStyleModel']) {
  const ids = new Map<Partial<Style>, Uint8Array>();
  return (style: Partial<Style> | undefined, type: number): Uint8Array => {
    if (style === undefined) throw new Error('direct rows need a style object for every cell');
    let s = ids.get(style);
    if (s === undefined) {
      const id = addStyleModel(style, type);
      s = ascii(id ? ` s="${id}"` : '');
      ids.set(style, s);
    }
    return s;
  };
}

/** The most bytes a row can take: its markup, and at most 6 bytes a UTF-16 unit of text (&quot;). */
function rowBound(cells: readonly Cell[], columns: number): number {
  let bound = 64 + columns * 48;
  for (let i = 0; i < columns; i++) {
    const value = cells[i];
    if (typeof value === 'string') bound += value.length * 6;
  }
  return bound;
}

/**
 * A direct row writer for `ws` (a sheet of `columns` columns whose header row is committed),
 * or undefined when exceljs's internals are not as expected.
 */
export function directRows(wb: Workbook, ws: Worksheet, columns: number): DirectRows | undefined {
  const styles = (wb as unknown as { styles?: Partial<StylesLike> }).styles;
  const internals = ws as unknown as { startedData?: boolean; stream?: Partial<SheetStreamLike> };
  if (typeof styles?.addStyleModel !== 'function' || internals.startedData !== true) return undefined;
  const stream = internals.stream;
  if (typeof stream?.write !== 'function') return undefined;
  const styleId = styleIds(styles.addStyleModel.bind(styles));
  const write = stream.write.bind(stream);
  const letters = Array.from({ length: columns }, (_, i) => ascii(columnLetter(i + 1)));
  const spans = ascii(`" spans="1:${columns}" x14ac:dyDescent="0.25">`);
  const out = rowBuffer(write);
  return {
    add(rowNumber, cells, rowStyles) {
      // exceljs leaves out a row without a value (styled empty cells or not).
      if (cells.every((c) => c === null)) return;
      out.room(rowBound(cells, columns));
      out.rowOpen(rowNumber, spans);
      for (let i = 0; i < columns; i++) {
        const value = cells[i] ?? null;
        if (value === null) {
          // exceljs leaves out an empty cell unless it has a style of its own.
          const s = styleId(rowStyles[i], ExcelJS.ValueType.Null);
          if (s.length === 0) continue;
          out.cellOpen(letters[i] as Uint8Array, s);
          out.put(EMPTY_CLOSE);
          continue;
        }
        if (typeof value !== 'string')
          throw new Error(`direct rows take text cells only, not ${typeof value}`);
        out.cellOpen(letters[i] as Uint8Array, styleId(rowStyles[i], ExcelJS.ValueType.String));
        out.put(TEXT_OPEN);
        out.text(value);
        out.put(TEXT_CLOSE);
      }
      out.put(ROW_CLOSE);
    },
    flush: out.flush,
  };
}
