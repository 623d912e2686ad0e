/** `access-audit migrate` and `access-audit snapshots` against a test database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSnapshotTable } from '../../src/commands/snapshots.js';
import { beginSnapshot, failSnapshot, listSnapshots } from '../../src/store/snapshots.js';
import { dbEnv, runMain } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { picture1, T1 } from '../store/fixtures.js';
import { recordFirstReport, snapshot } from '../store/helpers.js';

/** The command in this process, against the test database. */
function cli(t: TestDatabase, args: string[]) {
  return runMain(args, { AUDIT_TIMEZONE: 'Europe/Berlin', ...dbEnv(t) });
}

/** A failure whose cause comes last, past the 80 characters the table once cut it at. */
const LONG_ERROR =
  'GET /users page 3: the Segment API could not be reached (gave up after retries; last: connection failed: connect ECONNREFUSED 127.0.0.1:9)';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
  await snapshot(t.handle.db, picture1(), T1);
  // "Permission changes" is the report's Permission Changes rows, not audit.changes.
  await recordFirstReport(t.handle.db, 7, T1);
  const id = await beginSnapshot(t.handle.db, {
    takenAt: new Date('2026-06-02T06:00:00Z'),
    staleInviteDays: 14,
    apiUrl: 'x',
  });
  await failSnapshot(t.handle.db, id, 'API unreachable');
  const third = await beginSnapshot(t.handle.db, {
    takenAt: new Date('2026-06-03T06:00:00Z'),
    staleInviteDays: 14,
    apiUrl: 'x',
  });
  await failSnapshot(t.handle.db, third, LONG_ERROR);
});
afterAll(async () => {
  await t?.close();
});

describe('snapshots and migrate commands', () => {
  it('formats a readable table in the configured time zone', async () => {
    const table = formatSnapshotTable(await listSnapshots(t.handle.db), 'Europe/Berlin');
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^id\s+taken at \(Europe\/Berlin\)\s+status\s+users\s+invites\s+groups\s+permission changes\s+error$/,
    );
    expect(lines[2]).toMatch(/^\s*1\s+2026-06-01 08:00:00\s+complete\s+4\s+4\s+2\s+7$/);
    expect(lines[3]).toMatch(/^\s*2\s+2026-06-02 08:00:00\s+failed\s+API unreachable$/);
    // The whole error, cause included, on its one line.
    expect(lines[4]).toMatch(/^\s*3\s+2026-06-03 08:00:00\s+failed\s+GET \/users page 3: /);
    expect(lines[4]!.endsWith(LONG_ERROR)).toBe(true);
  });

  it('run as commands', { timeout: 60_000 }, async () => {
    await t.release();
    try {
      const migrate = await cli(t, ['migrate']);
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(migrate.stdout).toContain('already up to date');
      const json = await cli(t, ['snapshots', '--json']);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout).map((s: { id: number; status: string }) => [s.id, s.status])).toEqual([
        [1, 'complete'],
        [2, 'failed'],
        [3, 'failed'],
      ]);
      expect(JSON.parse(json.stdout)[0].permissionChanges).toBe(7);
      const table = await cli(t, ['snapshots']);
      expect(table.stdout).toContain('2026-06-01 08:00:00');
    } finally {
      await t.reopen();
    }
  });
});
