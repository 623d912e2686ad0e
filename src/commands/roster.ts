/**
 * `access-audit roster import FILE`: records an HR or identity-provider roster (CSV) as a
 * dated snapshot, at AUDIT_NOW or now. A bad file is refused whole (exit 2, one line
 * naming the file, the line and the value) before the database is touched.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { readRosterFile } from '../roster/index.js';
import { importRoster } from '../store/index.js';
import { type CommandContext, commandLogger, withDatabase } from './context.js';

export function registerRoster(program: Command, context: CommandContext): void {
  const roster = program.command('roster').description('the HR/IdP roster reconciliation reads');
  roster
    .command('import <file>')
    .description('load a roster CSV (email, status, optional end_date, aliases) as a dated snapshot')
    .action(async (file: string) => {
      const config = loadConfig(context.env);
      const entries = await readRosterFile(file, { where: file, code: 'USAGE' });
      const at = config.auditNow ?? new Date();
      const result = await withDatabase(config, commandLogger(context, 'warn'), (handle) =>
        importRoster(handle.db, entries, at),
      );
      const terminated = entries.filter((e) => e.status === 'terminated').length;
      context.io.stdout.write(
        `roster: ${entries.length} people (${entries.length - terminated} active, ${terminated} terminated) as of ${at.toISOString()}\n` +
          `history: ${result.opened} rows opened, ${result.closed} closed, ${result.unchanged} unchanged\n`,
      );
    });
}
