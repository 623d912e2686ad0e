/**
 * audit.effective_access_at for a page of users (only_users, what the Access Review walks
 * with) gives exactly the rows of the whole population restricted to those users, at
 * every snapshot time and between them.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { picture1, picture2, picture3, T1, T2, T3 } from './fixtures.js';
import { snapshot } from './helpers.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
  await snapshot(t.handle.db, picture1(), T1);
  await snapshot(t.handle.db, picture2(), T2);
  await snapshot(t.handle.db, picture3(), T3);
});
afterAll(async () => {
  await t?.close();
});

type Row = Record<string, unknown>;
const key = (r: Row) => JSON.stringify(r);

async function access(at: Date, users: string[] | null): Promise<Row[]> {
  const r = await sql<Row>`
    SELECT * FROM audit.effective_access_at(${at}, ${users}::text[])`.execute(t.handle.db);
  return r.rows
    .map(key)
    .sort()
    .map((k) => JSON.parse(k) as Row);
}

describe('effective_access_at for a page of users', () => {
  it.each([
    ['at the first snapshot', T1],
    ['between snapshots', new Date((T1.getTime() + T2.getTime()) / 2)],
    ['at the last snapshot', T3],
  ])('equals the whole population restricted to the page, %s', async (_label, at) => {
    const all = await access(at, null);
    const users = [...new Set(all.map((r) => r.user_id as string))].sort();
    expect(users.length).toBeGreaterThan(1);
    const page = users.filter((_, i) => i % 2 === 0);
    const wanted = new Set(page);
    expect(await access(at, [...page, page[0]!, 'no-such-user'])).toEqual(
      all.filter((r) => wanted.has(r.user_id as string)),
    );
    expect(await access(at, [])).toEqual([]);
  });
});
