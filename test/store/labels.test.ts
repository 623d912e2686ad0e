/**
 * Label-scoped grants and resource names through store, diff, views and report data:
 * a change of scope alone is a revoke of the old labels and a grant of the new; a
 * renamed source closes its old name; an old snapshot's report names resources as they
 * were then; the Access Review has one row per user × role × resource × labels.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRow, ReportData } from '../../src/model/report-data.js';
import type { Label, Permission, ResourceName, WorkspacePicture } from '../../src/model/workspace.js';
import { writeReport } from '../../src/report/index.js';
import { loadReportData } from '../../src/store/report-data.js';
import { canonicalLabels } from '../../src/text/labels.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { COOKBOOK, cookbookQueries } from './cookbook.js';
import { group, perm, picture, ROLE, T1, T2, T3, user } from './fixtures.js';
import { snapshot } from './helpers.js';

const label = (text: string): Label => {
  const [key = '', value = ''] = text.split(':');
  return { key, value };
};
/** A permission narrowed by labels of its own. */
const scoped = (p: Permission, ...labels: string[]): Permission => ({ ...p, labels: labels.map(label) });

const RESOURCES: ResourceName[] = [
  { type: 'LABEL', id: 'environment:prod', name: 'Production' },
  { type: 'SOURCE', id: 'src1', name: 'Website' },
  { type: 'SOURCE', id: 'src2', name: 'iOS app' },
  { type: 'SPACE', id: 'sp1', name: 'Main space' },
  { type: 'WORKSPACE', id: 'ws1', name: 'Acme Inc' },
];

/**
 * alice: Workspace Owner. bob: Source Admin scoped to `bobScope`. carol: Source Read-only
 * on the workspace scoped to prod and team:web (listed out of order, one twice), and
 * Source Read-only on src1 directly, through Engineers and through Analysts. dave:
 * Workspace Member, and through Engineers Source Read-only on the workspace whose
 * resource carries the label environment:prod.
 */
function labelled(bobScope: string, resources: ResourceName[]): WorkspacePicture {
  const p = picture({
    users: [
      user('u1', 'alice@acme.test', 'Alice', perm(ROLE.owner, ['WORKSPACE', 'ws1'])),
      user('u2', 'bob@acme.test', 'Bob', scoped(perm(ROLE.srcAdmin, ['WORKSPACE', 'ws1']), bobScope)),
      user(
        'u3',
        'carol@acme.test',
        'Carol',
        scoped(perm(ROLE.srcRead, ['WORKSPACE', 'ws1']), 'team:web', 'environment:prod', 'team:web'),
        perm(ROLE.srcRead, ['SOURCE', 'src1']),
      ),
      user('u4', 'dave@acme.test', 'Dave', perm(ROLE.member, ['WORKSPACE', 'ws1'])),
    ],
    groups: [
      group(
        'g1',
        'Engineers',
        ['u3', 'u4'],
        [
          perm(ROLE.srcRead, ['SOURCE', 'src1']),
          {
            roleId: ROLE.srcRead.id,
            roleName: ROLE.srcRead.name,
            resources: [{ type: 'WORKSPACE', id: 'ws1', labels: [label('environment:prod')] }],
          },
        ],
      ),
      group('g2', 'Analysts', ['u3'], [perm(ROLE.srcRead, ['SOURCE', 'src1'])]),
    ],
  });
  p.resources = resources;
  return p;
}

/** src1 renamed; the spaces list not readable (sp1 unnamed). */
const RENAMED = RESOURCES.filter((r) => r.id !== 'sp1').map((r) =>
  r.id === 'src1' ? { ...r, name: 'Website (legacy)' } : r,
);

/** The cookbook's "who can reach resources labelled environment:prod", as docs/cookbook.md has it. */
function prodReachSql(): string {
  const q = cookbookQueries(readFileSync(COOKBOOK, 'utf8')).find((x) =>
    x.question.includes('labelled environment:prod'),
  );
  if (!q) throw new Error('docs/cookbook.md: no question about resources labelled environment:prod');
  return q.sql;
}

let t: TestDatabase;
const db = () => t.handle.db;
const ids: number[] = [];
const load = (snapshotId: number) =>
  loadReportData(db(), {
    snapshotId,
    timezone: 'UTC',
    toolVersion: '9.9.9',
    generatedAt: new Date('2026-07-01T00:00:00Z'),
    accessPageUsers: 2,
  });
async function collect(data: ReportData): Promise<AccessRow[]> {
  const out: AccessRow[] = [];
  for await (const page of data.accessReview()) out.push(...page);
  return out;
}
const rows = async (text: string) => (await sql.raw(text).execute(db())).rows as Record<string, unknown>[];

beforeAll(async () => {
  t = await openTestDatabase();
  ids.push((await snapshot(db(), labelled('environment:prod', RESOURCES), T1)).snapshotId);
  ids.push((await snapshot(db(), labelled('environment:staging', RENAMED), T2)).snapshotId);
  ids.push((await snapshot(db(), labelled('environment:staging', RENAMED), T3)).snapshotId);
});
afterAll(async () => {
  await t?.close();
});

describe('canonicalLabels', () => {
  it('is the sorted, deduplicated union of key:value joined by commas', () => {
    expect(canonicalLabels()).toBe('');
    expect(canonicalLabels(undefined, [])).toBe('');
    expect(canonicalLabels([label('team:web'), label('environment:prod')])).toBe('environment:prod,team:web');
    expect(
      canonicalLabels(
        [label('team:web'), label('environment:prod')],
        [label('environment:prod'), label('a:b')],
      ),
    ).toBe('a:b,environment:prod,team:web');
    // Code-unit order, not the locale's: upper case before lower case.
    expect(canonicalLabels([label('b:x'), label('B:x'), label('a:x')])).toBe('B:x,a:x,b:x');
  });
});

describe('label-scoped grants in history', () => {
  it('a change of scope alone is a revoke of the old labels and a grant of the new', async () => {
    expect(
      await rows(`SELECT kind, subject_id, role_name, resource_type, resource_id, labels
                    FROM audit.changes ORDER BY id`),
    ).toEqual([
      {
        kind: 'permission_granted',
        subject_id: 'u2',
        role_name: 'Source Admin',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        labels: 'environment:staging',
      },
      {
        kind: 'permission_revoked',
        subject_id: 'u2',
        role_name: 'Source Admin',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        labels: 'environment:prod',
      },
    ]);
    expect(
      await rows(`SELECT labels, valid_from, valid_to FROM audit.grant_history
                   WHERE principal_id = 'u2' ORDER BY id`),
    ).toEqual([
      { labels: 'environment:prod', valid_from: T1, valid_to: T2 },
      { labels: 'environment:staging', valid_from: T2, valid_to: null },
    ]);
  });

  it('labels given in another order or twice are the same scope: no change, no new row', async () => {
    expect(await rows(`SELECT count(*)::int AS n FROM audit.changes WHERE snapshot_id = ${ids[2]}`)).toEqual([
      { n: 0 },
    ]);
    expect(
      await rows(`SELECT principal_type, principal_id, labels, valid_from, valid_to FROM audit.grant_history
                   WHERE labels <> '' AND principal_id <> 'u2' ORDER BY id`),
    ).toEqual([
      {
        principal_type: 'user',
        principal_id: 'u3',
        labels: 'environment:prod,team:web',
        valid_from: T1,
        valid_to: null,
      },
      // A resource's own labels scope the grant as well.
      {
        principal_type: 'group',
        principal_id: 'g1',
        labels: 'environment:prod',
        valid_from: T1,
        valid_to: null,
      },
    ]);
  });

  it('views carry labels and resource names; a label-scoped admin role stays privileged', async () => {
    expect(
      await rows(`SELECT email, role_name, resource_type, resource_id, resource_name, labels, via, privileged
                    FROM audit.effective_access WHERE email IN ('alice@acme.test', 'bob@acme.test')
                   ORDER BY email`),
    ).toEqual([
      {
        email: 'alice@acme.test',
        role_name: 'Workspace Owner',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: '',
        via: 'direct',
        privileged: true,
      },
      {
        email: 'bob@acme.test',
        role_name: 'Source Admin',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: 'environment:staging',
        via: 'direct',
        privileged: true,
      },
    ]);
    expect(
      await rows(`SELECT labels, privileged FROM audit.effective_access_at('${T1.toISOString()}')
                   WHERE email = 'bob@acme.test'`),
    ).toEqual([{ labels: 'environment:prod', privileged: true }]);
  });
});

describe('resource names in history', () => {
  it('a rename closes the old name and opens the new; an unlisted resource is no longer named', async () => {
    expect(
      await rows(`SELECT resource_type, resource_id, name, valid_from, valid_to
                    FROM audit.resource_history ORDER BY resource_type, resource_id, valid_from`),
    ).toEqual([
      {
        resource_type: 'LABEL',
        resource_id: 'environment:prod',
        name: 'Production',
        valid_from: T1,
        valid_to: null,
      },
      { resource_type: 'SOURCE', resource_id: 'src1', name: 'Website', valid_from: T1, valid_to: T2 },
      {
        resource_type: 'SOURCE',
        resource_id: 'src1',
        name: 'Website (legacy)',
        valid_from: T2,
        valid_to: null,
      },
      { resource_type: 'SOURCE', resource_id: 'src2', name: 'iOS app', valid_from: T1, valid_to: null },
      { resource_type: 'SPACE', resource_id: 'sp1', name: 'Main space', valid_from: T1, valid_to: T2 },
      { resource_type: 'WORKSPACE', resource_id: 'ws1', name: 'Acme Inc', valid_from: T1, valid_to: null },
    ]);
  });

  it('effective_access_at names a resource as it was named at that instant', async () => {
    const at = async (when: Date) =>
      rows(`SELECT DISTINCT resource_name FROM audit.effective_access_at('${when.toISOString()}')
             WHERE resource_id = 'src1'`);
    expect(await at(T1)).toEqual([{ resource_name: 'Website' }]);
    expect(await at(new Date((T1.getTime() + T2.getTime()) / 2))).toEqual([{ resource_name: 'Website' }]);
    expect(await at(T3)).toEqual([{ resource_name: 'Website (legacy)' }]);
  });
});

describe('report data', () => {
  it('Permission Changes: the old scope revoked and the new granted, named', async () => {
    const data = await load(ids[1]!);
    expect(
      data.permissionChanges.map((r) => [
        r.change,
        r.email,
        r.resourceName,
        r.labels,
        r.via,
        r.cause,
        r.privileged,
      ]),
    ).toEqual([
      ['revoked', 'bob@acme.test', 'Acme Inc', 'environment:prod', 'direct', 'permission_revoked', true],
      ['granted', 'bob@acme.test', 'Acme Inc', 'environment:staging', 'direct', 'permission_granted', true],
    ]);
  });

  it('Access Review: one row per user × role × resource × labels, every path in Via', async () => {
    const review = await collect(await load(ids[0]!));
    const carol = review.filter((r) => r.email === 'carol@acme.test');
    expect(
      carol.map((r) => [r.roleName, r.resourceType, r.resourceId, r.resourceName, r.labels, r.via]),
    ).toEqual([
      ['Source Read-only', 'SOURCE', 'src1', 'Website', '', 'direct; Analysts; Engineers'],
      ['Source Read-only', 'WORKSPACE', 'ws1', 'Acme Inc', 'environment:prod', 'Engineers'],
      ['Source Read-only', 'WORKSPACE', 'ws1', 'Acme Inc', 'environment:prod,team:web', 'direct'],
    ]);
    expect(review).toHaveLength(8);
    // The same snapshot's review, rebuilt after the rename, names src1 as it was then.
    const now = await collect(await load(ids[2]!));
    expect(new Set(now.filter((r) => r.resourceId === 'src1').map((r) => r.resourceName))).toEqual(
      new Set(['Website (legacy)']),
    );
    expect(now.filter((r) => r.resourceType === 'SPACE')).toEqual([]);
  });

  it('an old report rebuilt reads back with the names of its time and the Labels', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labels-report-'));
    try {
      const written = await writeReport(await load(ids[0]!), { dir });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(written.path);
      const ws = wb.getWorksheet('Access Review');
      if (!ws) throw new Error('no Access Review');
      const header = (ws.getRow(1).values as unknown[]).slice(1);
      const col = (name: string) => header.indexOf(name) + 1;
      expect(col('Resource name')).toBeGreaterThan(0);
      const found: unknown[][] = [];
      ws.eachRow((row, n) => {
        if (n === 1 || row.getCell(col('Email')).value !== 'carol@acme.test') return;
        found.push(['Resource name', 'Resource ID', 'Labels', 'Via'].map((h) => row.getCell(col(h)).value));
      });
      expect(found).toEqual([
        ['Website', 'src1', null, 'direct; Analysts; Engineers'],
        ['Acme Inc', 'ws1', 'environment:prod', 'Engineers'],
        ['Acme Inc', 'ws1', 'environment:prod,team:web', 'direct'],
      ]);
      expect(header.slice(col('Decision') - 1, col('Decision') + 1)).toEqual(['Decision', 'Reason']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('docs/cookbook.md, question 9: who can reach resources labelled environment:prod', () => {
  it('lists the prod-scoped grants and the unscoped workspace-wide roles', async () => {
    expect(await rows(prodReachSql())).toEqual([
      {
        email: 'alice@acme.test',
        role_name: 'Workspace Owner',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: '',
        via: 'direct',
        reaches: 'every resource (no label scope)',
      },
      {
        email: 'carol@acme.test',
        role_name: 'Source Read-only',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: 'environment:prod',
        via: 'Engineers',
        reaches: 'resources with these labels',
      },
      {
        email: 'carol@acme.test',
        role_name: 'Source Read-only',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: 'environment:prod,team:web',
        via: 'direct',
        reaches: 'resources with these labels',
      },
      {
        email: 'dave@acme.test',
        role_name: 'Source Read-only',
        resource_type: 'WORKSPACE',
        resource_id: 'ws1',
        resource_name: 'Acme Inc',
        labels: 'environment:prod',
        via: 'Engineers',
        reaches: 'resources with these labels',
      },
    ]);
  });
});
