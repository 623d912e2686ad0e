/** Reconciliation, pure: which accounts are exceptions, in what order, and what is suggested. */
import { describe, expect, it } from 'vitest';
import type { AccessRow } from '../../src/model/report-data.js';
import type { RosterEntry } from '../../src/model/roster.js';
import {
  exceptionRows,
  findExceptions,
  type ReconcileInput,
  reconciliationSummary,
  suggestedDecisions,
} from '../../src/roster/exceptions.js';

const DAY = 24 * 60 * 60 * 1000;
const AT = new Date('2026-07-15T06:00:00Z');
const ago = (days: number) => new Date(AT.getTime() - days * DAY);

const entry = (
  email: string,
  status: RosterEntry['status'],
  endDate: string | null = null,
  aliases: string[] = [],
) => ({
  email,
  emailKey: email.toLowerCase(),
  status,
  endDate,
  aliases,
});
const user = (userId: string, email: string, firstSeen = ago(400)) => ({
  userId,
  email,
  name: userId,
  firstSeen,
});

function access(userId: string, roleName: string, privileged: boolean): AccessRow {
  return {
    userId,
    email: `${userId}@acme.com`,
    userName: userId,
    roleId: `r-${roleName}`,
    roleName,
    resourceType: 'WORKSPACE',
    resourceId: 'ws1',
    resourceName: 'Acme',
    labels: '',
    via: 'direct',
    privileged,
  };
}

function input(overrides: Partial<ReconcileInput>): ReconcileInput {
  return { at: AT, users: [], invites: [], roster: [], allowedDomains: null, dormant: null, ...overrides };
}

describe('findExceptions', () => {
  it('terminated: matched ignoring case, +tags and through aliases; days since the end date; not before it', () => {
    const found = findExceptions(
      input({
        users: [
          user('u1', 'Jane+segment@ACME.com'),
          user('u2', 'old.bob@acme.com'),
          user('u3', 'carol@acme.com'),
          user('u4', 'dan@acme.com'),
        ],
        roster: [
          entry('jane@acme.com', 'terminated', '2026-06-15'),
          entry('bob@acme.com', 'terminated', null, ['old.bob@acme.com']),
          entry('carol@acme.com', 'terminated', '2026-08-01'), // notice period: not yet
          entry('dan@acme.com', 'active'),
        ],
      }),
    );
    expect(found.map((f) => [f.kind, f.userId, f.days, f.endDate])).toEqual([
      ['terminated', 'u1', 30, '2026-06-15'],
      ['terminated', 'u2', null, null],
    ]);
  });

  it('not-in-roster only when a roster is loaded', () => {
    const users = [user('u1', 'a@acme.com'), user('u2', 'b@acme.com')];
    expect(findExceptions(input({ users }))).toEqual([]);
    const found = findExceptions(input({ users, roster: [entry('a@acme.com', 'active')] }));
    expect(found.map((f) => [f.kind, f.userId])).toEqual([['not-in-roster', 'u2']]);
  });

  it('outside-domain: users and invites, only with allowed domains set', () => {
    const users = [user('u1', 'a@acme.com'), user('u2', 'x@contractor.dev')];
    const invites = [
      { email: 'y@gmail.com', groupName: 'Analytics' },
      { email: 'z@eu.acme.com', groupName: null },
    ];
    expect(findExceptions(input({ users, invites }))).toEqual([]);
    const found = findExceptions(input({ users, invites, allowedDomains: ['acme.com'] }));
    expect(found.map((f) => [f.kind, f.subject, f.email])).toEqual([
      ['outside-domain', 'user', 'x@contractor.dev'],
      ['outside-domain', 'invite', 'y@gmail.com'],
    ]);
    expect(found[1]?.detail).toBe(
      'pending invite to the group Analytics; domain gmail.com is not in acme.com',
    );
  });

  it('dormant: only with the trail read, never a user first seen within the window', () => {
    const users = [
      user('u1', 'active@acme.com'),
      user('u2', 'quiet@acme.com'),
      user('u3', 'never@acme.com'),
      user('u4', 'new@acme.com', ago(10)),
    ];
    const lastActivity = new Map([
      ['Active+ops@acme.com', ago(5)],
      ['quiet@acme.com', ago(120)],
    ]);
    expect(findExceptions(input({ users }))).toEqual([]);
    const found = findExceptions(input({ users, dormant: { days: 90, lastActivity } }));
    expect(found.map((f) => [f.kind, f.userId, f.days])).toEqual([
      ['dormant', 'u2', 120],
      ['dormant', 'u3', 400],
    ]);
    expect(found[0]?.detail).toBe('last event as actor on 2026-03-17');
  });
});

describe('exceptionRows, the summary and suggestions', () => {
  const found = findExceptions(
    input({
      users: [user('u1', 'zed@acme.com'), user('u2', 'amy@acme.com'), user('u3', 'x@contractor.dev')],
      roster: [entry('zed@acme.com', 'terminated', '2026-06-15'), entry('amy@acme.com', 'active')],
      allowedDomains: ['acme.com'],
    }),
  );
  const rows = exceptionRows(
    found,
    new Map([
      ['u1', [access('u1', 'Source Admin', false), access('u1', 'Workspace Owner', true)]],
      ['u3', [access('u3', 'Source Read-only', false)]],
    ]),
  );

  it('puts privileged accounts first, then by kind, and lists the access privileged first', () => {
    expect(rows.map((r) => [r.kind, r.email, r.privileged, r.accessRows])).toEqual([
      ['terminated', 'zed@acme.com', true, 2],
      ['not-in-roster', 'x@contractor.dev', false, 1],
      ['outside-domain', 'x@contractor.dev', false, 1],
    ]);
    expect(rows[0]?.access).toBe(
      'Workspace Owner on WORKSPACE Acme (direct); Source Admin on WORKSPACE Acme (direct)',
    );
  });

  it('counts each kind and names the terminated who keep privileged access', () => {
    const summary = reconciliationSummary(rows, {
      roster: [entry('a@acme.com', 'active')],
      allowedDomains: ['acme.com'],
      dormant: null,
    });
    expect(summary.counts).toEqual({ terminated: 1, 'not-in-roster': 1, 'outside-domain': 1, dormant: 0 });
    expect(summary.terminatedPrivileged).toEqual([
      { email: 'zed@acme.com', endDate: '2026-06-15', days: 30 },
    ]);
    expect(summary.dormantDays).toBeNull();
  });

  it('suggests Revoke for the terminated, Check for accounts nobody vouches for', () => {
    expect(suggestedDecisions(rows)).toEqual(
      new Map([
        ['u1', 'Revoke (terminated)'],
        ['u3', 'Check (not-in-roster, outside-domain)'],
      ]),
    );
  });
});
