/**
 * Kysely's Migrator over migrations/ (plain ESM JavaScript next to package.json, so the
 * same files run under tsx and from dist/). Kysely's own bookkeeping tables live in the
 * `audit` schema too, and its migration lock serializes concurrent migrators.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, type Kysely, type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely';
import { AuditError } from '../errors.js';
import { PACKAGE_ROOT } from '../version.js';
import { databaseError } from './errors.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('migrations/', PACKAGE_ROOT));

export { NO_MIGRATIONS };

// biome-ignore lint/suspicious/noExplicitAny: migrations never see the app's types.
function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
    migrationTableSchema: 'audit',
  });
}

function settle(result: MigrationResultSet, doing: string): string[] {
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw databaseError(result.error, `${doing}${failed ? ` (migration ${failed})` : ''}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied (empty: already up to date). */
// biome-ignore lint/suspicious/noExplicitAny: works on any Kysely instance.
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return settle(await migrator(db).migrateToLatest(), 'applying migrations');
}

/** Reverts the latest applied migration; returns the names reverted. */
// biome-ignore lint/suspicious/noExplicitAny: works on any Kysely instance.
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return settle(await migrator(db).migrateDown(), 'reverting a migration');
}

/** Migrates up or down to the named migration (NO_MIGRATIONS: everything reverted). */
export async function migrateTo(
  // biome-ignore lint/suspicious/noExplicitAny: works on any Kysely instance.
  db: Kysely<any>,
  target: string | typeof NO_MIGRATIONS,
): Promise<string[]> {
  return settle(await migrator(db).migrateTo(target), `migrating to ${String(target)}`);
}

export interface MigrationState {
  name: string;
  executedAt: Date | undefined;
}

/** Every known migration and when it was applied (undefined: pending). */
// biome-ignore lint/suspicious/noExplicitAny: works on any Kysely instance.
export async function migrationStates(db: Kysely<any>): Promise<MigrationState[]> {
  try {
    const list = await migrator(db).getMigrations();
    return list.map((m) => ({ name: m.name, executedAt: m.executedAt }));
  } catch (error) {
    throw error instanceof AuditError ? error : databaseError(error, 'reading migrations');
  }
}
