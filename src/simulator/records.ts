/**
 * The simulator's stored records and the one canonical form of a permission list, used by
 * the generator and by every write so that reads and truth() always agree.
 */
import type { Label, Permission, ResourceRef, Role, WorkspaceInfo } from '../model/workspace.js';
import type { RoleTemplate } from './catalog.js';
import type { CatalogKind } from './resource-catalog.js';

export interface RoleRecord extends Role {
  scope: RoleTemplate['scope'];
}

export interface UserRecord {
  id: string;
  name: string;
  email: string;
  permissions: Permission[];
}

export interface InviteRecord {
  email: string;
  /** Granted to the user who accepts the invite. */
  permissions: Permission[];
}

export interface GroupRecord {
  id: string;
  name: string;
  permissions: Permission[];
  members: Set<string>;
  /** Pending group invites, emails as given. */
  invites: Set<string>;
}

/** The resource types that have instances (WORKSPACE is the workspace itself). */
export type InstanceType = Exclude<RoleTemplate['scope'], 'WORKSPACE'>;

/** One source, warehouse, space or function: what its list endpoint describes. */
export interface ResourceRecord {
  id: string;
  type: InstanceType;
  name: string;
  slug: string;
  enabled: boolean;
  /** The catalogue entry (sources and warehouses): the `metadata` of their models. */
  kind?: CatalogKind;
  /** Resource labels (SourceV1.labels); empty for other types. */
  labels: Label[];
  /** Sources' write keys: secrets a crawl must never keep. */
  writeKeys: string[];
}

/** One entry of the label catalogue (LabelV1). */
export interface LabelRecord {
  key: string;
  value: string;
  description?: string;
}

function labelKey(labels: Label[] | undefined): string {
  if (!labels || labels.length === 0) return '';
  return labels.map((l) => `${l.key}=${l.value}`).join('&');
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A whole generated workspace, as the generator makes it and the state starts from. */
export interface SeededWorkspace {
  workspace: WorkspaceInfo;
  roles: RoleRecord[];
  /** Resources by type, each list in generation order. */
  resources: Record<InstanceType, ResourceRecord[]>;
  /** The label catalogue. */
  labels: LabelRecord[];
  users: UserRecord[];
  invites: InviteRecord[];
  groups: GroupRecord[];
}

/**
 * Permissions for one role (and the same labels) merge into one entry with the union of
 * their resources; entries sort by role id, resources by id. Granting what is already held
 * therefore changes nothing, like the real API.
 */
export function canonicalPermissions(permissions: readonly Permission[]): Permission[] {
  const merged = new Map<string, { permission: Permission; resources: Map<string, ResourceRef> }>();
  for (const p of permissions) {
    const key = `${p.roleId}|${labelKey(p.labels)}`;
    let entry = merged.get(key);
    if (!entry) {
      const permission: Permission = { roleId: p.roleId, roleName: p.roleName, resources: [] };
      if (p.labels && p.labels.length > 0) permission.labels = p.labels.map((l) => ({ ...l }));
      entry = { permission, resources: new Map() };
      merged.set(key, entry);
    }
    for (const r of p.resources) {
      const copy: ResourceRef = { id: r.id, type: r.type };
      if (r.labels && r.labels.length > 0) copy.labels = r.labels.map((l) => ({ ...l }));
      entry.resources.set(`${r.type}|${r.id}`, copy);
    }
  }
  const out = [...merged.values()].map(({ permission, resources }) => {
    permission.resources = [...resources.values()].sort(byId);
    return permission;
  });
  return out.sort((a, b) =>
    a.roleId !== b.roleId ? (a.roleId < b.roleId ? -1 : 1) : labelKey(a.labels) < labelKey(b.labels) ? -1 : 1,
  );
}

/** The code-unit order every list of the simulator (and of a crawl result) uses. */
export function sortStrings(values: Iterable<string>): string[] {
  return [...values].sort();
}
