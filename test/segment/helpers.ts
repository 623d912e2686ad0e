import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { Secret } from '../../src/secret.js';
import { SegmentClient, type SegmentClientOptions } from '../../src/segment/index.js';

/** A client with short timeouts and backoff, so failure tests stay fast. */
export function fastClient(
  url: string,
  token: string,
  extra: Partial<Omit<SegmentClientOptions, 'apiUrl' | 'token'>> = {},
): SegmentClient {
  return new SegmentClient({
    apiUrl: url,
    token: new Secret(token),
    requestTimeoutMs: 1000,
    minRetryDelayMs: 2,
    maxRetryDelayMs: 10,
    retries: 4,
    ...extra,
  });
}

/** A logger at debug level whose JSON lines are kept in memory. */
export function capturingLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ stream, human: false, level: 'debug' }), text: () => chunks.join('') };
}

export interface TinyServer {
  url: string;
  requests: { url: string; authorization: string | undefined }[];
  /** The headers of every request, in order. */
  headers: IncomingMessage['headers'][];
  close(): Promise<void>;
}

/** A tiny node:http server answering with whatever `handler` returns, for what the simulator cannot do. */
export async function tinyServer(
  handler: (url: URL, req: IncomingMessage, res: ServerResponse) => void,
): Promise<TinyServer> {
  const requests: TinyServer['requests'] = [];
  const headers: TinyServer['headers'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://tiny');
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    headers.push(req.headers);
    handler(url, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Everything a thrown error shows, every way it can be printed. */
export function everyRendering(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 20, showHidden: true })];
  let e: unknown = error;
  for (let i = 0; i < 10 && e !== undefined && e !== null; i++) {
    if (e instanceof Error) {
      parts.push(e.message, e.stack ?? '', String(e));
      try {
        parts.push(JSON.stringify(e, Object.getOwnPropertyNames(e)));
      } catch {
        parts.push('(unserialisable)');
      }
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(String(e), JSON.stringify(e) ?? '');
      e = undefined;
    }
  }
  return parts.join('\n');
}
