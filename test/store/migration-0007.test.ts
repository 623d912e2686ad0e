/**
 * Migration 0007 over a database that already holds history written before it (0006
 * era, no labels): every row keeps its values and id, reads labels '', the grant table
 * is not rewritten, and the next snapshot of the same workspace sees no change.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo } from '../../src/store/migrate.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { group, perm, picture, ROLE, T1, T2, T3, user } from './fixtures.js';
import { snapshot } from './helpers.js';

const T0 = new Date('2026-05-25T06:00:00Z');

let t: TestDatabase;
const db = () => t.handle.db;
const rows = async (text: string) => (await sql.raw(text).execute(db())).rows as Record<string, unknown>[];

/** The picture the hand-written 0006-era history below describes (as of T1). */
const samePicture = () =>
  picture({
    users: [
      user('u1', 'alice@acme.test', 'Alice', perm(ROLE.owner, ['WORKSPACE', 'ws1'])),
      user('u2', 'bob@acme.test', 'Bob', perm(ROLE.srcAdmin, ['SOURCE', 'src1'])),
    ],
    groups: [group('g1', 'Engineers', ['u2'], [perm(ROLE.srcRead, ['SOURCE', 'src2'])])],
  });

/** History as migrations 0001–0006 left it: two complete snapshots (T0, T1), one grant closed at T1. */
async function write0006History(): Promise<void> {
  const t0 = T0.toISOString();
  const t1 = T1.toISOString();
  await sql
    .raw(`
    INSERT INTO audit.snapshots (taken_at, finished_at, status, api_url, stale_invite_days, user_count,
                                 invite_count, group_count, workspace_id, workspace_name, workspace_slug)
    VALUES ('${t0}', '${t0}', 'complete', 'http://segment.test', 14, 2, 0, 1, 'ws1', 'Acme Inc', 'acme'),
           ('${t1}', '${t1}', 'complete', 'http://segment.test', 14, 2, 0, 1, 'ws1', 'Acme Inc', 'acme');
    INSERT INTO audit.user_history (user_id, email, name, valid_from) VALUES
      ('u1', 'alice@acme.test', 'Alice', '${t0}'), ('u2', 'bob@acme.test', 'Bob', '${t0}');
    INSERT INTO audit.group_history (group_id, name, valid_from) VALUES ('g1', 'Engineers', '${t0}');
    INSERT INTO audit.membership_history (user_id, group_id, valid_from) VALUES ('u2', 'g1', '${t0}');
    INSERT INTO audit.grant_history
      (principal_type, principal_id, role_id, role_name, resource_type, resource_id, valid_from, valid_to) VALUES
      ('user', 'u1', 'r-owner', 'Workspace Owner', 'WORKSPACE', 'ws1', '${t0}', NULL),
      ('user', 'u2', 'r-src-read', 'Source Read-only', 'SOURCE', 'src1', '${t0}', '${t1}'),
      ('user', 'u2', 'r-src-admin', 'Source Admin', 'SOURCE', 'src1', '${t1}', NULL),
      ('group', 'g1', 'r-src-read', 'Source Read-only', 'SOURCE', 'src2', '${t0}', NULL);
    INSERT INTO audit.changes (snapshot_id, detected_at, kind, subject_type, subject_id, subject_label,
                               role_id, role_name, resource_type, resource_id)
    SELECT s.id, '${t1}', k.kind, 'user', 'u2', 'bob@acme.test', k.role_id, k.role_name, 'SOURCE', 'src1'
      FROM audit.snapshots s,
           (VALUES ('permission_revoked', 'r-src-read', 'Source Read-only'),
                   ('permission_granted', 'r-src-admin', 'Source Admin')) AS k (kind, role_id, role_name)
     WHERE s.taken_at = '${t1}';`)
    .execute(db());
}

const GRANTS = `SELECT id, principal_type, principal_id, role_id, role_name, resource_type, resource_id,
                       valid_from, valid_to FROM audit.grant_history ORDER BY id`;
const CHANGES = `SELECT id, snapshot_id, kind, subject_id, role_name, resource_id, detail FROM audit.changes ORDER BY id`;
const FILE_NODE = `SELECT relfilenode FROM pg_class WHERE oid = 'audit.grant_history'::regclass`;

let before: Record<string, Record<string, unknown>[]>;

beforeAll(async () => {
  t = await openTestDatabase({ migrate: false });
  await migrateTo(db(), '0006_access_at_page_lookups');
  await write0006History();
  before = { grants: await rows(GRANTS), changes: await rows(CHANGES), file: await rows(FILE_NODE) };
  // Up to 0007 only: the migrations after it are not what this file tests.
  expect(await migrateTo(db(), '0007_labels_resource_names')).toEqual(['0007_labels_resource_names']);
});
afterAll(async () => {
  await t?.close();
});

describe('migration 0007 over 0006-era history', () => {
  it('keeps every history and change row as it was, with labels empty, without rewriting the table', async () => {
    expect(before.grants).toHaveLength(4);
    expect(await rows(GRANTS)).toEqual(before.grants);
    expect(await rows(CHANGES)).toEqual(before.changes);
    expect(await rows(`SELECT DISTINCT labels FROM audit.grant_history`)).toEqual([{ labels: '' }]);
    expect(await rows(`SELECT DISTINCT labels FROM audit.changes`)).toEqual([{ labels: '' }]);
    // The constant default lives in the catalogue: the table's file is the same one.
    expect(await rows(FILE_NODE)).toEqual(before.file);
    expect(await rows(`SELECT count(*)::int AS n FROM audit.resource_history`)).toEqual([{ n: 0 }]);
  });

  it('answers old instants through the rebuilt views, unnamed and unscoped', async () => {
    expect(
      await rows(`SELECT user_id, role_name, resource_id, resource_name, labels, via
                    FROM audit.effective_access_at('${T0.toISOString()}') ORDER BY user_id, role_name`),
    ).toEqual([
      {
        user_id: 'u1',
        role_name: 'Workspace Owner',
        resource_id: 'ws1',
        resource_name: null,
        labels: '',
        via: 'direct',
      },
      {
        user_id: 'u2',
        role_name: 'Source Read-only',
        resource_id: 'src1',
        resource_name: null,
        labels: '',
        via: 'direct',
      },
      {
        user_id: 'u2',
        role_name: 'Source Read-only',
        resource_id: 'src2',
        resource_name: null,
        labels: '',
        via: 'Engineers',
      },
    ]);
  });

  it('the next snapshot of the same workspace records no change; a new scope then is revoke + grant', async () => {
    const same = await snapshot(db(), samePicture(), T2);
    expect(Object.values(same.changes).every((n) => n === 0)).toBe(true);
    expect(await rows(`SELECT count(*)::int AS n FROM audit.grant_history WHERE valid_to IS NULL`)).toEqual([
      { n: 3 },
    ]);

    const scopedPicture = samePicture();
    const owner = scopedPicture.users[0]!;
    owner.permissions = [{ ...owner.permissions[0]!, labels: [{ key: 'environment', value: 'prod' }] }];
    const scoped = await snapshot(db(), scopedPicture, T3);
    expect(scoped.changes.permission_revoked).toBe(1);
    expect(scoped.changes.permission_granted).toBe(1);
    expect(
      await rows(`SELECT labels, valid_from, valid_to FROM audit.grant_history
                   WHERE principal_id = 'u1' ORDER BY id`),
    ).toEqual([
      { labels: '', valid_from: T0, valid_to: T3 },
      { labels: 'environment:prod', valid_from: T3, valid_to: null },
    ]);
  });
});
