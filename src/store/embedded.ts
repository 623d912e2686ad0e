/**
 * The embedded database: PGlite (Postgres compiled to WebAssembly, in this process) with
 * its files under DATA_DIR/pgdata, served on a private loopback port by pglite-socket so
 * that the same pg + Kysely code path serves it and a real server alike.
 *
 * The socket serves ONE connection and all its connections would share one session
 * anyway: the caller keeps its pool at one connection (see open.ts).
 */
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { privatizeTree } from '../files/private.js';
import { once } from './once.js';

export interface EmbeddedServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * PGlite creates its files 0666 through its own file system layer, whatever the umask.
 * DATA_DIR is 0700 (dir-lock.ts creates it so), which already keeps other users out; the
 * files themselves are also set to 0600 (directories 0700) once PGlite has written them
 * at start, and again after it closes (files it created while running).
 */
export async function startEmbedded(dataDir: string): Promise<EmbeddedServer> {
  const pgdata = join(dataDir, 'pgdata');
  const pglite = await PGlite.create({ dataDir: pgdata });
  await privatizeTree(pgdata);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (error) {
    await pglite.close().catch(() => {});
    throw error;
  }
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  return {
    host: '127.0.0.1',
    port,
    stop: once(async () => {
      await server.stop();
      await pglite.close();
      await privatizeTree(pgdata);
    }),
  };
}
