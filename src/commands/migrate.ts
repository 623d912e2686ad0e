/**
 * `access-audit migrate`: applies pending migrations to the database named by
 * DATABASE_URL (or the embedded one under DATA_DIR) and says what it did. Every other
 * command that needs the database applies them too; this one does nothing else.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { migrateToLatest, openDatabase, recordPrivilegedRoles } from '../store/index.js';
import type { CommandContext } from './context.js';

export function registerMigrate(program: Command, { env, io }: CommandContext): void {
  program
    .command('migrate')
    .description('apply database migrations (every command that needs the database also applies them first)')
    .action(async () => {
      const config = loadConfig(env);
      const handle = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        migrate: false,
      });
      try {
        const applied = await migrateToLatest(handle.db);
        await recordPrivilegedRoles(handle.db, config.privilegedRoles);
        const where = `${handle.mode === 'embedded' ? 'embedded database in ' : ''}${handle.target}`;
        if (applied.length === 0) io.stdout.write(`${where}: already up to date\n`);
        else io.stdout.write(`${where}: applied ${applied.join(', ')}\n`);
      } finally {
        await handle.close();
      }
    });
}
