import type { Config } from '../config.js';
import { createLogger, type Logger } from '../log/logger.js';
import { type DatabaseHandle, openDatabase } from '../store/index.js';

/** What most commands need: a logger and an open (migrated) database, closed in `finally`. */
export async function withDatabase<T>(
  config: Config,
  work: (handle: DatabaseHandle, logger: Logger) => Promise<T>,
  logger: Logger = createLogger(),
): Promise<T> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    return await work(handle, logger);
  } finally {
    await handle.close();
  }
}
