/**
 * A fresh audit database per test file, so files run in parallel:
 * - TEST_DATABASE_URL set: a uniquely named database created on that server through an
 *   admin connection to it, dropped on close;
 * - otherwise: a fresh embedded (PGlite) database in a temporary directory, removed on close,
 *   copied from the run's template (embedded-template.ts: initdb once, not once per file).
 *
 * `databaseUrl` / `dataDir` are what a child process needs (DATABASE_URL, DATA_DIR).
 * In embedded mode only one process may own dataDir: call `release()` before a command
 * opens it (in this process or a child), and `use()` when the test next looks.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { Secret } from '../../src/secret.js';
import { type DatabaseHandle, openDatabase } from '../../src/store/open.js';

export interface TestDatabase {
  /** Server mode: the new database's URL. Embedded: '' (use dataDir). */
  url: string;
  databaseUrl: Secret | undefined;
  dataDir: string;
  mode: 'server' | 'embedded';
  /** The open handle (replaced by reopen()). */
  handle: DatabaseHandle;
  /** Closes the handle (keeps the data) so another process can open it; again, nothing. */
  release(): Promise<void>;
  /**
   * The open handle, opened again first if released: a file that runs several commands in a
   * row opens the embedded database only when it next looks (each open costs about a second).
   */
  use(): Promise<DatabaseHandle>;
  /** Opens the same database again (after release()); updates `handle`. */
  reopen(options?: { migrate?: boolean }): Promise<DatabaseHandle>;
  /** Closes and deletes everything. */
  close(): Promise<void>;
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * `collation: 'en-US'`: on the server, a database whose default collation is ICU's en-US
 * (case and accents sort as people expect, unlike C); the embedded database has C only.
 */
export async function openTestDatabase(
  options: { migrate?: boolean; collation?: 'en-US' } = {},
): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'access-audit-test-'));
  let url = '';
  let databaseUrl: Secret | undefined;
  let dbName: string | undefined;
  if (serverUrl) {
    dbName = `audit_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const locale =
      options.collation === 'en-US' ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'` : '';
    await admin(serverUrl, `CREATE DATABASE "${dbName}"${locale}`);
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
    databaseUrl = new Secret(url);
  } else {
    const templates = inject('embeddedTemplates');
    const template = options.migrate === false ? templates.bare : templates.migrated;
    await cp(template, join(dataDir, 'pgdata'), { recursive: true });
  }
  let released = false;
  const open = (migrate = options.migrate ?? true) => openDatabase({ databaseUrl, dataDir, migrate });
  const t: TestDatabase = {
    url,
    databaseUrl,
    dataDir,
    mode: serverUrl ? 'server' : 'embedded',
    handle: await open(),
    async release() {
      await t.handle.close();
      released = true;
    },
    async use() {
      if (released) await t.reopen();
      return t.handle;
    },
    async reopen(o = {}) {
      await t.handle.close();
      t.handle = await open(o.migrate);
      released = false;
      return t.handle;
    },
    async close() {
      await t.handle.close();
      if (serverUrl && dbName) await admin(serverUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
