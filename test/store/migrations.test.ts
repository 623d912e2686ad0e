/** Migrations run up and down, step by step and all the way, and up again. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  migrateDown,
  migrateTo,
  migrateToLatest,
  migrationStates,
  NO_MIGRATIONS,
} from '../../src/store/migrate.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { picture1, T1 } from './fixtures.js';
import { snapshot } from './helpers.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase({ migrate: false });
});
afterAll(async () => {
  await t?.close();
});

async function relations(): Promise<string[]> {
  const r = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'audit' AND c.relkind IN ('r', 'v') AND c.relname NOT LIKE 'kysely%'
     ORDER BY 1`.execute(t.handle.db);
  return r.rows.map((x) => x.name);
}

const ALL = [
  'audit_events',
  'changes',
  'deliveries',
  'effective_access',
  'grant_history',
  'group_history',
  'invite_history',
  'membership_history',
  'open_invites',
  'remediation_actions',
  'reports',
  'resource_history',
  'review_decisions',
  'roster_history',
  'schedule_claims',
  'settings',
  'snapshots',
  'stale_invites',
  'user_history',
];

describe('migrations', () => {
  it('apply from nothing, then report nothing left to do', async () => {
    const applied = await migrateToLatest(t.handle.db);
    expect(applied).toEqual([
      '0001_audit_schema',
      '0002_access_views',
      '0003_reports_deliveries',
      '0004_schedule_claims',
      '0005_access_at_users_first',
      '0006_access_at_page_lookups',
      '0007_labels_resource_names',
      '0008_audit_trail',
      '0009_review_decisions',
      '0010_remediation_actions',
      '0011_roster_history',
      '0012_attribution_invite_ages',
      '0013_privileged_roles_setting',
      '0014_report_privileged_roles',
    ]);
    expect(await relations()).toEqual(ALL);
    expect(await migrateToLatest(t.handle.db)).toEqual([]);
    const states = await migrationStates(t.handle.db);
    expect(states.every((s) => s.executedAt instanceof Date)).toBe(true);
  });

  it('revert one at a time and all the way, then apply again', async () => {
    expect(await migrateDown(t.handle.db)).toEqual(['0014_report_privileged_roles']);
    const reportColumns = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM information_schema.columns
       WHERE table_schema = 'audit' AND table_name = 'reports' AND column_name = 'privileged_roles'`.execute(
      t.handle.db,
    );
    expect(reportColumns.rows[0]?.n).toBe(0);
    expect(await migrateDown(t.handle.db)).toEqual(['0013_privileged_roles_setting']);
    expect(await relations()).not.toContain('settings');
    // 0002's name pattern again, and immutable as it was.
    const old = await sql<{ p: boolean; v: string }>`
      SELECT audit.is_privileged('Tracking Plan Admin', 'WORKSPACE') AS p,
             (SELECT provolatile FROM pg_proc WHERE proname = 'is_privileged') AS v`.execute(t.handle.db);
    expect(old.rows[0]).toEqual({ p: true, v: 'i' });
    expect(await migrateDown(t.handle.db)).toEqual(['0012_attribution_invite_ages']);
    const columns = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM information_schema.columns
       WHERE table_schema = 'audit' AND table_name = 'changes' AND column_name LIKE 'attribution%'`.execute(
      t.handle.db,
    );
    expect(columns.rows[0]?.n).toBe(0);
    expect(await relations()).toContain('stale_invites');
    expect(await migrateDown(t.handle.db)).toEqual(['0011_roster_history']);
    expect(await relations()).not.toContain('roster_history');
    expect(await migrateDown(t.handle.db)).toEqual(['0010_remediation_actions']);
    expect(await relations()).not.toContain('remediation_actions');
    expect(await migrateDown(t.handle.db)).toEqual(['0009_review_decisions']);
    expect(await relations()).not.toContain('review_decisions');
    expect(await migrateDown(t.handle.db)).toEqual(['0008_audit_trail']);
    expect(await relations()).not.toContain('audit_events');
    expect(await migrateDown(t.handle.db)).toEqual(['0007_labels_resource_names']);
    expect(await relations()).not.toContain('resource_history');
    expect(await relations()).toContain('effective_access');
    expect(await migrateDown(t.handle.db)).toEqual(['0006_access_at_page_lookups']);
    expect(await relations()).toContain('effective_access');
    expect(await migrateDown(t.handle.db)).toEqual(['0005_access_at_users_first']);
    expect(await relations()).toContain('effective_access');
    expect(await migrateDown(t.handle.db)).toEqual(['0004_schedule_claims']);
    expect(await relations()).not.toContain('schedule_claims');
    expect(await migrateDown(t.handle.db)).toEqual(['0003_reports_deliveries']);
    expect(await relations()).not.toContain('reports');
    expect(await relations()).toContain('effective_access');
    expect(await migrateTo(t.handle.db, '0001_audit_schema')).toEqual(['0002_access_views']);
    expect(await relations()).not.toContain('effective_access');
    expect(await migrateTo(t.handle.db, NO_MIGRATIONS)).toEqual(['0001_audit_schema']);
    expect(await relations()).toEqual([]);
    expect(await migrateToLatest(t.handle.db)).toHaveLength(14);
    expect(await relations()).toEqual(ALL);
  });

  it('leave a working schema (a snapshot can be written after down and up)', async () => {
    const r = await snapshot(t.handle.db, picture1(), T1);
    expect(r.counts.users).toBe(4);
  });

  it('are applied by openDatabase', async () => {
    await migrateTo(t.handle.db, NO_MIGRATIONS);
    await t.reopen({ migrate: true });
    expect(await relations()).toEqual(ALL);
  });
});
