/**
 * The read-only role of docs/operations.md, created by running that section's SQL
 * block (names replaced), can run every query of docs/cookbook.md with the same
 * answers as the owner, reads tables a later migration creates, and can write nothing:
 * INSERT, UPDATE, DELETE and TRUNCATE on every table of schema audit are refused.
 *
 * Real server only: the embedded database (PGlite) has a single superuser, so roles and
 * privileges cannot be shown there (and auditors' direct access needs a real server anyway).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { COOKBOOK, cookbookQueries } from '../store/cookbook.js';
import { picture1, picture2, picture3, T1, T2, T3 } from '../store/fixtures.js';
import { snapshot } from '../store/helpers.js';

const OPERATIONS = new URL('../../docs/operations.md', import.meta.url);

/** The "A read-only role for auditors" section of docs/operations.md. */
function roleSection(): string {
  const text = readFileSync(OPERATIONS, 'utf8');
  const start = text.indexOf('\n## A read-only role for auditors\n');
  if (start === -1) throw new Error('docs/operations.md has no "## A read-only role for auditors" section');
  const rest = text.slice(start + 1);
  const end = rest.indexOf('\n## ', 3);
  return end === -1 ? rest : rest.slice(0, end);
}
const SERVER = process.env.TEST_DATABASE_URL?.trim();

describe.runIf(SERVER)('a read-only role for auditors (real server only: PGlite has one superuser)', () => {
  const role = `audit_reader_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let t: TestDatabase;
  let reader: pg.Client;
  /** The owner through a plain client too, so both sides parse values alike. */
  let ownerClient: pg.Client;
  let owner: string;
  let tables: string[];

  beforeAll(async () => {
    t = await openTestDatabase();
    await snapshot(t.handle.db, picture1(), T1);
    await snapshot(t.handle.db, picture2(), T2);
    await snapshot(t.handle.db, picture3(), T3, { staleInviteDays: 20 });
    owner = (await sql<{ u: string }>`SELECT current_user AS u`.execute(t.handle.db)).rows[0]!.u;
    const database = new URL(t.url).pathname.slice(1);

    const block = /```sql\n([\s\S]*?)```/.exec(roleSection())?.[1];
    if (!block) throw new Error('the read-only role section of docs/operations.md has no ```sql block');
    const script = block
      .replace(/\baudit_reader\b/g, role)
      .replace(/'change-me'/g, `'${password}'`)
      .replace(/\bDATABASE audit\b/g, `DATABASE "${database}"`)
      .replace(/\baccess_audit\b/g, `"${owner}"`);
    await sql.raw(script).execute(t.handle.db);

    const u = new URL(t.url);
    u.username = role;
    u.password = password;
    reader = new pg.Client({ connectionString: u.toString() });
    await reader.connect();
    ownerClient = new pg.Client({ connectionString: t.url });
    await ownerClient.connect();
    tables = (
      await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'audit' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(t.handle.db)
    ).rows.map((r) => r.table_name);
  });

  afterAll(async () => {
    await reader?.end().catch(() => {});
    await ownerClient?.end().catch(() => {});
    if (t) {
      await sql
        .raw(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`)
        .execute(t.handle.db)
        .catch(() => {});
      await t.close();
    }
  });

  const queries = cookbookQueries(readFileSync(COOKBOOK, 'utf8'));

  it('runs every cookbook query, with the owner’s answers', async () => {
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const q of queries) {
      const asOwner = (await ownerClient.query(q.sql)).rows;
      const asReader = (await reader.query(q.sql)).rows;
      expect(asReader, q.question).toEqual(asOwner);
    }
    const views = await reader.query('SELECT count(*)::int AS n FROM audit.effective_access');
    expect(views.rows[0].n).toBeGreaterThan(0);
  });

  it('reads a table a later migration creates', async () => {
    await sql`CREATE TABLE audit.zz_future_table (id int)`.execute(t.handle.db);
    await sql`INSERT INTO audit.zz_future_table VALUES (1)`.execute(t.handle.db);
    expect((await reader.query('SELECT id FROM audit.zz_future_table')).rows).toEqual([{ id: 1 }]);
    await sql`DROP TABLE audit.zz_future_table`.execute(t.handle.db);
  });

  it('cannot INSERT, UPDATE, DELETE or TRUNCATE any table of schema audit', async () => {
    expect(tables.length).toBeGreaterThanOrEqual(8);
    const refusals: string[] = [];
    for (const table of tables) {
      for (const statement of [
        `INSERT INTO audit.${table} DEFAULT VALUES`,
        `UPDATE audit.${table} SET ${await firstColumn(table)} = ${await firstColumn(table)}`,
        `DELETE FROM audit.${table}`,
        `TRUNCATE audit.${table}`,
      ]) {
        const error = await reader.query(statement).then(
          () => null,
          (e: { code?: string }) => e,
        );
        // 42501 insufficient_privilege; 25006 read_only_sql_transaction (the role's default).
        expect(['42501', '25006'], statement).toContain(error?.code);
        refusals.push(statement);
      }
    }
    // Even outside the default read-only transaction, the privileges alone refuse writes.
    await reader.query('SET default_transaction_read_only = off');
    for (const table of tables) {
      const error = await reader.query(`DELETE FROM audit.${table}`).then(
        () => null,
        (e: { code?: string }) => e,
      );
      expect(error?.code, table).toBe('42501');
    }
    expect(refusals).toHaveLength(tables.length * 4);
    const history = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit.user_history`.execute(
      t.handle.db,
    );
    expect(history.rows[0]!.n).toBeGreaterThan(0);
  });

  async function firstColumn(table: string): Promise<string> {
    const r = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns
       WHERE table_schema = 'audit' AND table_name = ${table} AND is_identity = 'NO' AND is_generated = 'NEVER'
       ORDER BY ordinal_position LIMIT 1`.execute(t.handle.db);
    return r.rows[0]!.column_name;
  }
});
