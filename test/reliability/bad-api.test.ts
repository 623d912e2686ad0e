/**
 * Bad answers from the Segment API, through whole runs (runAudit, the pipeline the CLI
 * runs). A failure ends in its own one-line error naming the endpoint, leaves its
 * snapshot `failed` with that reason, and changes nothing else: no history row, no
 * change, no report, no email. What is data rather than failure (an unknown resource
 * type, an id on two pages, a group deleted mid-walk, an email in other case) is
 * recorded right, and the runs after it report no false change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import type { Injection } from '../../src/simulator/index.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { readWorkbook } from '../report/xlsx-helpers.js';
import { dumpHistory } from '../store/helpers.js';
import {
  audit,
  DAY,
  listFiles,
  type MailCatcher,
  runEnv,
  snapshotRows,
  startMailCatcher,
  startWorkspace,
  type Workspace,
} from './helpers.js';

let t: TestDatabase;
let ws: Workspace;
let mail: MailCatcher;
let dir: string;
let day = 0;
const BASE = Date.UTC(2026, 3, 1, 6);

beforeAll(async () => {
  [t, ws, mail] = await Promise.all([
    openTestDatabase(),
    startWorkspace({ seed: 31, users: 30, groups: 5, invites: 12 }),
    startMailCatcher(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'access-audit-bad-api-'));
});

afterAll(async () => {
  await Promise.all([t?.close(), ws?.sim.close(), mail?.close()]);
  await rm(dir, { recursive: true, force: true });
});

function env() {
  return runEnv(t, ws.sim, { reportsDir: dir, smtpPort: mail.port, auditNow: new Date(BASE + day++ * DAY) });
}

async function ok(deps: Parameters<typeof audit>[2] = {}): Promise<RunResult> {
  const r = await audit(t.handle, env(), deps);
  if (r instanceof Error) throw r;
  expect(r.email.status).toBe('sent');
  return r;
}

function nonZero(changes: RunResult['changes']) {
  return Object.fromEntries(Object.entries(changes).filter(([, n]) => n !== 0));
}

/** Everything a failed run must leave as it was. */
async function evidence() {
  return {
    history: await dumpHistory(t.handle.db),
    deliveries: (await sql`SELECT * FROM audit.deliveries ORDER BY snapshot_id`.execute(t.handle.db)).rows,
    reports: (await sql`SELECT * FROM audit.reports ORDER BY id`.execute(t.handle.db)).rows,
    files: await listFiles(dir),
    messages: mail.messages.length,
  };
}

/** A fetch that rewrites JSON bodies (or acts before a request), for what the simulator cannot inject. */
function rewritingFetch(
  rewrite: (path: string, body: { data?: Record<string, unknown> }) => unknown,
  before: (path: string) => Promise<void> = async () => {},
): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    await before(url.pathname);
    const response = await fetch(input, init);
    if (!response.ok) return response;
    const body = (await response.json()) as { data?: Record<string, unknown> };
    return new Response(JSON.stringify(rewrite(url.pathname + url.search, body)), {
      status: response.status,
      headers: response.headers,
    });
  };
}

describe('a bad answer fails the run clearly and changes nothing', () => {
  beforeAll(async () => {
    await ok(); // the baseline
  });

  const failures: [string, Injection, string, RegExp][] = [
    [
      'malformed JSON',
      { route: 'GET /users', kind: 'malformed' },
      'API_MALFORMED',
      /^GET \/users page 1: the response body is not valid JSON$/,
    ],
    [
      'a missing required field',
      { route: 'GET /groups', kind: 'missing-field', field: 'name' },
      'API_MALFORMED',
      /^GET \/groups page 1: userGroups\[\d+\]\.name is required$/,
    ],
    [
      'a cursor loop',
      { route: 'GET /invites', kind: 'cursor-loop' },
      'API_PAGINATION',
      /^GET \/invites page 1: .*looping/,
    ],
    [
      '401 (token revoked mid-walk)',
      { route: 'GET /users', kind: 'status', status: 401 },
      'API_UNAUTHORIZED',
      /^GET \/users page 1: the Segment API rejected the token \(401\).*SEGMENT_API_TOKEN must be .*Workspace Owner/,
    ],
    [
      '403',
      { route: 'GET /groups', kind: 'status', status: 403 },
      'API_FORBIDDEN',
      /^GET \/groups page 1: the token may not read this \(403\)/,
    ],
    [
      '404',
      { route: 'GET /roles', kind: 'status', status: 404 },
      'API_NOT_FOUND',
      /^GET \/roles page 1: not found \(404\)/,
    ],
    [
      '422',
      { route: 'GET /invites', kind: 'status', status: 422 },
      'API_REJECTED',
      /^GET \/invites page 1: the Segment API rejected the request \(422\)/,
    ],
  ];

  it.each(failures)('%s', async (_name, injection, code, message) => {
    const before = await evidence();
    ws.sim.inject(injection);
    const r = await audit(t.handle, env());
    expect(r).toBeInstanceOf(AuditError);
    const e = r as AuditError;
    expect(e.code).toBe(code);
    expect(e.exitStatus).toBe(1);
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(e.message).not.toContain(ws.sim.token);
    const last = (await snapshotRows(t.handle.db)).at(-1)!;
    expect(last).toMatchObject({ status: 'failed', error: e.message });
    expect(await evidence()).toEqual(before);
  });

  it('the next good run reports no change (nothing false came of the failures)', async () => {
    const r = await ok();
    expect(nonZero(r.changes)).toEqual({});
    expect(r.permissionChanges).toBe(0);
    const statuses = (await snapshotRows(t.handle.db)).map((s) => s.status);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(failures.length);
    expect(statuses.filter((s) => s === 'running')).toEqual([]);
  });
});

describe('odd but valid answers are recorded right', () => {
  it('an unknown resource type is kept as data and reaches the report', async () => {
    const user = ws.sim.truth().users[3]!;
    const role = ws.sim.truth().roles.find((r) => r.name === 'Source Admin')!;
    await ws.admin.addUserPermissions(user.id, [
      { roleId: role.id, resources: [{ id: 'dbt_model_42', type: 'DBT_MODEL_FROM_THE_FUTURE' }] },
    ]);
    const r = await ok();
    expect(nonZero(r.changes)).toEqual({ permission_granted: 1 });
    const grant = await sql<{ resource_type: string; valid_to: Date | null }>`
      SELECT resource_type, valid_to FROM audit.grant_history WHERE resource_id = 'dbt_model_42'`.execute(
      t.handle.db,
    );
    expect(grant.rows).toEqual([{ resource_type: 'DBT_MODEL_FROM_THE_FUTURE', valid_to: null }]);
    const wb = await readWorkbook(r.reportPath);
    for (const sheet of ['Permission Changes', 'Access Review']) {
      const rows: string[] = [];
      wb.getWorksheet(sheet)!.eachRow((row) => {
        rows.push(JSON.stringify(row.values));
      });
      expect(rows.some((v) => v.includes('DBT_MODEL_FROM_THE_FUTURE') && v.includes('dbt_model_42'))).toBe(
        true,
      );
    }
  });

  it('the same id on two pages is kept once, reported as a warning, and changes nothing', async () => {
    let lastOfPageOne: unknown;
    const duplicating = rewritingFetch((path, body) => {
      if (!path.startsWith('/users?')) return body;
      const users = body.data?.users as unknown[];
      if (!path.includes('cursor')) lastOfPageOne = users.at(-1);
      else if (lastOfPageOne && users.length > 0) {
        users.unshift(lastOfPageOne);
        lastOfPageOne = undefined;
      }
      return body;
    });
    const r = await ok({ fetch: duplicating, crawl: { client: { pageSize: 7 } } });
    expect(nonZero(r.changes)).toEqual({});
    expect(r.warnings).toEqual([expect.stringMatching(/^users: \S+ was listed twice \(pages 1 and 2\)/)]);
    const summary: string[] = [];
    (await readWorkbook(r.reportPath)).getWorksheet('Summary')!.eachRow((row) => {
      summary.push(JSON.stringify(row.values));
    });
    expect(summary.join('\n')).toContain('was listed twice');
    const open = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit.user_history WHERE valid_to IS NULL`.execute(t.handle.db);
    expect(open.rows[0]!.n).toBe(ws.sim.truth().users.length);
  });

  it('a group deleted mid-walk is a deleted group, listed in the report, and nothing more', async () => {
    const victim = ws.sim.truth().groups[1]!;
    let deleted = false;
    const deleting = rewritingFetch(
      (_path, body) => body,
      async (path) => {
        if (!deleted && path === `/groups/${victim.id}/users`) {
          deleted = true;
          await ws.admin.deleteGroup(victim.id);
        }
      },
    );
    const r = await ok({ fetch: deleting });
    expect(deleted).toBe(true);
    expect(r.changes.group_deleted).toBe(1);
    expect(r.changes.user_removed ?? 0).toBe(0);
    expect(r.warnings).toContain(
      `group ${victim.id} was deleted while the workspace was walked (404); it is left out`,
    );
    const group = await sql<{ valid_to: Date | null }>`
      SELECT valid_to FROM audit.group_history WHERE group_id = ${victim.id}`.execute(t.handle.db);
    expect(group.rows.map((g) => g.valid_to)).toEqual([r.takenAt]);
    // The next run sees the same workspace: no change at all.
    expect(nonZero((await ok()).changes)).toEqual({});
  });

  it('an invite accepted under an email that differs only in case is accepted, not withdrawn', async () => {
    await ws.admin.createInvites([
      { email: 'Mixed.Case@Example.org' },
      { email: 'lower.case@example.org' },
      { email: 'Ünal.Øberg@Example.org' },
    ]);
    expect(nonZero((await ok()).changes)).toEqual({ invite_created: 3 });
    await ws.admin.acceptInvite('mixed.case@example.org', 'Mixed Case');
    await ws.admin.acceptInvite('LOWER.Case@EXAMPLE.org', 'Lower Case');
    await ws.admin.acceptInvite('ünal.øberg@example.org', 'Ünal Øberg');
    const r = await ok();
    expect(nonZero(r.changes)).toEqual({ user_added: 3, invite_accepted: 3 });
    const invites = await sql<{ email: string; outcome: string }>`
      SELECT email, outcome FROM audit.invite_history
       WHERE email IN ('Mixed.Case@Example.org', 'lower.case@example.org', 'Ünal.Øberg@Example.org')
       ORDER BY email`.execute(t.handle.db);
    expect(invites.rows).toEqual([
      { email: 'Mixed.Case@Example.org', outcome: 'accepted' },
      { email: 'lower.case@example.org', outcome: 'accepted' },
      { email: 'Ünal.Øberg@Example.org', outcome: 'accepted' },
    ]);
    expect(nonZero((await ok()).changes)).toEqual({});
  });
});
