import {
  type ApiMemberUser,
  type ApiPagination,
  type ApiPermission,
  type ApiUser,
  type ApiUserGroup,
  LIMITS,
} from './schemas.js';

/**
 * Hand-written checks of the responses a crawl receives by the thousand (a user's detail,
 * list pages of users, members and groups), beside their zod schemas in schemas.ts.
 *
 * Why: a detail-only crawl validates one user record a request, and zod's generic walk of
 * it (issues, transforms, a fresh object at every level) was about 4% of the crawl's CPU
 * (profiled, issue 14). These checks accept only a body whose zod result they can build
 * exactly: every string within its bound (nothing to clamp), every SDK-optional member
 * absent (left out), null (present as undefined) or of its type, known members only.
 * Anything else (a long name, a wrong type, a missing member) returns undefined and zod
 * decides, so malformed answers fail exactly as before, with the same one-line errors:
 * the fast path never rejects, it only declines. test/segment/fast-checks.test.ts holds
 * them to zod's output.
 */

export type FastCheck<T> = (data: unknown) => T | undefined;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

/** Sentinel: the value would need zod (an over-long name, a wrong type). */
const DECLINE = Symbol('decline');

/** Sentinel: an SDK-optional member that is absent (zod leaves it out; a null one is present as undefined). */
const ABSENT = Symbol('absent');

/** An SDK-optional member: ABSENT, undefined (null), `check`'s value, or DECLINE. */
function optional<T>(o: Obj, key: string, check: (v: unknown) => T | typeof DECLINE) {
  if (!(key in o)) return ABSENT;
  const v = o[key];
  return v === null || v === undefined ? undefined : check(v);
}

/** Sets an optional member on `out` as zod would: left out when absent. */
function put<T extends object, K extends keyof T>(out: T, key: K, value: T[K] | typeof ABSENT): void {
  if (value !== ABSENT) out[key] = value;
}

const within =
  (max: number) =>
  (v: unknown): string | typeof DECLINE =>
    str(v, max) ? v : DECLINE;
const description = within(LIMITS.description);
const cursor = within(LIMITS.cursor);

function count(v: unknown): number | typeof DECLINE {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : DECLINE;
}

type Label = NonNullable<ApiPermission['labels']>[number];

function labels(v: unknown): Label[] | typeof DECLINE {
  if (!Array.isArray(v)) return DECLINE;
  const out: Label[] = [];
  for (const l of v) {
    if (!isObject(l) || !str(l.key, LIMITS.id) || !str(l.value, LIMITS.id)) return DECLINE;
    const d = optional(l, 'description', description);
    if (d === DECLINE) return DECLINE;
    const label: Label = { key: l.key, value: l.value };
    put(label, 'description', d);
    out.push(label);
  }
  return out;
}

type Resource = ApiPermission['resources'][number];

function resources(v: unknown): Resource[] | typeof DECLINE {
  if (!Array.isArray(v)) return DECLINE;
  const out: Resource[] = [];
  for (const r of v) {
    if (!isObject(r) || !str(r.id, LIMITS.id) || !str(r.type, LIMITS.id)) return DECLINE;
    const l = optional(r, 'labels', labels);
    if (l === DECLINE) return DECLINE;
    const resource: Resource = { id: r.id, type: r.type };
    put(resource, 'labels', l);
    out.push(resource);
  }
  return out;
}

function permissions(v: unknown): ApiPermission[] | typeof DECLINE {
  if (!Array.isArray(v)) return DECLINE;
  const out: ApiPermission[] = [];
  for (const p of v) {
    if (!isObject(p) || !str(p.roleId, LIMITS.id) || !str(p.roleName, LIMITS.name)) return DECLINE;
    const rs = resources(p.resources);
    const l = optional(p, 'labels', labels);
    if (rs === DECLINE || l === DECLINE) return DECLINE;
    const permission: ApiPermission = { roleId: p.roleId, roleName: p.roleName, resources: rs };
    put(permission, 'labels', l);
    out.push(permission);
  }
  return out;
}

/** A record's `permissions`, put as zod would; undefined when they decline. */
function withPermissions<T extends object>(
  record: T,
  o: Obj,
): (T & { permissions?: ApiPermission[] | undefined }) | undefined {
  const list = optional(o, 'permissions', permissions);
  if (list === DECLINE) return undefined;
  const out: { permissions?: ApiPermission[] | undefined } = record;
  put(out, 'permissions', list);
  return out as T & typeof out;
}

function member(v: unknown): ApiMemberUser | undefined {
  if (!isObject(v) || !str(v.id, LIMITS.id) || !str(v.name, LIMITS.name) || !str(v.email, LIMITS.email))
    return undefined;
  return { id: v.id, name: v.name, email: v.email };
}

function user(v: unknown): ApiUser | undefined {
  const m = member(v);
  return m === undefined ? undefined : withPermissions(m, v as Obj);
}

function userGroup(v: unknown): ApiUserGroup | undefined {
  if (!isObject(v) || !str(v.id, LIMITS.id) || !str(v.name, LIMITS.name)) return undefined;
  const memberCount = count(v.memberCount);
  if (memberCount === DECLINE) return undefined;
  return withPermissions({ id: v.id, name: v.name, memberCount }, v);
}

const CURSORS = ['current', 'next', 'previous'] as const;

function pagination(v: unknown): ApiPagination | undefined {
  if (!isObject(v)) return undefined;
  const out: ApiPagination = {};
  for (const key of CURSORS) {
    const c = optional(v, key, cursor);
    if (c === DECLINE) return undefined;
    put(out, key, c);
  }
  const total = optional(v, 'totalEntries', count);
  if (total === DECLINE) return undefined;
  put(out, 'totalEntries', total);
  return out;
}

/** Every item checked by `item`, or undefined when one declines. */
function all<T>(v: unknown, item: (x: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: T[] = [];
  for (const x of v) {
    const checked = item(x);
    if (checked === undefined) return undefined;
    out.push(checked);
  }
  return out;
}

/** `{ [key]: item }`, as z.object({ [key]: … }) gives it. */
function one<K extends string, T>(key: K, item: (x: unknown) => T | undefined): FastCheck<{ [P in K]: T }> {
  return (data) => {
    if (!isObject(data)) return undefined;
    const checked = item(data[key]);
    return checked === undefined ? undefined : ({ [key]: checked } as { [P in K]: T });
  };
}

/** `{ [key]: items[], pagination }`, as a list page's schema gives it. */
function page<K extends string, T>(
  key: K,
  item: (x: unknown) => T | undefined,
): FastCheck<{ [P in K]: T[] } & { pagination: ApiPagination }> {
  return (data) => {
    if (!isObject(data)) return undefined;
    const items = all(data[key], item);
    if (items === undefined) return undefined;
    const p = pagination(data.pagination);
    return p === undefined
      ? undefined
      : ({ [key]: items, pagination: p } as { [P in K]: T[] } & { pagination: ApiPagination });
  };
}

/** The fast checks by the name of their schema in `schemas`. */
export const fastChecks = {
  user: one('user', user),
  users: page('users', user),
  groupMembers: page('users', member),
  userGroup: one('userGroup', userGroup),
  userGroups: page('userGroups', userGroup),
} as const;
