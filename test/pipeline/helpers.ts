/**
 * The end-to-end harness: a simulated workspace over HTTP, a fresh test database, a
 * temporary REPORTS_DIR, and `runAudit` with a fixed clock (config.auditNow), as `run`
 * composes them. Small workspaces only: the suite shares two cores with everything else.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { type Config, loadConfig } from '../../src/config.js';
import type { RetryPolicy } from '../../src/mail/index.js';
import { SUMMARY_LABEL_COLUMNS } from '../../src/model/report-data.js';
import { type RunDeps, type RunResult, runAudit } from '../../src/pipeline/run-audit.js';
import { Secret } from '../../src/secret.js';
import { SimulatorAdmin } from '../../src/simulator/client.js';
import {
  type RunningSimulator,
  type SimulatedTruth,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/index.js';
import type { Database } from '../../src/store/schema.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';

export const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-03-02T06:00:00.000Z');
export const at = (days: number): Date => new Date(T0.getTime() + days * DAY);

/** Retries in milliseconds, so an SMTP outage fails a run at once (no sleeping). */
const FAST_RETRY: RetryPolicy = {
  retries: 1,
  minTimeoutMs: 10,
  maxTimeoutMs: 20,
  maxRetryTimeMs: 2_000,
};

export const silent = pino({ level: 'silent' });

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
export const fileSha256 = async (path: string): Promise<string> => sha256(await readFile(path));

export interface Harness {
  sim: RunningSimulator;
  admin: SimulatorAdmin;
  db: TestDatabase;
  dir: string;
  reportsDir: string;
  /** The configuration of a run at `now` (AUDIT_NOW), with overrides. */
  config(now: Date, overrides?: Partial<Config>): Config;
  run(now: Date, overrides?: Partial<Config>, deps?: Partial<RunDeps>): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startHarness(options: SimulatorOptions = {}): Promise<Harness> {
  const sim = await startSimulator({
    seed: 5,
    users: 24,
    groups: 4,
    invites: 4,
    groupInvites: 3,
    ...options,
  });
  const db = await openTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-'));
  const reportsDir = join(dir, 'reports');
  const base = loadConfig({
    SEGMENT_API_TOKEN: sim.token,
    SEGMENT_API_URL: sim.url,
    REPORTS_DIR: reportsDir,
    DATA_DIR: db.dataDir,
    MAIL_TO: 'security@example.com,it-audit@example.com',
    MAIL_FROM: 'audit@example.com',
  });
  const h: Harness = {
    sim,
    admin: new SimulatorAdmin(sim),
    db,
    dir,
    reportsDir,
    config: (now, overrides = {}) =>
      Object.freeze({ ...base, databaseUrl: db.databaseUrl, auditNow: now, ...overrides }),
    run: (now, overrides = {}, deps = {}) =>
      runAudit(db.handle, h.config(now, overrides), { logger: silent, mailRetry: FAST_RETRY, ...deps }),
    async close() {
      await sim.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export const smtpUrl = (port: number): Secret => new Secret(`smtp://127.0.0.1:${port}`);

/** One row of effective access, as the Access Review and audit.effective_access show it. */
export interface AccessKey {
  userId: string;
  email: string;
  roleName: string;
  resourceType: string;
  resourceId: string;
  via: string;
}

export const accessKey = (r: AccessKey): string =>
  [r.userId, r.email, r.roleName, r.resourceType, r.resourceId, r.via].join('|');

/**
 * Effective access computed from the simulator's own state, independently of the store:
 * each user's direct grants (via 'direct') and their groups' grants (via the group's name).
 */
export function effectiveAccess(t: SimulatedTruth): AccessKey[] {
  const out: AccessKey[] = [];
  const byId = new Map(t.users.map((u) => [u.id, u]));
  for (const u of t.users) {
    for (const p of u.permissions) {
      for (const r of p.resources) {
        out.push({
          userId: u.id,
          email: u.email,
          roleName: p.roleName,
          resourceType: r.type,
          resourceId: r.id,
          via: 'direct',
        });
      }
    }
  }
  for (const g of t.groups) {
    for (const id of g.memberIds) {
      const u = byId.get(id);
      if (!u) continue;
      for (const p of g.permissions) {
        for (const r of p.resources) {
          out.push({
            userId: u.id,
            email: u.email,
            roleName: p.roleName,
            resourceType: r.type,
            resourceId: r.id,
            via: g.name,
          });
        }
      }
    }
  }
  return out;
}

export async function effectiveAccessInDb(db: Kysely<Database>): Promise<string[]> {
  const r = await sql<AccessKey>`
    SELECT user_id AS "userId", email, role_name AS "roleName", resource_type AS "resourceType",
           resource_id AS "resourceId", via FROM audit.effective_access`.execute(db);
  return r.rows.map(accessKey).sort();
}

export interface ChangeRow {
  kind: string;
  subject_type: string;
  subject_id: string;
  subject_label: string | null;
  role_name: string | null;
  resource_type: string | null;
  resource_id: string | null;
  group_id: string | null;
  detail: Record<string, unknown>;
}

export async function changesOf(db: Kysely<Database>, snapshotId: number): Promise<ChangeRow[]> {
  const r = await sql<ChangeRow>`
    SELECT kind, subject_type, subject_id, subject_label, role_name, resource_type, resource_id, group_id, detail
      FROM audit.changes WHERE snapshot_id = ${snapshotId}
     ORDER BY kind, subject_id, group_id NULLS FIRST, role_name, resource_id`.execute(db);
  return r.rows;
}

/** A cell as read back: text, number, Date, or null; a formula is returned as `{ formula }`. */
export type ReadCell = string | number | boolean | Date | null | { formula: string };

function readCell(v: unknown): ReadCell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if (typeof o.formula === 'string' || typeof o.sharedFormula === 'string')
    return { formula: String(o.formula ?? o.sharedFormula) };
  if (Array.isArray(o.richText)) return o.richText.map((r: { text: string }) => r.text).join('');
  if (typeof o.text === 'string') return o.text;
  return JSON.stringify(v);
}

/** Every sheet of a workbook, in order, as rows of cells (row 1 first). */
export async function readSheets(
  path: string,
): Promise<{ names: string[]; rows: Map<string, ReadCell[][]> }> {
  const { readWorkbook } = await import('../report/xlsx-helpers.js');
  const wb = await readWorkbook(path);
  const names: string[] = [];
  const rows = new Map<string, ReadCell[][]>();
  for (const ws of wb.worksheets) {
    names.push(ws.name);
    const out: ReadCell[][] = [];
    const width = ws.columnCount;
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: ReadCell[] = [];
      for (let c = 1; c <= width; c++) cells.push(readCell(row.getCell(c).value));
      out[n - 1] = cells;
    });
    rows.set(
      ws.name,
      Array.from(out, (r) => r ?? []),
    );
  }
  return { names, rows };
}

/** Data rows of a sheet as objects keyed by the header texts. */
export function records(sheet: ReadCell[][] | undefined): Record<string, ReadCell>[] {
  if (!sheet || sheet.length === 0) throw new Error('no such sheet');
  const header = (sheet[0] ?? []).map(String);
  return sheet.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? null])));
}

/** The Summary sheet as label → value (labels trimmed), from both of its panels. */
export function summaryOf(sheet: ReadCell[][] | undefined): Map<string, ReadCell> {
  const m = new Map<string, ReadCell>();
  for (const r of sheet ?? []) {
    for (const at of SUMMARY_LABEL_COLUMNS) {
      const label = r[at - 1];
      if (typeof label === 'string') m.set(label.trim(), r[at] ?? null);
    }
  }
  return m;
}
