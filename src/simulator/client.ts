/**
 * SimulatorAdmin: a small typed client for the simulator's write operations, over real
 * HTTP, so tests and the demo change a workspace the way an administrator would. It paces
 * itself under the write limit: on a 429 it waits `msBeforeNext` (bounded in total) and
 * sends the request again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Label, Permission, WorkspaceUser } from '../model/workspace.js';

export interface PermissionGrant {
  roleId: string;
  resources: { id: string; type: string; labels?: Label[] }[];
  labels?: Label[];
}

export interface GroupSummary {
  id: string;
  name: string;
  memberCount: number;
  permissions: Permission[];
}

/** Who the writes are made by, in the audit trail: a person of the workspace, or an API token. */
export type TrailActorRef = { userId: string } | { tokenId: string };

export interface SimulatorAdminOptions {
  /** Most time spent in total waiting for write windows before giving up; default 5 minutes. */
  maxWaitMs?: number;
  /** Default: the simulator's own API token. */
  actor?: TrailActorRef;
}

export class SimulatorAdminError extends Error {
  override readonly name = 'SimulatorAdminError';
  constructor(
    readonly status: number,
    readonly errors: unknown,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, readonly string[]>;

export class SimulatorAdmin {
  readonly #url: string;
  readonly #token: string;
  readonly #maxWaitMs: number;
  readonly #actor: string | undefined;
  /** Milliseconds spent waiting for the write limit so far. */
  waitedMs = 0;

  constructor(target: { url: string; token: string }, options: SimulatorAdminOptions = {}) {
    this.#url = target.url.replace(/\/+$/, '');
    this.#token = target.token;
    this.#maxWaitMs = options.maxWaitMs ?? 300_000;
    const a = options.actor;
    this.#actor = a === undefined ? undefined : 'userId' in a ? `user:${a.userId}` : `token:${a.tokenId}`;
  }

  /** The same workspace, written by another actor (what its audit-trail events name). */
  as(actor: TrailActorRef): SimulatorAdmin {
    return new SimulatorAdmin({ url: this.#url, token: this.#token }, { maxWaitMs: this.#maxWaitMs, actor });
  }

  /**
   * Simulation only: the audit trail on or off (off: `GET /audit-events` answers as for a
   * workspace without the Business plan), and its clock stopped at `now` (null: real time).
   */
  setAuditTrail = (settings: { enabled?: boolean; now?: Date | null }): Promise<void> =>
    this.#data('PUT', '/_simulator/audit-trail', {
      body: {
        ...(settings.enabled === undefined ? {} : { enabled: settings.enabled }),
        ...(settings.now === undefined ? {} : { now: settings.now?.toISOString() ?? null }),
      },
    }).then(() => undefined);

  addUserPermissions = (userId: string, permissions: PermissionGrant[]): Promise<Permission[]> =>
    this.#permissions('POST', `/users/${enc(userId)}/permissions`, permissions);

  replaceUserPermissions = (userId: string, permissions: PermissionGrant[]): Promise<Permission[]> =>
    this.#permissions('PUT', `/users/${enc(userId)}/permissions`, permissions);

  /** Simulation only (Segment has no such endpoint): a person's name or email changes. */
  updateUser = (userId: string, patch: { name?: string; email?: string }): Promise<WorkspaceUser> =>
    this.#data('PATCH', `/_simulator/users/${enc(userId)}`, { body: patch }).then(
      (d) => d.user as WorkspaceUser,
    );

  deleteUsers = (userIds: readonly string[]): Promise<void> =>
    this.#data('DELETE', '/users', { query: { userIds } }).then(() => undefined);

  createInvites = (invites: { email: string; permissions?: PermissionGrant[] }[]): Promise<string[]> =>
    this.#data('POST', '/invites', {
      body: { invites: invites.map((i) => ({ email: i.email, permissions: i.permissions ?? [] })) },
    }).then((d) => d.emails as string[]);

  deleteInvites = (emails: readonly string[]): Promise<void> =>
    this.#data('DELETE', '/invites', { query: { emails } }).then(() => undefined);

  createGroup = (name: string): Promise<GroupSummary> => this.#group('POST', '/groups', { body: { name } });

  deleteGroup = (groupId: string): Promise<void> =>
    this.#data('DELETE', `/groups/${enc(groupId)}`).then(() => undefined);

  renameGroup = (groupId: string, name: string): Promise<GroupSummary> =>
    this.#group('PATCH', `/groups/${enc(groupId)}`, { body: { name } });

  /** Emails of users join the group; other emails are invited to it. */
  addGroupMembers = (groupId: string, emails: readonly string[]): Promise<GroupSummary> =>
    this.#group('POST', `/groups/${enc(groupId)}/users`, { body: { emails } });

  /** The group's members and invitees become exactly these emails. */
  replaceGroupMembers = (groupId: string, emails: readonly string[]): Promise<GroupSummary> =>
    this.#group('PUT', `/group/${enc(groupId)}/users`, { body: { emails } });

  /** Members or invitees, by email. */
  removeGroupMembers = (groupId: string, emails: readonly string[]): Promise<void> =>
    this.#data('DELETE', `/group/${enc(groupId)}/users`, { query: { emails } }).then(() => undefined);

  addGroupPermissions = (groupId: string, permissions: PermissionGrant[]): Promise<Permission[]> =>
    this.#permissions('POST', `/groups/${enc(groupId)}/permissions`, permissions);

  replaceGroupPermissions = (groupId: string, permissions: PermissionGrant[]): Promise<Permission[]> =>
    this.#permissions('PUT', `/groups/${enc(groupId)}/permissions`, permissions);

  /** `PATCH /sources/{id}` (updateSource): the source's SourceV1 after the rename. */
  renameSource = (sourceId: string, name: string): Promise<Record<string, unknown>> =>
    this.#data('PATCH', `/sources/${enc(sourceId)}`, { body: { name } }).then(
      (d) => d.source as Record<string, unknown>,
    );

  /** Simulation only: the invited person signs up (invite permissions and group invites carry over). */
  acceptInvite = (email: string, name: string): Promise<WorkspaceUser> =>
    this.#data('POST', '/_simulator/invites/accept', { body: { email, name } }).then(
      (d) => d.user as WorkspaceUser,
    );

  /** POST adds to a user's or group's permissions, PUT replaces them: the permissions after. */
  #permissions(method: 'POST' | 'PUT', path: string, permissions: PermissionGrant[]): Promise<Permission[]> {
    return this.#data(method, path, { body: { permissions } }).then((d) => d.permissions as Permission[]);
  }

  /** A write answered with the group as it is after it. */
  #group(method: string, path: string, options: { body?: unknown; query?: Query }): Promise<GroupSummary> {
    return this.#data(method, path, options).then((d) => d.userGroup as GroupSummary);
  }

  async #data(
    method: string,
    path: string,
    options: { body?: unknown; query?: Query } = {},
  ): Promise<Record<string, unknown>> {
    const url = new URL(this.#url + path);
    // Lists go in the query the way the Public API takes them: emails.0=…&emails.1=…
    for (const [name, values] of Object.entries(options.query ?? {})) {
      values.forEach((v, i) => {
        url.searchParams.append(`${name}.${i}`, v);
      });
    }
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        accept: 'application/vnd.segment.v1+json',
        ...(this.#actor === undefined ? {} : { 'x-simulator-actor': this.#actor }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    for (;;) {
      const response = await fetch(url, init);
      const text = await response.text();
      let payload: {
        data?: Record<string, unknown>;
        errors?: { message?: string; data?: { msBeforeNext?: number } }[];
      };
      try {
        payload = JSON.parse(text) as typeof payload;
      } catch {
        throw new SimulatorAdminError(response.status, undefined, `${method} ${path}: answer is not JSON`);
      }
      if (response.status === 429) {
        const wait = waitFor(payload.errors?.[0]?.data?.msBeforeNext, response.headers.get('retry-after'));
        if (this.waitedMs + wait > this.#maxWaitMs) {
          throw new SimulatorAdminError(
            429,
            payload.errors,
            `${method} ${path}: still rate limited after ${this.waitedMs} ms`,
          );
        }
        this.waitedMs += wait;
        await sleep(wait);
        continue;
      }
      if (!response.ok || payload.data === undefined) {
        const reason = payload.errors?.map((e) => e.message).join('; ') ?? 'no data';
        throw new SimulatorAdminError(
          response.status,
          payload.errors,
          `${method} ${path}: ${response.status} ${reason}`,
        );
      }
      return payload.data;
    }
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

/** msBeforeNext when given (plus a few ms for clock skew), else Retry-After seconds, else one second. */
function waitFor(msBeforeNext: number | undefined, retryAfter: string | null): number {
  if (typeof msBeforeNext === 'number' && Number.isFinite(msBeforeNext) && msBeforeNext >= 0)
    return msBeforeNext + 5;
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}
