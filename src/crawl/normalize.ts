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
function labels(list: readonly Label[] | undefined): Label[] | undefined {
  if (!list || list.length === 0) return undefined;
  return list
    .map((l) => ({ key: l.key, value: l.value }))
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.value, b.value));
}

function resource(r: ApiPermission['resources'][number]): ResourceRef {
  const out: ResourceRef = { id: r.id, type: r.type };
  const l = labels(r.labels);
  if (l) out.labels = l;
  return out;
}

/** Permissions sorted by role (then labels), resources by id (then type). Nothing is merged or dropped. */
export function normalizePermissions(list: readonly ApiPermission[]): Permission[] {
  return list
    .map((p) => {
      const out: Permission = {
        roleId: p.roleId,
        roleName: p.roleName,
        resources: p.resources.map(resource).sort((a, b) => byId(a, b) || compareStrings(a.type, b.type)),
      };
      const l = labels(p.labels);
      if (l) out.labels = l;
      return out;
    })
    .sort(
      (a, b) =>
        compareStrings(a.roleId, b.roleId) ||
        compareStrings(labelKey(a.labels), labelKey(b.labels)) ||
        compareStrings(a.roleName, b.roleName),
    );
}
