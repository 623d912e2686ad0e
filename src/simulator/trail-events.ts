/**
 * The audit-trail events each write route emits, keyed by route (`METHOD /template`), so
 * the write routes themselves stay as they are: the server asks the route's emitter for a
 * closure before the handler runs (to see the state before, e.g. a group's members) and
 * calls it once the handler has succeeded. A refused write emits nothing.
 *
 * Types and what they name follow Segment's IAM reference ("Policy Created", "User Policy
 * Updated", "User Group Policy Updated", "User Added To User Group", "User Removed From
 * User Group", "Invite Created", "Invite Deleted", "User Deleted"); the rest ("User Group
 * Created", …) are plausible names for writes the reference gives no event for. One
 * permission write emits "Policy Created" naming the policy and "User Policy Updated"
 * naming the user, as a real call might: a reader must cope with either.
 */
import type { TrailActor, TrailResource } from './audit-trail.js';
import { invalid, isRecord } from './http.js';
import type { RouteContext } from './router.js';
import type { WorkspaceState } from './state.js';

type Record = (type: string, resource: TrailResource, actor?: TrailActor) => void;
/** Called before the handler; its result after the handler succeeded. */
type Emitter = (ctx: RouteContext) => (record: Record) => void;

const user = (ctx: RouteContext, id: string): TrailResource => ({
  id,
  type: 'user',
  name: ctx.state.user(id)?.email ?? id,
});
const invite = (email: string): TrailResource => ({ id: email, type: 'invite', name: email });

function group(ctx: RouteContext, id: string): TrailResource {
  return { id, type: 'user_group', name: ctx.state.group(id)?.name ?? id };
}

/** Strings of a body member or a query list, as the (already validated) request gave them. */
function emails(ctx: RouteContext, name: string): string[] {
  const fromBody = isRecord(ctx.body) ? ctx.body[name] : undefined;
  if (Array.isArray(fromBody)) return fromBody.filter((e): e is string => typeof e === 'string');
  return [...ctx.query.entries()].filter(([k]) => k.startsWith(name)).map(([, v]) => v);
}

const userPolicy: Emitter = (ctx) => (record) => {
  const id = ctx.params.id ?? '';
  const roles = (ctx.state.user(id)?.permissions ?? []).map((p) => p.roleName);
  record('Policy Created', { id: `policy-${id}`, type: 'policy', name: [...new Set(roles)].join(', ') });
  record('User Policy Updated', user(ctx, id));
};

const groupPolicy: Emitter = (ctx) => (record) => {
  record('User Group Policy Updated', group(ctx, ctx.params.id ?? ''));
};

/** Members and invitees of a group before a write, compared with after it. */
const groupMembers: Emitter = (ctx) => {
  const id = ctx.params.id ?? '';
  const before = ctx.state.group(id);
  const members = new Set(before?.members ?? []);
  const invited = new Set([...(before?.invites ?? [])].map((e) => e.toLowerCase()));
  return (record) => {
    const after = ctx.state.group(id);
    const nowMembers = new Set(after?.members ?? []);
    const nowInvited = new Set([...(after?.invites ?? [])].map((e) => e.toLowerCase()));
    for (const m of nowMembers) if (!members.has(m)) record('User Added To User Group', user(ctx, m));
    for (const m of members) if (!nowMembers.has(m)) record('User Removed From User Group', user(ctx, m));
    for (const e of nowInvited) if (!invited.has(e)) record('Invite Created', invite(e));
    for (const e of invited) if (!nowInvited.has(e)) record('Invite Deleted', invite(e));
  };
};

const deleteUsers: Emitter = (ctx) => {
  const gone = emails(ctx, 'userIds').map((id) => user(ctx, id));
  return (record) => {
    for (const u of gone) record('User Deleted', u);
  };
};

const createInvites: Emitter = (ctx) => (record) => {
  const invites = isRecord(ctx.body) && Array.isArray(ctx.body.invites) ? ctx.body.invites : [];
  for (const i of invites)
    if (isRecord(i) && typeof i.email === 'string') record('Invite Created', invite(i.email));
};

const deleteInvites: Emitter = (ctx) => (record) => {
  for (const e of emails(ctx, 'emails')) record('Invite Deleted', invite(e));
};

const groupCreated: Emitter = (ctx) => (record) => {
  const name = isRecord(ctx.body) ? ctx.body.name : undefined;
  const created = ctx.state.groupIds().find((id) => ctx.state.group(id)?.name === name);
  if (created) record('User Group Created', group(ctx, created));
};

const groupUpdated: Emitter = (ctx) => (record) =>
  record('User Group Updated', group(ctx, ctx.params.id ?? ''));

const groupDeleted: Emitter = (ctx) => {
  const gone = group(ctx, ctx.params.id ?? '');
  return (record) => record('User Group Deleted', gone);
};

const sourceUpdated: Emitter = (ctx) => (record) => {
  const id = ctx.params.id ?? '';
  record('Source Modified', { id, type: 'source', name: ctx.state.resource('SOURCE', id)?.name ?? id });
};

/** The invitee signs up: they are the actor of their own arrival. */
const inviteAccepted: Emitter = (ctx) => (record) => {
  const email = isRecord(ctx.body) && typeof ctx.body.email === 'string' ? ctx.body.email : '';
  const joined = ctx.state
    .userIds()
    .find((id) => ctx.state.user(id)?.email.toLowerCase() === email.toLowerCase());
  if (joined) record('Invite Accepted', user(ctx, joined), { name: joined, email });
};

const userUpdated: Emitter = (ctx) => (record) => record('User Updated', user(ctx, ctx.params.id ?? ''));

const EMITTERS: Readonly<{ [route: string]: Emitter }> = {
  'POST /users/{id}/permissions': userPolicy,
  'PUT /users/{id}/permissions': userPolicy,
  'DELETE /users': deleteUsers,
  'POST /invites': createInvites,
  'DELETE /invites': deleteInvites,
  'POST /groups': groupCreated,
  'PATCH /groups/{id}': groupUpdated,
  'DELETE /groups/{id}': groupDeleted,
  'POST /groups/{id}/users': groupMembers,
  'PUT /group/{id}/users': groupMembers,
  'DELETE /group/{id}/users': groupMembers,
  'POST /groups/{id}/permissions': groupPolicy,
  'PUT /groups/{id}/permissions': groupPolicy,
  'PATCH /sources/{id}': sourceUpdated,
  'POST /_simulator/invites/accept': inviteAccepted,
  'PATCH /_simulator/users/{id}': userUpdated,
};

/** The emitter of a route that changes the workspace; undefined for reads and trail settings. */
export function trailEmitter(route: string): Emitter | undefined {
  return EMITTERS[route];
}

/** Route keys with an emitter (a test checks every write route has one). */
export const EMITTING_ROUTES: readonly string[] = Object.keys(EMITTERS);

/** The API token every write acts as unless the request names another actor. */
export const DEFAULT_TOKEN_ACTOR = 'tok_simulator_admin';

/**
 * Who a request acts as, from the simulation-only `X-Simulator-Actor` header: `user:<id>`
 * (a person of the workspace: their id as the actor, with their email) or `token:<id>`
 * (an API token: no email). Without it: the default API token, as a Public API call is.
 */
export function requestActor(state: WorkspaceState, header: string | string[] | undefined): TrailActor {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return { name: DEFAULT_TOKEN_ACTOR };
  const m = /^(user|token):(.+)$/.exec(value.trim());
  if (!m) throw invalid("X-Simulator-Actor must be 'user:<id>' or 'token:<id>'", 'X-Simulator-Actor');
  const id = m[2] as string;
  if (m[1] === 'token') return { name: id };
  const person = state.user(id);
  if (!person) throw invalid(`X-Simulator-Actor names no user '${id}'`, 'X-Simulator-Actor');
  return { name: person.id, email: person.email };
}
