/**
 * Generates a realistic workspace from a seed: roles with Segment's names, resources of
 * every type, users (some with Unicode names, some with no direct permissions), groups
 * with overlapping memberships, workspace and group invites. Linear in the sizes asked
 * for, so 20,000 users and 500 groups take a few tens of milliseconds.
 */
import type { Label, Permission, WorkspaceInfo } from '../model/workspace.js';
import {
  EXTERNAL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  REGIONS,
  ROLE_TEMPLATES,
  TEAMS,
  WORKSPACE_NAMES,
} from './catalog.js';
import { type Random, stream } from './prng.js';
import {
  canonicalPermissions,
  type GroupRecord,
  type InstanceType,
  type InviteRecord,
  type RoleRecord,
  type SeededWorkspace,
  type UserRecord,
} from './records.js';
import { ENVIRONMENTS, LABELS } from './resource-catalog.js';
import { makeResources } from './seed-resources.js';

export interface SeedSizes {
  seed: number;
  users: number;
  groups: number;
  membersPerGroup: number;
  invites: number;
  groupInvites: number;
}

/** Lower-case ASCII for an email's local part: "Łukasz" → "lukasz", "美咲" → "". */
export function emailPart(name: string): string {
  return name
    .replace(/ł/gi, 'l')
    .replace(/ø/gi, 'o')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * A Source role scoped by labels, as Segment grants it: on the WORKSPACE resource, with the
 * labels on the permission (most) or on the workspace resource (some; both are in the
 * SDK's models). `Source Admin` with environment:prod is admin of the prod sources only.
 */
function labelScoped(rng: Random, role: RoleRecord, workspace: WorkspaceInfo): Permission {
  const labels: Label[] = [{ key: 'environment', value: rng.pick(ENVIRONMENTS) }];
  if (rng.chance(0.25)) labels.push({ key: 'team', value: rng.pick(['data', 'growth']) });
  const ws = { id: workspace.id, type: 'WORKSPACE' };
  if (rng.chance(0.3)) return { roleId: role.id, roleName: role.name, resources: [{ ...ws, labels }] };
  return { roleId: role.id, roleName: role.name, resources: [ws], labels };
}

/**
 * An admin role of one product (Source Admin, Functions Admin, …): held on a few
 * resources, as in real workspaces, and workspace-wide only rarely, so privileged access
 * (model/privileged.ts) stays a few people among many members and read-only users.
 */
const isProductAdmin = (role: RoleRecord): boolean =>
  role.scope !== 'WORKSPACE' && role.name.endsWith(' Admin');

function grant(
  rng: Random,
  role: RoleRecord,
  resources: SeededWorkspace['resources'],
  workspace: WorkspaceInfo,
): Permission {
  const admin = isProductAdmin(role);
  if (role.scope === 'SOURCE' && rng.chance(0.2) && !admin) return labelScoped(rng, role, workspace);
  const whole = role.scope === 'WORKSPACE' || (rng.chance(0.15) && (!admin || rng.chance(0.05)));
  // Resource refs in a grant carry no resource labels: those belong to workspace-level grants.
  const picked = whole
    ? [{ id: workspace.id, type: 'WORKSPACE' }]
    : rng
        .sample(resources[role.scope as InstanceType], rng.int(1, 3))
        .map((r) => ({ id: r.id, type: r.type }));
  return { roleId: role.id, roleName: role.name, resources: picked };
}

function somePermissions(
  rng: Random,
  roles: readonly RoleRecord[],
  resources: SeededWorkspace['resources'],
  workspace: WorkspaceInfo,
  count: number,
): Permission[] {
  return canonicalPermissions(rng.sample(roles, count).map((role) => grant(rng, role, resources, workspace)));
}

/**
 * At least one label-scoped grant in any workspace with a group: the first group's Source
 * Read-only limited to environment:prod (drawn from no stream, so nothing else moves; not
 * an admin role, so the whole group does not become privileged).
 */
function scopeFirstGroup(groups: GroupRecord[], roles: RoleRecord[], workspace: WorkspaceInfo): void {
  const sourceReader = roles.find((r) => r.name === 'Source Read-only')!;
  const first = groups[0];
  if (!first) return;
  first.permissions = canonicalPermissions([
    ...first.permissions,
    {
      roleId: sourceReader.id,
      roleName: sourceReader.name,
      resources: [{ id: workspace.id, type: 'WORKSPACE' }],
      labels: [{ key: 'environment', value: 'prod' }],
    },
  ]);
}

/** The leaver every generated workspace has: terminated by HR, still a Workspace Owner. */
export const LEAVER = { name: 'Morgan Leaver', local: 'morgan.leaver' } as const;
/** The outside contractor every generated workspace has (outside its main domain). */
export const CONTRACTOR = { name: 'Casey Contractor', email: 'casey@freelance-studio.dev' } as const;

/**
 * The two people reconciliation (issue 18) is there to find, in place of the last two
 * generated users (same ids, so the user count and every stream stay as they were): a
 * leaver who kept Workspace Owner, and a contractor at another company's domain.
 */
function reconciliationPersonas(
  users: UserRecord[],
  owner: RoleRecord,
  workspace: WorkspaceInfo,
  domain: string,
  taken: Set<string>,
): void {
  if (users.length < 3) return;
  const leaver = users[users.length - 1]!;
  leaver.name = LEAVER.name;
  leaver.email = `${LEAVER.local}@${domain}`;
  leaver.permissions = [
    { roleId: owner.id, roleName: owner.name, resources: [{ id: workspace.id, type: 'WORKSPACE' }] },
  ];
  const contractor = users[users.length - 2]!;
  contractor.name = CONTRACTOR.name;
  contractor.email = CONTRACTOR.email;
  taken.add(leaver.email).add(contractor.email);
}

export function generateWorkspace(sizes: SeedSizes): SeededWorkspace {
  const meta = stream(sizes.seed, 'workspace');
  const name = meta.pick(WORKSPACE_NAMES);
  const slug = emailPart(name.split(' ')[0] ?? 'acme') || 'acme';
  const workspace: WorkspaceInfo = { id: meta.id(22), slug: `${slug}-${meta.int(100, 999)}`, name };
  const domain = `${slug}.example.com`;
  const roles: RoleRecord[] = ROLE_TEMPLATES.map((t) => ({
    id: meta.id(27),
    name: t.name,
    description: t.description,
    scope: t.scope,
  })).sort((a, b) => (a.id < b.id ? -1 : 1));
  const resources = makeResources(meta, stream(sizes.seed, 'resources'), workspace.slug);
  const owner = roles.find((r) => r.name === 'Workspace Owner')!;
  const grantable = roles.filter((r) => r.name !== 'Workspace Owner');

  // Every email is unique case-insensitively across users and invites.
  const taken = new Set<string>();
  const email = (rng: Random, first: string, last: string, capitalise: boolean): string => {
    const local = `${emailPart(first) || 'user'}.${emailPart(last) || 'member'}`;
    const host = rng.chance(0.1) ? rng.pick(EXTERNAL_DOMAINS) : domain;
    let candidate = `${local}@${host}`;
    for (let n = 2; taken.has(candidate); n++) candidate = `${local}${n}@${host}`;
    taken.add(candidate);
    // A few invites are typed with capitals: matching them to users must ignore case.
    return capitalise
      ? candidate.replace(/(^|\.)([a-z])/g, (_m, dot: string, c: string) => dot + c.toUpperCase())
      : candidate;
  };

  const people = stream(sizes.seed, 'users');
  const users: UserRecord[] = [];
  for (let i = 0; i < sizes.users; i++) {
    const first = people.pick(FIRST_NAMES);
    const last = people.pick(LAST_NAMES);
    const roll = people.next();
    // ~3% owners, ~10% with no direct permissions (their access comes from groups only).
    const permissions =
      roll < 0.03
        ? canonicalPermissions([grant(people, owner, resources, workspace)])
        : roll < 0.13
          ? []
          : somePermissions(people, grantable, resources, workspace, people.int(1, 3));
    users.push({
      id: people.id(27),
      name: `${first} ${last}`,
      email: email(people, first, last, false),
      permissions,
    });
  }

  reconciliationPersonas(users, owner, workspace, domain, taken);

  const inviting = stream(sizes.seed, 'invites');
  const invites: InviteRecord[] = [];
  for (let i = 0; i < sizes.invites; i++) {
    const mail = email(inviting, inviting.pick(FIRST_NAMES), inviting.pick(LAST_NAMES), inviting.chance(0.1));
    invites.push({ email: mail, permissions: somePermissions(inviting, grantable, resources, workspace, 1) });
  }

  const teams = stream(sizes.seed, 'groups');
  const groups: GroupRecord[] = [];
  const names = teams.sample(
    TEAMS.flatMap((t) => [t, ...REGIONS.map((r) => `${t} (${r})`)]),
    Number.MAX_SAFE_INTEGER,
  );
  const userIds = users.map((u) => u.id);
  const avg = sizes.membersPerGroup;
  for (let i = 0; i < sizes.groups; i++) {
    const base = names[i % names.length]!;
    const round = Math.floor(i / names.length);
    const size = Math.min(
      userIds.length,
      teams.int(Math.ceil(avg / 2), Math.max(Math.ceil(avg / 2), Math.floor(avg * 1.5))),
    );
    groups.push({
      id: teams.id(27),
      name: round === 0 ? base : `${base} ${round + 1}`,
      permissions: teams.chance(0.1)
        ? []
        : somePermissions(teams, grantable, resources, workspace, teams.int(1, 2)),
      members: new Set(teams.sample(userIds, size)),
      invites: new Set(),
    });
  }

  scopeFirstGroup(groups, roles, workspace);

  // Group invites: half re-use a pending workspace invite's email, half are fresh people.
  for (let i = 0; i < sizes.groupInvites && groups.length > 0; i++) {
    const group = teams.pick(groups);
    const reuse = invites.length > 0 && teams.chance(0.5) ? teams.pick(invites).email : undefined;
    const fresh = reuse === undefined || group.invites.has(reuse);
    group.invites.add(fresh ? email(teams, teams.pick(FIRST_NAMES), teams.pick(LAST_NAMES), false) : reuse);
  }
  const labels = LABELS.map((l) => ({ ...l }));
  return { workspace, roles, resources, labels, users, invites, groups };
}
