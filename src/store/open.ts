/**
 * Opens the audit database, whichever it is, behind one Kysely + pg code path:
 * - DATABASE_URL set: a real PostgreSQL server through a pg Pool;
 * - otherwise: PGlite under DATA_DIR served on a private loopback port (embedded.ts),
 *   after taking the directory lock (dir-lock.ts), with a pool of exactly ONE connection
 *   (the socket serves one; every query and transaction takes turns on it).
 * Migrations are applied before the handle is returned.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AuditError, unusableDirectory } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { type Secret, scrub } from '../secret.js';
import { type DirLock, lockDirectory } from './dir-lock.js';
import { startEmbedded } from './embedded.js';
import { connectError, databaseError } from './errors.js';
import { migrateToLatest } from './migrate.js';
import { once } from './once.js';
import type { Database } from './schema.js';

type DatabaseMode = 'server' | 'embedded';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly mode: DatabaseMode;
  /** Where the data lives, safe to print: host:port/database, or the data directory. */
  readonly target: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A real server; undefined → the embedded database under dataDir. */
  databaseUrl?: Secret | undefined;
  dataDir: string;
  logger?: Logger;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
}

/** What the run lock needs to know about a handle (kept off the public interface). */
export type HandleInternals =
  | { mode: 'server'; connection: pg.ClientConfig }
  | { mode: 'embedded'; runLockHeld: boolean };

const internals = new WeakMap<DatabaseHandle, HandleInternals>();

export function handleInternals(handle: DatabaseHandle): HandleInternals {
  const found = internals.get(handle);
  if (!found) throw new AuditError('INTERNAL', 'not a handle returned by openDatabase');
  return found;
}

/** bigint (count(*), sums) comes back as a number where it fits; beyond that as text. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 && format !== 'binary') {
      return (v: string) => {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : v;
      };
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** host:port/database of a URL, never its user or password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

function makeKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Migrates `db` when asked and wraps it in a handle whose close() runs `stop` once; a
 * failed migration stops everything (quietly: the migration's error is the one to tell)
 * before it is thrown.
 */
async function readyHandle(
  db: Kysely<Database>,
  mode: DatabaseMode,
  target: string,
  migrate: boolean,
  stop: () => Promise<void>,
): Promise<DatabaseHandle> {
  if (migrate) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await stop().catch(() => {});
      throw databaseError(error, 'applying migrations', target);
    }
  }
  return { db, mode, target, close: once(stop) };
}

async function openServer(url: Secret, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const target = describeUrl(url.reveal());
  const connection: pg.ClientConfig = {
    connectionString: url.reveal(),
    connectionTimeoutMillis: 10_000,
    types,
  };
  const pool = new pg.Pool({ ...connection, max: 8 });
  pool.on('error', (error) =>
    options.logger?.warn({ err: error.message, target }, 'idle database connection failed'),
  );
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    const e = connectError(error, target);
    throw new AuditError(e.code, scrub(e.message, [url]), { cause: error, details: { ...e.details } });
  }
  const db = makeKysely(pool);
  const handle = await readyHandle(db, 'server', target, options.migrate ?? true, () => db.destroy());
  internals.set(handle, { mode: 'server', connection });
  return handle;
}

async function openEmbedded(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const target = options.dataDir;
  let lock: DirLock;
  try {
    lock = await lockDirectory(options.dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw error; // DB_BUSY and the like
    // The directory itself is unusable (a file, unwritable, read-only): a configuration error.
    throw unusableDirectory(
      'DATA_DIR',
      target,
      'the embedded database',
      'set DATA_DIR to a writable directory, or DATABASE_URL to a server',
      error,
    );
  }
  let server: Awaited<ReturnType<typeof startEmbedded>>;
  try {
    server = await startEmbedded(options.dataDir);
  } catch (error) {
    await lock.release();
    throw new AuditError(
      'DB_UNAVAILABLE',
      `the embedded database in ${target} could not be started: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  // One connection, never closed while idle: the socket serves one at a time.
  const pool = new pg.Pool({
    host: server.host,
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    idleTimeoutMillis: 0,
    types,
  });
  pool.on('error', (error) =>
    options.logger?.warn({ err: error.message }, 'embedded database connection failed'),
  );
  const db = makeKysely(pool);
  const shutdown = async () => {
    await db.destroy().catch(() => {});
    await server.stop().catch(() => {});
    await lock.release();
  };
  const handle = await readyHandle(db, 'embedded', target, options.migrate ?? true, shutdown);
  internals.set(handle, { mode: 'embedded', runLockHeld: false });
  return handle;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const handle = options.databaseUrl
    ? await openServer(options.databaseUrl, options)
    : await openEmbedded(options);
  options.logger?.debug({ mode: handle.mode, target: handle.target }, 'database open');
  return handle;
}
