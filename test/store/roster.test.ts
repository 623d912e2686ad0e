/** The roster's history: an import is a dated snapshot; a change closes a row and opens one. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import type { RosterEntry } from '../../src/model/roster.js';
import { importRoster, rosterAt } from '../../src/store/roster.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { picture1 } from './fixtures.js';
import { snapshot } from './helpers.js';

const T1 = new Date('2026-06-01T06:00:00Z');
const T2 = new Date('2026-06-20T06:00:00Z');

const person = (
  email: string,
  status: RosterEntry['status'] = 'active',
  endDate: string | null = null,
): RosterEntry => ({
  email,
  emailKey: email.toLowerCase(),
  status,
  endDate,
  aliases: [],
});

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

async function history() {
  const r = await sql<{
    email: string;
    status: string;
    end_date: string | null;
    valid_from: Date;
    valid_to: Date | null;
  }>`
    SELECT email, status, end_date::text AS end_date, valid_from, valid_to FROM audit.roster_history
     ORDER BY email_key, valid_from`.execute(t.handle.db);
  return r.rows;
}

describe('roster history', () => {
  it('opens a row per person at the import time', async () => {
    const r = await importRoster(
      t.handle.db,
      [person('jane@acme.com'), person('bob@acme.com'), person('carol@acme.com')],
      T1,
    );
    expect(r).toEqual({ opened: 3, closed: 0, unchanged: 0 });
    expect(
      (await history()).every((h) => h.valid_from.getTime() === T1.getTime() && h.valid_to === null),
    ).toBe(true);
  });

  it('a status change closes the old row and opens a new one; a person no longer listed is closed', async () => {
    const r = await importRoster(
      t.handle.db,
      [person('jane@acme.com', 'terminated', '2026-06-15'), person('bob@acme.com')],
      T2,
    );
    expect(r).toEqual({ opened: 1, closed: 2, unchanged: 1 });
    expect(await history()).toEqual([
      { email: 'bob@acme.com', status: 'active', end_date: null, valid_from: T1, valid_to: null },
      { email: 'carol@acme.com', status: 'active', end_date: null, valid_from: T1, valid_to: T2 },
      { email: 'jane@acme.com', status: 'active', end_date: null, valid_from: T1, valid_to: T2 },
      {
        email: 'jane@acme.com',
        status: 'terminated',
        end_date: '2026-06-15',
        valid_from: T2,
        valid_to: null,
      },
    ]);
    expect((await rosterAt(t.handle.db, T1)).map((e) => `${e.email} ${e.status}`)).toEqual([
      'bob@acme.com active',
      'carol@acme.com active',
      'jane@acme.com active',
    ]);
    expect((await rosterAt(t.handle.db, T2)).map((e) => `${e.email} ${e.status} ${e.endDate}`)).toEqual([
      'bob@acme.com active null',
      'jane@acme.com terminated 2026-06-15',
    ]);
  });

  it('the same roster again changes nothing, whatever its time', async () => {
    const before = await history();
    const same = [person('jane@acme.com', 'terminated', '2026-06-15'), person('bob@acme.com')];
    expect(await importRoster(t.handle.db, same, T1)).toEqual({ opened: 0, closed: 0, unchanged: 2 });
    expect(await history()).toEqual(before);
  });

  it('refuses a change dated before the last one, and records nothing of it', async () => {
    const before = await history();
    const error = await importRoster(t.handle.db, [person('bob@acme.com', 'terminated')], T1).catch(
      (e: unknown) => e,
    );
    expect(isAuditError(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toMatch(/history only moves forward/);
    expect(await history()).toEqual(before);
  });

  it('refuses a change dated before the last complete snapshot: its report already went out', async () => {
    const T3 = new Date('2026-07-01T06:00:00Z');
    await snapshot(t.handle.db, picture1(), T3);
    const before = await history();
    const early = await importRoster(
      t.handle.db,
      [person('bob@acme.com', 'terminated')],
      new Date('2026-06-25T00:00:00Z'),
    ).catch((e: unknown) => e);
    expect(isAuditError(early, 'USAGE')).toBe(true);
    expect(await history()).toEqual(before);
    const later = await importRoster(
      t.handle.db,
      [person('bob@acme.com', 'terminated')],
      new Date('2026-07-02T00:00:00Z'),
    );
    expect(later).toEqual({ opened: 1, closed: 2, unchanged: 0 });
  });
});
