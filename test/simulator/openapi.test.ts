import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { call } from './http.js';
import { loadSubset, validate } from './openapi.js';

// Every answer of the simulator is checked against the schema Segment's OpenAPI document
// gives for that operation (an extract: fixtures/segment-openapi-subset.json). A response
// that does not validate is a bug of the simulator.
const api = loadSubset();
const errorsOf = (key: string, body: unknown) =>
  validate(body, { $ref: api.operations[key]!['200'] }, api.schemas);

let sim: RunningSimulator;
beforeAll(async () => {
  // A seed whose 30 users include one with a label-scoped grant (read by the first test).
  sim = await startSimulator({ seed: 2, users: 30, groups: 3, invites: 3, groupInvites: 3 });
});
afterAll(() => sim.close());

async function expectValid(key: string, path: string, init: Parameters<typeof call>[2] = {}): Promise<void> {
  const method = key.split(' ')[0]!;
  const a = await call(sim, path, { ...init, method });
  expect(a.status, `${key}: ${a.text}`).toBe(200);
  expect(errorsOf(key, a.body), key).toEqual([]);
}

describe('responses validate against the OpenAPI document', () => {
  it('every read, lists in each permission mode', async () => {
    const t = sim.truth();
    const user = t.users.find((u) => u.permissions.some((p) => p.labels))!;
    const group = t.groups.find((g) => g.inviteEmails.length > 0)!;
    for (const inline of [undefined, true, false]) {
      sim.setInlinePermissions(inline);
      await expectValid('GET /users', '/users?pagination.count=1000');
      await expectValid('GET /groups', '/groups');
    }
    sim.setInlinePermissions(undefined);
    await expectValid('GET /', '/');
    await expectValid('GET /roles', '/roles?pagination.count=3');
    await expectValid('GET /users/{userId}', `/users/${user.id}`);
    await expectValid('GET /users/{userId}/groups', `/users/${group.memberIds[0]}/groups`);
    await expectValid('GET /invites', '/invites');
    await expectValid('GET /groups/{userGroupId}', `/groups/${group.id}`);
    await expectValid('GET /groups/{userGroupId}/users', `/groups/${group.id}/users?pagination.count=2`);
    await expectValid('GET /groups/{userGroupId}/invites', `/groups/${group.id}/invites`);
    await expectValid('GET /sources', '/sources?pagination.count=1000');
    await expectValid('GET /warehouses', '/warehouses');
    await expectValid('GET /labels', '/labels');
  });

  it('every write', async () => {
    const t = sim.truth();
    const [a, b] = t.users;
    const role = t.roles.find((r) => r.name === 'Source Admin')!;
    const grant = {
      permissions: [
        {
          roleId: role.id,
          resources: [
            { id: t.workspace.id, type: 'WORKSPACE', labels: [{ key: 'environment', value: 'dev' }] },
          ],
        },
      ],
    };
    const source = sim.resourceNames().find((r) => r.type === 'SOURCE')!;
    await expectValid('POST /users/{userId}/permissions', `/users/${a!.id}/permissions`, { body: grant });
    await expectValid('PUT /users/{userId}/permissions', `/users/${a!.id}/permissions`, { body: grant });
    await expectValid('POST /invites', '/invites', { body: { invites: [{ email: 'one@example.org' }] } });
    await expectValid('DELETE /invites', '/invites?emails.0=one@example.org');
    await expectValid('POST /groups', '/groups', { body: { name: 'Checked' } });
    const created = sim.truth().groups.find((g) => g.name === 'Checked')!;
    await expectValid('PATCH /groups/{userGroupId}', `/groups/${created.id}`, {
      body: { name: 'Checked 2' },
    });
    await expectValid('POST /groups/{userGroupId}/permissions', `/groups/${created.id}/permissions`, {
      body: grant,
    });
    await expectValid('PUT /groups/{userGroupId}/permissions', `/groups/${created.id}/permissions`, {
      body: grant,
    });
    await expectValid('POST /groups/{userGroupId}/users', `/groups/${created.id}/users`, {
      body: { emails: [a!.email, 'two@example.org'] },
    });
    await expectValid('PUT /group/{userGroupId}/users', `/group/${created.id}/users`, {
      body: { emails: [a!.email, b!.email] },
    });
    await expectValid('DELETE /group/{userGroupId}/users', `/group/${created.id}/users?emails.0=${b!.email}`);
    await expectValid('DELETE /groups/{userGroupId}', `/groups/${created.id}`);
    await expectValid('PATCH /sources/{sourceId}', `/sources/${source.id}`, { body: { name: 'Renamed' } });
    await expectValid('DELETE /users', `/users?userIds.0=${b!.id}`);
  });

  it('error answers are RequestErrorEnvelopes with a status the document lists', async () => {
    const envelope = { $ref: 'RequestErrorEnvelope' };
    for (const [key, path] of [
      ['GET /users/{userId}', '/users/nobody'],
      ['GET /users', '/users?pagination.count=0'],
      ['GET /groups', '/groups?pagination.cursor=bad'],
    ] as const) {
      const a = await call(sim, path);
      expect(api.operations[key]!.statuses, path).toContain(String(a.status));
      expect(validate(a.body, envelope, api.schemas), path).toEqual([]);
    }
    const limited = await startSimulator({ users: 2, groups: 1, rateLimit: { limit: 1, windowMs: 60_000 } });
    try {
      await call(limited, '/');
      const a = await call(limited, '/');
      expect(a.status).toBe(429);
      expect(validate(a.body, envelope, api.schemas)).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it('the check itself fails on a body that breaks the schema', () => {
    const broken = { data: { users: [{ id: 'u1', name: 'No Email' }], pagination: { next: null } } };
    expect(errorsOf('GET /users', broken)).toEqual([
      '$.data.users[0].email: required',
      '$.data.pagination.current: required',
    ]);
    const wrongType = { data: { user: { id: 'u1', name: 'N', email: 'e', permissions: [{ roleId: 1 }] } } };
    expect(errorsOf('GET /users/{userId}', wrongType)).toContain(
      '$.data.user.permissions[0].roleId: expected string, got number',
    );
    expect(errorsOf('GET /users/{userId}', wrongType)).toContain(
      '$.data.user.permissions[0].resources: required',
    );
  });
});
