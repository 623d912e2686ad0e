import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured logs on stderr: JSON lines when stderr is not a terminal (for log shippers),
 * short human lines when it is. Keys that could hold a secret are redacted by pino before
 * anything is written, whatever the caller passes.
 */
const REDACT = [
  'token',
  'authorization',
  'password',
  'pass',
  'secret',
  '*.token',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.pass',
  'headers.authorization',
  'req.headers.authorization',
];

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function humanLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, pid: _pid, hostname: _host, ...rest } = entry;
  const t = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 19);
  const extras = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const lvl = LEVELS[Number(level)] ?? String(level);
  return `${t} ${lvl.padEnd(5)} ${String(msg ?? '')}${extras ? `  ${extras}` : ''}\n`;
}

export interface LoggerOptions {
  level?: string;
  /** Where to write; stderr by default. */
  stream?: { write(chunk: string): unknown; readonly isTTY?: boolean };
  /** Force the human format (true) or JSON (false); default: human on a terminal. */
  human?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.stream ?? process.stderr;
  const human = options.human ?? Boolean(out.isTTY);
  const level = options.level ?? 'info';
  const base = { redact: { paths: REDACT, censor: '[redacted]' }, base: undefined, level };
  if (!human) return pino(base, out);
  const pretty = new Writable({
    write(chunk: Buffer, _enc, done) {
      // Clear the terminal line first: a progress line may be standing there.
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) out.write(`\r\x1b[2K${humanLine(line)}`);
      done();
    },
  });
  return pino(base, pretty);
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
