/** `access-audit roster import FILE`: exit statuses, output, and nothing recorded from a bad file. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEnv, errorLines, runMain } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await openTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'roster-cmd-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const cli = (args: string[], env: Record<string, string> = {}) => runMain(args, { ...dbEnv(t), ...env });

describe('roster import', () => {
  it('imports a roster (0), refuses bad files and bad usage (2) with one error line, recording nothing', {
    timeout: 120_000,
  }, async () => {
    const good = await file(
      'good.csv',
      'email,status,end_date\r\njane@acme.com,terminated,2026-06-15\r\nbob@acme.com,active,\r\n',
    );
    const bad = [
      await file('no-email.csv', 'mail,status\na@acme.com,active\n'),
      await file('bad-date.csv', 'email,status,end_date\na@acme.com,terminated,2026-13-01\n'),
      await file('twice.csv', 'email,status\na@acme.com,active\nA@acme.com,active\n'),
      await file('binary.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0])),
      join(dir, 'missing.csv'),
    ];
    await t.release();
    try {
      for (const path of bad) {
        const r = await cli(['roster', 'import', path]);
        expect(r.code, path).toBe(2);
        expect(errorLines(r.stderr), path).toEqual([expect.stringContaining(path)]);
        expect(r.stdout).toBe('');
      }
      const usage = await cli(['roster', 'import']);
      expect(usage.code).toBe(2);
      expect(errorLines(usage.stderr)).toHaveLength(1);

      const ok = await cli(['roster', 'import', good], { AUDIT_NOW: '2026-06-20T06:00:00Z' });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toBe(
        'roster: 2 people (1 active, 1 terminated) as of 2026-06-20T06:00:00.000Z\n' +
          'history: 2 rows opened, 0 closed, 0 unchanged\n',
      );
      const again = await cli(['roster', 'import', good]);
      expect(again.stdout).toContain('history: 0 rows opened, 0 closed, 2 unchanged');

      const help = await cli(['roster', '--help']);
      expect(help.stdout).toMatch(/^\s+import \[options\] <file>|^\s+import <file>/m);
    } finally {
      await t.reopen();
    }
    const rows = await sql<{ email: string }>`SELECT email FROM audit.roster_history ORDER BY email`.execute(
      t.handle.db,
    );
    expect(rows.rows.map((r) => r.email)).toEqual(['bob@acme.com', 'jane@acme.com']);
  });
});
