/**
 * Write endpoints of the IAM users and groups APIs at their real paths and methods
 * (api/iAMUsersApi.ts, api/iAMGroupsApi.ts of the SDK), and simulation-only routes under
 * `/_simulator/` for what no Segment endpoint does (an invitee signing up, a person's
 * name or email changing). Bodies are validated here; the state applies the change or
 * refuses it whole.
 */
import type { Permission } from '../model/workspace.js';
import { invalid, isRecord, queryList, type Reply } from './http.js';
import type { GroupRecord } from './records.js';
import type { Route, RouteContext } from './router.js';
import type { PermissionInput } from './state.js';

function field(body: unknown, name: string): unknown {
  return isRecord(body) ? body[name] : undefined;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(`${name} must be a non-empty string`, name);
  return value;
}

function texts(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(`${name} must be a non-empty array`, name);
  return value.map((v, i) => text(v, `${name}.${i}`));
}

/** A replacement list may be empty (the group ends with no members or invitees). */
function emailList(value: unknown): string[] {
  if (!Array.isArray(value)) throw invalid('emails must be an array', 'emails');
  return value.map((v, i) => text(v, `emails.${i}`));
}

function labels(value: unknown, name: string): { key: string; value: string }[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(`${name} must be an array`, name);
  return value.map((l, i) => ({
    key: text(field(l, 'key'), `${name}.${i}.key`),
    value: text(field(l, 'value'), `${name}.${i}.value`),
  }));
}

function permissions(value: unknown, name = 'permissions'): PermissionInput[] {
  if (!Array.isArray(value)) throw invalid(`${name} must be an array`, name);
  return value.map((p, i) => {
    const at = `${name}.${i}`;
    const resources = field(p, 'resources');
    if (!Array.isArray(resources)) throw invalid(`${at}.resources must be an array`, `${at}.resources`);
    const input: PermissionInput = {
      roleId: text(field(p, 'roleId'), `${at}.roleId`),
      resources: resources.map((r, j) => {
        const ref: PermissionInput['resources'][number] = {
          id: text(field(r, 'id'), `${at}.resources.${j}.id`),
          type: text(field(r, 'type'), `${at}.resources.${j}.type`),
        };
        const l = labels(field(r, 'labels'), `${at}.resources.${j}.labels`);
        // PermissionResourceV1: "labels are exclusive to Workspace-level permissions".
        if (l && ref.type !== 'WORKSPACE')
          throw invalid('labels are exclusive to workspace-level permissions', `${at}.resources.${j}.labels`);
        if (l) ref.labels = l;
        return ref;
      }),
    };
    const l = labels(field(p, 'labels'), `${at}.labels`);
    if (l) input.labels = l;
    return input;
  });
}

function fromQuery(ctx: RouteContext, name: string): string[] {
  const values = queryList(ctx.query, name);
  if (values.length === 0) throw invalid(`give at least one ${name}.0 query parameter`, name);
  return values;
}

function userGroup(group: GroupRecord): Reply {
  const data = {
    id: group.id,
    name: group.name,
    memberCount: group.members.size,
    permissions: group.permissions,
  };
  return { status: 200, data: { userGroup: data } };
}

const ok = (data: Record<string, unknown> = { status: 'SUCCESS' }, status = 200): Reply => ({ status, data });

const write = (method: string, template: string, handle: (ctx: RouteContext) => Reply): Route => ({
  method,
  template,
  kind: 'write',
  handle,
});

const id = (ctx: RouteContext) => ctx.params.id!;

/** POST adds to the permissions of a user or group, PUT replaces them; `setter` applies them. */
function permissionWrites(
  template: string,
  setter: (ctx: RouteContext, inputs: PermissionInput[], mode: 'add' | 'replace') => Permission[],
): Route[] {
  return (
    [
      ['POST', 'add'],
      ['PUT', 'replace'],
    ] as const
  ).map(([method, mode]) =>
    write(method, template, (ctx) =>
      ok({ permissions: setter(ctx, permissions(field(ctx.body, 'permissions')), mode) }),
    ),
  );
}

export const writeRoutes: Route[] = [
  ...permissionWrites('/users/{id}/permissions', (ctx, inputs, mode) =>
    ctx.state.setUserPermissions(id(ctx), inputs, mode),
  ),
  write('DELETE', '/users', (ctx) => {
    ctx.state.deleteUsers(fromQuery(ctx, 'userIds'));
    return ok();
  }),
  write('POST', '/invites', (ctx) => {
    const invites = field(ctx.body, 'invites');
    if (!Array.isArray(invites) || invites.length === 0)
      throw invalid('invites must be a non-empty array', 'invites');
    const parsed = invites.map((inv, i) => ({
      email: text(field(inv, 'email'), `invites.${i}.email`),
      permissions: permissions(field(inv, 'permissions') ?? [], `invites.${i}.permissions`),
    }));
    return ok({ emails: ctx.state.createInvites(parsed) });
  }),
  write('DELETE', '/invites', (ctx) => {
    ctx.state.deleteInvites(fromQuery(ctx, 'emails'));
    return ok();
  }),
  write('POST', '/groups', (ctx) => {
    const group = ctx.state.createGroup(text(field(ctx.body, 'name'), 'name'));
    return userGroup(group);
  }),
  write('PATCH', '/groups/{id}', (ctx) =>
    userGroup(ctx.state.renameGroup(id(ctx), text(field(ctx.body, 'name'), 'name'))),
  ),
  write('DELETE', '/groups/{id}', (ctx) => {
    ctx.state.deleteGroup(id(ctx));
    return ok();
  }),
  // Users or invitees by email; note the singular `/group/` of replace and remove.
  write('POST', '/groups/{id}/users', (ctx) =>
    userGroup(ctx.state.addGroupMembers(id(ctx), texts(field(ctx.body, 'emails'), 'emails'))),
  ),
  write('PUT', '/group/{id}/users', (ctx) =>
    userGroup(ctx.state.replaceGroupMembers(id(ctx), emailList(field(ctx.body, 'emails')))),
  ),
  write('DELETE', '/group/{id}/users', (ctx) => {
    ctx.state.removeGroupMembers(id(ctx), fromQuery(ctx, 'emails'));
    return ok();
  }),
  ...permissionWrites('/groups/{id}/permissions', (ctx, inputs, mode) =>
    ctx.state.setGroupPermissions(id(ctx), inputs, mode),
  ),
  {
    method: 'POST',
    template: '/_simulator/invites/accept',
    kind: 'simulation',
    handle: (ctx) => {
      const u = ctx.state.acceptInvite(
        text(field(ctx.body, 'email'), 'email'),
        text(field(ctx.body, 'name'), 'name'),
      );
      return ok({ user: { id: u.id, name: u.name, email: u.email, permissions: u.permissions } }, 201);
    },
  },
  {
    method: 'PATCH',
    template: '/_simulator/users/{id}',
    kind: 'simulation',
    handle: (ctx) => {
      const name = field(ctx.body, 'name');
      const email = field(ctx.body, 'email');
      if (name === undefined && email === undefined) throw invalid('give name or email', 'name');
      const patch: { name?: string; email?: string } = {};
      if (name !== undefined) patch.name = text(name, 'name');
      if (email !== undefined) patch.email = text(email, 'email');
      const u = ctx.state.updateUser(id(ctx), patch);
      return ok({ user: { id: u.id, name: u.name, email: u.email, permissions: u.permissions } });
    },
  },
];
