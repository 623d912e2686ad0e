import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditError } from '../errors.js';
import { createSiteHandler, type SiteOptions } from './app.js';

/**
 * The thin I/O edge: listens, and closes within a bound (keep-alive sockets included).
 * A client cannot hold the site with slow or many connections: connections are capped
 * (extra ones are closed at once), a request's headers must arrive within
 * headersTimeoutMs and the whole request within requestTimeoutMs (slowloris), and a
 * connection idle for idleTimeoutMs is closed (a reader that stopped reading).
 */
export interface RunningSite {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface SiteLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default is 30 s). */
  checkIntervalMs: number;
}

const DEFAULT_LIMITS: SiteLimits = {
  maxConnections: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
};

/** A listen failure as a configuration error naming the setting to change. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): AuditError {
  const where = `${host}:${port}`;
  const problem =
    error.code === 'EADDRINUSE'
      ? `PORT ${port} is already in use on ${host}: stop the other server or choose another PORT`
      : error.code === 'EADDRNOTAVAIL'
        ? `BIND_ADDRESS ${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its addresses`
        : error.code === 'EACCES'
          ? `PORT ${port} needs privileges this process lacks: choose a PORT above 1023`
          : `the download site cannot listen on ${where}: ${error.code ?? error.message}`;
  return new AuditError('CONFIG_INVALID', problem, { cause: error, details: { host, port } });
}

export async function startSite(
  options: SiteOptions & { port: number; host?: string; limits?: Partial<SiteLimits> },
): Promise<RunningSite> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    createSiteHandler(options),
  );
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs); // no callback: the socket is destroyed
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => reject(listenError(error, host, options.port));
    server.once('error', fail);
    server.listen(options.port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown =
    host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
