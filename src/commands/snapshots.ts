/**
 * `access-audit snapshots`: the snapshot history — id, taken at (in AUDIT_TIMEZONE),
 * status, counts and permission changes (rows of the report's Permission Changes sheet,
 * as on the site and in /metrics) — as a table on stdout, or `--json` for scripts. An
 * error is shown whole, on one line: its cause comes last, so cutting it would hide it.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { listSnapshots, type SnapshotListing } from '../store/index.js';
import { oneLine } from '../text/one-line.js';
import { type CommandContext, openConfiguredDatabase } from './context.js';

function localTime(date: Date | null, timeZone: string): string {
  if (!date) return '';
  // sv-SE formats as "2026-06-30 08:00:00": sortable and unambiguous.
  return new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

const num = (n: number | null) => (n === null ? '' : String(n));

/** The run's error, else what it could not read of the audit trail (the run still completed). */
function problem(s: SnapshotListing): string {
  if (s.error) return s.error;
  return s.trail?.status === 'unavailable' ? `audit trail unavailable: ${s.trail.error ?? ''}` : '';
}

/** A plain-text table of snapshots (pure, for tests). */
export function formatSnapshotTable(rows: readonly SnapshotListing[], timeZone: string): string {
  if (rows.length === 0) return 'No snapshots yet: run `access-audit run` to take the first.\n';
  const header = [
    'id',
    `taken at (${timeZone})`,
    'status',
    'users',
    'invites',
    'groups',
    'permission changes',
    'error',
  ];
  const lines = rows.map((s) => [
    String(s.id),
    localTime(s.takenAt, timeZone),
    s.status,
    num(s.userCount),
    num(s.inviteCount),
    num(s.groupCount),
    num(s.permissionChanges),
    oneLine(problem(s)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const right = new Set([0, 3, 4, 5, 6]);
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n')}\n`;
}

export function registerSnapshots(program: Command, { env, io }: CommandContext): void {
  program
    .command('snapshots')
    .description('list the snapshot history: id, taken at, status, counts')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig(env);
      const handle = await openConfiguredDatabase(config);
      try {
        const rows = await listSnapshots(handle.db);
        io.stdout.write(
          options.json
            ? `${JSON.stringify(rows, null, 2)}\n`
            : formatSnapshotTable(rows, config.auditTimezone),
        );
      } finally {
        await handle.close();
      }
    });
}
