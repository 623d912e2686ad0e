/**
 * The Access Review's rows folded from their paths, in memory: what
 * `SELECT … FROM audit.effective_access_at(b) GROUP BY user, role, resource, labels
 * ORDER BY email, user, role name, role, resource type, resource, labels` gives, without
 * asking PostgreSQL to join, group and sort half a million rows in its collation (at
 * 100,000 users that was most of the report's database time).
 *
 * Pure: the store reads the pieces (access-review.ts), this file puts them together.
 * Every order that depends on the database's collation comes from the database as a
 * rank (the users, the grants' targets, the groups), so the rows come out in the
 * database's order whatever its collation, as the SQL function's would.
 */
import type { AccessRow } from '../model/report-data.js';

/**
 * One distinct (role name, role, resource type, resource, labels) held at b; its rank is
 * its place in the database's order of those five columns (its index in `targets`).
 */
export interface Target {
  /** The same number for every target of one role × resource × labels (the row's key). */
  grant: number;
  roleName: string;
  roleId: string;
  resourceType: string;
  resourceId: string;
  labels: string;
  resourceName: string | null;
  /** By the rule in force, as the database tests it (access-review.ts). */
  privileged: boolean;
}

/** A group valid at b (its rank: its place in the order of name, then id) and its targets' ranks. */
export interface GroupAt {
  name: string;
  targets: number[];
}

/** A user as held at b. */
export interface UserAt {
  userId: string;
  email: string;
  userName: string;
}

/**
 * Everyone's paths at b, compact: users in the sheet's order (email, then id), and for
 * user i the target ranks of their direct grants at `direct[directFrom[i]..directFrom[i+1])`
 * and the ranks of their groups at `groups[groupsFrom[i]..groupsFrom[i+1])`.
 */
export interface Population {
  users: UserAt[];
  targets: Target[];
  groupsByRank: GroupAt[];
  directFrom: Int32Array;
  direct: Int32Array;
  groupsFrom: Int32Array;
  groups: Int32Array;
}

/**
 * Per-owner lists of numbers, built owner after owner (in the users' order) from the
 * database's comma-separated text (string_agg of the ranks): one string a user, not one
 * row a path, so reading 500,000 paths does not first make 500,000 objects.
 */
export class Lists {
  private readonly starts: number[] = [0];
  private readonly values: number[] = [];

  /** The next owner's list, from text such as "3,17,4" (null: an empty list). */
  add(text: string | null): void {
    if (text !== null && text.length > 0) {
      let n = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x2c) {
          this.values.push(n);
          n = 0;
        } else n = n * 10 + (c - 0x30);
      }
      this.values.push(n);
    }
    this.starts.push(this.values.length);
  }

  /** Owner o's list is values[from[o]..from[o + 1]). */
  done(): { from: Int32Array; values: Int32Array } {
    return { from: Int32Array.from(this.starts), values: Int32Array.from(this.values) };
  }
}

/**
 * One row in the making: its best target (the smallest rank: min(role_name) names the
 * row) and its paths, each as -1 (direct) or the group's rank, which sorted is the `via` order.
 */
interface Fold {
  best: number;
  paths: number[];
}

/** Whether any of user i's paths leads to a target `keep` chooses: most users hold no privileged one. */
function holdsAny(p: Population, i: number, keep: (t: Target) => boolean): boolean {
  for (let k = p.directFrom[i]!; k < p.directFrom[i + 1]!; k++)
    if (keep(p.targets[p.direct[k]!]!)) return true;
  for (let k = p.groupsFrom[i]!; k < p.groupsFrom[i + 1]!; k++) {
    for (const rank of p.groupsByRank[p.groups[k]!]!.targets) if (keep(p.targets[rank]!)) return true;
  }
  return false;
}

function foldUser(p: Population, i: number, keep: (t: Target) => boolean): Fold[] {
  if (!holdsAny(p, i, keep)) return [];
  const folds = new Map<number, Fold>();
  const add = (rank: number, path: number) => {
    const target = p.targets[rank]!;
    const fold = folds.get(target.grant);
    if (!fold) folds.set(target.grant, { best: rank, paths: [path] });
    else {
      if (rank < fold.best) fold.best = rank;
      fold.paths.push(path);
    }
  };
  for (let k = p.directFrom[i]!; k < p.directFrom[i + 1]!; k++) add(p.direct[k]!, -1);
  for (let k = p.groupsFrom[i]!; k < p.groupsFrom[i + 1]!; k++) {
    const group = p.groups[k]!;
    for (const rank of p.groupsByRank[group]!.targets) add(rank, group);
  }
  const kept: Fold[] = [];
  for (const fold of folds.values()) if (keep(p.targets[fold.best]!)) kept.push(fold);
  return kept.sort((a, b) => a.best - b.best);
}

/** `direct` first, then the groups by name (then id): string_agg's ORDER BY. */
function viaOf(p: Population, fold: Fold): string {
  const name = (path: number) => (path < 0 ? 'direct' : p.groupsByRank[path]!.name);
  if (fold.paths.length === 1) return name(fold.paths[0]!);
  return fold.paths
    .sort((a, b) => a - b)
    .map(name)
    .join('; ');
}

/**
 * The rows of users [from, to) in the sheet's order, each user's rows by target rank.
 * `keep` chooses rows by their target (the privileged pass, the rest).
 */
export function foldUsers(
  p: Population,
  from: number,
  to: number,
  keep: (t: Target) => boolean,
): AccessRow[] {
  const rows: AccessRow[] = [];
  for (let i = from; i < to; i++) {
    const user = p.users[i]!;
    for (const fold of foldUser(p, i, keep)) {
      const t = p.targets[fold.best]!;
      rows.push({
        userId: user.userId,
        email: user.email,
        userName: user.userName,
        roleId: t.roleId,
        roleName: t.roleName,
        resourceType: t.resourceType,
        resourceId: t.resourceId,
        resourceName: t.resourceName,
        labels: t.labels,
        via: viaOf(p, fold),
        privileged: t.privileged,
      });
    }
  }
  return rows;
}
