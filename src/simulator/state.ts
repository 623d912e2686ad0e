/**
 * The live workspace: records by id plus sorted views, rebuilt lazily after a write, so a
 * read costs a binary search and a slice, never a scan. Writes are rare (the API allows
 * 60 a minute), so invalidating a view and re-sorting once is cheap enough.
 */
import type {
  Permission,
  ResourceName,
  UserGroup,
  WorkspaceInfo,
  WorkspaceUser,
} from '../model/workspace.js';
import { conflict, invalid, notFound } from './http.js';
import { type Random, stream } from './prng.js';
import {
  canonicalPermissions,
  type GroupRecord,
  type InstanceType,
  type InviteRecord,
  type LabelRecord,
  type ResourceRecord,
  type RoleRecord,
  type SeededWorkspace,
  sortStrings,
  type UserRecord,
} from './records.js';
import type { SimulatedTruth } from './types.js';

/** A permission as a write request gives it: role and resources, no role name. */
export interface PermissionInput {
  roleId: string;
  resources: { id: string; type: string; labels?: { key: string; value: string }[] }[];
  labels?: { key: string; value: string }[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const lower = (email: string) => email.toLowerCase();

export class WorkspaceState {
  readonly workspace: WorkspaceInfo;
  readonly #roles = new Map<string, RoleRecord>();
  readonly #roleIds: string[];
  readonly #users = new Map<string, UserRecord>();
  readonly #userIdByEmail = new Map<string, string>();
  readonly #invites = new Map<string, InviteRecord>();
  readonly #groups = new Map<string, GroupRecord>();
  readonly #groupsOfUser = new Map<string, Set<string>>();
  readonly #ids: Random;
  readonly #resources = new Map<InstanceType, Map<string, ResourceRecord>>();
  readonly #resourceIds = new Map<InstanceType, string[]>();
  readonly #labels: LabelRecord[];

  // Sorted views; undefined (or absent) means "rebuild on next read".
  #userIds: string[] | undefined;
  #inviteEmails: string[] | undefined;
  #groupIds: string[] | undefined;
  readonly #memberIds = new Map<string, string[]>();
  readonly #groupInviteEmails = new Map<string, string[]>();
  readonly #groupIdsOfUser = new Map<string, string[]>();

  constructor(seeded: SeededWorkspace, seed: number) {
    this.workspace = seeded.workspace;
    for (const r of seeded.roles) this.#roles.set(r.id, r);
    this.#roleIds = sortStrings(this.#roles.keys());
    for (const u of seeded.users) this.#putUser(u);
    for (const i of seeded.invites) this.#invites.set(lower(i.email), i);
    for (const g of seeded.groups) {
      this.#groups.set(g.id, g);
      for (const m of g.members) this.#membership(m).add(g.id);
    }
    this.#ids = stream(seed, 'created-ids');
    for (const [type, list] of Object.entries(seeded.resources) as [InstanceType, ResourceRecord[]][]) {
      this.#resources.set(type, new Map(list.map((r) => [r.id, r])));
      this.#resourceIds.set(type, sortStrings(list.map((r) => r.id)));
    }
    this.#labels = seeded.labels
      .map((l) => ({ ...l }))
      .sort((a, b) => compare(`${a.key}:${a.value}`, `${b.key}:${b.value}`));
  }

  // ---- reads (sorted views) ----
  roleIds = (): string[] => this.#roleIds;
  role = (id: string): RoleRecord | undefined => this.#roles.get(id);
  user = (id: string): UserRecord | undefined => this.#users.get(id);
  group = (id: string): GroupRecord | undefined => this.#groups.get(id);
  userIds = (): string[] => (this.#userIds ??= sortStrings(this.#users.keys()));
  groupIds = (): string[] => (this.#groupIds ??= sortStrings(this.#groups.keys()));
  inviteEmails = (): string[] =>
    (this.#inviteEmails ??= sortStrings([...this.#invites.values()].map((i) => i.email)));

  /** Resources of one type, by id; the set never changes after seeding (only names do). */
  resourceIds = (type: InstanceType): string[] => this.#resourceIds.get(type) ?? [];
  resource = (type: InstanceType, id: string): ResourceRecord | undefined =>
    this.#resources.get(type)?.get(id);
  /** The label catalogue, sorted by key, then value. */
  labels = (): readonly LabelRecord[] => this.#labels;

  memberIds(group: GroupRecord): string[] {
    return cached(this.#memberIds, group.id, () => sortStrings(group.members));
  }
  groupInviteEmails(group: GroupRecord): string[] {
    return cached(this.#groupInviteEmails, group.id, () => sortStrings(group.invites));
  }
  groupIdsOfUser(userId: string): string[] {
    return cached(this.#groupIdsOfUser, userId, () => sortStrings(this.#groupsOfUser.get(userId) ?? []));
  }

  // ---- writes ----
  /** Renames a source (as `PATCH /sources/{id}` does): reports must show the name at the time. */
  renameSource(sourceId: string, name: string): ResourceRecord {
    const source = this.resource('SOURCE', sourceId);
    if (!source) throw notFound(`source ${sourceId}`);
    source.name = name;
    return source;
  }

  resolvePermissions(inputs: readonly PermissionInput[]): Permission[] {
    return canonicalPermissions(
      inputs.map((p, i) => {
        const role = this.#roles.get(p.roleId);
        if (!role) throw invalid(`unknown roleId '${p.roleId}'`, `permissions.${i}.roleId`);
        const permission: Permission = { roleId: role.id, roleName: role.name, resources: p.resources };
        if (p.labels) permission.labels = p.labels;
        return permission;
      }),
    );
  }

  /** Adds the resolved inputs to a user's or group's permissions, or replaces them with those. */
  #setPermissions(
    holder: { permissions: Permission[] },
    inputs: readonly PermissionInput[],
    mode: 'add' | 'replace',
  ): Permission[] {
    const granted = this.resolvePermissions(inputs);
    holder.permissions = canonicalPermissions(mode === 'add' ? [...holder.permissions, ...granted] : granted);
    return holder.permissions;
  }

  setUserPermissions(
    userId: string,
    inputs: readonly PermissionInput[],
    mode: 'add' | 'replace',
  ): Permission[] {
    return this.#setPermissions(this.#mustUser(userId), inputs, mode);
  }

  setGroupPermissions(
    groupId: string,
    inputs: readonly PermissionInput[],
    mode: 'add' | 'replace',
  ): Permission[] {
    return this.#setPermissions(this.#mustGroup(groupId), inputs, mode);
  }

  createInvites(invites: readonly { email: string; permissions: PermissionInput[] }[]): string[] {
    const resolved = invites.map((inv, i) => {
      this.#checkNewEmail(inv.email, `invites.${i}.email`);
      if (this.#invites.has(lower(inv.email)))
        throw conflict(`${inv.email} is already invited`, `invites.${i}.email`);
      return { email: inv.email, permissions: this.resolvePermissions(inv.permissions) };
    });
    if (new Set(resolved.map((r) => lower(r.email))).size !== resolved.length) {
      throw invalid('the same email is invited twice', 'invites');
    }
    for (const r of resolved) this.#invites.set(lower(r.email), r);
    this.#inviteEmails = undefined;
    return resolved.map((r) => r.email);
  }

  deleteInvites(emails: readonly string[]): void {
    for (const e of emails) if (!this.#invites.has(lower(e))) throw notFound(`invite for ${e}`);
    for (const e of emails) this.#invites.delete(lower(e));
    this.#inviteEmails = undefined;
  }

  deleteUsers(userIds: readonly string[]): void {
    for (const id of userIds) this.#mustUser(id);
    for (const id of userIds) {
      const user = this.#users.get(id);
      if (!user) continue;
      for (const groupId of this.#groupsOfUser.get(id) ?? []) this.#leave(this.#groups.get(groupId)!, id);
      this.#users.delete(id);
      this.#userIdByEmail.delete(lower(user.email));
      this.#groupsOfUser.delete(id);
      this.#groupIdsOfUser.delete(id);
    }
    this.#userIds = undefined;
  }

  updateUser(userId: string, patch: { name?: string; email?: string }): UserRecord {
    const user = this.#mustUser(userId);
    if (patch.email !== undefined && lower(patch.email) !== lower(user.email)) {
      this.#checkNewEmail(patch.email, 'email');
      this.#userIdByEmail.delete(lower(user.email));
      this.#userIdByEmail.set(lower(patch.email), user.id);
    }
    if (patch.email !== undefined) user.email = patch.email;
    if (patch.name !== undefined) user.name = patch.name;
    return user;
  }

  createGroup(name: string): GroupRecord {
    for (const g of this.#groups.values())
      if (g.name === name) throw conflict(`a group named '${name}' exists`, 'name');
    const group: GroupRecord = {
      id: this.#newId(this.#groups),
      name,
      permissions: [],
      members: new Set(),
      invites: new Set(),
    };
    this.#groups.set(group.id, group);
    this.#groupIds = undefined;
    return group;
  }

  deleteGroup(groupId: string): void {
    const group = this.#mustGroup(groupId);
    for (const member of [...group.members]) this.#leave(group, member);
    this.#groups.delete(groupId);
    this.#memberIds.delete(groupId);
    this.#groupInviteEmails.delete(groupId);
    this.#groupIds = undefined;
  }

  renameGroup(groupId: string, name: string): GroupRecord {
    const group = this.#mustGroup(groupId);
    for (const g of this.#groups.values())
      if (g.name === name && g.id !== groupId) throw conflict(`a group named '${name}' exists`, 'name');
    group.name = name;
    return group;
  }

  /**
   * `POST /groups/{id}/users`: each email of a user joins the group, any other email is
   * invited to it. Adding a member or invitee again changes nothing.
   */
  addGroupMembers(groupId: string, emails: readonly string[]): GroupRecord {
    const group = this.#mustGroup(groupId);
    const { userIds, invitees } = this.#splitEmails(emails);
    for (const id of userIds) this.#join(group, id);
    const pending = new Set([...group.invites].map(lower));
    for (const e of invitees) if (!pending.has(lower(e))) group.invites.add(e);
    this.#groupInviteEmails.delete(groupId);
    return group;
  }

  /** `PUT /group/{id}/users`: the group's members and invitees become exactly these emails. */
  replaceGroupMembers(groupId: string, emails: readonly string[]): GroupRecord {
    const group = this.#mustGroup(groupId);
    const { userIds, invitees } = this.#splitEmails(emails);
    for (const member of [...group.members]) if (!userIds.includes(member)) this.#leave(group, member);
    for (const id of userIds) this.#join(group, id);
    group.invites = new Set(invitees);
    this.#groupInviteEmails.delete(groupId);
    return group;
  }

  /** `DELETE /group/{id}/users?emails=…`: members or invitees by email; an unknown one is a 404. */
  removeGroupMembers(groupId: string, emails: readonly string[]): void {
    const group = this.#mustGroup(groupId);
    const invited = new Map([...group.invites].map((e) => [lower(e), e]));
    const found = emails.map((e) => {
      const userId = this.#userIdByEmail.get(lower(e));
      if (userId !== undefined && group.members.has(userId)) return { userId };
      const invite = invited.get(lower(e));
      if (invite !== undefined) return { invite };
      throw notFound(`member or invitee ${e} of group ${groupId}`);
    });
    for (const f of found) {
      if (f.userId !== undefined) this.#leave(group, f.userId);
      if (f.invite !== undefined) group.invites.delete(f.invite);
    }
    this.#groupInviteEmails.delete(groupId);
  }

  /**
   * Simulation only: the person behind an invite signs up. The workspace invite's
   * permissions become theirs and their group invites become memberships.
   */
  acceptInvite(email: string, name: string): UserRecord {
    const key = lower(email);
    const invite = this.#invites.get(key);
    const groups = [...this.#groups.values()].filter((g) => [...g.invites].some((e) => lower(e) === key));
    if (!invite && groups.length === 0) throw notFound(`invite for ${email}`);
    this.#checkNewEmail(email, 'email');
    const user: UserRecord = {
      id: this.#newId(this.#users),
      name,
      email,
      permissions: invite?.permissions ?? [],
    };
    this.#putUser(user);
    this.#userIds = undefined;
    this.#invites.delete(key);
    this.#inviteEmails = undefined;
    for (const g of groups) {
      for (const e of [...g.invites]) if (lower(e) === key) g.invites.delete(e);
      this.#groupInviteEmails.delete(g.id);
      this.#join(g, user.id);
    }
    return user;
  }

  truth(): SimulatedTruth {
    const users: WorkspaceUser[] = this.userIds().map((id) => {
      const u = this.#users.get(id)!;
      return { id: u.id, name: u.name, email: u.email, permissions: structuredClone(u.permissions) };
    });
    const groups: UserGroup[] = this.groupIds().map((id) => {
      const g = this.#groups.get(id)!;
      const memberIds = this.memberIds(g).slice();
      return {
        id: g.id,
        name: g.name,
        memberCount: memberIds.length,
        permissions: structuredClone(g.permissions),
        memberIds,
        inviteEmails: this.groupInviteEmails(g).slice(),
      };
    });
    return {
      workspace: { ...this.workspace },
      roles: this.#roleIds.map((id) => {
        const r = this.#roles.get(id)!;
        return { id: r.id, name: r.name, description: r.description };
      }),
      users,
      invites: this.inviteEmails().slice(),
      groups,
    };
  }

  /**
   * Names as a crawl of the list endpoints gives them (functions have no list the crawl
   * reads): a label's name is its description, a warehouse's its own (settings) name.
   */
  resourceNames(): ResourceName[] {
    const names: ResourceName[] = [{ type: 'WORKSPACE', id: this.workspace.id, name: this.workspace.name }];
    for (const type of ['SOURCE', 'SPACE', 'WAREHOUSE'] as const) {
      for (const id of this.resourceIds(type)) names.push({ type, id, name: this.resource(type, id)!.name });
    }
    for (const l of this.#labels)
      names.push({ type: 'LABEL', id: `${l.key}:${l.value}`, name: l.description ?? '' });
    return names.sort((a, b) => compare(a.type, b.type) || compare(a.id, b.id));
  }

  // ---- internals ----
  #putUser(user: UserRecord): void {
    this.#users.set(user.id, user);
    this.#userIdByEmail.set(lower(user.email), user.id);
  }

  #membership(userId: string): Set<string> {
    let set = this.#groupsOfUser.get(userId);
    if (!set) {
      set = new Set();
      this.#groupsOfUser.set(userId, set);
    }
    return set;
  }

  #join(group: GroupRecord, userId: string): void {
    group.members.add(userId);
    this.#membership(userId).add(group.id);
    this.#memberIds.delete(group.id);
    this.#groupIdsOfUser.delete(userId);
  }

  #leave(group: GroupRecord, userId: string): void {
    group.members.delete(userId);
    this.#groupsOfUser.get(userId)?.delete(group.id);
    this.#memberIds.delete(group.id);
    this.#groupIdsOfUser.delete(userId);
  }

  /** Emails of users (as ids) and the others, which must be valid email addresses. */
  #splitEmails(emails: readonly string[]): { userIds: string[]; invitees: string[] } {
    const userIds: string[] = [];
    const invitees: string[] = [];
    emails.forEach((e, i) => {
      const id = this.#userIdByEmail.get(lower(e));
      if (id !== undefined) userIds.push(id);
      else if (!EMAIL.test(e)) throw invalid(`'${e}' is not an email address`, `emails.${i}`);
      else if (!invitees.some((x) => lower(x) === lower(e))) invitees.push(e);
    });
    return { userIds, invitees };
  }

  #checkNewEmail(email: string, field: string): void {
    if (!EMAIL.test(email)) throw invalid(`'${email}' is not an email address`, field);
    if (this.#userIdByEmail.has(lower(email)))
      throw conflict(`${email} is already a user of the workspace`, field);
  }

  #mustUser(id: string): UserRecord {
    const user = this.#users.get(id);
    if (!user) throw notFound(`user ${id}`);
    return user;
  }

  #mustGroup(id: string): GroupRecord {
    const group = this.#groups.get(id);
    if (!group) throw notFound(`user group ${id}`);
    return group;
  }

  #newId(taken: Map<string, unknown>): string {
    let id = this.#ids.id(27);
    while (taken.has(id)) id = this.#ids.id(27);
    return id;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cached(cache: Map<string, string[]>, key: string, build: () => string[]): string[] {
  let value = cache.get(key);
  if (!value) {
    value = build();
    cache.set(key, value);
  }
  return value;
}
