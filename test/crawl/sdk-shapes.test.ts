import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlWorkspace } from '../../src/crawl/index.js';
import { Secret } from '../../src/secret.js';
import { lastPage, type Routes, type SdkServer, startSdkServer } from './sdk-server.js';

/**
 * A crawl of bodies shaped exactly like the public SDK's models (model/userV1.ts,
 * userGroupV1.ts, permissionV1.ts, labelV1.ts, paginationOutput.ts, requestError.ts), with
 * every optional member absent or null somewhere: nothing optional may fail a crawl.
 */

const PROD = { key: 'environment', value: 'prod', description: null };
const NOT_FOUND = { errors: [{ type: 'not-found', message: null, field: null, data: null }] };

const ROUTES: Routes = {
  '/': { body: { data: { workspace: { id: 'ws1', slug: 'acme', name: 'Acme' } } } },
  '/roles': lastPage('roles', [
    { id: 'r1', name: 'Workspace Owner', description: 'Full access' },
    { id: 'r2', name: 'Source Admin', description: 'Edit sources' },
  ]),
  // As the SDK's examples show them: user lists without permissions.
  '/users': lastPage('users', [
    { id: 'u1', name: 'Ann', email: 'ann@acme.test' },
    { id: 'u2', name: 'Bob', email: 'bob@acme.test' },
    { id: 'u3', name: 'Cy', email: 'cy@acme.test' },
  ]),
  '/users/u1': {
    body: {
      data: {
        user: {
          id: 'u1',
          name: 'Ann',
          email: 'ann@acme.test',
          permissions: [
            {
              roleId: 'r2',
              roleName: 'Source Admin',
              resources: [{ id: 'ws1', type: 'WORKSPACE', labels: [PROD] }],
              labels: [{ key: 'environment', value: 'prod' }],
            },
          ],
        },
      },
    },
  },
  // A detail record with no `permissions` member: the user holds no direct grant.
  '/users/u2': { body: { data: { user: { id: 'u2', name: 'Bob', email: 'bob@acme.test' } } } },
  // Deleted between the list and its detail fetch; the error's optional members are null.
  '/users/u3': { status: 404, body: NOT_FOUND },
  '/invites': {
    body: {
      data: { invites: ['new@acme.test'], pagination: { current: 'MA==', next: null, totalEntries: 1 } },
    },
  },
  '/groups': lastPage('userGroups', [{ id: 'g1', name: 'Ops', memberCount: 1 }]),
  '/groups/g1': { body: { data: { userGroup: { id: 'g1', name: 'Ops', memberCount: 1 } } } },
  '/groups/g1/users': lastPage('users', [{ id: 'u1', name: 'Ann', email: 'ann@acme.test' }]),
  '/groups/g1/invites': lastPage('emails', []),
  '/users/u1/groups': lastPage('groups', [{ id: 'g1', name: 'Ops' }]),
  '/users/u2/groups': lastPage('groups', []),
};

let server: SdkServer;
beforeAll(async () => {
  server = await startSdkServer(ROUTES);
});
afterAll(() => server.close());

function crawl() {
  return crawlWorkspace({
    apiUrl: server.url,
    token: new Secret('sdk-shaped-token'),
    requestTimeoutMs: 2000,
    client: { minRetryDelayMs: 2, maxRetryDelayMs: 20 },
  });
}

describe('a crawl of SDK-shaped bodies', () => {
  it('records without permissions hold none, are counted, and the crawl completes', async () => {
    const picture = await crawl();
    expect(picture.users).toEqual([
      {
        id: 'u1',
        name: 'Ann',
        email: 'ann@acme.test',
        permissions: [
          {
            roleId: 'r2',
            roleName: 'Source Admin',
            resources: [{ id: 'ws1', type: 'WORKSPACE', labels: [{ key: 'environment', value: 'prod' }] }],
            labels: [{ key: 'environment', value: 'prod' }],
          },
        ],
      },
      { id: 'u2', name: 'Bob', email: 'bob@acme.test', permissions: [] },
    ]);
    expect(picture.groups).toEqual([
      { id: 'g1', name: 'Ops', memberCount: 1, permissions: [], memberIds: ['u1'], inviteEmails: [] },
    ]);
    expect(picture.invites).toEqual(['new@acme.test']);
    expect(picture.completeness.withoutPermissions).toEqual({ users: 1, groups: 1 });
    expect(picture.completeness.declared).toEqual({ invites: 1 });
    expect(picture.completeness.crossCheck).toEqual({ sampled: 2, agreed: 2, disagreements: [] });
    expect(picture.completeness.warnings).toEqual([
      'user u3 was deleted while the workspace was walked (404); it is left out',
    ]);
    expect(server.requests).toContain('/users/u2');
    expect(server.requests).toContain('/groups/g1');
  });
});
