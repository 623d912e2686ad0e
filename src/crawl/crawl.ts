import { AuditError, isAuditError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { noProgress, type Progress } from '../log/progress.js';
import type {
  CrossCheckDisagreement,
  Role,
  UserGroup,
  WorkspacePicture,
  WorkspaceUser,
} from '../model/workspace.js';
import { redactUrl, type Secret } from '../secret.js';
import {
  type ApiUser,
  type ApiUserGroup,
  collect,
  SegmentClient,
  type SegmentClientOptions,
} from '../segment/index.js';
import { buildCompleteness } from './completeness.js';
import { chooseSample, compareMemberships, describeDisagreement } from './cross-check.js';
import { createLimiter } from './limiter.js';
import { byId, normalizePermissions, PermissionInterner, sortedUnique } from './normalize.js';
import { TaskGroup } from './tasks.js';
import { CrawlTracker } from './tracker.js';

/**
 * Walks a workspace into one WorkspacePicture: GET / first (a bad token fails before
 * anything else starts), then the four lists side by side, each group's members and
 * invites as soon as the group is listed, and item details where a list gives no
 * permissions. All of it under one concurrency limit and one rate budget (one client).
 *
 * Decisions, for a workspace that changes while it is walked:
 * - A group that answers 404 during its member walk, invite walk or detail fetch was
 *   deleted: left out, listed in completeness.groupsDeletedDuringWalk. A user that 404s
 *   on its detail fetch likewise (with a warning).
 * - An id listed on two pages (items shifted between pages) is kept once, the later copy
 *   (the fresher one), with a warning. Nothing is duplicated, nothing fails.
 * - A member of a group who is not in /users (joined or left between the walks) is left
 *   out of the group's memberIds, so every membership points at a user of the picture;
 *   a warning names them. memberCount mismatches compare against the walked members
 *   before that filter, so the group walk itself is reported faithfully.
 */

export interface CrawlOptions {
  apiUrl: string;
  token: Secret;
  /** Requests in flight at most (default 4). */
  concurrency?: number;
  /** Users cross-checked from the user side (default 20; 0 turns it off). */
  crossCheckSample?: number;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** Failed attempts retried per request (default 6; 429s do not count). */
  retries?: number;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal;
  now?: () => Date;
  fetch?: typeof fetch;
  /** Finer client tuning (tests and benchmarks). */
  client?: Pick<
    SegmentClientOptions,
    'minRetryDelayMs' | 'maxRetryDelayMs' | 'maxRetryTimeMs' | 'pageSize' | 'maxPages' | 'rateLimitMarginMs'
  >;
}

interface ListedGroup {
  api: ApiUserGroup;
  members: string[];
  invites: string[];
  detail?: ApiUserGroup;
}

export async function crawlWorkspace(options: CrawlOptions): Promise<WorkspacePicture> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const logger = options.logger;
  const progress = options.progress ?? noProgress;
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const concurrency = options.concurrency ?? 4;
  const limiter = createLimiter(concurrency, signal);
  const tasks = new TaskGroup(limiter, controller);

  let tracker: CrawlTracker | undefined;
  const client = new SegmentClient({
    ...options.client,
    apiUrl: options.apiUrl,
    token: options.token,
    requestTimeoutMs: options.requestTimeoutMs,
    retries: options.retries,
    logger,
    signal,
    fetch: options.fetch,
    onRateLimitWait: (ms, reason) => {
      logger?.debug({ waitMs: Math.round(ms), reason }, 'waiting for the rate limit window');
      tracker?.waiting(ms);
    },
  });
  tracker = new CrawlTracker(progress, () => client.stats.requests);
  const t = tracker;

  logger?.info({ apiUrl: redactUrl(options.apiUrl), concurrency }, 'crawl started');
  try {
    const workspace = await client.getWorkspace();

    const notes: string[] = [];
    const declared: WorkspacePicture['completeness']['declared'] = {};
    const roles = new Map<string, Role>();
    // Users are kept in their final shape as pages arrive, so the API's copies become
    // garbage at once (a 20,000-user walk then holds one copy, not two).
    const listedUsers = new Map<string, WorkspaceUser | PendingUser>();
    // Equal permissions (few thousand distinct among hundreds of thousands) are shared.
    const interner = new PermissionInterner();
    const userDetails = new Map<string, WorkspaceUser>();
    const deletedUsers = new Set<string>();
    const groups = new Map<string, ListedGroup>();
    const deletedGroups = new Set<string>();
    let invites: string[] = [];

    /** Remembers an id's first page, to name both pages when it shows up again. */
    const firstPage = new Map<string, number>();
    const noteDuplicate = (list: string, id: string, page: number) => {
      const key = `${list}\u0000${id}`;
      const first = firstPage.get(key);
      if (first === undefined) firstPage.set(key, page);
      else
        notes.push(
          `${list}: ${id} was listed twice (pages ${first} and ${page}); kept once (the later copy)`,
        );
    };

    const onGroupGone = (groupId: string, error: unknown): void => {
      if (!isAuditError(error, 'API_NOT_FOUND')) throw error;
      deletedGroups.add(groupId);
      logger?.debug({ groupId }, 'group deleted during the walk');
    };

    tasks.spawn(async () => {
      const list = await collect(client.listRoles(), () => t.pages++);
      declared.roles = list.totalEntries;
      for (const r of list.items) {
        if (roles.has(r.id)) notes.push(`roles: ${r.id} was listed twice; kept once (the later copy)`);
        roles.set(r.id, { id: r.id, name: r.name, description: r.description });
      }
    });

    tasks.spawn(async () => {
      const list = await collect(client.listInvites(), (p) => {
        t.pages++;
        t.invites += p.items.length;
        t.show();
      });
      declared.invites = list.totalEntries;
      invites = list.items;
    });

    tasks.spawn(async () => {
      for await (const page of client.listUsers()) {
        if (page.page === 1) declared.users = page.totalEntries;
        for (const user of page.items) {
          noteDuplicate('users', user.id, page.page);
          const seen = listedUsers.has(user.id);
          listedUsers.set(user.id, toUser(user, interner));
          if (user.permissions === undefined && !seen) tasks.spawn(() => fetchUser(user.id));
        }
        t.pages++;
        t.users = listedUsers.size;
        t.show();
      }
    });

    const fetchUser = async (userId: string): Promise<void> => {
      try {
        const detail = await client.getUser(userId);
        if (detail.permissions === undefined) {
          // The item itself is where permissions must be; without them we cannot audit the user.
          throw new AuditError(
            'API_MALFORMED',
            `GET /users/${encodeURIComponent(userId)}: user.permissions is required`,
          );
        }
        userDetails.set(userId, toUser(detail, interner) as WorkspaceUser);
        t.details++;
      } catch (error) {
        if (!isAuditError(error, 'API_NOT_FOUND')) throw error;
        deletedUsers.add(userId);
        notes.push(`user ${userId} was deleted while the workspace was walked (404); it is left out`);
      }
    };

    const walkGroup = (group: ListedGroup): void => {
      const id = group.api.id;
      let open = 2;
      const finished = () => {
        if (--open === 0) {
          t.groupsWalked++;
          t.show();
        }
      };
      tasks.spawn(async () => {
        try {
          for await (const page of client.listUsersFromUserGroup(id)) {
            for (const m of page.items) group.members.push(m.id);
            t.pages++;
          }
        } catch (error) {
          onGroupGone(id, error);
        }
        finished();
      });
      tasks.spawn(async () => {
        try {
          for await (const page of client.listInvitesFromUserGroup(id)) {
            for (const email of page.items) group.invites.push(email);
            t.pages++;
          }
        } catch (error) {
          onGroupGone(id, error);
        }
        finished();
      });
      if (group.api.permissions === undefined) {
        tasks.spawn(async () => {
          try {
            const detail = await client.getUserGroup(id);
            if (detail.permissions === undefined) {
              throw new AuditError(
                'API_MALFORMED',
                `GET /groups/${encodeURIComponent(id)}: userGroup.permissions is required`,
              );
            }
            group.detail = detail;
            t.details++;
          } catch (error) {
            onGroupGone(id, error);
          }
        });
      }
    };

    tasks.spawn(async () => {
      for await (const page of client.listUserGroups()) {
        if (page.page === 1) declared.groups = page.totalEntries;
        for (const api of page.items) {
          noteDuplicate('groups', api.id, page.page);
          const existing = groups.get(api.id);
          if (existing) {
            existing.api = api;
            continue;
          }
          const group: ListedGroup = { api, members: [], invites: [] };
          groups.set(api.id, group);
          walkGroup(group);
        }
        t.pages++;
        t.groupsListed = groups.size;
        t.show();
      }
    });

    await tasks.settle();

    // Assemble the picture from what was walked.
    const users: WorkspaceUser[] = [];
    for (const [id, listed] of listedUsers) {
      if (deletedUsers.has(id)) continue;
      const u = userDetails.get(id) ?? listed;
      // The object kept as the page arrived, unless its permissions came by detail fetch.
      users.push(u.permissions !== undefined ? (u as WorkspaceUser) : { ...u, permissions: [] });
    }
    const listedCount = listedUsers.size;
    listedUsers.clear();
    userDetails.clear();
    users.sort(byId);
    // Member ids are mapped to the users' own id strings (one copy of each id in the picture).
    const userIds = new Map(users.map((u) => [u.id, u.id]));

    const memberCounts = new Map<string, { declared: number; walked: number }>();
    const membersOf = new Map<string, string[]>();
    const pictureGroups: UserGroup[] = [];
    for (const [id, g] of groups) {
      if (deletedGroups.has(id)) continue;
      const api = g.detail ?? g.api;
      const walkedMembers = sortedUnique(g.members);
      if (walkedMembers.length !== g.members.length) {
        notes.push(`group ${id}: a member was listed twice by the member walk; kept once`);
      }
      membersOf.set(id, walkedMembers);
      memberCounts.set(id, { declared: api.memberCount, walked: walkedMembers.length });
      const unknown = walkedMembers.filter((m) => !userIds.has(m));
      if (unknown.length > 0) {
        notes.push(
          `group ${id}: member${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not among /users ` +
            '(added or removed while the workspace was walked); left out of the group',
        );
      }
      pictureGroups.push({
        id,
        name: api.name,
        memberCount: api.memberCount,
        permissions: normalizePermissions(api.permissions ?? [], interner),
        memberIds: known(walkedMembers, userIds),
        inviteEmails: sortedUnique(g.invites),
      });
    }
    pictureGroups.sort(byId);

    const inviteList = sortedUnique(invites);
    if (inviteList.length !== invites.length) {
      notes.push(`invites: ${invites.length - inviteList.length} email(s) listed twice; kept once`);
    }

    // Cross-check a reproducible sample from the user's side.
    const sample = chooseSample([...userIds.keys()], options.crossCheckSample ?? 20);
    const groupsOfUser = new Map<string, string[]>();
    for (const [groupId, members] of membersOf) {
      for (const m of members) {
        const list = groupsOfUser.get(m);
        if (list) list.push(groupId);
        else groupsOfUser.set(m, [groupId]);
      }
    }
    const disagreements: CrossCheckDisagreement[] = [];
    const crossCheckWarnings: string[] = [];
    for (const userId of sample) {
      tasks.spawn(async () => {
        let fromUser: string[];
        try {
          fromUser = (await collect(client.listUserGroupsFromUser(userId))).items.map((g) => g.id);
        } catch (error) {
          if (!isAuditError(error, 'API_NOT_FOUND')) throw error;
          fromUser = [];
          crossCheckWarnings.push(
            `cross-check: user ${userId} no longer exists (404 on GET /users/${userId}/groups)`,
          );
        }
        const d = compareMemberships(userId, fromUser, groupsOfUser.get(userId) ?? [], deletedGroups);
        if (d) {
          disagreements.push(d);
          crossCheckWarnings.push(describeDisagreement(d));
        }
        t.crossChecked++;
        t.show();
      });
    }
    await tasks.settle();

    const completeness = buildCompleteness({
      declared: pruneUndefined(declared),
      walked: { roles: roles.size, users: listedCount, invites: inviteList.length, groups: groups.size },
      groups: pictureGroups,
      memberCounts,
      groupsDeletedDuringWalk: [...deletedGroups],
      crossCheck: { sampled: sample.length, agreed: sample.length - disagreements.length, disagreements },
      crossCheckWarnings,
      notes,
    });

    const s = client.stats;
    const picture: WorkspacePicture = {
      apiUrl: options.apiUrl,
      workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
      roles: [...roles.values()].sort(byId),
      users,
      invites: inviteList,
      groups: pictureGroups,
      resources: [],
      completeness,
      stats: {
        requests: s.requests,
        retries: s.retries,
        rateLimited: s.rateLimited,
        rateLimitWaitMs: s.rateLimitWaitMs,
        maxPageSize: s.maxPageSize,
        startedAt: startedAt.toISOString(),
        durationMs: Math.round(performance.now() - t0),
      },
    };
    logger?.info(
      {
        users: users.length,
        groups: pictureGroups.length,
        invites: inviteList.length,
        roles: picture.roles.length,
        warnings: completeness.warnings.length,
        ...picture.stats,
      },
      'crawl finished',
    );
    return picture;
  } catch (error) {
    controller.abort(error);
    await tasks.settle().catch(() => {});
    throw error;
  } finally {
    progress.done();
  }
}

/** A user as listed, before its detail fetch when the list gave no permissions. */
type PendingUser = Omit<WorkspaceUser, 'permissions'> & {
  permissions: WorkspaceUser['permissions'] | undefined;
};

function toUser(u: ApiUser, interner: PermissionInterner): WorkspaceUser | PendingUser {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    permissions: u.permissions === undefined ? undefined : normalizePermissions(u.permissions, interner),
  };
}

/** The members that are users of the picture, as the users' own id strings. */
function known(members: readonly string[], userIds: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const m of members) {
    const id = userIds.get(m);
    if (id !== undefined) out.push(id);
  }
  return out;
}

function pruneUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
