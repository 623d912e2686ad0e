/**
 * PRIVILEGED_ROLES decides every row's `privileged` where the store reads it, so the
 * report's Privileged column, its order (privileged first) and the Summary follow it; and
 * invites already open at the first audit are marked (their age is a lower bound).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRow, ReportData } from '../../src/model/report-data.js';
import { SUMMARY_LABEL_COLUMNS } from '../../src/model/report-data.js';
import { writeReport } from '../../src/report/index.js';
import { loadReportData } from '../../src/store/report-data.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { readWorkbook } from '../report/xlsx-helpers.js';
import { picture1, picture2, T1, T2 } from './fixtures.js';
import { snapshot } from './helpers.js';

let t: TestDatabase;
let dir: string;
const ids: number[] = [];

const load = (snapshotId: number, privilegedRoles?: readonly string[]) =>
  loadReportData(t.handle.db, {
    snapshotId,
    timezone: 'UTC',
    toolVersion: '9.9.9',
    generatedAt: new Date('2026-07-01T00:00:00Z'),
    ...(privilegedRoles ? { privilegedRoles } : {}),
  });

async function privilegedAccess(data: ReportData): Promise<string[]> {
  const out: AccessRow[] = [];
  for await (const page of data.accessReview()) out.push(...page);
  return out.filter((a) => a.privileged).map((a) => `${a.userId} ${a.roleName} ${a.via}`);
}

function column(ws: ExcelJS.Worksheet, header: string): unknown[] {
  const at = (ws.getRow(1).values as unknown[]).indexOf(header);
  const out: unknown[] = [];
  ws.eachRow((row, n) => {
    if (n > 1) out.push(row.getCell(at).value ?? null);
  });
  return out;
}

beforeAll(async () => {
  t = await openTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'privileged-'));
  ids.push((await snapshot(t.handle.db, picture1(), T1)).snapshotId);
  ids.push((await snapshot(t.handle.db, picture2(), T2)).snapshotId);
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('PRIVILEGED_ROLES in the store', () => {
  it('default: Workspace Owner and the workspace-wide admin roles (a label scope does not unflag)', async () => {
    expect(await privilegedAccess(await load(ids[0]!))).toEqual([
      'u1 Source Admin Ops',
      'u1 Workspace Owner direct',
      'u4 Source Admin Ops',
    ]);
  });

  it('flags only the listed roles, by name in any case, and only on the WORKSPACE resource', async () => {
    expect(await privilegedAccess(await load(ids[0]!, ['Workspace Owner']))).toEqual([
      'u1 Workspace Owner direct',
    ]);
    // bob's Source Admin on two sources is not workspace-wide: never privileged.
    expect(await privilegedAccess(await load(ids[0]!, ['source admin']))).toEqual([
      'u1 Source Admin Ops',
      'u4 Source Admin Ops',
    ]);
    const changes = (await load(ids[1]!, ['Workspace Owner'])).permissionChanges;
    expect(changes.filter((c) => c.privileged)).toEqual([]);
    expect((await load(ids[1]!)).permissionChanges.filter((c) => c.privileged).map((c) => c.userId)).toEqual([
      'u1',
      'u4',
    ]);
  });

  it('sets the report’s Privileged column and order, and the Summary states the rule', async () => {
    const data = await load(ids[0]!, ['Source Admin']);
    expect(data.summary.privilegedRoles).toEqual(['Source Admin']);
    const written = await writeReport(data, { dir });
    const wb = await readWorkbook(written.path);
    const review = wb.getWorksheet('Access Review')!;
    const flags = column(review, 'Privileged');
    const roles = column(review, 'Role');
    expect(flags.slice(0, 2)).toEqual(['yes', 'yes']);
    expect(roles.slice(0, 2)).toEqual(['Source Admin', 'Source Admin']);
    expect(flags.slice(2).every((f) => f !== 'yes')).toBe(true);
    expect(roles).toContain('Workspace Owner'); // listed, but not privileged under this rule
    expect(written.counts.privilegedAccess).toBe(2);
    const summary: string[] = [];
    wb.getWorksheet('Summary')!.eachRow((row) => {
      for (const at of SUMMARY_LABEL_COLUMNS)
        summary.push(`${row.getCell(at).value}: ${row.getCell(at + 1).value}`);
    });
    expect(summary).toContain(
      'Privileged (PRIVILEGED_ROLES): a role held on the whole workspace (WORKSPACE resource) named Source Admin',
    );
  });
});

describe('invites seen at the baseline', () => {
  it('are marked: their age is "at least" the days counted', async () => {
    expect((await load(ids[0]!)).invites.every((i) => i.seenAtBaseline)).toBe(true);
    const later = (await load(ids[1]!)).invites.map((i) => `${i.email} ${i.seenAtBaseline}`);
    expect(later).toContain('grace@acme.test true');
    expect(later).toContain('ivan@acme.test false');
  });
});
