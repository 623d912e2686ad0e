import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSiteHandler, type SiteOptions } from './app.js';

/** The thin I/O edge: listens, and closes within a bound (keep-alive sockets included). */
export interface RunningSite {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startSite(
  options: SiteOptions & { port: number; host?: string },
): Promise<RunningSite> {
  const server = createServer(createSiteHandler(options));
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
