import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVILEGED_ROLES, privilegedTest } from '../../src/model/privileged.js';
import { KNOWN_RESOURCE_TYPES } from '../../src/model/workspace.js';
import { emailPart, generateWorkspace, type SeedSizes } from '../../src/simulator/seed.js';
import { WorkspaceState } from '../../src/simulator/state.js';

const sizes = (over: Partial<SeedSizes> = {}): SeedSizes => ({
  seed: 7,
  users: 300,
  groups: 12,
  membersPerGroup: 40,
  invites: 20,
  groupInvites: 15,
  ...over,
});
const truthOf = (s: SeedSizes) => new WorkspaceState(generateWorkspace(s), s.seed).truth();

describe('seeded workspace', () => {
  it('is identical for the same seed and different for another', () => {
    expect(truthOf(sizes())).toEqual(truthOf(sizes()));
    const other = truthOf(sizes({ seed: 8 }));
    expect(other.users.map((u) => u.id)).not.toEqual(truthOf(sizes()).users.map((u) => u.id));
  });

  it('keeps the users of a seed when only the number of groups changes', () => {
    expect(truthOf(sizes({ groups: 3 })).users).toEqual(truthOf(sizes({ groups: 30 })).users);
  });

  it('has the sizes asked for, sorted like a crawl result', () => {
    const t = truthOf(sizes());
    expect(t.users).toHaveLength(300);
    expect(t.groups).toHaveLength(12);
    expect(t.invites).toHaveLength(20);
    expect(t.groups.reduce((n, g) => n + g.inviteEmails.length, 0)).toBe(15);
    const sorted = (xs: string[]) => [...xs].sort();
    expect(t.users.map((u) => u.id)).toEqual(sorted(t.users.map((u) => u.id)));
    expect(t.groups.map((g) => g.id)).toEqual(sorted(t.groups.map((g) => g.id)));
    expect(t.roles.map((r) => r.id)).toEqual(sorted(t.roles.map((r) => r.id)));
    expect(t.invites).toEqual(sorted(t.invites));
    for (const g of t.groups) {
      expect(g.memberIds).toEqual(sorted(g.memberIds));
      expect(g.memberCount).toBe(g.memberIds.length);
      expect(g.memberCount).toBeGreaterThanOrEqual(20);
      expect(g.memberCount).toBeLessThanOrEqual(60);
    }
  });

  it('looks like a real workspace', () => {
    const t = truthOf(sizes());
    const roleNames = t.roles.map((r) => r.name);
    for (const name of [
      'Workspace Owner',
      'Workspace Member',
      'Source Admin',
      'Source Read-only',
      'Functions Admin',
    ]) {
      expect(roleNames).toContain(name);
    }
    expect(t.roles.every((r) => r.description.length > 10)).toBe(true);
    const grants = [...t.users, ...t.groups].flatMap((p) => p.permissions);
    const types = new Set(grants.flatMap((p) => p.resources.map((r) => r.type)));
    expect([...types].sort()).toEqual([...KNOWN_RESOURCE_TYPES].sort());
    // roleName always agrees with the role catalogue.
    const byId = new Map(t.roles.map((r) => [r.id, r.name]));
    expect(grants.every((p) => byId.get(p.roleId) === p.roleName)).toBe(true);
    expect(grants.some((p) => p.labels !== undefined)).toBe(true);
    expect(t.users.some((u) => u.permissions.length === 0)).toBe(true);
    expect(t.users.some((u) => /[^\x20-\x7e]/.test(u.name))).toBe(true);
    expect(t.users.some((u) => u.permissions.some((p) => p.roleName === 'Workspace Owner'))).toBe(true);
    // Somebody is in several groups.
    const memberships = new Map<string, number>();
    for (const g of t.groups)
      for (const id of g.memberIds) memberships.set(id, (memberships.get(id) ?? 0) + 1);
    expect([...memberships.values()].some((n) => n > 1)).toBe(true);
    // Emails are unique (ignoring case) and invites are not users.
    const userEmails = new Set(t.users.map((u) => u.email.toLowerCase()));
    expect(userEmails.size).toBe(t.users.length);
    expect(t.invites.some((e) => userEmails.has(e.toLowerCase()))).toBe(false);
    expect(t.groups.flatMap((g) => g.inviteEmails).some((e) => userEmails.has(e.toLowerCase()))).toBe(false);
    expect(t.workspace).toEqual({
      id: expect.any(String),
      slug: expect.any(String),
      name: expect.any(String),
    });
  });

  it('scopes some Source roles by labels on the WORKSPACE resource, never on a source', () => {
    const t = truthOf(sizes());
    const grants = [...t.users, ...t.groups].flatMap((p) => p.permissions);
    const scoped = grants.filter((p) => p.labels !== undefined || p.resources.some((r) => r.labels));
    expect(scoped.length).toBeGreaterThan(5);
    for (const p of scoped) {
      expect(p.roleName).toMatch(/^Source /);
      expect(p.resources).toHaveLength(1);
      expect(p.resources[0]).toMatchObject({ id: t.workspace.id, type: 'WORKSPACE' });
    }
    // Both documented places: on the permission and on the workspace resource.
    expect(scoped.some((p) => p.labels?.some((l) => l.key === 'environment'))).toBe(true);
    expect(scoped.some((p) => p.resources[0]!.labels?.some((l) => l.key === 'environment'))).toBe(true);
    // Resource labels in a grant are exclusive to workspace-level permissions.
    const refs = grants.flatMap((p) => p.resources);
    expect(refs.filter((r) => r.type !== 'WORKSPACE').every((r) => r.labels === undefined)).toBe(true);
    // Even a small workspace has one: its first group's Source Read-only on environment:prod.
    const small = truthOf(sizes({ users: 3, groups: 1, invites: 0, groupInvites: 0 }));
    expect(small.groups[0]!.permissions).toContainEqual({
      roleId: expect.any(String),
      roleName: 'Source Read-only',
      resources: [{ id: small.workspace.id, type: 'WORKSPACE' }],
      labels: [{ key: 'environment', value: 'prod' }],
    });
  });

  it('makes privileged access rare: a few owners and admins among many members', () => {
    const t = truthOf(sizes());
    const isPrivileged = privilegedTest(DEFAULT_PRIVILEGED_ROLES);
    const held = (ps: readonly { roleName: string; resources: readonly { type: string }[] }[]) =>
      ps.some((p) => p.resources.some((r) => isPrivileged(p.roleName, r.type)));
    const privileged = new Set(t.users.filter((u) => held(u.permissions)).map((u) => u.id));
    for (const g of t.groups) if (held(g.permissions)) for (const id of g.memberIds) privileged.add(id);
    expect(privileged.size).toBeGreaterThan(0);
    expect(privileged.size).toBeLessThanOrEqual(t.users.length * 0.1);
    // Product admin roles are mostly held on a few resources, not the whole workspace.
    const admins = [...t.users, ...t.groups]
      .flatMap((p) => p.permissions)
      .filter((p) => p.roleName.endsWith(' Admin') && p.roleName !== 'Tracking Plan Admin');
    expect(admins.length).toBeGreaterThan(10);
    expect(admins.filter((p) => p.resources.some((r) => r.type === 'WORKSPACE')).length).toBeLessThan(
      admins.length / 10,
    );
  });

  it('turns any name into an email-safe local part', () => {
    expect(emailPart('Łukasz')).toBe('lukasz');
    expect(emailPart('Søren')).toBe('soren');
    expect(emailPart("O'Brien")).toBe('obrien');
    expect(emailPart('Nguyễn')).toBe('nguyen');
    expect(emailPart('美咲')).toBe('');
  });

  // No timing bound here (unit tests do not time): the benchmark measures generation.
  it('generates 20,000 users, 500 groups and 2,000 invites', () => {
    const big = sizes({ users: 20_000, groups: 500, invites: 2_000, groupInvites: 500 });
    const state = new WorkspaceState(generateWorkspace(big), big.seed);
    expect(state.userIds()).toHaveLength(20_000);
    expect(state.groupIds()).toHaveLength(500);
    expect(state.inviteEmails()).toHaveLength(2_000);
  });

  it('names every source, space and warehouse, labels some sources and describes every label', () => {
    const seeded = generateWorkspace(sizes());
    const all = [...seeded.resources.SOURCE, ...seeded.resources.SPACE, ...seeded.resources.WAREHOUSE];
    expect(all.every((r) => r.name.length > 0 && r.slug.length > 0)).toBe(true);
    const labelled = seeded.resources.SOURCE.filter((r) => r.labels.length > 0);
    expect(labelled.length).toBeGreaterThan(0);
    expect(labelled.length).toBeLessThan(seeded.resources.SOURCE.length);
    expect(labelled.some((r) => r.labels.some((l) => l.key === 'environment' && l.value === 'prod'))).toBe(
      true,
    );
    const catalogue = new Set(seeded.labels.map((l) => `${l.key}:${l.value}`));
    expect(labelled.flatMap((r) => r.labels).every((l) => catalogue.has(`${l.key}:${l.value}`))).toBe(true);
    expect(seeded.labels.every((l) => (l.description ?? '').length > 0)).toBe(true);
    const names = (s: SeedSizes) => new WorkspaceState(generateWorkspace(s), s.seed).resourceNames();
    expect(names(sizes())).toEqual(names(sizes()));
    expect(names(sizes()).filter((r) => r.type === 'SOURCE')).toHaveLength(seeded.resources.SOURCE.length);
  });
});
