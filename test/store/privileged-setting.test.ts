/**
 * audit.is_privileged follows PRIVILEGED_ROLES (migration 0013): the migration seeds the
 * default list, every command that opens the database writes the configured one, and the
 * SQL views then flag the same rows the report does.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEEDED_PRIVILEGED_ROLES } from '../../migrations/0013_privileged_roles_setting.js';
import { DEFAULT_PRIVILEGED_ROLES, roleKey } from '../../src/model/privileged.js';
import { recordPrivilegedRoles } from '../../src/store/settings.js';
import { dbEnv, runMain } from '../helpers/cli.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { group, perm, picture, picture1, T1, user } from './fixtures.js';
import { snapshot } from './helpers.js';

const TPA = { id: 'r-tpa', name: 'Tracking Plan Admin' };

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
  const base = picture1();
  await snapshot(
    t.handle.db,
    picture({
      users: [
        ...base.users.filter((u) => u.id !== 'u4'),
        user('u4', 'dave@acme.test', 'Dave', perm(TPA, ['WORKSPACE', 'ws1']), perm(TPA, ['SOURCE', 'src1'])),
      ],
      groups: [...base.groups, group('g3', 'Planners', ['u3'], [perm(TPA, ['WORKSPACE', 'ws1'])])],
    }),
    T1,
  );
});
afterAll(async () => {
  await t?.close();
});

async function storedRoles(): Promise<string[]> {
  const r = await sql<{ roles: string[] }>`SELECT privileged_roles AS roles FROM audit.settings`.execute(
    t.handle.db,
  );
  expect(r.rows).toHaveLength(1);
  return r.rows[0]!.roles;
}

async function isPrivileged(roleName: string, resourceType: string): Promise<boolean> {
  const r = await sql<{ p: boolean }>`SELECT audit.is_privileged(${roleName}, ${resourceType}) AS p`.execute(
    t.handle.db,
  );
  return r.rows[0]!.p;
}

/** user id × role × resource type × via of the privileged rows of audit.effective_access. */
async function privilegedRows(): Promise<string[]> {
  const r = await sql<{ k: string }>`
    SELECT user_id || ' ' || role_name || ' ' || resource_type || ' ' || via AS k
      FROM audit.effective_access WHERE privileged ORDER BY 1`.execute(t.handle.db);
  return r.rows.map((x) => x.k);
}

describe('audit.is_privileged follows PRIVILEGED_ROLES', () => {
  it('seeds the default list, equal to DEFAULT_PRIVILEGED_ROLES lower-cased (they cannot drift)', async () => {
    const expected = DEFAULT_PRIVILEGED_ROLES.map(roleKey);
    expect([...SEEDED_PRIVILEGED_ROLES]).toEqual(expected);
    expect(await storedRoles()).toEqual(expected);
  });

  it('by default: the listed roles on WORKSPACE, in any case and spacing; never Tracking Plan Admin', async () => {
    expect(await isPrivileged('Workspace Owner', 'WORKSPACE')).toBe(true);
    expect(await isPrivileged('  source ADMIN ', 'WORKSPACE')).toBe(true);
    expect(await isPrivileged('Workspace Owner', 'SOURCE')).toBe(false);
    expect(await isPrivileged('Tracking Plan Admin', 'WORKSPACE')).toBe(false);
    expect(await isPrivileged('Workspace Member', 'WORKSPACE')).toBe(false);
    expect(await privilegedRows()).toEqual([
      'u1 Source Admin WORKSPACE Ops',
      'u1 Workspace Owner WORKSPACE direct',
      'u4 Source Admin WORKSPACE Ops',
    ]);
  });

  it('a command opened with PRIVILEGED_ROLES writes it, and the views follow', async () => {
    const roles = [...DEFAULT_PRIVILEGED_ROLES, 'Tracking Plan Admin'].join(',');
    await t.release();
    try {
      const result = await runMain(['snapshots', '--json'], { ...dbEnv(t), PRIVILEGED_ROLES: roles });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    } finally {
      await t.reopen();
    }
    expect(await storedRoles()).toContain('tracking plan admin');
    expect(await isPrivileged('Tracking Plan Admin', 'WORKSPACE')).toBe(true);
    expect(await isPrivileged('Tracking Plan Admin', 'SOURCE')).toBe(false);
    expect(await privilegedRows()).toEqual([
      'u1 Source Admin WORKSPACE Ops',
      'u1 Workspace Owner WORKSPACE direct',
      'u3 Tracking Plan Admin WORKSPACE Planners',
      'u4 Source Admin WORKSPACE Ops',
      'u4 Tracking Plan Admin WORKSPACE direct',
    ]);
  });

  it('a shorter list unflags what it leaves out, at any instant', async () => {
    await recordPrivilegedRoles(t.handle.db, [' WORKSPACE owner', 'Workspace Owner']);
    expect(await storedRoles()).toEqual(['workspace owner']);
    const r = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit.effective_access_at(${T1}) WHERE privileged`.execute(t.handle.db);
    expect(r.rows[0]!.n).toBe(1);
    await recordPrivilegedRoles(t.handle.db, DEFAULT_PRIVILEGED_ROLES);
    expect(await privilegedRows()).toHaveLength(3);
  });
});
