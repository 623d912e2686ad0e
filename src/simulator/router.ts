/**
 * The route table's shape and matching. A route key is `METHOD /template`
 * (e.g. `GET /groups/{id}/users`): stats, injections and write limits are all keyed by it.
 */
import type { SimulatedAuditTrail } from './audit-trail.js';
import type { Reply } from './http.js';
import type { WorkspaceState } from './state.js';

/** read: rate-limited and fault-prone; write: per-endpoint write limit; simulation: neither. */
type RouteKind = 'read' | 'write' | 'simulation';

export interface RouteContext {
  state: WorkspaceState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Whether list items of `GET /users` and `GET /groups` carry `permissions`. */
  listPermissions: { users: boolean; groups: boolean };
  omitTotalEntries: boolean;
  /** The largest `pagination.count` accepted. */
  maxPageCount: number;
  /** Reports each pagination count asked for (stats.maxCountRequested). */
  onCount: (count: number) => void;
  /** The workspace's audit trail (GET /audit-events reads it; writes add to it). */
  trail: SimulatedAuditTrail;
}

export interface Route {
  method: string;
  template: string;
  kind: RouteKind;
  handle(ctx: RouteContext): Reply;
}

export const routeKey = (route: Pick<Route, 'method' | 'template'>): string =>
  `${route.method} ${route.template}`;

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

export class Router {
  readonly #routes: { route: Route; parts: string[] }[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ route, parts: segments(route.template) }));
  }

  has(key: string): boolean {
    return this.#routes.some(({ route }) => routeKey(route) === key);
  }

  match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = segments(pathname);
    for (const { route, parts: template } of this.#routes) {
      if (route.method !== method || template.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = template.every((t, i) => {
        const part = parts[i]!;
        if (t.startsWith('{')) {
          try {
            params[t.slice(1, -1)] = decodeURIComponent(part);
            return true;
          } catch {
            return false;
          }
        }
        return t === part;
      });
      if (ok) return { route, params };
    }
    return undefined;
  }
}
