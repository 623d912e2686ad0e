/** Who made each change: pure matching of change rows to audit-trail events. */
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { attributeChanges, type ChangeToAttribute, countAttributions } from '../../src/trail/index.js';

const PERIOD = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-15T00:00:00Z') };
const ANA = { subjectId: 'usr_ana', subjectLabel: 'ana@acme.com' };

let seq = 0;
function change(kind: ChangeToAttribute['kind'], extra: Partial<ChangeToAttribute> = {}): ChangeToAttribute {
  seq++;
  return {
    id: String(seq),
    kind,
    subjectType: 'user',
    ...ANA,
    groupId: null,
    groupName: null,
    ...extra,
  };
}

function ev(id: string, type: string, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    occurredAt: new Date('2026-06-03T10:00:00Z'),
    type,
    actor: 'Ben Admin',
    actorEmail: 'ben@acme.com',
    resourceId: 'usr_ana',
    resourceType: 'user',
    resourceName: 'ana@acme.com',
    ...extra,
  };
}

function one(c: ChangeToAttribute, events: AuditEvent[], trailRead = true) {
  const [r] = attributeChanges([c], events, PERIOD, trailRead);
  if (!r) throw new Error('no result');
  return r;
}

describe('permission changes of a user', () => {
  it('one event naming the user: its actor email and id', () => {
    const r = one(change('permission_granted'), [ev('e1', 'Policy Created')]);
    expect(r).toEqual({
      changeId: r.changeId,
      status: 'attributed',
      changedBy: 'ben@acme.com',
      eventId: 'e1',
      flags: [],
      candidates: ['e1'],
      reason: undefined,
    });
  });

  it('"Policy Created" and "User Policy Updated" of one call (one actor): the latest event', () => {
    const events = [
      ev('e2', 'User Policy Updated', { occurredAt: new Date('2026-06-03T10:00:01Z') }),
      ev('e1', 'Policy Created'),
    ];
    const r = one(change('permission_granted'), events);
    expect(r.status).toBe('attributed');
    expect(r.eventId).toBe('e2');
    expect(r.candidates).toEqual(['e1', 'e2']);
  });

  it('two actors fit: ambiguous, never guessed, and says who', () => {
    const events = [
      ev('e1', 'User Policy Updated'),
      ev('e2', 'User Policy Updated', { actor: 'Cleo', actorEmail: 'cleo@acme.com' }),
    ];
    const r = one(change('permission_revoked'), events);
    expect(r.status).toBe('ambiguous');
    expect(r.changedBy).toBeUndefined();
    expect(r.eventId).toBeUndefined();
    expect(r.flags).toEqual([]);
    expect(r.candidates).toEqual(['e1', 'e2']);
    expect(r.reason).toBe('2 events of different actors fit (ben@acme.com, cleo@acme.com)');
  });

  it('tolerates which name the event gives: the email as resourceId, or only the resourceName, any case', () => {
    const byEmail = one(change('permission_granted'), [
      ev('e1', 'Policy Created', { resourceId: 'ANA@acme.com' }),
    ]);
    expect(byEmail.eventId).toBe('e1');
    const byName = one(change('permission_granted'), [
      ev('e2', 'policy  CREATED', { resourceId: 'pol_123', resourceName: 'Ana@Acme.com' }),
    ]);
    expect(byName.eventId).toBe('e2');
  });

  it('an event of another type or about someone else explains nothing: no-audit-event', () => {
    const events = [
      ev('e1', 'Invite Created'),
      ev('e2', 'Policy Created', { resourceId: 'usr_bob', resourceName: 'bob@acme.com' }),
    ];
    const r = one(change('permission_granted'), events);
    expect(r.status).toBe('unexplained');
    expect(r.flags).toEqual(['no-audit-event']);
    expect(r.reason).toBe('no audit event of the period names this change');
    expect(r.changedBy).toBeUndefined();
  });
});

describe('the period', () => {
  it('counts events after `from` and up to `to` inclusive, nothing outside', () => {
    const at = (id: string, iso: string) => ev(id, 'Policy Created', { occurredAt: new Date(iso) });
    expect(one(change('permission_granted'), [at('e1', '2026-06-01T00:00:00Z')]).status).toBe('unexplained');
    expect(one(change('permission_granted'), [at('e2', '2026-05-31T23:00:00Z')]).status).toBe('unexplained');
    expect(one(change('permission_granted'), [at('e3', '2026-06-15T00:00:00.001Z')]).status).toBe(
      'unexplained',
    );
    expect(one(change('permission_granted'), [at('e4', '2026-06-15T00:00:00Z')]).eventId).toBe('e4');
    expect(one(change('permission_granted'), [at('e5', '2026-06-01T00:00:00.001Z')]).eventId).toBe('e5');
  });

  it('an event outside the period does not make an inside one ambiguous', () => {
    const events = [
      ev('old', 'Policy Created', {
        occurredAt: new Date('2026-05-01T00:00:00Z'),
        actor: 'Cleo',
        actorEmail: 'cleo@acme.com',
      }),
      ev('e1', 'Policy Created'),
    ];
    expect(one(change('permission_granted'), events)).toMatchObject({ status: 'attributed', eventId: 'e1' });
  });
});

describe('flags', () => {
  it('by-token: no actor email and an actor that is no address; changed_by is the actor', () => {
    const r = one(change('permission_granted'), [
      ev('e1', 'Policy Created', { actor: 'audit-automation (token)', actorEmail: undefined }),
    ]);
    expect(r.changedBy).toBe('audit-automation (token)');
    expect(r.flags).toEqual(['by-token']);
  });

  it('an actor that is an email, without actorEmail, is a person', () => {
    const r = one(change('permission_granted'), [
      ev('e1', 'Policy Created', { actor: 'ben@acme.com', actorEmail: undefined }),
    ]);
    expect(r.changedBy).toBe('ben@acme.com');
    expect(r.flags).toEqual([]);
  });

  it('self-granted: the actor is the user who gained the access (email, any case, or id)', () => {
    const byEmail = one(change('permission_granted'), [
      ev('e1', 'Policy Created', { actor: 'Ana', actorEmail: 'Ana@Acme.com' }),
    ]);
    expect(byEmail.flags).toEqual(['self-granted']);
    const byId = one(change('permission_granted'), [
      ev('e2', 'Policy Created', { actor: 'usr_ana', actorEmail: undefined }),
    ]);
    expect(byId.flags).toEqual(['self-granted', 'by-token']);
    const joined = one(change('membership_added', { groupId: 'grp_ops', groupName: 'Ops' }), [
      ev('e3', 'User Added To User Group', { actorEmail: 'ana@acme.com' }),
    ]);
    expect(joined.flags).toEqual(['self-granted']);
  });

  it("giving up one's own access is not a self-grant", () => {
    const r = one(change('permission_revoked'), [
      ev('e1', 'User Policy Updated', { actorEmail: 'ana@acme.com' }),
    ]);
    expect(r.status).toBe('attributed');
    expect(r.flags).toEqual([]);
  });
});

describe('groups and memberships', () => {
  const group = {
    subjectType: 'group' as const,
    subjectId: 'grp_ops',
    subjectLabel: 'Ops',
    groupId: 'grp_ops',
  };

  it('a group grant by "User Group Policy Updated" naming the group; a user policy event never explains it', () => {
    const g = change('permission_granted', group);
    const groupEvent = ev('e1', 'User Group Policy Updated', { resourceId: 'grp_ops', resourceName: 'Ops' });
    expect(one(g, [groupEvent])).toMatchObject({ status: 'attributed', eventId: 'e1' });
    const userEvent = ev('e2', 'User Policy Updated', { resourceId: 'grp_ops', resourceName: 'Ops' });
    expect(one(g, [userEvent]).status).toBe('unexplained');
    // …and a group policy event never explains a user's grant.
    expect(one(change('permission_granted'), [ev('e3', 'User Group Policy Updated')]).status).toBe(
      'unexplained',
    );
  });

  it('a membership by an event naming the user, or naming the group when only that user joined it', () => {
    const m = () => change('membership_added', { groupId: 'grp_ops', groupName: 'Ops' });
    expect(one(m(), [ev('e1', 'User Added To User Group')]).eventId).toBe('e1');
    const viaGroup = ev('e2', 'User Added To User Group', {
      resourceId: 'grp_ops',
      resourceName: 'Ops',
      resourceType: 'group',
    });
    expect(one(m(), [viaGroup]).eventId).toBe('e2');
    const left = change('membership_removed', { groupId: 'grp_ops', groupName: 'Ops' });
    expect(one(left, [ev('e3', 'User Removed From User Group')]).eventId).toBe('e3');
    expect(one(left, [ev('e4', 'User Added To User Group')]).status).toBe('unexplained');
  });

  it('two users joined one group and the events name only the group: both ambiguous, saying why', () => {
    const a = change('membership_added', { groupId: 'grp_ops', groupName: 'Ops' });
    const b = change('membership_added', {
      subjectId: 'usr_bob',
      subjectLabel: 'bob@acme.com',
      groupId: 'grp_ops',
      groupName: 'Ops',
    });
    const events = [
      ev('e1', 'User Added To User Group', { resourceId: 'grp_ops', resourceName: 'Ops' }),
      ev('e2', 'User Added To User Group', { resourceId: 'grp_ops', resourceName: 'Ops' }),
    ];
    const results = attributeChanges([a, b], events, PERIOD);
    expect(results.map((r) => r.status)).toEqual(['ambiguous', 'ambiguous']);
    expect(results[0]?.reason).toBe(
      '2 events name the group, not the user, and 2 users had a membership_added there',
    );
    // Events naming each user settle it.
    const named = [
      ev('e3', 'User Added To User Group'),
      ev('e4', 'User Added To User Group', {
        resourceId: 'usr_bob',
        resourceName: 'bob@acme.com',
        actorEmail: 'cleo@acme.com',
      }),
    ];
    expect(attributeChanges([a, b], named, PERIOD).map((r) => r.changedBy)).toEqual([
      'ben@acme.com',
      'cleo@acme.com',
    ]);
  });
});

describe('invites and users', () => {
  const invite = { subjectType: 'invite' as const, subjectId: 'new@acme.com', subjectLabel: 'new@acme.com' };

  it('"Invite Created" / "Invite Deleted" by the email, any case', () => {
    const created = ev('e1', 'Invite Created', { resourceId: 'NEW@acme.com', resourceName: 'NEW@acme.com' });
    expect(one(change('invite_created', invite), [created]).eventId).toBe('e1');
    const deleted = ev('e2', 'Invite Deleted', { resourceId: 'inv_9', resourceName: 'new@acme.com' });
    expect(one(change('invite_withdrawn', invite), [deleted]).eventId).toBe('e2');
    expect(one(change('invite_withdrawn', invite), [created]).status).toBe('unexplained');
  });

  it('"User Deleted" explains a user removed', () => {
    expect(one(change('user_removed'), [ev('e1', 'User Deleted')])).toMatchObject({
      status: 'attributed',
      eventId: 'e1',
    });
  });

  it('a kind no event type records (an invite accepted, a user renamed) is untraceable, never no-audit-event', () => {
    for (const kind of ['invite_accepted', 'user_changed', 'user_added', 'group_created'] as const) {
      const r = one(change(kind), [ev('e1', 'Policy Created')]);
      expect(r.status).toBe('untraceable');
      expect(r.flags).toEqual([]);
      expect(r.reason).toBe(`no audit event type records ${kind}`);
    }
  });
});

describe('a trail that could not be read', () => {
  it('attributes nothing and flags nothing, even with events at hand', () => {
    const r = one(change('permission_granted'), [ev('e1', 'Policy Created')], false);
    expect(r).toMatchObject({
      status: 'trail-unavailable',
      changedBy: undefined,
      eventId: undefined,
      flags: [],
    });
    expect(r.reason).toBe('the audit trail could not be read');
  });
});

describe('the figures', () => {
  it("count attributed, unattributed, ambiguous and each flag, in the changes' order", () => {
    const changes = [
      change('permission_granted'),
      change('permission_granted', { subjectId: 'usr_bob', subjectLabel: 'bob@acme.com' }),
      change('permission_revoked', { subjectId: 'usr_cy', subjectLabel: 'cy@acme.com' }),
      change('invite_accepted', {
        subjectType: 'invite',
        subjectId: 'x@acme.com',
        subjectLabel: 'x@acme.com',
      }),
      change('user_removed', { subjectId: 'usr_dee', subjectLabel: 'dee@acme.com' }),
    ];
    const events = [
      ev('e1', 'Policy Created', { actor: 'Ana', actorEmail: 'ana@acme.com' }),
      ev('e2', 'Policy Created', {
        resourceId: 'usr_bob',
        resourceName: 'bob@acme.com',
        actor: 'ci-token',
        actorEmail: undefined,
      }),
      ev('e3', 'User Policy Updated', { resourceId: 'usr_cy', resourceName: 'cy@acme.com' }),
      ev('e4', 'User Policy Updated', {
        resourceId: 'usr_cy',
        resourceName: 'cy@acme.com',
        actorEmail: 'cleo@acme.com',
      }),
    ];
    const results = attributeChanges(changes, events, PERIOD);
    expect(results.map((r) => r.changeId)).toEqual(changes.map((c) => c.id));
    expect(results.map((r) => r.status)).toEqual([
      'attributed',
      'attributed',
      'ambiguous',
      'untraceable',
      'unexplained',
    ]);
    expect(countAttributions(results)).toEqual({
      attributed: 2,
      unattributed: 3,
      ambiguous: 1,
      flags: { 'self-granted': 1, 'by-token': 1, 'no-audit-event': 1 },
    });
  });
});
