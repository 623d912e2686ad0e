/**
 * Plain cell values: what the pure part of the report produces and the writer writes.
 * Workspace data is always a string here, never a formula object, so exceljs stores it
 * as text whatever it looks like (`=HYPERLINK(…)`, `+1`, `@SUM(A1)`).
 */
export type Cell = string | number | boolean | Date | null;

/** Excel refuses (offers to repair) a cell holding more than 32,767 characters. */
export const EXCEL_MAX_TEXT = 32_767;

/** Characters xmlSafe may have to replace (any surrogate: a paired one is looked at closer). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML cannot carry.
const MAYBE_UNSAFE = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Characters XML 1.0 cannot carry (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF;
 * unpaired surrogates) made into ones it can: a control becomes its visible Control
 * Pictures symbol (U+0007 → ␇), the others U+FFFD. exceljs writes text as it is, and
 * Excel refuses a sheet holding such a character (it offers to repair the file and drops
 * the content), so a display name with a bell character in it would spoil the report.
 */
function xmlSafe(value: string): string {
  // Nearly all text is safe as it is: one regular-expression test instead of a loop.
  if (!MAYBE_UNSAFE.test(value)) return value;
  let out: string[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let replacement: string | undefined;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) replacement = String.fromCharCode(0x2400 + c);
    else if (c === 0xfffe || c === 0xffff) replacement = '\uFFFD';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out?.push(value[i] as string, value[i + 1] as string);
        i++;
        continue;
      }
      replacement = '\uFFFD';
    } else if (c >= 0xdc00 && c <= 0xdfff) replacement = '\uFFFD';
    if (replacement !== undefined) {
      out ??= [value.slice(0, i)];
      out.push(replacement);
    } else out?.push(value[i] as string);
  }
  return out ? out.join('') : value;
}

/**
 * Workspace text as a cell: XML-safe (xmlSafe) and clamped to Excel's limit without
 * splitting a surrogate pair (the hash covers the text as written).
 */
export function text(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const safe = xmlSafe(value);
  if (safe.length <= EXCEL_MAX_TEXT) return safe;
  const cut = safe.charCodeAt(EXCEL_MAX_TEXT - 1);
  return safe.slice(0, cut >= 0xd800 && cut <= 0xdbff ? EXCEL_MAX_TEXT - 1 : EXCEL_MAX_TEXT);
}

/** A yes/no flag as a filterable cell: "yes", or empty. */
export function flag(value: boolean): string | null {
  return value ? 'yes' : null;
}
