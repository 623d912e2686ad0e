import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type Answer, call } from './http.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 9, users: 10, groups: 2, invites: 2 });
});
afterAll(() => sim.close());

const DOCUMENTED = new Set([401, 404, 409, 413, 422, 429]);

/** RequestErrorEnvelope: exactly `errors`, each with a string type and only the model's members. */
function expectEnvelope(a: Answer, status: number): void {
  expect(a.status).toBe(status);
  expect(DOCUMENTED.has(a.status) || a.status >= 500).toBe(true);
  expect(Object.keys(a.body)).toEqual(['errors']);
  for (const e of a.body.errors) {
    expect(typeof e.type).toBe('string');
    expect(Object.keys(e).every((k) => ['type', 'message', 'field', 'data', 'status'].includes(k))).toBe(
      true,
    );
    if ('status' in e) expect(e.status).toBe(status);
  }
}

describe('errors the simulator answers on its own', () => {
  it('use only documented statuses, in the SDK envelope with the OpenAPI example types', async () => {
    const invite = sim.truth().invites[0]!;
    const cases: [Answer, number, string, string?][] = [
      [await call(sim, '/users', { token: 'wrong' }), 401, 'Unauthorized'],
      [await call(sim, '/users/nobody'), 404, 'NotFound'],
      [await call(sim, '/no/such/route'), 404, 'NotFound'],
      [await call(sim, '/users?pagination.count=5000'), 422, 'ValidationFailure', 'pagination.count'],
      [await call(sim, '/users?pagination.cursor=garbled'), 422, 'ValidationFailure', 'pagination.cursor'],
      [
        await call(sim, '/invites', { method: 'POST', body: { invites: [{ email: invite }] } }),
        409,
        'Conflict',
        'invites.0.email',
      ],
      [
        await call(sim, '/invites', { method: 'POST', body: { invites: 'x' } }),
        422,
        'ValidationFailure',
        'invites',
      ],
      [
        await call(sim, '/invites', {
          method: 'POST',
          body: { invites: [{ email: 'x'.repeat(1_100_000) }] },
        }),
        413,
        'PayloadTooLarge',
      ],
    ];
    for (const [answer, status, type, field] of cases) {
      expectEnvelope(answer, status);
      expect(answer.body.errors[0].type, answer.text).toBe(type);
      if (field !== undefined) expect(answer.body.errors[0].field).toBe(field);
    }
  });

  it('answers JSON whatever the Accept header says (no 406)', async () => {
    for (const accept of ['text/html', 'application/xml', '']) {
      const a = await call(sim, '/', { accept });
      expect(a.status, accept).toBe(200);
      expect(a.body.data.workspace.id).toBe(sim.truth().workspace.id);
    }
  });

  it('a server failure is a 5xx in the same envelope', async () => {
    sim.inject({ route: 'GET /roles', kind: 'status', status: 503 });
    expectEnvelope(await call(sim, '/roles'), 503);
  });
});
