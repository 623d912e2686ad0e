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

export interface EmbeddedServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startEmbedded(dataDir: string): Promise<EmbeddedServer> {
  const pglite = await PGlite.create({ dataDir: join(dataDir, 'pgdata') });
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (error) {
    await pglite.close().catch(() => {});
    throw error;
  }
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await pglite.close();
    },
  };
}
