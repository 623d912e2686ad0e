/**
 * The audit-trail walk over real HTTP: a tiny server answers with bodies shaped like the
 * SDK's `ListAuditEvents200Response` (until the simulator keeps a trail).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import { readAuditTrail } from '../../src/segment/index.js';
import { fastClient, json, type TinyServer, tinyServer } from './helpers.js';

const TOKEN = 'sgp_trail_token_never_shown';

function event(id: string, timestamp: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    timestamp,
    type: 'Policy Created',
    actor: 'Ben Admin',
    actorEmail: 'ben@acme.com',
    resourceId: 'usr_ana',
    resourceType: 'user',
    resourceName: 'ana@acme.com',
    ...extra,
  };
}

let server: TinyServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(promise: Promise<unknown>): Promise<AuditError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuditError);
  return error as AuditError;
}

describe('reading the audit trail', () => {
  it('walks every page with the window on each, keeps each id once, oldest first, actorEmail absent or null', async () => {
    server = await tinyServer((url, _req, res) => {
      if (url.pathname !== '/audit-events') return json(res, 404, { errors: [{ type: 'not-found' }] });
      if (!url.searchParams.has('pagination.cursor')) {
        return json(res, 200, {
          data: {
            events: [
              event('evt_3', '2026-06-03T10:00:00.000Z'),
              event('evt_1', '2026-06-01T08:00:00Z', { actorEmail: null, actor: 'audit-token' }),
            ],
            pagination: { current: 'c1', next: 'c2+/=' },
          },
        });
      }
      return json(res, 200, {
        data: {
          events: [
            event('evt_1', '2026-06-01T08:00:00Z'),
            event('evt_2', '2026-06-02T09:00:00Z', { actorEmail: undefined, type: 'Invite Created' }),
          ],
          pagination: { current: 'c2+/=', next: null },
        },
      });
    });
    const client = fastClient(server.url, TOKEN);
    const window = { startTime: new Date('2026-05-31T00:00:00Z'), endTime: new Date('2026-06-04T00:00:00Z') };
    const read = await readAuditTrail(client.listAuditEvents(window));
    expect(read.status).toBe('read');
    if (read.status !== 'read') return;
    expect(read.pages).toBe(2);
    expect(read.events.map((e) => e.id)).toEqual(['evt_1', 'evt_2', 'evt_3']);
    // The first copy of a repeated id is the one kept.
    expect(read.events[0]).toEqual({
      id: 'evt_1',
      occurredAt: new Date('2026-06-01T08:00:00Z'),
      type: 'Policy Created',
      actor: 'audit-token',
      actorEmail: undefined,
      resourceId: 'usr_ana',
      resourceType: 'user',
      resourceName: 'ana@acme.com',
    });
    expect(read.events[1]?.actorEmail).toBeUndefined();
    expect(read.events[2]?.actorEmail).toBe('ben@acme.com');
    const asked = server.requests.map((r) => new URL(r.url, 'http://x').searchParams);
    expect(asked).toHaveLength(2);
    for (const q of asked) {
      expect(q.get('startTime')).toBe('2026-05-31T00:00:00.000Z');
      expect(q.get('endTime')).toBe('2026-06-04T00:00:00.000Z');
      expect(q.get('pagination.count')).toBe('1000');
    }
    expect(asked[1]?.get('pagination.cursor')).toBe('c2+/=');
    expect(server.requests[0]?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('asks for everything the API keeps when no start is given; a page without pagination is the last', async () => {
    server = await tinyServer((_url, _req, res) =>
      json(res, 200, { data: { events: [event('evt_9', '2026-06-09T00:00:00Z')] } }),
    );
    const read = await readAuditTrail(fastClient(server.url, TOKEN).listAuditEvents());
    expect(read).toMatchObject({ status: 'read', pages: 1 });
    const q = new URL(server.requests[0]?.url ?? '', 'http://x').searchParams;
    expect(q.has('startTime')).toBe(false);
    expect(q.has('endTime')).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [401, 'unauthorized', 'the Segment API rejected the token (401)'],
    [402, 'payment-required', '(402)'],
    [403, 'forbidden', 'may not read this (403)'],
    [404, 'not-found', 'not found (404)'],
  ])(
    'a %i on the first page makes the trail unavailable with the reason, not a crash',
    async (status, type, says) => {
      server = await tinyServer((_url, _req, res) =>
        json(res, status, { errors: [{ type, message: 'Audit Trail is not available on this plan' }] }),
      );
      const read = await readAuditTrail(fastClient(server.url, TOKEN).listAuditEvents());
      expect(read.status).toBe('unavailable');
      if (read.status !== 'unavailable') return;
      expect(read.httpStatus).toBe(status);
      expect(read.reason).toContain('GET /audit-events page 1');
      expect(read.reason).toContain(says);
      expect(read.reason).not.toContain(TOKEN);
      expect(server.requests).toHaveLength(1); // A refusal is final, never retried.
    },
  );

  it('a refusal after the first page fails like any list (a half-read trail is no trail)', async () => {
    server = await tinyServer((url, _req, res) => {
      if (url.searchParams.has('pagination.cursor'))
        return json(res, 403, { errors: [{ type: 'forbidden' }] });
      return json(res, 200, {
        data: { events: [event('evt_1', '2026-06-01T00:00:00Z')], pagination: { current: 'a', next: 'b' } },
      });
    });
    const error = await failure(readAuditTrail(fastClient(server.url, TOKEN).listAuditEvents()));
    expect(error.code).toBe('API_FORBIDDEN');
    expect(error.message).toContain('page 2');
  });

  it('a server failure is retried, then fails the read', async () => {
    server = await tinyServer((_url, _req, res) => json(res, 503, { errors: [{ type: 'unavailable' }] }));
    const error = await failure(
      readAuditTrail(fastClient(server.url, TOKEN, { retries: 2 }).listAuditEvents()),
    );
    expect(error.code).toBe('API_UNAVAILABLE');
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    [{ resourceId: undefined }, 'events[0].resourceId is required'],
    [{ actor: null }, 'events[0].actor'],
    [{ timestamp: 'yesterday' }, 'not an ISO-8601 timestamp'],
    [{ actorEmail: 42 }, 'events[0].actorEmail'],
  ])('an event that breaks the model (%o) is API_MALFORMED naming the field', async (extra, says) => {
    server = await tinyServer((_url, _req, res) =>
      json(res, 200, { data: { events: [event('evt_1', '2026-06-01T00:00:00Z', extra)] } }),
    );
    const error = await failure(readAuditTrail(fastClient(server.url, TOKEN).listAuditEvents()));
    expect(error.code).toBe('API_MALFORMED');
    expect(error.message).toContain('GET /audit-events page 1');
    expect(error.message).toContain(says);
  });

  it('an actor name beyond its bound is cut and marked, never fatal', async () => {
    const huge = 'x'.repeat(5000);
    server = await tinyServer((_url, _req, res) =>
      json(res, 200, { data: { events: [event('evt_1', '2026-06-01T00:00:00Z', { actor: huge })] } }),
    );
    const read = await readAuditTrail(fastClient(server.url, TOKEN).listAuditEvents());
    expect(read.status).toBe('read');
    const events = read.status === 'read' ? read.events : [];
    expect(events.map((e) => e.actor)).toEqual([`${'x'.repeat(4095)}…`]);
  });
});
