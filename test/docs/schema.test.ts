/**
 * docs/schema.md against a migrated database: every table and view of schema `audit` has
 * its section (a `### audit.<name>` heading) or its row (`| \`audit.<name>\` |`), and
 * every column of it is named there; every function has its heading. A migration that
 * adds a column without documenting it fails here.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { read } from './markdown.js';

const doc = read('docs/schema.md');

/**
 * What the page says about one relation: its `###` section, or else its table row plus
 * the prose (lines outside tables) of the section that holds the row.
 */
function about(name: string): string | undefined {
  const sections = doc.split(/^(?=#{2,3} )/m);
  const own = sections.find((s) => new RegExp(`^### (<a [^>]*></a>)?audit\\.${name}\\b`).test(s));
  if (own) return own;
  for (const section of sections) {
    const row = section.split('\n').find((line) => line.startsWith(`| \`audit.${name}\` |`));
    if (row === undefined) continue;
    const prose = section
      .split('\n')
      .filter((line) => !line.startsWith('|'))
      .join('\n');
    return `${row}\n${prose}`;
  }
  return undefined;
}

let t: TestDatabase;
let columns: { relation: string; column: string }[];
let functions: string[];
beforeAll(async () => {
  t = await openTestDatabase();
  columns = (
    await sql<{ relation: string; column: string }>`
      SELECT table_name AS relation, column_name AS column FROM information_schema.columns
       WHERE table_schema = 'audit' ORDER BY table_name, ordinal_position`.execute(t.handle.db)
  ).rows;
  functions = (
    await sql<{ name: string }>`
      SELECT DISTINCT routine_name AS name FROM information_schema.routines
       WHERE routine_schema = 'audit' ORDER BY 1`.execute(t.handle.db)
  ).rows.map((r) => r.name);
});
afterAll(async () => {
  await t?.close();
});

describe('docs/schema.md', () => {
  it('documents every table and view of schema audit, each column by name', () => {
    const relations = [...new Set(columns.map((c) => c.relation))];
    expect(relations).toEqual(expect.arrayContaining(['snapshots', 'changes', 'effective_access']));
    const missing: string[] = [];
    for (const relation of relations) {
      const text = about(relation);
      if (text === undefined) {
        missing.push(`audit.${relation}`);
        continue;
      }
      for (const c of columns.filter((x) => x.relation === relation)) {
        if (!text.includes(`\`${c.column}\``)) missing.push(`audit.${relation}.${c.column}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has a heading for every function, with its columns', () => {
    expect(functions).toEqual(expect.arrayContaining(['effective_access_at', 'is_privileged']));
    for (const name of functions) expect(about(name), name).toBeDefined();
  });

  it('lists every change kind the database accepts', async () => {
    const check = await sql<{ def: string }>`
      SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
       WHERE c.conrelid = 'audit.changes'::regclass AND pg_get_constraintdef(c.oid) LIKE '%kind%'`.execute(
      t.handle.db,
    );
    const kinds = [...(check.rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
    expect(kinds.length).toBeGreaterThanOrEqual(12);
    const section = doc.slice(doc.indexOf('\n## Change kinds\n'));
    for (const kind of kinds) expect(section, kind).toContain(`| \`${kind}\` |`);
  });
});
