/**
 * A user's permissions as grants: each permission × resource is one grant whose label
 * scope is the union of the permission's and the resource's labels (the audit's grant
 * identity). Removing a grant removes only that resource from that permission, so a
 * label-scoped grant goes and its siblings (other scopes of the same role) stay.
 */
import type { GrantKey, PermissionInput, RevokedGrant } from '../model/remediation.js';
import type { Label, Permission } from '../model/workspace.js';
import { canonicalLabels } from '../text/labels.js';

export interface HeldGrant {
  key: GrantKey;
  grant: RevokedGrant;
}

const bare = (labels: readonly Label[] | undefined) => labels?.map((l) => ({ key: l.key, value: l.value }));

/** Every grant a list of permissions holds, in the API's order. */
export function heldGrants(permissions: readonly Permission[]): HeldGrant[] {
  return permissions.flatMap((p) =>
    p.resources.map((r) => {
      const resource: RevokedGrant['resource'] = { id: r.id, type: r.type };
      if (r.labels?.length) resource.labels = bare(r.labels);
      const grant: RevokedGrant = { roleId: p.roleId, roleName: p.roleName, resource };
      if (p.labels?.length) grant.labels = bare(p.labels);
      const key = {
        roleId: p.roleId,
        resourceType: r.type,
        resourceId: r.id,
        labels: canonicalLabels(p.labels, r.labels),
      };
      return { key, grant };
    }),
  );
}

export const sameGrant = (a: GrantKey, b: GrantKey): boolean => sameTarget(a, b) && a.labels === b.labels;

/** Same role on the same resource, whatever the label scope. */
export const sameTarget = (a: GrantKey, b: GrantKey): boolean =>
  a.roleId === b.roleId && a.resourceType === b.resourceType && a.resourceId === b.resourceId;

export function grantKeyOf(grant: RevokedGrant): GrantKey {
  return {
    roleId: grant.roleId,
    resourceType: grant.resource.type,
    resourceId: grant.resource.id,
    labels: canonicalLabels(grant.labels, grant.resource.labels),
  };
}

/** The permissions minus the given grants, as a replace (PUT) body takes them. */
export function withoutGrants(
  permissions: readonly Permission[],
  revoked: readonly GrantKey[],
): PermissionInput[] {
  const out: PermissionInput[] = [];
  for (const p of permissions) {
    const scope = (r: Permission['resources'][number]): GrantKey => ({
      roleId: p.roleId,
      resourceType: r.type,
      resourceId: r.id,
      labels: canonicalLabels(p.labels, r.labels),
    });
    const kept = p.resources.filter((r) => !revoked.some((g) => sameGrant(g, scope(r))));
    if (kept.length === 0) continue;
    const input: PermissionInput = {
      roleId: p.roleId,
      resources: kept.map((r) =>
        r.labels?.length ? { id: r.id, type: r.type, labels: bare(r.labels) } : { id: r.id, type: r.type },
      ),
    };
    if (p.labels?.length) input.labels = bare(p.labels);
    out.push(input);
  }
  return out;
}

/** The permission inputs that give revoked grants back (an undo's POST body). */
export function restoring(grants: readonly RevokedGrant[]): PermissionInput[] {
  return grants.map((g) => {
    const input: PermissionInput = { roleId: g.roleId, resources: [g.resource] };
    if (g.labels?.length) input.labels = g.labels;
    return input;
  });
}
