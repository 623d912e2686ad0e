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
  const addStyleModel = styles.addStyleModel.bind(styles);
  const write = stream.write.bind(stream);
  const letters = Array.from({ length: columns }, (_, i) => columnLetter(i + 1));
  const rowOpen = `" spans="1:${columns}" x14ac:dyDescent="0.25">`;
  // Rows go into this buffer as UTF-8 one by one, not into one long string: a string of
  // many rows holding one character beyond Latin-1 (an en dash in a group name) is stored
  // two bytes a character, and encoding it all was the write's largest cost.
  const pending = Buffer.allocUnsafe(PENDING_BYTES);
  let used = 0;

  // exceljs keeps a style's id by object identity (a WeakMap: the first cell type asked
  // with decides), so asking it once per style object here gives the ids it would give.
  const ids = new Map<Partial<Style>, string>();
  const styleId = (style: Partial<Style> | undefined, type: number): string => {
    if (style === undefined) throw new Error('direct rows need a style object for every cell');
    let s = ids.get(style);
    if (s === undefined) {
      const id = addStyleModel(style, type);
      s = id ? ` s="${id}"` : '';
      ids.set(style, s);
    }
    return s;
  };

  return {
    add(rowNumber, cells, rowStyles) {
      // exceljs leaves out a row without a value (styled empty cells or not).
      if (cells.every((c) => c === null)) return;
      let xml = `<row r="${rowNumber}${rowOpen}`;
      for (let i = 0; i < columns; i++) {
        const value = cells[i] ?? null;
        const ref = `${letters[i]}${rowNumber}`;
        if (value === null) {
          // exceljs leaves out an empty cell unless it has a style of its own.
          const s = styleId(rowStyles[i], ExcelJS.ValueType.Null);
          if (s !== '') xml += `<c r="${ref}"${s}/>`;
          continue;
        }
        if (typeof value !== 'string')
          throw new Error(`direct rows take text cells only, not ${typeof value}`);
        xml += `<c r="${ref}"${styleId(rowStyles[i], ExcelJS.ValueType.String)} t="str"><v>${xmlEncode(value)}</v></c>`;
      }
      xml += '</row>';
      // At most 3 bytes of UTF-8 per UTF-16 unit.
      if (used + xml.length * 3 > PENDING_BYTES) this.flush();
      if (xml.length * 3 > PENDING_BYTES) write(Buffer.from(xml, 'utf8'));
      else used += pending.write(xml, used, 'utf8');
    },
    flush() {
      if (used === 0) return;
      // A copy: the stream may keep the chunk, and this buffer is filled again. Bytes, not a
      // string: exceljs's stream re-encodes a string chunk each time it asks its length.
      write(Buffer.from(pending.subarray(0, used)));
      used = 0;
    },
  };
}
