import type { Label, Permission, ResourceRef } from '../model/workspace.js';
import type { ApiPermission } from '../segment/index.js';

/**
 * One canonical order for everything in a picture (UTF-16 code-unit order, as
 * src/model/workspace.ts says), so two crawls of the same state are deep-equal
 * whatever order pages or concurrent walks came back in.
 */

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byId<T extends { id: string }>(a: T, b: T): number {
  return compareStrings(a.id, b.id);
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

function labelKey(labels: readonly Label[] | undefined): string {
  return (labels ?? []).map((l) => `${l.key}=${l.value}`).join('&');
}

/** Labels sorted; absent and empty mean the same and are both left out. */
function labels(list: readonly Label[] | undefined, str: (s: string) => string = same): Label[] | undefined {
  if (!list || list.length === 0) return undefined;
  return list
    .map((l) => ({ key: str(l.key), value: str(l.value) }))
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.value, b.value));
}

const same = (s: string): string => s;

function resource(r: ApiPermission['resources'][number], str: (s: string) => string = same): ResourceRef {
  const out: ResourceRef = { id: str(r.id), type: str(r.type) };
  const l = labels(r.labels, str);
  if (l) out.labels = l;
  return out;
}

function permission(
  p: ApiPermission,
  str: (s: string) => string = same,
  ref: (r: ApiPermission['resources'][number]) => ResourceRef = (r) => resource(r, str),
): Permission {
  const out: Permission = {
    roleId: str(p.roleId),
    roleName: str(p.roleName),
    resources: p.resources.map(ref).sort((a, b) => byId(a, b) || compareStrings(a.type, b.type)),
  };
  const l = labels(p.labels, str);
  if (l) out.labels = l;
  return out;
}

function byRole(a: Permission, b: Permission): number {
  return (
    compareStrings(a.roleId, b.roleId) ||
    compareStrings(labelKey(a.labels), labelKey(b.labels)) ||
    compareStrings(a.roleName, b.roleName)
  );
}

/** Permissions sorted by role (then labels), resources by id (then type). Nothing is merged or dropped. */
export function normalizePermissions(
  list: readonly ApiPermission[],
  interner?: PermissionInterner,
): Permission[] {
  if (interner) return interner.permissions(list);
  return list.map((p) => permission(p)).sort(byRole);
}

/**
 * Shares what repeats across a crawl: a 100,000-user workspace holds ~180,000 permissions
 * but only a few thousand distinct ones (a few dozen resources, a dozen roles), so equal
 * permissions (and equal permission lists, resources and strings) are one object each
 * instead of a parsed copy per user: the picture shrinks from ~105 MB to ~25 MB, and the
 * API's copies become garbage at once. Shared objects are never mutated (the picture is
 * read-only past the crawl). One interner per crawl; it is dropped with the crawl.
 */
export class PermissionInterner {
  readonly #strings = new Map<string, string>();
  readonly #resources = new Map<string, ResourceRef>();
  /** By the API permission's JSON (an exact key: equal JSON, equal normalized permission). */
  readonly #permissions = new Map<string, Permission>();
  readonly #ids = new Map<Permission, number>();
  /** Sorted lists by the ids of their permissions. */
  readonly #lists = new Map<string, Permission[]>();

  readonly str = (s: string): string => {
    const hit = this.#strings.get(s);
    if (hit !== undefined) return hit;
    this.#strings.set(s, s);
    return s;
  };

  readonly #resource = (r: ApiPermission['resources'][number]): ResourceRef => {
    const key = JSON.stringify([r.id, r.type, r.labels ?? null]);
    let out = this.#resources.get(key);
    if (out === undefined) {
      out = resource(r, this.str);
      this.#resources.set(key, out);
    }
    return out;
  };

  permission(p: ApiPermission): Permission {
    const key = JSON.stringify([p.roleId, p.roleName, p.labels ?? null, p.resources]);
    let out = this.#permissions.get(key);
    if (out === undefined) {
      out = permission(p, this.str, this.#resource);
      this.#permissions.set(key, out);
      this.#ids.set(out, this.#ids.size);
    }
    return out;
  }

  /** The normalized list (see normalizePermissions), shared with every equal list. */
  permissions(list: readonly ApiPermission[]): Permission[] {
    const sorted = list.map((p) => this.permission(p)).sort(byRole);
    const key = sorted.map((p) => this.#ids.get(p)).join(',');
    const hit = this.#lists.get(key);
    if (hit !== undefined) return hit;
    this.#lists.set(key, sorted);
    return sorted;
  }
}

/**
 * A user's or group's `permissions` as listed: undefined when the record gives none
 * (absent or null alike: the API's models make the field optional), else normalized.
 */
export function recordPermissions(
  list: readonly ApiPermission[] | null | undefined,
  interner: PermissionInterner,
): Permission[] | undefined {
  return list == null ? undefined : normalizePermissions(list, interner);
}
