/** The simulated audit trail's log: shape, order, window, retention, switch, paging keys. */
import { describe, expect, it } from 'vitest';
import { parseTrailWindow, SimulatedAuditTrail } from '../../src/simulator/audit-trail.js';
import { ApiError } from '../../src/simulator/http.js';
import { decodeCursor, pageOf } from '../../src/simulator/pagination.js';

const DAY = 86_400_000;
const ANA = { id: 'usr_ana', type: 'user', name: 'ana@acme.com' };
const BEN = { name: 'Ben Admin', email: 'ben@acme.com' };

function trail(start = '2026-06-01T00:00:00Z') {
  let now = new Date(start);
  const t = new SimulatedAuditTrail({ now: () => now });
  return {
    t,
    advance(days: number) {
      now = new Date(now.getTime() + days * DAY);
    },
  };
}

function events(t: SimulatedAuditTrail, window = {}) {
  return t.keys(window).map((k) => t.event(k));
}

describe('the simulated audit trail', () => {
  it('records AuditEventV1-shaped events at the simulation clock; a token has no actorEmail', () => {
    const { t } = trail();
    const person = t.record('Policy Created', BEN, ANA);
    const token = t.record('User Policy Updated', { name: 'ci-token' }, ANA);
    expect(person).toEqual({
      id: 'audit_0000000001',
      timestamp: '2026-06-01T00:00:00.000Z',
      type: 'Policy Created',
      actor: 'Ben Admin',
      actorEmail: 'ben@acme.com',
      resourceId: 'usr_ana',
      resourceType: 'user',
      resourceName: 'ana@acme.com',
    });
    expect('actorEmail' in token).toBe(false);
    expect(token.id).not.toBe(person.id);
  });

  it('lists newest first, within (startTime, endTime], endTime defaulting to now', () => {
    const { t, advance } = trail();
    t.record('Invite Created', BEN, ANA); // day 0
    advance(1);
    t.record('Policy Created', BEN, ANA); // day 1
    advance(1);
    t.record('User Deleted', BEN, ANA); // day 2
    expect(events(t).map((e) => e?.type)).toEqual(['User Deleted', 'Policy Created', 'Invite Created']);
    const window = { startTime: new Date('2026-06-01T00:00:00Z'), endTime: new Date('2026-06-02T00:00:00Z') };
    expect(events(t, window).map((e) => e?.type)).toEqual(['Policy Created']);
    // An event "recorded" in the future of the clock is not served yet.
    t.record('Invite Deleted', BEN, ANA, new Date('2026-07-01T00:00:00Z'));
    expect(events(t)).toHaveLength(3);
  });

  it('keeps 90 days: older events drop out as the clock moves', () => {
    const { t, advance } = trail();
    t.record('Policy Created', BEN, ANA);
    advance(89);
    t.record('User Policy Updated', BEN, ANA);
    expect(events(t)).toHaveLength(2);
    advance(2);
    expect(events(t).map((e) => e?.type)).toEqual(['User Policy Updated']);
    // Asking for an older start changes nothing: the API keeps what it keeps.
    expect(events(t, { startTime: new Date('2020-01-01T00:00:00Z') })).toHaveLength(1);
  });

  it('switched off (no plan): still records, so switching on serves them', () => {
    const { t } = trail();
    t.enabled = false;
    t.record('Policy Created', BEN, ANA);
    expect(t.enabled).toBe(false);
    t.enabled = true;
    expect(events(t)).toHaveLength(1);
  });

  it('pages through the simulator cursors, stable when events are added between pages', () => {
    const { t, advance } = trail();
    for (let i = 0; i < 5; i++) {
      t.record('Policy Created', BEN, { ...ANA, id: `usr_${i}` });
      advance(0.5);
    }
    const first = pageOf(t.keys(), { count: 2, cursor: undefined, startKey: '' }, 'audit-events', true);
    expect(first.keys.map((k) => t.event(k)?.resourceId)).toEqual(['usr_4', 'usr_3']);
    t.record('Policy Created', BEN, { ...ANA, id: 'usr_new' }); // newer: lands before the cursor
    const next = first.pagination.next as string;
    const second = pageOf(
      t.keys(),
      { count: 2, cursor: next, startKey: decodeCursor(next, 'audit-events') },
      'audit-events',
      true,
    );
    expect(second.keys.map((k) => t.event(k)?.resourceId)).toEqual(['usr_2', 'usr_1']);
  });

  it('reads startTime/endTime from the query; a malformed or reversed window is a 422 naming the field', () => {
    expect(parseTrailWindow(new URLSearchParams('startTime=2026-06-01T00:00:00Z'))).toEqual({
      startTime: new Date('2026-06-01T00:00:00Z'),
      endTime: undefined,
    });
    for (const [query, field] of [
      ['startTime=yesterday', 'startTime'],
      ['endTime=', 'endTime'],
      ['startTime=2026-06-02T00:00:00Z&endTime=2026-06-01T00:00:00Z', 'startTime'],
    ] as const) {
      let error: unknown;
      try {
        parseTrailWindow(new URLSearchParams(query));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(422);
      expect((error as ApiError).field).toBe(field);
    }
  });
});
