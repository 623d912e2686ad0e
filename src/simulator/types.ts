/**
 * The simulator's public types. Product code never imports the simulator; tests, the
 * benchmark and the demo command do, through index.ts.
 */
import type { ResourceName, Role, UserGroup, WorkspaceInfo, WorkspaceUser } from '../model/workspace.js';
import type { SimulatedAuditEvent } from './audit-trail.js';

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length; windows are aligned to multiples of it since the epoch. */
  windowMs: number;
}

export interface SimulatorOptions {
  /** Default 1; the same seed gives an identical workspace. */
  seed?: number;
  /** Default 50. */
  users?: number;
  /** Default 5. */
  groups?: number;
  /** Average members per group; default min(40, users/2). */
  membersPerGroup?: number;
  /** Pending workspace invites; default 5. */
  invites?: number;
  /** Pending group invites in total, spread over the groups; default 3. */
  groupInvites?: number;
  /** Bearer token; default a random `sim_…` string. */
  token?: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /**
   * Which lists carry `permissions` on their items. Default (undefined): the real API's
   * shape — `GET /groups` items do, `GET /users` items do not, so a client fetches
   * `GET /users/{id}` per user. true: both lists do (the old shape); false: neither.
   */
  inlinePermissions?: boolean;
  /**
   * The largest `pagination.count` accepted, 1..1000; default 1000 (the current API). 200
   * reproduces older API versions, which answer 1000 with a 422 (to test a client's fallback).
   */
  maxPageCount?: number;
  /** Default false; true: pages carry no `totalEntries`. */
  omitTotalEntries?: boolean;
  /** Read requests per fixed window; undefined = unlimited. */
  rateLimit?: RateLimit;
  /** Requests a minute allowed to each write endpoint; default 60 (the documented IAM limit). */
  writeLimitPerMinute?: number;
  /**
   * Length of the write limit's window; default 60,000 ms (the documented "a minute").
   * Shorter in tests, so a client's pacing across a window can be shown in seconds.
   */
  writeWindowMs?: number;
  faults?: FaultOptions;
  /** The clock of the rate limiters and the audit trail (tests may pass a fake one); default Date.now. */
  now?: () => number;
  /**
   * The workspace's audit trail (GET /audit-events): on by default, kept `retentionDays`
   * (default 90, as Segment) back from the clock; `enabled: false` answers as a workspace
   * without the Business plan.
   */
  auditTrail?: { enabled?: boolean; retentionDays?: number };
}

export interface FaultOptions {
  /** Seed of the fault dice; default 1. */
  seed?: number;
  /** Fraction of read requests answered 500/502/503 with an errors envelope. */
  serverErrorRate?: number;
  /** Fraction of read requests whose socket is destroyed without a response. */
  dropRate?: number;
  /** Added to every response. */
  latencyMs?: number;
  /** Fraction of responses delayed by slowMs (past a client timeout). */
  slowRate?: number;
  slowMs?: number;
  /** Fraction of 200 read bodies that are truncated (invalid JSON). */
  malformedRate?: number;
  /** Fraction of list pages where one item lacks a required field (e.g. `email`). */
  missingFieldRate?: number;
}

/** One-shot (or `times`) deterministic faults for precise tests. `route` is e.g. 'GET /users'. */
export type Injection =
  | { route: string; kind: 'status'; status: number; times?: number }
  | { route: string; kind: 'malformed'; times?: number }
  | { route: string; kind: 'missing-field'; field: string; times?: number }
  | { route: string; kind: 'cursor-loop'; times?: number }
  | { route: string; kind: 'drop'; times?: number };

export interface SimulatorStats {
  requests: number;
  rateLimited: number;
  /** The largest pagination count asked for, even if rejected. */
  maxCountRequested: number;
  /** Requests per route key ('GET /users/{id}'); unmatched paths count as 'GET (unmatched)'. */
  byRoute: Record<string, number>;
}

/** The current state in the shape of a crawl result: every list sorted (UTF-16 code unit order). */
export interface SimulatedTruth {
  workspace: WorkspaceInfo;
  roles: Role[];
  users: WorkspaceUser[];
  invites: string[];
  groups: UserGroup[];
}

export interface RunningSimulator {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:45678. */
  url: string;
  token: string;
  /** The current state, deep-copied. */
  truth(): SimulatedTruth;
  /**
   * Names of the workspace, its sources, spaces and warehouses, and labels (type `LABEL`,
   * id `key:value`, name = description), sorted by type, then id: what a crawl's
   * `picture.resources` should hold. Apart from truth() so its shape stays the crawl's.
   */
  resourceNames(): ResourceName[];
  /** Live counters. */
  stats: SimulatorStats;
  resetStats(): void;
  inject(injection: Injection): void;
  setFaults(faults: FaultOptions | undefined): void;
  setRateLimit(limit: RateLimit | undefined): void;
  /** As the option: undefined restores the real API's shape. */
  setInlinePermissions(inline: boolean | undefined): void;
  /** Addition: change the per-endpoint write limit at run time. */
  setWriteLimitPerMinute(limit: number): void;
  /**
   * Switches the audit trail on or off, and stops its clock at `now` (events of later
   * writes carry that time; null: the real clock again).
   */
  setAuditTrail(settings: { enabled?: boolean; now?: Date | null }): void;
  /** Every event the trail holds within retention, newest first (copies). */
  auditEvents(): SimulatedAuditEvent[];
  close(): Promise<void>;
}
