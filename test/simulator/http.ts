/** Small HTTP helpers for the simulator tests: raw requests and a list walk, no product code. */
import type { RunningSimulator } from '../../src/simulator/index.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

export async function call(
  sim: Pick<RunningSimulator, 'url' | 'token'>,
  path: string,
  init: { method?: string; token?: string | null; accept?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: init.accept ?? 'application/vnd.segment.v1+json' };
  const token = init.token === undefined ? sim.token : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(sim.url + path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** Walks a paginated list with properly encoded cursors; returns items and every page's pagination. */
export async function walk(
  sim: Pick<RunningSimulator, 'url' | 'token'>,
  path: string,
  listKey: string,
  count = 200,
  // biome-ignore lint/suspicious/noExplicitAny: list items of any shape
): Promise<{ items: any[]; pages: any[] }> {
  const items: unknown[] = [];
  const pages: unknown[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const params = new URLSearchParams({ 'pagination.count': String(count) });
    if (cursor !== undefined) params.set('pagination.cursor', cursor);
    const answer = await call(sim, `${path}?${params}`);
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.text}`);
    items.push(...answer.body.data[listKey]);
    pages.push(answer.body.data.pagination);
    cursor = answer.body.data.pagination.next;
    if (cursor === undefined) return { items, pages };
  }
  throw new Error(`${path}: walk did not end`);
}
