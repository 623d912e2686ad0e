import type { Logger } from '../log/logger.js';
import type {
  Completeness,
  CrossCheckDisagreement,
  ResourceName,
  Role,
  UserGroup,
  WorkspaceInfo,
  WorkspaceUser,
} from '../model/workspace.js';
import type { SegmentClient } from '../segment/index.js';
import type { PermissionInterner } from './normalize.js';
import type { TaskGroup } from './tasks.js';
import type { CrawlTracker } from './tracker.js';

/**
 * What the walks share. Each walk (one module in walks/) spawns its tasks on `tasks`,
 * reads the API through `client` and writes what it found into `walked`; nothing else
 * passes between walks. `assemblePicture` turns `walked` into the picture afterwards.
 */
export interface CrawlState {
  readonly client: SegmentClient;
  readonly tasks: TaskGroup;
  readonly tracker: CrawlTracker;
  /** Equal permissions (few thousand distinct among hundreds of thousands) are shared. */
  readonly interner: PermissionInterner;
  readonly logger: Logger | undefined;
  /** Detail fetches spawned ahead of the limiter at most (twice the concurrency cap). */
  readonly detailsAhead: number;
  readonly walked: Walked;
}

/**
 * A user or group record as the API gave it, normalised. `permissions` is undefined
 * when the record had no `permissions` member (optional in the API's models): a list
 * record then needs its detail fetch; a detail record without it holds no direct grant.
 */
export type UserRecord = Omit<WorkspaceUser, 'permissions'> & {
  permissions: WorkspaceUser['permissions'] | undefined;
};
export type GroupRecord = Pick<UserGroup, 'id' | 'name' | 'memberCount'> & {
  permissions: UserGroup['permissions'] | undefined;
};

export interface WalkedGroup {
  /** The list's record (the later copy when the group was listed twice). */
  listed: GroupRecord;
  /** The detail record, fetched when the list gave no permissions. */
  detail?: GroupRecord;
  /** Member ids as the member walk gave them (duplicates included, counted at assembly). */
  members: string[];
  invites: string[];
}

/** The top-level lists whose ids are walked page by page (walkTopList). */
type TopList = 'users' | 'groups';

/** Everything the walks collected, as plain data (no I/O): the input of assemblePicture. */
export class Walked {
  readonly workspace: WorkspaceInfo;
  /** totalEntries each list declared (undefined members are left out at assembly). */
  readonly declared: Completeness['declared'] = {};
  /** Warnings noticed while walking (duplicates, deletions seen by 404, …). */
  readonly notes: string[] = [];
  readonly roles = new Map<string, Role>();
  /**
   * Users as listed, kept in their final shape as pages arrive, so the API's copies become
   * garbage at once (a 20,000-user walk then holds one copy, not two). `undefined`: listed
   * without permissions, so its detail record (userDetails) stands for it.
   */
  readonly users = new Map<string, UserRecord | undefined>();
  /** Detail records of users the list gave without permissions. */
  readonly userDetails = new Map<string, UserRecord>();
  readonly deletedUsers = new Set<string>();
  readonly groups = new Map<string, WalkedGroup>();
  readonly deletedGroups = new Set<string>();
  invites: string[] = [];
  /** Resource names by `type\0id` (a name listed twice keeps the later copy). */
  readonly resources = new Map<string, ResourceName>();
  /** Paths of resource lists the token may not read (401/403). */
  readonly unreadableResourceLists: string[] = [];
  readonly crossCheck = {
    sampled: 0,
    disagreements: [] as CrossCheckDisagreement[],
    warnings: [] as string[],
  };
  /** How many distinct ids each top-level list had after each of its pages (walkTopList tells). */
  readonly #pageEnds = new Map<TopList, number[]>();
  /** Positions of a list's ids, taken only once a duplicate shows up (#firstPageOf). */
  readonly #positions = new Map<TopList, { of: Map<string, number>; rest: Iterator<string> }>();

  constructor(workspace: WorkspaceInfo) {
    this.workspace = workspace;
  }

  /** Notes an id listed on a second page (items shifted between pages while walked); call before adding it. */
  noteDuplicate(list: TopList, id: string, page: number): void {
    if (!this[list].has(id)) return;
    this.notes.push(
      `${list}: ${id} was listed twice (pages ${this.#firstPageOf(list, id)} and ${page}); kept once (the later copy)`,
    );
  }

  /** A page of a top-level list has been walked (its ids added). */
  pageWalked(list: TopList): void {
    let ends = this.#pageEnds.get(list);
    if (ends === undefined) {
      ends = [];
      this.#pageEnds.set(list, ends);
    }
    ends.push(this[list].size);
  }

  /**
   * The page an id was first listed on, from its position in the list's map (ids are added
   * in the order pages list them) and the pages' ends. Positions are taken only when a
   * duplicate shows up, not kept for every id all along (a map entry a user, issue 14);
   * a map's iterator also visits keys added after it was made, so they are taken once.
   */
  #firstPageOf(list: TopList, id: string): number {
    let p = this.#positions.get(list);
    if (p === undefined) {
      p = { of: new Map(), rest: this[list].keys() };
      this.#positions.set(list, p);
    }
    while (!p.of.has(id)) {
      const next = p.rest.next();
      if (next.done) break;
      p.of.set(next.value, p.of.size);
    }
    const position = p.of.get(id) ?? 0;
    const ends = this.#pageEnds.get(list) ?? [];
    let page = 1;
    while (page <= ends.length && (ends[page - 1] ?? 0) <= position) page++;
    return page;
  }

  nameResource(resource: ResourceName): void {
    this.resources.set(`${resource.type}\u0000${resource.id}`, resource);
  }
}
