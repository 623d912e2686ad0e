/**
 * A roster file, validated whole before anything is recorded: a CSV text with a header
 * naming at least `email` and `status`, optionally `end_date` and `aliases` (other
 * columns are ignored). Headers are compared in lower case with spaces and hyphens read
 * as underscores (`End Date` = `end_date`). Any fault (not text, no such column, a bad
 * status or date, one person twice) refuses the whole file with one line naming the file,
 * the line and the value.
 */
import { AuditError, type ErrorCode } from '../errors.js';
import type { RosterEntry, RosterStatus } from '../model/roster.js';
import { CsvSyntaxError, parseCsv } from './csv.js';
import { emailKey, looksLikeEmail } from './match.js';

/** A roster is a few thousand lines; a file far beyond that is a wrong file, not a roster. */
export const MAX_ROSTER_BYTES = 16 * 1024 * 1024;
const MAX_ROSTER_ROWS = 200_000;

/**
 * Status values, case-insensitive. `inactive` (BambooHR) and `deprovisioned` (Okta) mean
 * the person has left, so exports of those tools work with their own values.
 */
const STATUSES: Record<string, RosterStatus> = {
  active: 'active',
  terminated: 'terminated',
  inactive: 'terminated',
  deprovisioned: 'terminated',
};

export interface RosterSource {
  /** How errors name the file: `ROSTER_FILE (/path)` or the path. */
  where: string;
  /** USAGE for `roster import FILE`, CONFIG_INVALID for ROSTER_FILE (both exit 2). */
  code: ErrorCode;
}

function refuse(source: RosterSource, problem: string): never {
  throw new AuditError(source.code, `${source.where} ${problem}; nothing was imported`, {
    details: { file: source.where },
  });
}

/** The file's text, refused when it is too large or not UTF-8 text (a spreadsheet, an image). */
function textOf(bytes: Uint8Array, source: RosterSource): string {
  if (bytes.length > MAX_ROSTER_BYTES) {
    refuse(source, `is larger than ${MAX_ROSTER_BYTES / 1024 / 1024} MiB: it is not a roster CSV`);
  }
  if (bytes.includes(0)) refuse(source, 'is not a CSV text file (it holds binary data; export it as CSV)');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(source, 'is not UTF-8 text (export it as CSV in UTF-8)');
  }
}

const headerName = (h: string): string =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

function columnsOf(header: readonly string[], source: RosterSource): Map<string, number> {
  const columns = new Map<string, number>();
  header.forEach((h, i) => {
    const name = headerName(h);
    if (name !== '' && columns.has(name)) refuse(source, `has two columns named "${name}" in its header`);
    columns.set(name, i);
  });
  for (const required of ['email', 'status']) {
    if (!columns.has(required)) {
      refuse(
        source,
        `has no "${required}" column in its header (found: ${header.map(headerName).join(', ').slice(0, 200)}); rename the export's column to ${required}`,
      );
    }
  }
  return columns;
}

function isoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

const shown = (value: string): string => JSON.stringify(value.slice(0, 80));

function entryOf(
  fields: readonly string[],
  line: number,
  columns: Map<string, number>,
  source: RosterSource,
) {
  const at = (name: string): string => {
    const i = columns.get(name);
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };
  const email = at('email');
  if (!looksLikeEmail(email)) refuse(source, `line ${line}: email ${shown(email)} is not an email address`);
  const status = STATUSES[at('status').toLowerCase()];
  if (status === undefined) {
    refuse(
      source,
      `line ${line}: status ${shown(at('status'))} is not one of active, terminated (or inactive, deprovisioned)`,
    );
  }
  const end = at('end_date');
  if (end !== '' && !isoDate(end))
    refuse(source, `line ${line}: end_date ${shown(end)} is not a date like 2026-06-15`);
  const aliases = at('aliases')
    .split(/[;\s]+/)
    .filter((a) => a !== '');
  for (const a of aliases) {
    if (!looksLikeEmail(a)) refuse(source, `line ${line}: alias ${shown(a)} is not an email address`);
  }
  const key = emailKey(email);
  const entry: RosterEntry = {
    email,
    emailKey: key,
    status,
    endDate: end === '' ? null : end,
    aliases: [...new Set(aliases.map(emailKey))].filter((a) => a !== key).sort(),
  };
  return entry;
}

/** Every person of a roster file's bytes, in file order; throws (exit 2) on any fault. */
export function parseRoster(bytes: Uint8Array, source: RosterSource): RosterEntry[] {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(textOf(bytes, source));
  } catch (error) {
    if (error instanceof CsvSyntaxError) refuse(source, `is not valid CSV: ${error.message}`);
    throw error;
  }
  const [header, ...rows] = records;
  if (header === undefined) refuse(source, 'is empty: a roster needs a header and at least one row');
  const columns = columnsOf(header.fields, source);
  if (rows.length === 0) refuse(source, 'has a header but no rows');
  if (rows.length > MAX_ROSTER_ROWS) refuse(source, `has more than ${MAX_ROSTER_ROWS} rows`);
  const seen = new Map<string, number>();
  const entries: RosterEntry[] = [];
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      refuse(
        source,
        `line ${row.line}: ${row.fields.length} fields where the header has ${header.fields.length}`,
      );
    }
    const entry = entryOf(row.fields, row.line, columns, source);
    for (const key of [entry.emailKey, ...entry.aliases]) {
      const first = seen.get(key);
      if (first !== undefined) {
        refuse(
          source,
          `line ${row.line}: ${key} is already on line ${first} (one row per person; addresses match ignoring case and +tags)`,
        );
      }
      seen.set(key, row.line);
    }
    entries.push(entry);
  }
  return entries;
}
