import { describe, expect, it } from 'vitest';
import { assemblePicture } from '../../src/crawl/assemble.js';
import { Walked } from '../../src/crawl/state.js';
import type { CrawlStats, Permission } from '../../src/model/workspace.js';

const STATS: CrawlStats = {
  requests: 7,
  retries: 0,
  rateLimited: 0,
  rateLimitWaitMs: 0,
  maxPageSize: 200,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 5,
};
const RUN = { apiUrl: 'http://api.test', stats: STATS };
const OWNER: Permission = {
  roleId: 'r-owner',
  roleName: 'Workspace Owner',
  resources: [{ id: 'ws', type: 'WORKSPACE' }],
};

function walked(): Walked {
  const w = new Walked({ id: 'ws', slug: 'acme', name: 'Acme' });
  w.roles.set('r-owner', { id: 'r-owner', name: 'Workspace Owner', description: 'all' });
  w.users.set('u2', { id: 'u2', name: 'Bo', email: 'bo@x.test', permissions: [OWNER] });
  w.users.set('u1', { id: 'u1', name: 'Al', email: 'al@x.test', permissions: undefined });
  w.userDetails.set('u1', { id: 'u1', name: 'Al', email: 'al@x.test', permissions: [] });
  w.groups.set('g1', {
    listed: { id: 'g1', name: 'Ops', memberCount: 2, permissions: [OWNER] },
    members: ['u2', 'u1', 'u2'],
    invites: ['z@x.test', 'a@x.test'],
  });
  w.invites = ['b@x.test', 'a@x.test'];
  return w;
}

describe('assemblePicture', () => {
  it('sorts everything, prefers detail records and passes the run through', () => {
    const picture = assemblePicture(walked(), RUN);
    expect(picture.apiUrl).toBe('http://api.test');
    expect(picture.stats).toBe(STATS);
    expect(picture.workspace).toEqual({ id: 'ws', slug: 'acme', name: 'Acme' });
    expect(picture.users).toEqual([
      { id: 'u1', name: 'Al', email: 'al@x.test', permissions: [] },
      { id: 'u2', name: 'Bo', email: 'bo@x.test', permissions: [OWNER] },
    ]);
    expect(picture.groups).toEqual([
      {
        id: 'g1',
        name: 'Ops',
        memberCount: 2,
        permissions: [OWNER],
        memberIds: ['u1', 'u2'],
        inviteEmails: ['a@x.test', 'z@x.test'],
      },
    ]);
    expect(picture.invites).toEqual(['a@x.test', 'b@x.test']);
    expect(picture.completeness.walked).toEqual({ roles: 1, users: 2, invites: 2, groups: 1 });
    expect(picture.completeness.warnings).toEqual([
      'group g1: a member was listed twice by the member walk; kept once',
    ]);
  });

  it('leaves out deleted users and groups, and members unknown to /users, with notes', () => {
    const w = walked();
    w.deletedUsers.add('u1');
    w.groups.set('g0', {
      listed: { id: 'g0', name: 'Gone', memberCount: 0, permissions: [] },
      members: [],
      invites: [],
    });
    w.deletedGroups.add('g0');
    w.declared.users = 2;
    w.declared.groups = undefined;
    const picture = assemblePicture(w, RUN);
    expect(picture.users.map((u) => u.id)).toEqual(['u2']);
    expect(picture.groups.map((g) => g.id)).toEqual(['g1']);
    expect(picture.groups[0]!.memberIds).toEqual(['u2']);
    expect(picture.completeness.declared).toEqual({ users: 2 });
    expect(picture.completeness.memberCountMismatches).toEqual([]);
    expect(picture.completeness.groupsDeletedDuringWalk).toEqual(['g0']);
    expect(picture.completeness.warnings).toEqual([
      'group g0 was deleted while the workspace was walked (404); it is left out',
      'group g1: a member was listed twice by the member walk; kept once',
      'group g1: member u1 not among /users (added or removed while the workspace was walked); left out of the group',
    ]);
  });

  it('a record without permissions holds none and is counted; a deleted one is not', () => {
    const w = walked();
    w.userDetails.set('u1', { id: 'u1', name: 'Al', email: 'al@x.test', permissions: undefined });
    w.users.set('u3', { id: 'u3', name: 'Cy', email: 'cy@x.test', permissions: undefined });
    w.deletedUsers.add('u3');
    w.groups.set('g2', {
      listed: { id: 'g2', name: 'Dev', memberCount: 0, permissions: undefined },
      detail: { id: 'g2', name: 'Dev', memberCount: 0, permissions: undefined },
      members: [],
      invites: [],
    });
    const picture = assemblePicture(w, RUN);
    expect(picture.users.find((u) => u.id === 'u1')!.permissions).toEqual([]);
    expect(picture.groups.find((g) => g.id === 'g2')!.permissions).toEqual([]);
    expect(picture.completeness.withoutPermissions).toEqual({ users: 1, groups: 1 });
    expect(assemblePicture(walked(), RUN).completeness.withoutPermissions).toEqual({ users: 0, groups: 0 });
  });

  it('names resources sorted by type then id, the workspace included, and warns of unreadable lists', () => {
    const w = walked();
    w.nameResource({ type: 'SOURCE', id: 's2', name: 'old' });
    w.nameResource({ type: 'LABEL', id: 'environment:prod', name: 'Production' });
    w.nameResource({ type: 'SOURCE', id: 's1', name: 'Web' });
    w.nameResource({ type: 'SOURCE', id: 's2', name: 'iOS' });
    w.unreadableResourceLists.push('/spaces');
    const picture = assemblePicture(w, RUN);
    expect(picture.resources).toEqual([
      { type: 'LABEL', id: 'environment:prod', name: 'Production' },
      { type: 'SOURCE', id: 's1', name: 'Web' },
      { type: 'SOURCE', id: 's2', name: 'iOS' },
      { type: 'WORKSPACE', id: 'ws', name: 'Acme' },
    ]);
    expect(picture.completeness.unreadableResourceLists).toEqual(['/spaces']);
    expect(picture.completeness.warnings).toContain(
      'GET /spaces: the token may not read this list, or the workspace lacks it (401/403/404); its resources are named by id only',
    );
  });

  it('counts cross-check agreement and leaves the walked state as it was', () => {
    const w = walked();
    w.notes.push('users: u2 was listed twice (pages 1 and 2); kept once (the later copy)');
    w.crossCheck.sampled = 2;
    w.crossCheck.disagreements.push({ userId: 'u2', fromUser: [], fromGroups: ['g1'] });
    w.crossCheck.warnings.push('cross-check: user u2: …');
    const before = structuredClone({ notes: w.notes, users: [...w.users], groups: [...w.groups] });
    const picture = assemblePicture(w, RUN);
    expect(picture.completeness.crossCheck).toEqual({
      sampled: 2,
      agreed: 1,
      disagreements: [{ userId: 'u2', fromUser: [], fromGroups: ['g1'] }],
    });
    expect(picture.completeness.warnings.at(-1)).toBe('cross-check: user u2: …');
    expect({ notes: w.notes, users: [...w.users], groups: [...w.groups] }).toEqual(before);
    expect(assemblePicture(w, RUN)).toEqual(picture);
  });
});
