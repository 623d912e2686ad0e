import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_LABEL_COLUMNS } from '../../src/model/report-data.js';
import { type WrittenReport, writeReport } from '../../src/report/index.js';
import { SHEET_NAMES } from '../../src/report/sheets.js';
import { baseline, INJECTIONS, noChanges, TZ, withChanges } from './fixtures.js';
import { readWorkbook } from './xlsx-helpers.js';

let dir: string;
const runs: { report: WrittenReport; wb: ExcelJS.Workbook }[] = [];

function values(ws: ExcelJS.Worksheet, rowNumber: number): unknown[] {
  const row = ws.getRow(rowNumber);
  const out: unknown[] = [];
  for (let c = 1; c <= ws.columnCount; c++) out.push(row.getCell(c).value ?? null);
  return out;
}

function summaryMap(wb: ExcelJS.Workbook): Map<string, unknown> {
  const ws = wb.getWorksheet('Summary');
  if (!ws) throw new Error('no Summary');
  const map = new Map<string, unknown>();
  ws.eachRow((row) => {
    for (const at of SUMMARY_LABEL_COLUMNS) {
      const label = row.getCell(at).value;
      if (typeof label === 'string' && !map.has(label)) map.set(label, row.getCell(at + 1).value);
    }
  });
  return map;
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-'));
  // Three runs of one scripted scenario, each chained to the previous report's data hash.
  const first = await writeReport(baseline(), { dir });
  const second = await writeReport(withChanges(first.dataSha256), { dir });
  const third = await writeReport(noChanges(second.dataSha256), { dir });
  for (const report of [first, second, third]) runs.push({ report, wb: await readWorkbook(report.path) });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the written workbooks', () => {
  it('are named as README.md documents, in the time zone', () => {
    expect(runs.map((r) => r.report.fileName)).toEqual([
      'access-audit-2026-06-15-s1.xlsx',
      'access-audit-2026-06-30-s2.xlsx',
      'access-audit-2026-07-07-s3.xlsx',
    ]);
    expect(runs[0]?.report.path).toBe(join(dir, 'access-audit-2026-06-15-s1.xlsx'));
  });

  it('have the documented sheets in order, each data sheet with a bold frozen header and an auto-filter', () => {
    for (const { wb } of runs) {
      expect(wb.worksheets.map((w) => w.name)).toEqual(SHEET_NAMES);
      for (const name of SHEET_NAMES.slice(1)) {
        const ws = sheet(wb, name);
        expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
        expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
        // A styled font names its face: without one a viewer falls back to a serif.
        expect(ws.getRow(1).getCell(1).font).toMatchObject({ name: 'Calibri', size: 11 });
        expect(String(ws.autoFilter)).toMatch(new RegExp(`^A1:[A-Z]+${Math.max(ws.rowCount, 1)}$`));
        expect(ws.getColumn(1).width).toBeGreaterThanOrEqual(8);
      }
    }
  });

  it('set workbook properties', () => {
    const { wb } = runs[1]!;
    expect(wb.creator).toBe('segment-access-audit');
    expect(wb.title).toBe('Segment access audit: Acme (acme), snapshot 2');
    expect(wb.created?.toISOString()).toBe('2026-06-30T06:05:00.000Z');
  });

  it('baseline: no changes, every open invite with its age, the whole access review', () => {
    const { wb, report } = runs[0]!;
    expect(report.counts).toEqual({
      permissionChanges: 0,
      staleInvites: 0,
      membershipChanges: 0,
      accessReview: 4,
      invites: 2,
      reviewStatus: 0,
      privilegedAccess: 1, // user 10 is a Workspace Owner
      exceptions: 0,
    });
    expect(sheet(wb, 'Permission Changes').rowCount).toBe(1);
    expect(sheet(wb, 'Membership Changes').rowCount).toBe(1);
    const invites = sheet(wb, 'Invites');
    expect(values(invites, 1)).toEqual([
      'Email',
      'Invited to',
      'Group',
      `First seen (${TZ})`,
      'Days pending',
      'Stale',
      'Group ID',
    ]);
    expect(values(invites, 3)).toEqual([
      'team@example.com',
      'group',
      'Engineers',
      new Date('2026-06-15T08:00:00Z'), // 06:00Z shown as 08:00 in Berlin (CEST)
      0,
      null,
      'g1',
    ]);
    const s = summaryMap(wb);
    expect(String(s.get('Report'))).toMatch(/^Baseline/);
    expect(s.get('Previous snapshot')).toBe('baseline (none)');
    expect(s.get('Data SHA-256 (previous report)')).toBe('none (baseline)');
    expect(sheet(wb, 'Access Review').rowCount).toBe(5);
  });

  it('changes: privileged first, rows green and red, causes in words, ids after names', () => {
    const { wb, report } = runs[1]!;
    const ws = sheet(wb, 'Permission Changes');
    expect(values(ws, 1)).toEqual([
      'Change',
      'Privileged',
      'Email',
      'Role',
      'Resource type',
      'Resource name',
      'Labels',
      'Via',
      'Cause',
      'Changed by',
      'Flags',
      'User ID',
      'Role ID',
      'Resource ID',
    ]);
    // Last in the data, first in the sheet: the privileged change.
    expect(values(ws, 2)).toEqual([
      'granted',
      'yes',
      'user2@example.com',
      'Workspace Owner',
      'WORKSPACE',
      'Acme',
      null,
      'direct',
      'granted directly',
      null,
      null,
      'u000002',
      'r-owner',
      'ws1',
    ]);
    // A label-scoped grant lost by leaving a group: its scope beside the resource's name.
    expect(values(ws, 3)).toEqual([
      'revoked',
      null,
      'user3@example.com',
      'Source Read-only',
      'SOURCE',
      'Website',
      'environment:prod',
      'Engineers',
      'left group Engineers',
      null,
      null,
      'u000003',
      'r-read',
      'src3',
    ]);
    // A resource whose list could not be read: named by id only.
    expect(values(ws, 4)).toEqual([
      'granted',
      null,
      'user5@example.com',
      'Source Read-only',
      'SOURCE',
      null,
      null,
      'direct',
      'user added',
      null,
      null,
      'u000005',
      'r-read',
      'src5',
    ]);
    const fill = (r: number, c: number) =>
      (ws.getRow(r).getCell(c).fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
    for (let c = 1; c <= 14; c++) {
      expect(fill(2, c)).toBe('FFC6EFCE');
      expect(fill(3, c)).toBe('FFFFC7CE');
      expect(fill(4, c)).toBe('FFC6EFCE');
    }
    expect(ws.getRow(2).getCell(2).font?.bold).toBe(true);
    expect(ws.getRow(4).getCell(2).font?.bold).toBeFalsy();
    expect(report.counts.permissionChanges).toBe(3);

    const m = sheet(wb, 'Membership Changes');
    expect(values(m, 2)).toEqual([
      'removed',
      'user3@example.com',
      'Engineers',
      new Date('2026-06-30T08:00:00Z'),
      null,
      null,
      'u000003',
      'g1',
    ]);
    expect(m.getRow(2).getCell(4).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect((m.getRow(2).getCell(1).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFFC7CE');

    const stale = sheet(wb, 'Stale Invites');
    expect(values(stale, 2)).toEqual([
      'new@example.com',
      'workspace',
      null,
      new Date('2026-06-15T08:00:00Z'),
      15,
      new Date('2026-06-15T08:00:00Z'),
      'first seen',
      null,
    ]);
    expect(stale.getRow(2).getCell(4).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });

  it('access review: privileged first, a Keep/Revoke list on Decision, a bounded Reason', () => {
    const { wb } = runs[1]!;
    const ws = sheet(wb, 'Access Review');
    expect(values(ws, 1)).toEqual([
      'Privileged',
      'Email',
      'Name',
      'Role',
      'Resource type',
      'Resource name',
      'Labels',
      'Via',
      'Decision',
      'Reason',
      'User ID',
      'Role ID',
      'Resource ID',
      'Suggested decision',
    ]);
    // Second in the data, first in the sheet.
    expect(values(ws, 2)).toEqual([
      'yes',
      'user2@example.com',
      'User 2',
      'Workspace Owner',
      'WORKSPACE',
      'Acme',
      null,
      'direct',
      null,
      null,
      'u000002',
      'r-owner',
      'ws1',
      null,
    ]);
    // Then the rest in the data's order: label-scoped, several paths in one Via cell.
    expect(values(ws, 4).slice(1, 8)).toEqual([
      'user1@example.com',
      'User 1',
      'Source Read-only',
      'SOURCE',
      'Source 1',
      'environment:prod,team:web',
      'direct',
    ]);
    const order: unknown[] = [];
    const paths: unknown[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) order.push(`${row.getCell(2).value} ${row.getCell(1).value ?? '-'}`);
      if (n > 1) paths.push(row.getCell(8).value);
    });
    // Users 2 and 20 hold Workspace Owner (fixtures.ts: every tenth user).
    expect(order).toEqual([
      'user2@example.com yes',
      'user20@example.com yes',
      'user1@example.com -',
      'user5@example.com -',
      'user21@example.com -',
      'user22@example.com -',
      'user23@example.com -',
      'user24@example.com -',
    ]);
    expect(paths).toContain('direct; Engineers');
    expect((ws.getRow(2).getCell(1).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFFEB9C');
    const validations = (
      ws as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }
    ).dataValidations.model;
    for (let r = 2; r <= ws.rowCount; r++) {
      expect(validations[`I${r}`]).toMatchObject({
        type: 'list',
        allowBlank: true,
        formulae: ['"Keep,Revoke"'],
        showErrorMessage: true,
      });
      expect(validations[`J${r}`]).toMatchObject({
        type: 'textLength',
        operator: 'lessThanOrEqual',
        allowBlank: true,
        formulae: [500],
        showErrorMessage: true,
      });
    }
    for (const cell of ['I1', 'J1', 'H2', 'K2', `I${ws.rowCount + 1}`])
      expect(validations[cell], cell).toBeUndefined();
  });

  it('workspace data that looks like a formula reads back as that text', () => {
    const { wb } = runs[1]!;
    const ws = sheet(wb, 'Access Review');
    const names: unknown[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) names.push(row.getCell(3).value);
    });
    for (const injection of INJECTIONS) expect(names).toContain(injection);
    ws.eachRow((row) => {
      row.eachCell((cell) => expect(cell.type).not.toBe(6 /* ValueType.Formula */));
    });
  });

  it('summary: scope, period, parameters, population, changes, completeness, chain', () => {
    const [first, second, third] = runs;
    const s = summaryMap(second!.wb);
    expect(s.get('Workspace name')).toBe('Acme');
    expect(s.get('Workspace ID')).toBe('ws_123');
    expect(s.get('Workspace slug')).toBe('acme');
    expect(s.get('API base URL')).toBe('https://api.segmentapis.com');
    expect(s.get('Previous snapshot')).toBe(1);
    expect(s.get('Current snapshot')).toBe(2);
    expect(s.get('Previous snapshot taken at')).toEqual(new Date('2026-06-15T08:00:00Z'));
    expect(s.get('Current snapshot taken at')).toEqual(new Date('2026-06-30T08:00:00Z'));
    expect(s.get('Generated at')).toEqual(new Date('2026-06-30T08:05:00Z'));
    expect(s.get('Stale invite threshold (days)')).toBe(14);
    expect(s.get('Time zone of dates')).toBe(TZ);
    expect(s.get('Tool version')).toBe('0.1.0');
    expect(s.get('Users')).toBe(5);
    expect(s.get('Invite rows (workspace and group invites)')).toBe(2);
    expect(s.get('Groups')).toBe(2);
    expect(s.get('Permission changes (rows)')).toBe(3);
    expect(s.get('Stale invites')).toBe(1);
    expect(s.get('  permission_granted')).toBe(1);
    expect(s.get('  group_deleted')).toBe(0);
    expect(s.get('Users (totalEntries)')).toBe('declared 4, walked 4: OK');
    expect(s.get('Group memberCount mismatches')).toBe(1);
    expect(s.get('  group g2')).toBe('declared 5, walked 4');
    expect(s.get('Groups deleted during the walk')).toBe('g9');
    expect(s.get('Membership cross-check')).toBe('sampled 4 users, 3 agreed, 1 disagreed');
    expect(s.get('Crawler warning')).toBe('group g2 declared 5 members, walked 4');
    expect(s.get('API requests')).toBe(42);
    // The chain: each report names its own data hash and the previous report's.
    expect(s.get('Data SHA-256 (this report)')).toBe(second!.report.dataSha256);
    expect(s.get('Data SHA-256 (previous report)')).toBe(first!.report.dataSha256);
    expect(summaryMap(third!.wb).get('Data SHA-256 (previous report)')).toBe(second!.report.dataSha256);
    expect(summaryMap(third!.wb).get('Membership cross-check')).toBe(
      'sampled 4 users, 4 agreed, 0 disagreed',
    );
  });

  it('no changes: empty change sheets, same population', () => {
    const { wb, report } = runs[2]!;
    expect(report.counts).toMatchObject({ permissionChanges: 0, membershipChanges: 0, staleInvites: 1 });
    expect(sheet(wb, 'Permission Changes').rowCount).toBe(1);
    expect(values(sheet(wb, 'Permission Changes'), 1)[0]).toBe('Change');
    expect(sheet(wb, 'Access Review').rowCount).toBe(report.counts.accessReview + 1);
  });
});
