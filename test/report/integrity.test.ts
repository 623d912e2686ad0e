import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditError, isAuditError } from '../../src/errors.js';
import type { AccessRow, ReportData } from '../../src/model/report-data.js';
import { reportDataSha256, scanReport, writeReport } from '../../src/report/index.js';
import { access, accessRows, baseline, withChanges } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-integrity-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the data hash', () => {
  it('is SHA-256 over the documented canonical JSON lines', async () => {
    const data = baseline();
    const lines: unknown[] = [
      {
        sheet: 'Exceptions',
        columns: [
          'exception',
          'privileged',
          'email',
          'name',
          'subject',
          'detail',
          'days',
          'access',
          'accessRows',
          'userId',
        ],
      },
      {
        sheet: 'Permission Changes',
        columns: [
          'change',
          'privileged',
          'email',
          'roleName',
          'resourceType',
          'resourceName',
          'labels',
          'via',
          'cause',
          'changedBy',
          'flags',
          'userId',
          'roleId',
          'resourceId',
        ],
      },
      {
        sheet: 'Stale Invites',
        columns: [
          'email',
          'scope',
          'groupName',
          'firstSeen',
          'daysPending',
          'pendingSince',
          'pendingSinceSource',
          'groupId',
        ],
      },
      {
        sheet: 'Membership Changes',
        columns: ['change', 'email', 'groupName', 'detectedAt', 'changedBy', 'flags', 'userId', 'groupId'],
      },
      {
        sheet: 'Access Review',
        columns: [
          'privileged',
          'email',
          'userName',
          'roleName',
          'resourceType',
          'resourceName',
          'labels',
          'via',
          'decision',
          'reason',
          'userId',
          'roleId',
          'resourceId',
          'suggestedDecision',
        ],
      },
    ];
    // Privileged rows first, each part in the order the data came.
    const review: AccessRow[] = [];
    for await (const page of data.accessReview()) review.push(...page);
    for (const r of [...review.filter((x) => x.privileged), ...review.filter((x) => !x.privileged)]) {
      lines.push([
        r.privileged ? 'yes' : null,
        r.email,
        r.userName,
        r.roleName,
        r.resourceType,
        r.resourceName,
        r.labels === '' ? null : r.labels,
        r.via,
        null,
        null,
        r.userId,
        r.roleId,
        r.resourceId,
        null,
      ]);
    }
    // No decisions in this data: the Review Status sheet is its header line alone.
    lines.push({
      sheet: 'Review Status',
      columns: [
        'decidedAt',
        'reviewer',
        'decision',
        'state',
        'daysOpen',
        'privileged',
        'email',
        'roleName',
        'resourceType',
        'resourceName',
        'labels',
        'via',
        'reason',
        'remediatedIn',
        'changeId',
        'decisionSnapshot',
        'decisionId',
        'userId',
        'roleId',
        'resourceId',
      ],
    });
    lines.push({
      sheet: 'Invites',
      columns: ['email', 'scope', 'groupName', 'firstSeen', 'daysPending', 'stale', 'groupId'],
    });
    lines.push(['new@example.com', 'workspace', null, '2026-06-15T06:00:00.000Z', 0, null, null]);
    lines.push(['team@example.com', 'group', 'Engineers', '2026-06-15T06:00:00.000Z', 0, null, 'g1']);
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    expect(await reportDataSha256(data)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('is stable across two writes of the same data, and across time zones and generation times', async () => {
    const a = await writeReport(withChanges('x'), { dir, fileName: 'a.xlsx' });
    const b = await writeReport(withChanges('x'), { dir, fileName: 'b.xlsx' });
    const other = withChanges('x');
    other.summary = {
      ...other.summary,
      timezone: 'America/Los_Angeles',
      generatedAt: new Date('2030-01-01T00:00:00Z'),
    };
    const c = await writeReport(other, { dir, fileName: 'c.xlsx' });
    expect(b.dataSha256).toBe(a.dataSha256);
    expect(c.dataSha256).toBe(a.dataSha256);
    expect(a.fileSha256).toBe(
      createHash('sha256')
        .update(await readFile(a.path))
        .digest('hex'),
    );
    expect(a.bytes).toBe((await readFile(a.path)).length);
  });

  it('changes when any row changes', async () => {
    const base = await reportDataSha256(withChanges(null));
    const renamed = withChanges(null);
    renamed.invites = [{ ...renamed.invites[0]!, daysPending: 16 }];
    expect(await reportDataSha256(renamed)).not.toBe(base);

    const extra = withChanges(null);
    const rows: AccessRow[] = [];
    for await (const page of extra.accessReview()) rows.push(...page);
    rows[1] = { ...rows[1]!, via: 'Admins' };
    extra.accessReview = accessRows(rows);
    expect(await reportDataSha256(extra)).not.toBe(base);

    // A row moved from one sheet to another is a different text, too.
    const moved = withChanges(null);
    moved.staleInvites = [];
    expect(await reportDataSha256(moved)).not.toBe(base);
  });

  it('counts rows', async () => {
    const scan = await scanReport(withChanges(null));
    expect(scan.counts).toEqual({
      permissionChanges: 3,
      staleInvites: 1,
      membershipChanges: 1,
      accessReview: 8,
      invites: 1,
      reviewStatus: 0,
      exceptions: 0,
      privilegedAccess: 2, // user 2's Workspace Owner grant and user 20 (every tenth is an owner)
    });
  });
});

/** An access review that fails on walk number `failOnWalk`, after `after` rows. */
function failingAccess(failOnWalk: number, after: number, error: Error = new Error('connection lost')) {
  let walks = 0;
  return () => {
    walks++;
    const walk = walks;
    return (async function* () {
      // Privileged rows (every tenth) first, as the store gives them.
      const order = Array.from({ length: 3000 }, (_, i) => i + 1);
      const rows = [...order.filter((i) => i % 10 === 0), ...order.filter((i) => i % 10 !== 0)].map((i) =>
        access(i),
      );
      // Pages of 100 rows, as the store streams them; the page that would pass `after` fails.
      for (let n = 0; n < rows.length; n += 100) {
        if (walk === failOnWalk && n + 100 > after) throw error;
        yield rows.slice(n, n + 100);
      }
    })();
  };
}

async function dirEntries(): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('writing the file', () => {
  it('leaves no file and no temporary file when the data fails at once', async () => {
    const data: ReportData = { ...baseline(), accessReview: failingAccess(1, 10) };
    await expect(writeReport(data, { dir })).rejects.toMatchObject({ code: 'REPORT_FAILED' });
    expect(await dirEntries()).toEqual([]);
  });

  it('leaves no file and no temporary file when the data fails midway through the write', async () => {
    const data: ReportData = { ...baseline(), accessReview: failingAccess(1, 2500) };
    const error = await writeReport(data, { dir }).catch((e: unknown) => e);
    expect(isAuditError(error, 'REPORT_FAILED')).toBe(true);
    expect((error as AuditError).message).toMatch(/access-audit-2026-06-15-s1\.xlsx: connection lost/);
    expect(await dirEntries()).toEqual([]);
  });

  it('keeps an AuditError from the data source as it is (e.g. a database error)', async () => {
    const dbError = new AuditError('DB_FAILED', 'query failed');
    const data: ReportData = { ...baseline(), accessReview: failingAccess(1, 1500, dbError) };
    await expect(writeReport(data, { dir })).rejects.toBe(dbError);
    expect(await dirEntries()).toEqual([]);
  });

  it('reads the Access Review once, hashing what it writes', async () => {
    let walks = 0;
    const rows = baseline().accessReview;
    const data: ReportData = {
      ...baseline(),
      accessReview: () => {
        walks++;
        return rows();
      },
    };
    const written = await writeReport(data, { dir });
    expect(walks).toBe(1);
    expect(written.dataSha256).toBe(await reportDataSha256(baseline()));
  });

  it.each([
    ['in one page', [[access(1), access(2, { privileged: true })]]],
    ['across pages', [[access(1)], [access(2, { privileged: true })]]],
  ])('refuses Access Review rows that do not come privileged first (%s)', async (_, pages) => {
    const data: ReportData = {
      ...baseline(),
      accessReview: async function* () {
        yield* pages;
      },
    };
    await expect(writeReport(data, { dir })).rejects.toThrow(/privileged rows first/);
    expect(await dirEntries()).toEqual([]);
  });

  it('replaces an older report of the same name and leaves no temporary file', async () => {
    const first = await writeReport(baseline(), { dir });
    const again = await writeReport(baseline(), { dir });
    expect(again.path).toBe(first.path);
    expect(await dirEntries()).toEqual(['access-audit-2026-06-15-s1.xlsx']);
  });

  it('writes to an exact outPath (report --out), creating its directory', async () => {
    const outPath = join(dir, 'nested', 'mine.xlsx');
    const r = await writeReport(baseline(), { dir: '/nonexistent-unused', outPath });
    expect(r.path).toBe(outPath);
    expect(r.fileName).toBe('mine.xlsx');
    expect(await readdir(join(dir, 'nested'))).toEqual(['mine.xlsx']);
  });
});
