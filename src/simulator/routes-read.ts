/**
 * The read endpoints the crawl uses (src/segment/client.ts), as Segment documents them:
 * shapes, sort order and pagination.
 * Each answer is built from sorted views in the state: a binary search and a slice.
 */
import { notFound, type Reply } from './http.js';
import { pageOf, parsePageRequest } from './pagination.js';
import type { GroupRecord, UserRecord } from './records.js';
import type { Route, RouteContext } from './router.js';

/** One page of a sorted key list in the SDK's `{<listKey>: [...], pagination}` shape. */
export function list(
  ctx: RouteContext,
  scope: string,
  sorted: readonly string[],
  listKey: string,
  toItem: (key: string) => unknown,
): Reply {
  const request = parsePageRequest(ctx.query, scope, ctx.onCount, ctx.maxPageCount);
  const { keys, pagination } = pageOf(sorted, request, scope, !ctx.omitTotalEntries);
  return { status: 200, data: { [listKey]: keys.map(toItem), pagination }, listKey };
}

function userItem(user: UserRecord, withPermissions: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = { id: user.id, name: user.name, email: user.email };
  if (withPermissions) item.permissions = user.permissions;
  return item;
}

function groupItem(group: GroupRecord, withPermissions: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = { id: group.id, name: group.name, memberCount: group.members.size };
  if (withPermissions) item.permissions = group.permissions;
  return item;
}

/** Turns a sorted view's user ids into list items. */
function usersById(ctx: RouteContext, withPermissions: boolean): (id: string) => Record<string, unknown> {
  return (id) => userItem(ctx.state.user(id)!, withPermissions);
}

/** Turns a sorted view's group ids into list items. */
function groupsById(ctx: RouteContext, withPermissions: boolean): (id: string) => Record<string, unknown> {
  return (id) => groupItem(ctx.state.group(id)!, withPermissions);
}

function mustUser(ctx: RouteContext): UserRecord {
  const user = ctx.state.user(ctx.params.id!);
  if (!user) throw notFound(`user ${ctx.params.id}`);
  return user;
}

function mustGroup(ctx: RouteContext): GroupRecord {
  const group = ctx.state.group(ctx.params.id!);
  if (!group) throw notFound(`user group ${ctx.params.id}`);
  return group;
}

export const read = (template: string, handle: (ctx: RouteContext) => Reply): Route => ({
  method: 'GET',
  template,
  kind: 'read',
  handle,
});

export const readRoutes: Route[] = [
  read('/', (ctx) => ({ status: 200, data: { workspace: { ...ctx.state.workspace } } })),
  read('/roles', (ctx) =>
    list(ctx, 'roles', ctx.state.roleIds(), 'roles', (id) => {
      const r = ctx.state.role(id)!;
      return { id: r.id, name: r.name, description: r.description };
    }),
  ),
  read('/users', (ctx) =>
    list(ctx, 'users', ctx.state.userIds(), 'users', usersById(ctx, ctx.listPermissions.users)),
  ),
  read('/users/{id}', (ctx) => ({ status: 200, data: { user: userItem(mustUser(ctx), true) } })),
  read('/users/{id}/groups', (ctx) => {
    const user = mustUser(ctx);
    return list(ctx, `users/${user.id}/groups`, ctx.state.groupIdsOfUser(user.id), 'groups', (id) => {
      const g = ctx.state.group(id)!;
      return { id: g.id, name: g.name };
    });
  }),
  read('/invites', (ctx) => list(ctx, 'invites', ctx.state.inviteEmails(), 'invites', (email) => email)),
  read('/groups', (ctx) =>
    list(ctx, 'groups', ctx.state.groupIds(), 'userGroups', groupsById(ctx, ctx.listPermissions.groups)),
  ),
  read('/groups/{id}', (ctx) => ({ status: 200, data: { userGroup: groupItem(mustGroup(ctx), true) } })),
  read('/groups/{id}/users', (ctx) => {
    const group = mustGroup(ctx);
    return list(ctx, `groups/${group.id}/users`, ctx.state.memberIds(group), 'users', usersById(ctx, false));
  }),
  read('/groups/{id}/invites', (ctx) => {
    const group = mustGroup(ctx);
    return list(ctx, `groups/${group.id}/invites`, ctx.state.groupInviteEmails(group), 'emails', (e) => e);
  }),
];
