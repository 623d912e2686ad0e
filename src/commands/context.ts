import type { Config } from '../config.js';
import { createLogger, type Logger } from '../log/logger.js';
import { type DatabaseHandle, openDatabase, recordPrivilegedRoles } from '../store/index.js';

/** The process environment as commands see it: given to `main`, never read from `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where a command writes: the process's stdout/stderr, or a test's buffer. */
interface Output {
  write(chunk: string): unknown;
  /** A terminal gets human log lines and a progress line; anything else gets JSON and quiet. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
}

/** What every command gets from `main`: its environment and its outputs. */
export interface CommandContext {
  readonly env: Env;
  readonly io: Io;
}

/** The command's structured log: on its stderr, at LOG_LEVEL from its environment. */
export function commandLogger(context: CommandContext, defaultLevel = 'info'): Logger {
  return createLogger({ level: context.env.LOG_LEVEL ?? defaultLevel, stream: context.io.stderr });
}

type DatabaseConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'privilegedRoles'>;

/**
 * Opens (and migrates) the configured database and writes PRIVILEGED_ROLES into
 * audit.settings, so SQL's audit.is_privileged follows the same list as the report. Every
 * command that opens the database with a configuration opens it here (`migrate`, which
 * migrates by itself, records the list after migrating).
 */
export async function openConfiguredDatabase(
  config: DatabaseConfig,
  logger?: Logger,
): Promise<DatabaseHandle> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    await recordPrivilegedRoles(handle.db, config.privilegedRoles);
    return handle;
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** What most commands need: a logger and an open (migrated) database, closed in `finally`. */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  work: (handle: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const handle = await openConfiguredDatabase(config, logger);
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}
