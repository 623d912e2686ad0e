/**
 * The naive baseline the benchmark compares the product with: the walk a script written
 * against the official SDK does (one `await` after another, as the SDK's generated methods
 * are used in a loop), here with plain `fetch` so the bench needs no extra dependency —
 * no pacing, no retries, no concurrency, one request at a time:
 *   GET /, /roles, /invites, /users (pages of 200), GET /users/{id} for each user,
 *   /groups (pages), and each group's /users and /invites (pages).
 * It reads the same responses the product does, so the two can be timed side by side.
 */

interface Page {
  pagination?: { next?: string | null };
  [list: string]: unknown;
}

export interface NaiveWalk {
  requests: number;
  users: number;
  groups: number;
  wallMs: number;
}

export async function naiveWalk(apiUrl: string, token: string): Promise<NaiveWalk> {
  const started = performance.now();
  let requests = 0;
  const get = async (path: string, query: Record<string, string> = {}): Promise<Page> => {
    const url = new URL(`${apiUrl.replace(/\/+$/, '')}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    requests++;
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.segment.v1+json' },
    });
    if (!response.ok) throw new Error(`naive walk: GET ${path} answered ${response.status}`);
    return ((await response.json()) as { data: Page }).data;
  };
  const list = async <T>(path: string, field: string): Promise<T[]> => {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const query: Record<string, string> = { 'pagination.count': '200' };
      if (cursor) query['pagination.cursor'] = cursor;
      const page = await get(path, query);
      items.push(...((page[field] as T[] | undefined) ?? []));
      cursor = page.pagination?.next ?? undefined;
    } while (cursor);
    return items;
  };

  await get('/');
  await list('/roles', 'roles');
  await list('/invites', 'invites');
  const users = await list<{ id: string }>('/users', 'users');
  for (const user of users) await get(`/users/${encodeURIComponent(user.id)}`);
  const groups = await list<{ id: string }>('/groups', 'userGroups');
  for (const group of groups) {
    await list(`/groups/${encodeURIComponent(group.id)}/users`, 'users');
    await list(`/groups/${encodeURIComponent(group.id)}/invites`, 'emails');
  }
  return { requests, users: users.length, groups: groups.length, wallMs: performance.now() - started };
}
