/**
 * Vitest global setup: in embedded mode (no TEST_DATABASE_URL), one PGlite data directory
 * made once per test run, twice over: as initdb left it (`bare`) and with every migration
 * applied (`migrated`). openTestDatabase copies one of them instead of running initdb and
 * the migrations again for each file: PGlite's initdb costs 4–10 s of CPU, and the main
 * suite opened about forty fresh databases (a third of the embedded run's time).
 *
 * The copies are real PGlite databases made by the same code (openDatabase, migrateToLatest);
 * the tests of initdb itself and of the migrations still start from scratch or from `bare`.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/store/open.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The template data directories' pgdata folders; '' in server mode. */
    embeddedTemplates: { bare: string; migrated: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL?.trim()) {
    project.provide('embeddedTemplates', { bare: '', migrated: '' });
    return async () => {};
  }
  const root = await mkdtemp(join(tmpdir(), 'access-audit-template-'));
  const bare = join(root, 'bare');
  const migrated = join(root, 'migrated');
  await (await openDatabase({ dataDir: bare, migrate: false })).close();
  await cp(join(bare, 'pgdata'), join(migrated, 'pgdata'), { recursive: true });
  await (await openDatabase({ dataDir: migrated, migrate: true })).close();
  project.provide('embeddedTemplates', { bare: join(bare, 'pgdata'), migrated: join(migrated, 'pgdata') });
  return () => rm(root, { recursive: true, force: true });
}
