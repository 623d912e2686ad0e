/**
 * The simulated workspace's audit trail over real HTTP: every write emits events naming
 * its actor, `GET /audit-events` pages them within a window and the retention, and a
 * workspace without the trail refuses the list as one without the plan would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.js';
import { readAuditTrail, SegmentClient } from '../../src/segment/index.js';
import { SimulatorAdmin } from '../../src/simulator/client.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { routeKey } from '../../src/simulator/router.js';
import { resourceRoutes } from '../../src/simulator/routes-resources.js';
import { writeRoutes } from '../../src/simulator/routes-write.js';
import { DEFAULT_TOKEN_ACTOR, EMITTING_ROUTES } from '../../src/simulator/trail-events.js';

const DAY = 86_400_000;
const T = new Date('2026-06-03T09:00:00.000Z');
let sim: RunningSimulator;
let admin: SimulatorAdmin;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, users: 8, groups: 2, invites: 2, groupInvites: 1 });
  admin = new SimulatorAdmin(sim);
  sim.setAuditTrail({ now: T });
});
afterAll(async () => {
  await sim?.close();
});

async function get(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/audit-events?${query}`, {
    headers: { authorization: `Bearer ${sim.token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the simulated audit trail over HTTP', () => {
  it('has an emitter for every route that changes the workspace', () => {
    const changing = [...writeRoutes, ...resourceRoutes].filter((r) => r.kind !== 'read').map(routeKey);
    expect(changing.filter((k) => !EMITTING_ROUTES.includes(k))).toEqual([]);
  });

  it('records who did what: a person with their email, a token without one', async () => {
    const [ana, ben] = sim.truth().users;
    if (!ana || !ben) throw new Error('seed has too few users');
    const owner = sim.truth().roles.find((r) => r.name === 'Workspace Owner')?.id ?? '';
    const grant = [{ roleId: owner, resources: [{ id: sim.truth().workspace.id, type: 'WORKSPACE' }] }];
    await admin.as({ userId: ben.id }).addUserPermissions(ana.id, grant);
    await admin.createInvites([{ email: 'new@example.org' }]);
    const events = sim.auditEvents();
    expect(events.find((e) => e.type === 'User Policy Updated')).toEqual({
      id: expect.any(String),
      timestamp: T.toISOString(),
      type: 'User Policy Updated',
      actor: ben.id,
      actorEmail: ben.email,
      resourceId: ana.id,
      resourceType: 'user',
      resourceName: ana.email,
    });
    expect(events.some((e) => e.type === 'Policy Created' && e.actor === ben.id)).toBe(true);
    const invite = events.find((e) => e.type === 'Invite Created');
    expect(invite).toMatchObject({ actor: DEFAULT_TOKEN_ACTOR, resourceId: 'new@example.org' });
    expect(invite).not.toHaveProperty('actorEmail');
  });

  it('emits nothing for a refused write, and refuses an unknown actor', async () => {
    const before = sim.auditEvents().length;
    await expect(admin.deleteInvites(['nobody@example.org'])).rejects.toThrow(/404/);
    await expect(
      admin.as({ userId: 'usr_nobody' }).createInvites([{ email: 'x@example.org' }]),
    ).rejects.toThrow(/422.*X-Simulator-Actor/);
    expect(sim.auditEvents()).toHaveLength(before);
  });

  it('pages a window newest first, and forgets what is past retention', async () => {
    sim.setAuditTrail({ now: new Date(T.getTime() + DAY) });
    await admin.createInvites([{ email: 'later@example.org' }]);
    const all = sim.auditEvents();
    const first = await get('pagination.count=2');
    const data = first.body.data as { events: { timestamp: string }[]; pagination: { next?: string } };
    expect(data.events).toHaveLength(2);
    expect(data.events[0]?.timestamp).toBe(new Date(T.getTime() + DAY).toISOString());
    expect(data.pagination.next).toBeDefined();
    const client = new SegmentClient({ apiUrl: sim.url, token: new Secret(sim.token), retries: 0 });
    const read = await readAuditTrail(client.listAuditEvents({ startTime: new Date(T.getTime() + 1) }));
    expect(read).toMatchObject({ status: 'read', events: [{ resourceId: 'later@example.org' }] });
    const whole = await readAuditTrail(client.listAuditEvents({}));
    expect(whole.status === 'read' ? whole.events.length : -1).toBe(all.length);
    expect((await get('startTime=not-a-time')).status).toBe(422);

    sim.setAuditTrail({ now: new Date(T.getTime() + 90.5 * DAY) });
    expect(sim.auditEvents().map((e) => e.resourceId)).toEqual(['later@example.org']);
    sim.setAuditTrail({ now: T });
  });

  it('refuses the list when switched off, as for a workspace without the plan', async () => {
    await admin.setAuditTrail({ enabled: false });
    const refused = await get('pagination.count=10');
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toMatch(/Business plan/);
    const client = new SegmentClient({ apiUrl: sim.url, token: new Secret(sim.token), retries: 0 });
    expect(await readAuditTrail(client.listAuditEvents({}))).toMatchObject({
      status: 'unavailable',
      httpStatus: 403,
    });
    await admin.setAuditTrail({ enabled: true });
    expect((await get('pagination.count=1')).status).toBe(200);
  });
});
