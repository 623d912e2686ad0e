/** The plan builder, pure: decisions and current permissions in, steps out. */
import { describe, expect, it } from 'vitest';
import type { RevokeDecision } from '../../src/model/remediation.js';
import type { Permission } from '../../src/model/workspace.js';
import { draftOf, resolvePending } from '../../src/remediate/actions.js';
import { buildPlan, planUser, usersToRead } from '../../src/remediate/plan.js';
import { planCsv } from '../../src/remediate/plan-text.js';

const decision = (over: Partial<RevokeDecision> = {}): RevokeDecision => ({
  id: '1',
  snapshotId: 1,
  userId: 'u1',
  email: 'ann@example.com',
  roleId: 'r-admin',
  roleName: 'Source Admin',
  resourceType: 'WORKSPACE',
  resourceId: 'ws',
  labels: 'env:prod',
  via: 'direct',
  decidedAt: new Date('2026-06-01T00:00:00Z'),
  ...over,
});

const scoped = (value: string): Permission => ({
  roleId: 'r-admin',
  roleName: 'Source Admin',
  resources: [{ id: 'ws', type: 'WORKSPACE' }],
  labels: [{ key: 'env', value }],
});
const source: Permission = {
  roleId: 'r-read',
  roleName: 'Source Read',
  resources: [
    { id: 's1', type: 'SOURCE' },
    { id: 's2', type: 'SOURCE' },
  ],
};

describe('planUser', () => {
  it('removes only the revoked label scope and keeps the rest', () => {
    const [step] = planUser([decision()], [scoped('prod'), scoped('dev'), source]);
    expect(step?.kind).toBe('replace');
    if (step?.kind !== 'replace') return;
    expect(step.permissions).toEqual([
      {
        roleId: 'r-admin',
        resources: [{ id: 'ws', type: 'WORKSPACE' }],
        labels: [{ key: 'env', value: 'dev' }],
      },
      {
        roleId: 'r-read',
        resources: [
          { id: 's1', type: 'SOURCE' },
          { id: 's2', type: 'SOURCE' },
        ],
      },
    ]);
    expect(step.revoked).toEqual([
      {
        roleId: 'r-admin',
        roleName: 'Source Admin',
        resource: { id: 'ws', type: 'WORKSPACE' },
        labels: [{ key: 'env', value: 'prod' }],
      },
    ]);
  });

  it('removes one resource of a permission with several', () => {
    const d = decision({
      roleId: 'r-read',
      roleName: 'Source Read',
      resourceType: 'SOURCE',
      resourceId: 's2',
      labels: '',
    });
    const [step] = planUser([d], [source]);
    expect(step?.kind === 'replace' && step.permissions).toEqual([
      { roleId: 'r-read', resources: [{ id: 's1', type: 'SOURCE' }] },
    ]);
  });

  it('a grant whose scope changed since the decision needs a new decision: nothing is sent', () => {
    const steps = planUser([decision()], [scoped('dev')]);
    expect(steps).toEqual([{ kind: 'needs-decision', decision: decision(), found: ['env:dev'] }]);
  });

  it('a grant no longer held, or a user gone, is already gone', () => {
    expect(planUser([decision()], [source])[0]).toMatchObject({ kind: 'already-gone', decisionIds: ['1'] });
    expect(planUser([decision()], 'gone')[0]).toMatchObject({
      kind: 'already-gone',
      why: expect.stringContaining('404'),
    });
  });
});

describe('buildPlan', () => {
  it('lists group paths as manual steps naming the group, and direct ones as one PUT per user', () => {
    const d1 = decision();
    const d2 = decision({
      id: '2',
      via: 'direct; Analysts',
      roleId: 'r-read',
      roleName: 'Source Read',
      resourceType: 'SOURCE',
      resourceId: 's1',
      labels: '',
    });
    const d3 = decision({ id: '3', userId: 'u2', email: 'bob@example.com', via: 'Engineers' });
    expect(usersToRead([d1, d2, d3])).toEqual(['u1']);
    const steps = buildPlan({
      decisions: [d1, d2, d3],
      current: new Map([['u1', [scoped('prod'), source]]]),
    });
    expect(steps.map((s) => s.kind)).toEqual(['replace', 'manual', 'manual']);
    expect(steps[0]).toMatchObject({ decisionIds: ['1', '2'] });
    expect(steps[1]).toMatchObject({ groups: ['Analysts'] });
    expect(steps[2]).toMatchObject({ groups: ['Engineers'] });
  });

  it('deleting a fully revoked user replaces every other step of theirs', () => {
    const user = { userId: 'u1', email: 'ann@example.com', decisionIds: ['1'] };
    expect(usersToRead([decision()], [user])).toEqual([]);
    const steps = buildPlan({ decisions: [decision()], current: new Map(), fullyRevoked: [user] });
    expect(steps).toEqual([{ kind: 'delete-user', user }]);
    expect(draftOf(steps[0]!)).toMatchObject({ operation: 'delete_users', request: { userIds: ['u1'] } });
  });

  it('withdraws stale workspace invites and lists group invites as manual', () => {
    const firstSeen = new Date('2026-05-01T00:00:00Z');
    const steps = buildPlan({
      decisions: [],
      current: new Map(),
      staleInvites: [
        { email: 'old@example.com', groupId: null, groupName: null, firstSeen, daysPending: 30 },
        { email: 'old@example.com', groupId: 'g1', groupName: 'Analysts', firstSeen, daysPending: 30 },
      ],
    });
    expect(steps.map((s) => s.kind)).toEqual(['withdraw-invite', 'manual-invite']);
    expect(draftOf(steps[0]!)).toMatchObject({
      operation: 'delete_invites',
      request: { emails: ['old@example.com'] },
    });
  });
});

describe('resolvePending (an action whose outcome a dead run left unknown)', () => {
  const draft = draftOf(planUser([decision()], [scoped('prod'), scoped('dev')])[0]!)!;
  it('is done when the grant is no longer held, or the user is gone', () => {
    expect(resolvePending(draft, [scoped('dev')])).toEqual({ done: true });
    expect(resolvePending(draft, 'gone')).toEqual({ done: true });
  });
  it('is sent again with a body rebuilt from what is held now', () => {
    const r = resolvePending(draft, [scoped('prod'), source]);
    expect(r).toEqual({
      done: false,
      request: { permissions: [{ roleId: 'r-read', resources: source.resources }] },
    });
  });
});

describe('planCsv', () => {
  it('keeps workspace data as text (no formula)', () => {
    const csv = planCsv(planUser([decision({ email: '=HYPERLINK("x")' })], 'gone'));
    expect(csv.split('\r\n')[1]).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
