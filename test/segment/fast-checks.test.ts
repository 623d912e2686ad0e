import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fastChecks } from '../../src/segment/fast-checks.js';
import { LIMITS, schemas } from '../../src/segment/schemas.js';

/*
 * The hand-written checks may only ever give what zod gives (the same objects, absent
 * members left out) or decline (undefined: zod then decides, with its own errors).
 */

function data(name: string): unknown {
  const body = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
  return body.data;
}

const PERMISSION = {
  roleId: 'r1',
  roleName: 'Source Admin',
  resources: [
    { id: 's1', type: 'SOURCE' },
    { id: 's2', type: 'SOURCE', labels: [{ key: 'env', value: 'prod', description: 'Production' }] },
  ],
  labels: [{ key: 'team', value: 'core' }],
};
const USER = { id: 'u1', name: 'Ada', email: 'ada@x.test', permissions: [PERMISSION] };
const GROUP = { id: 'g1', name: 'Ops', memberCount: 3, permissions: [PERMISSION] };
const PAGE = { current: 'MQ==', next: 'Mg==', totalEntries: 7 };

type Name = keyof typeof fastChecks;

/** The fast check's answer and zod's, side by side. */
function both(name: Name, input: unknown) {
  const zod = schemas[name].safeParse(input);
  return { fast: fastChecks[name](input), zod: zod.success ? zod.data : undefined };
}

/** Accepted by both and equal, extra members dropped and absent ones left out as zod does. */
const accepted: [Name, unknown][] = [
  ['user', data('get-user')],
  ['user', data('get-user-no-permissions')],
  ['user', { user: USER }],
  ['user', { user: { ...USER, permissions: [], extra: 1 } }],
  ['user', { user: { id: 'u1', name: 'Ada', email: 'ada@x.test' } }],
  ['users', data('list-users')],
  ['users', { users: [USER, { ...USER, id: 'u2' }], pagination: PAGE }],
  ['users', { users: [], pagination: {} }],
  // SDK-optional members sent as null (the real API does): present, as undefined.
  ['user', { user: { ...USER, permissions: null } }],
  ['user', { user: { ...USER, permissions: [{ ...PERMISSION, labels: null }] } }],
  ['users', { users: [USER], pagination: { ...PAGE, next: null } }],
  [
    'user',
    {
      user: {
        ...USER,
        permissions: [{ ...PERMISSION, labels: [{ key: 'k', value: 'v', description: null }] }],
      },
    },
  ],
  [
    'user',
    {
      user: {
        ...USER,
        permissions: [{ ...PERMISSION, resources: [{ id: 's1', type: 'SOURCE', labels: null }] }],
      },
    },
  ],
  ['groupMembers', { users: [{ ...USER, permissions: undefined }], pagination: PAGE }],
  ['userGroup', data('get-user-group')],
  ['userGroup', { userGroup: GROUP }],
  ['userGroups', data('list-user-groups')],
  ['userGroups', { userGroups: [{ id: 'g2', name: 'Empty', memberCount: 0 }], pagination: PAGE }],
];

/** Declined: zod must decide (it clamps or rejects these). */
const declined: [Name, unknown][] = [
  ['user', { user: { ...USER, name: 'x'.repeat(LIMITS.name + 1) } }],
  ['user', { user: { ...USER, id: 'x'.repeat(LIMITS.id + 1) } }],
  ['user', { user: { ...USER, email: 7 } }],
  ['user', { user: { ...USER, permissions: [{ ...PERMISSION, resources: 'none' }] } }],
  ['user', { user: { id: 'u1', name: 'Ada' } }],
  ['user', {}],
  ['user', null],
  ['users', { users: [USER] }],
  ['users', { users: [USER], pagination: { totalEntries: -1 } }],
  ['users', { users: [USER, { ...USER, name: null }], pagination: PAGE }],
  ['userGroup', { userGroup: { ...GROUP, memberCount: 1.5 } }],
  ['userGroup', { userGroup: { ...GROUP, memberCount: '3' } }],
  ['userGroups', { userGroups: [GROUP], pagination: { ...PAGE, current: 'x'.repeat(LIMITS.cursor + 1) } }],
];

describe('fast checks', () => {
  it.each(accepted)('%s: gives exactly what zod gives', (name, input) => {
    const { fast, zod } = both(name, input);
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(zod);
  });

  it.each(declined)('%s: declines what zod clamps or rejects', (name, input) => {
    expect(both(name, input).fast).toBeUndefined();
  });
});
