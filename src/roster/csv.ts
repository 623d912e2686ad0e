/**
 * A small RFC 4180 reader: fields separated by commas, records by CRLF or LF, a field in
 * double quotes may hold commas, line breaks and doubled quotes. Pure: text in, records
 * out, each with the line it starts on (for error messages). A quote that never closes,
 * or text after a closing quote, is an error rather than a guess.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/** Reads a quoted field starting after its opening quote at `start`; returns its text and the next index. */
function quotedField(text: string, start: number, lineOf: () => number): { value: string; next: number } {
  let value = '';
  let i = start;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) throw new CsvSyntaxError(lineOf(), 'a quoted field is never closed');
    value += text.slice(i, close);
    if (text[close + 1] === '"') {
      value += '"';
      i = close + 2;
      continue;
    }
    const after = text[close + 1];
    if (after !== undefined && after !== ',' && after !== '\n' && after !== '\r') {
      throw new CsvSyntaxError(lineOf(), 'text follows a closing quote (write a quote inside a field as "")');
    }
    return { value, next: close + 1 };
  }
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Every record of `text` (a leading byte-order mark is dropped; blank lines are skipped). */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        const from = i;
        const { value, next } = quotedField(text, i + 1, () => startLine);
        line += countLines(text, from, next);
        fields.push(value);
        i = next;
      } else {
        let end = i;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
        const value = text.slice(i, end);
        if (value.includes('"')) throw new CsvSyntaxError(startLine, 'a quote inside an unquoted field');
        fields.push(value);
        i = end;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    const blank = fields.length === 1 && fields[0] === '';
    if (!blank) records.push({ line: startLine, fields });
  }
  return records;
}
