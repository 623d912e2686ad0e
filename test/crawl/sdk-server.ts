import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

/**
 * A tiny real HTTP server on 127.0.0.1 that answers with fixed bodies shaped exactly like
 * the public SDK's models (optional members absent or null), for what the simulator does
 * not serve. A route is a path (query ignored) → status and body; a route given as a list
 * serves its pages in turn, following `pagination.cursor` = the page index.
 */
type Answer = { status?: number; body: unknown };
export type Routes = Record<string, Answer | Answer[]>;

export interface SdkServer {
  url: string;
  /** Paths requested, in order (query included). */
  requests: string[];
  close(): Promise<void>;
}

export async function startSdkServer(routes: Routes): Promise<SdkServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname + url.search);
    const route = routes[url.pathname];
    const answer = Array.isArray(route)
      ? route[Number(url.searchParams.get('pagination.cursor') ?? 0)]
      : route;
    const { status, body } = answer ?? {
      status: 404,
      body: { errors: [{ type: 'not-found', message: 'Resource not found', field: null, data: null }] },
    };
    res.writeHead(status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `{data: {[key]: items, pagination}}` as one last page, with no totalEntries (it is optional). */
export function lastPage(key: string, items: unknown[]): Answer {
  return { body: { data: { [key]: items, pagination: { current: 'MA==', next: null, previous: null } } } };
}
