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
const TEAM_DATA = { key: 'team', value: 'data', description: null };
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
  // Two pages; SourceV1.name is optional (absent or null): the slug names such a source.
  '/sources': [
    {
      body: {
        data: {
          sources: [source('s2', 'ios', 'iOS App'), source('s1', 'website', null)],
          pagination: { current: '0', next: '1', totalEntries: 3 },
        },
      },
    },
    {
      body: {
        data: { sources: [source('s3', 'backend', undefined)], pagination: { current: '1', previous: '0' } },
      },
    },
  ],
  // WarehouseV1: metadata names the kind; settings.name (free-form settings) the instance.
  '/warehouses': lastPage('warehouses', [
    warehouse('w1', 'Snowflake', { name: 'Snowflake Prod', account: 'acme' }),
    warehouse('w2', 'BigQuery', {}),
    warehouse('w3', 'Redshift', null),
    warehouse('w4', 'Postgres', { name: 42 }),
  ]),
  '/spaces': lastPage('spaces', [{ id: 'sp1', slug: 'production', name: 'Production' }]),
  // ListLabelsV1Output: no pagination member; LabelV1.description is optional.
  '/labels': {
    body: {
      data: {
        labels: [
          { key: 'environment', value: 'prod', description: 'Production data' },
          { key: 'environment', value: 'dev' },
          TEAM_DATA,
        ],
      },
    },
  },
};

function source(id: string, slug: string, name: string | null | undefined) {
  return {
    id,
    slug,
    ...(name === undefined ? {} : { name }),
    metadata: {
      id: 'IqDTy1TpoU',
      name: 'Javascript',
      slug: 'javascript',
      description: '',
      logos: {},
      options: [],
    },
    workspaceId: 'ws1',
    enabled: true,
    writeKeys: ['never-kept-write-key'],
    labels: [PROD],
  };
}

function warehouse(id: string, kind: string, settings: Record<string, unknown> | null) {
  const metadata = {
    id: `${kind}-id`,
    name: kind,
    slug: kind.toLowerCase(),
    description: '',
    logos: {},
    options: [],
  };
  return { id, metadata, workspaceId: 'ws1', enabled: true, settings };
}

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
    expect(picture.resources).toEqual([
      { type: 'LABEL', id: 'environment:dev', name: '' },
      { type: 'LABEL', id: 'environment:prod', name: 'Production data' },
      { type: 'LABEL', id: 'team:data', name: '' },
      { type: 'SOURCE', id: 's1', name: 'website' },
      { type: 'SOURCE', id: 's2', name: 'iOS App' },
      { type: 'SOURCE', id: 's3', name: 'backend' },
      { type: 'SPACE', id: 'sp1', name: 'Production' },
      { type: 'WAREHOUSE', id: 'w1', name: 'Snowflake Prod' },
      { type: 'WAREHOUSE', id: 'w2', name: 'BigQuery' },
      { type: 'WAREHOUSE', id: 'w3', name: 'Redshift' },
      { type: 'WAREHOUSE', id: 'w4', name: 'Postgres' },
      { type: 'WORKSPACE', id: 'ws1', name: 'Acme' },
    ]);
    expect(picture.completeness.unreadableResourceLists).toEqual([]);
    expect(JSON.stringify(picture)).not.toContain('never-kept-write-key');
    const sources = server.requests.filter((r) => r.startsWith('/sources'));
    expect(sources).toHaveLength(2);
    expect(sources[1]).toMatch(/[?&]pagination.cursor=1(&|$)/);
    expect(server.requests).toContain('/labels');
    expect(server.requests).toContain('/users/u2');
    expect(server.requests).toContain('/groups/g1');
  });
});
