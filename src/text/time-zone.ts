/**
 * Instants shown as wall-clock time in the audit's time zone (the report's cells and file
 * name, the email's subject and body, the download site).
 *
 * Excel has no notion of time zones: a date cell is a serial number of days, and exceljs
 * turns a JavaScript Date into that serial from its UTC fields. So to make Excel *show*
 * 09:00 in Europe/Berlin for the instant 07:00Z we hand exceljs a Date whose UTC fields
 * read 09:00 — the "wall clock" of the instant in that zone. The zone itself is stated in
 * the column header and the Summary, since the cell cannot carry it.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for an unknown zone (config validates AUDIT_TIMEZONE first).
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockParts(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** A Date whose UTC fields are the wall-clock time of `instant` in `timeZone` (for exceljs). */
export function wallClockDate(instant: Date, timeZone: string): Date {
  const w = wallClockParts(instant, timeZone);
  return new Date(
    Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, instant.getUTCMilliseconds()),
  );
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of the instant in the zone. */
export function localDate(instant: Date, timeZone: string): string {
  const w = wallClockParts(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `YYYY-MM-DD HH:mm:ss` of the instant in the zone (for text, e.g. the Summary's notes). */
export function localDateTime(instant: Date, timeZone: string): string {
  const w = wallClockParts(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** `YYYY-MM-DD HH:mm <zone>` of the instant (for prose: the email, the download site). */
export function localDateTimeWithZone(instant: Date, timeZone: string): string {
  return `${localDateTime(instant, timeZone).slice(0, 16)} ${timeZone}`;
}
