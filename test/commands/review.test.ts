/**
 * `access-audit review import` and `review status` as a reviewer uses them: a real report
 * written by a run against the simulated workspace, filled in with exceljs, imported
 * through the CLI's `main`. Decisions are recorded once; every bad workbook is refused
 * whole (exit 2, one `error:` line naming the row) and records nothing; the next report
 * carries a Review Status sheet (remediated / open) and the Summary's sign-off.
 */
import { copyFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_LABEL_COLUMNS } from '../../src/model/report-data.js';
import { runAudit } from '../../src/pipeline/run-audit.js';
import { errorLines, type MainResult, runMain } from '../helpers/cli.js';
import { openTestDatabase } from '../helpers/database.js';
import {
  at,
  type Harness,
  readSheets,
  records,
  silent,
  startHarness,
  summaryOf,
} from '../pipeline/helpers.js';

let h: Harness;
let env: Record<string, string | undefined>;
let report1: string;

/**
 * The command in this process, the test's handle released first (the embedded database
 * has one owner); it is opened again only when the test next looks (`h.db.use()`).
 */
async function cli(args: string[], now: Date, extra: Record<string, string> = {}): Promise<MainResult> {
  await h.db.release();
  return await runMain(args, { ...env, ...extra, AUDIT_NOW: now.toISOString() });
}

async function decisionCount(): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit.review_decisions`.execute(
    (await h.db.use()).db,
  );
  return r.rows[0]?.n ?? -1;
}

interface ReviewRow {
  n: number;
  email: string;
  privileged: boolean;
  userId: string;
}

/** The Access Review's rows (row number, email, privileged) of a workbook. */
async function reviewRows(path: string): Promise<ReviewRow[]> {
  const sheet = records((await readSheets(path)).rows.get('Access Review'));
  return sheet.map((r, i) => ({
    n: i + 2,
    email: String(r.Email),
    privileged: r.Privileged === 'yes',
    userId: String(r['User ID']),
  }));
}

/** A copy of report 1 at `name`, changed by `edit` (exceljs, as a reviewer's spreadsheet would). */
async function filled(name: string, edit: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(report1);
  edit(wb);
  const out = join(h.dir, name);
  await wb.xlsx.writeFile(out);
  return out;
}

const review = (wb: ExcelJS.Workbook) => wb.getWorksheet('Access Review') as ExcelJS.Worksheet;
function columnOf(wb: ExcelJS.Workbook, header: string): number {
  let at = -1;
  review(wb)
    .getRow(1)
    .eachCell((c, i) => {
      if (c.value === header) at = i;
    });
  if (at < 0) throw new Error(`no column ${header}`);
  return at;
}
function decide(wb: ExcelJS.Workbook, row: number, decision: string, reason?: string): void {
  review(wb).getRow(row).getCell(columnOf(wb, 'Decision')).value = decision;
  if (reason !== undefined) review(wb).getRow(row).getCell(columnOf(wb, 'Reason')).value = reason;
}

let rows: ReviewRow[];
/** Rows of distinct users: kept, revoked, revoked (then carried out), privileged kept. */
let keepRow: ReviewRow;
let revokeRow: ReviewRow;
let goneRow: ReviewRow;
let privilegedRow: ReviewRow;
const REVIEWER = 'reviewer@audit.example';

beforeAll(async () => {
  h = await startHarness({ seed: 8, users: 16, groups: 3 });
  const r = await h.run(at(0));
  report1 = r.reportPath;
  env = {
    REPORTS_DIR: h.reportsDir,
    ...(h.db.databaseUrl ? { DATABASE_URL: h.db.databaseUrl.reveal() } : { DATA_DIR: h.db.dataDir }),
  };
  rows = await reviewRows(report1);
  privilegedRow = rows.find((x) => x.privileged) as ReviewRow;
  const others = rows.filter((x) => !x.privileged && x.email !== privilegedRow.email);
  const byUser = [...new Map(others.map((x) => [x.userId, x])).values()];
  [keepRow, revokeRow, goneRow] = byUser as [ReviewRow, ReviewRow, ReviewRow];
  expect(goneRow).toBeDefined();
});
afterAll(async () => {
  await h?.close();
});

describe('review import', () => {
  let first: string;

  it('records the decisions of a filled-in report (exit 0)', async () => {
    first = await filled('first.xlsx', (wb) => {
      decide(wb, keepRow.n, 'Keep');
      decide(wb, revokeRow.n, 'Revoke', 'left the analytics team');
      decide(wb, goneRow.n, 'revoke', 'contractor, contract ended');
      decide(wb, privilegedRow.n, 'Keep', 'workspace owner by role');
    });
    const r = await cli(['review', 'import', first, '--reviewer', REVIEWER], at(1));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 decisions by reviewer@audit.example (2 keep, 2 revoke): 4 recorded');
    const stored = await sql<{
      email: string;
      decision: string;
      reason: string | null;
      reviewer: string;
      privileged: boolean;
    }>`
      SELECT email, decision, reason, reviewer, privileged FROM audit.review_decisions ORDER BY id`.execute(
      (await h.db.use()).db,
    );
    expect(stored.rows).toHaveLength(4);
    expect(stored.rows.find((x) => x.email === revokeRow.email && x.decision === 'revoke')?.reason).toBe(
      'left the analytics team',
    );
    expect(stored.rows.every((x) => x.reviewer === REVIEWER)).toBe(true);
  });

  it('records nothing new when the same file comes again', async () => {
    const r = await cli(['review', 'import', first, '--reviewer', REVIEWER], at(1.5));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 recorded, 4 already recorded');
    expect(await decisionCount()).toBe(4);
  });

  it('imports with the privileged rule the report was written with, whatever PRIVILEGED_ROLES says now', async () => {
    const r = await cli(['review', 'import', first, '--reviewer', REVIEWER], at(1.5), {
      PRIVILEGED_ROLES: 'Tracking Plan Admin',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 recorded, 4 already recorded');
  });

  it('a later file with other decisions adds them and keeps the earlier ones', async () => {
    const later = await filled('later.xlsx', (wb) => {
      decide(wb, keepRow.n, 'Revoke', 'no longer needed');
      decide(wb, revokeRow.n, 'Revoke', 'left the analytics team');
      decide(wb, goneRow.n, 'Revoke', 'contractor, contract ended');
      decide(wb, privilegedRow.n, 'Keep', 'workspace owner by role');
    });
    const r = await cli(['review', 'import', later, '--reviewer', REVIEWER], at(2));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 recorded, 3 already recorded');
    expect(await decisionCount()).toBe(5);
  });

  it('refuses a reviewer deciding their own rows, naming them (exit 2, nothing recorded)', async () => {
    const own = await filled('own.xlsx', (wb) => decide(wb, keepRow.n, 'Keep'));
    const r = await cli(['review', 'import', own, '--reviewer', keepRow.email.toUpperCase()], at(3));
    expect(r.code).toBe(2);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`row ${keepRow.n}`);
    expect(lines[0]).toContain('may not decide rows of their own account');
    expect(await decisionCount()).toBe(5);
  });

  const refusals: [string, (wb: ExcelJS.Workbook) => void, RegExp][] = [
    [
      'a Revoke without a reason',
      (wb) => decide(wb, 2, 'Revoke'),
      /row 2: a Revoke, and a Keep on a privileged row, need a Reason/,
    ],
    ['a privileged Keep without a reason', (wb) => decide(wb, 2, 'Keep'), /row 2: .*need a Reason/],
    [
      'a decision outside the list',
      (wb) => decide(wb, 3, 'Maybe'),
      /row 3: Decision 'Maybe' is not one of Keep, Revoke/,
    ],
    [
      'an altered data cell',
      (wb) => {
        decide(wb, 3, 'Keep');
        review(wb).getRow(4).getCell(columnOf(wb, 'Email')).value = 'someone@else.example';
      },
      /row 4 of sheet 'Access Review' was altered \(Email\)/,
    ],
    [
      'an added row',
      (wb) => review(wb).addRow(['yes', 'new@example.com', 'New', 'Workspace Owner']),
      /row \d+ of sheet 'Access Review' was added/,
    ],
    ['a deleted row', (wb) => review(wb).spliceRows(3, 1), /row 3 of sheet 'Access Review' was altered/],
    [
      'a data cell altered on another sheet',
      (wb) => {
        const ws = wb.getWorksheet('Invites') as ExcelJS.Worksheet;
        ws.getRow(2).getCell(1).value = 'changed@example.com';
      },
      /row 2 of sheet 'Invites' was altered \(Email\)/,
    ],
    [
      'a report of another workspace',
      (wb) => summaryCell(wb, 'Workspace ID', 'ws_someone_else'),
      /a report of workspace 'ws_someone_else'/,
    ],
    [
      'an altered Summary hash',
      (wb) => summaryCell(wb, 'Data SHA-256 (this report)', 'a'.repeat(64)),
      /matches no report of snapshot 1 recorded here/,
    ],
    [
      'a snapshot this database never took',
      (wb) => summaryCell(wb, 'Current snapshot', 99),
      /snapshot 99 is not in this database/,
    ],
  ];

  for (const [what, edit, message] of refusals) {
    it(`refuses ${what} (exit 2, one line, nothing recorded)`, async () => {
      const file = await filled(`bad-${what.replaceAll(' ', '-')}.xlsx`, (wb) => {
        if (!what.includes('reason')) decide(wb, 5, 'Keep', 'fine');
        edit(wb);
      });
      const r = await cli(['review', 'import', file, '--reviewer', REVIEWER], at(3));
      expect(r.code, r.stderr).toBe(2);
      const lines = errorLines(r.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toContain('nothing recorded');
      expect(await decisionCount()).toBe(5);
    });
  }

  it('refuses a file that is not a workbook, and a huge one unread', async () => {
    const text = join(h.dir, 'notes.xlsx');
    await writeFile(text, 'Keep,Revoke\n');
    const huge = join(h.dir, 'huge.xlsx');
    await copyFile(report1, huge);
    await truncate(huge, 60 * 1024 * 1024);
    for (const [file, message] of [
      [text, /not an \.xlsx workbook/],
      [huge, /more than the \d+ accepted/],
    ] as const) {
      const r = await cli(['review', 'import', file, '--reviewer', REVIEWER], at(3));
      expect(r.code).toBe(2);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(message)]);
    }
    expect(await decisionCount()).toBe(5);
  });

  it('refuses a report of another database of the same workspace', async () => {
    const other = await openTestDatabase();
    try {
      const run = await runAudit(
        other.handle,
        { ...h.config(at(0.5)), reportsDir: join(h.dir, 'other') },
        {
          logger: silent,
        },
      );
      const r = await cli(['review', 'import', run.reportPath, '--reviewer', REVIEWER], at(3));
      expect(r.code).toBe(2);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/not a report of this database/)]);
    } finally {
      await other.close();
    }
    expect(await decisionCount()).toBe(5);
  });

  it('refuses a decision time (AUDIT_NOW) before the snapshot was taken', async () => {
    const r = await cli(['review', 'import', first, '--reviewer', REVIEWER], at(-1));
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringMatching(/\(AUDIT_NOW\) is before snapshot 1 was taken/),
    ]);
    expect(await decisionCount()).toBe(5);
  });

  it('asks for a reviewer when neither the option nor the workbook names one', async () => {
    const r = await cli(['review', 'import', first], at(3));
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/--reviewer EMAIL/)]);
  });
});

function summaryCell(wb: ExcelJS.Workbook, label: string, value: string | number): void {
  (wb.getWorksheet('Summary') as ExcelJS.Worksheet).eachRow((row) => {
    for (const at of SUMMARY_LABEL_COLUMNS)
      if (row.getCell(at).value === label) row.getCell(at + 1).value = value;
  });
}

describe('review status and the next report', () => {
  it('review status: decided / total, privileged, open revocations with their age (text and --json)', async () => {
    const json = await cli(['review', 'status', '--json'], at(4));
    expect(json.code, json.stderr).toBe(0);
    const p = JSON.parse(json.stdout);
    expect(p).toMatchObject({
      snapshotId: 1,
      total: rows.length,
      decided: 4,
      privilegedTotal: rows.filter((x) => x.privileged).length,
      privilegedDecided: 1,
      keep: 1,
      revoke: 3,
      remediated: 0,
    });
    expect(p.open).toHaveLength(3);
    expect(p.open.find((o: { email: string }) => o.email === revokeRow.email).days).toBe(3);
    const text = await cli(['review', 'status', '--snapshot', '1'], at(4));
    expect(text.stdout).toContain(`decided: 4 / ${rows.length} rows`);
    expect(text.stdout).toMatch(new RegExp(`3 days +${revokeRow.email.replace('.', '\\.')}`));
  });

  it("the next report's Review Status sheet: the carried-out revoke remediated, the others open; the Summary signs off", async () => {
    await h.admin.deleteUsers([goneRow.userId]);
    await h.db.use();
    const r = await h.run(at(20));
    const wb = await readSheets(r.reportPath);
    expect(wb.names.indexOf('Review Status')).toBe(wb.names.indexOf('Access Review') + 1);
    const status = records(wb.rows.get('Review Status'));
    expect(status).toHaveLength(5);
    const gone = status.find((s) => s.Email === goneRow.email && s.Status !== 'superseded');
    expect(gone).toMatchObject({ Decision: 'Revoke', Status: 'remediated', 'Remediated in snapshot': 2 });
    expect(gone?.['Change ID']).toMatch(/^\d+$/);
    const open = status.find((s) => s.Email === revokeRow.email);
    expect(open).toMatchObject({
      Status: 'open',
      'Days open': 19,
      Reviewer: REVIEWER,
      Reason: 'left the analytics team',
    });
    expect(status.filter((s) => s.Status === 'superseded')).toHaveLength(1);
    const summary = summaryOf(wb.rows.get('Summary'));
    expect(summary.get('Reviewers')).toBe(REVIEWER);
    expect(summary.get('Revocations remediated')).toBe(1);
    expect(summary.get('Revocations open')).toBe(2);
    // The rebuild from history has the same data (the sheet is part of the hash).
    const rebuilt = await cli(
      ['report', '--snapshot', String(r.snapshotId), '--out', join(h.dir, 'rebuilt.xlsx')],
      at(21),
    );
    expect(rebuilt.stdout).toContain('matches the data of the report recorded');
  });
});
