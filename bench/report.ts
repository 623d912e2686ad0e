/**
 * Report benchmark: a workbook with ≈100,000 Access Review rows, then 500,000 to show that
 * memory stays flat (exceljs's streaming writer, rows committed as written). Prints, for
 * each size: a hashing walk alone (scanReport, for comparison: the write no longer needs
 * one), the whole writeReport (one walk of the data, hashed as written, the write, fsync
 * and file hash), the file size and the peak RSS sampled while it ran.
 *
 *   npx tsx -e "import('./bench/report.ts').then((m) => m.benchReport())"
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRIVILEGED_ROLES } from '../src/model/privileged.js';
import type { AccessRow, InviteRow, PermissionChangeRow, ReportData } from '../src/model/report-data.js';
import { scanReport } from '../src/report/scan.js';
import { writeReport } from '../src/report/write.js';

const MiB = 1024 * 1024;

function syntheticData(accessRows: number): ReportData {
  const users = Math.ceil(accessRows / 5);
  const takenAt = new Date('2026-06-29T06:00:00Z');
  // Privileged rows (every 97th) first, as the store gives them.
  const order = function* (): Iterable<number> {
    for (let i = 0; i < accessRows; i += 97) yield i;
    for (let i = 0; i < accessRows; i++) if (i % 97 !== 0) yield i;
  };
  // In pages of 5,000 rows, about what the store reads for 1,000 users.
  const accessReview = async function* (): AsyncIterable<AccessRow[]> {
    let page: AccessRow[] = [];
    for (const i of order()) {
      if (page.length === 5000) {
        yield page;
        page = [];
      }
      const u = i % users;
      const privileged = i % 97 === 0;
      page.push({
        userId: `usr_${u.toString(36).padStart(8, '0')}`,
        email: `user.${u}@example.com`,
        userName: `User Number ${u}`,
        roleId: privileged ? 'role_owner' : `role_${i % 7}`,
        roleName: privileged ? 'Workspace Owner' : `Source Read-only ${i % 7}`,
        resourceType: privileged ? 'WORKSPACE' : 'SOURCE',
        resourceId: privileged ? 'ws_bench' : `src_${(i * 7919) % 5000}`,
        resourceName: privileged ? 'Bench workspace' : `Source ${(i * 7919) % 5000}`,
        labels: i % 5 === 0 ? 'environment:prod' : '',
        via: i % 3 === 0 ? `Group ${i % 40}` : 'direct',
        privileged,
      });
    }
    yield page;
  };
  const invites: InviteRow[] = Array.from({ length: 2000 }, (_, i) => ({
    email: `invitee.${i}@example.com`,
    groupId: i % 2 ? `grp_${i % 40}` : null,
    groupName: i % 2 ? `Group ${i % 40}` : null,
    firstSeen: new Date(takenAt.getTime() - (i % 60) * 86_400_000),
    daysPending: i % 60,
    stale: i % 60 >= 14,
    seenAtBaseline: false,
  }));
  const permissionChanges: PermissionChangeRow[] = Array.from({ length: 2000 }, (_, i) => ({
    change: i % 2 ? 'revoked' : 'granted',
    userId: `usr_${i}`,
    email: `user.${i}@example.com`,
    roleId: `role_${i % 7}`,
    roleName: `Source Read-only ${i % 7}`,
    resourceType: 'SOURCE',
    resourceId: `src_${i}`,
    resourceName: `Source ${i}`,
    labels: '',
    via: 'direct',
    cause: i % 2 ? 'permission_revoked' : 'permission_granted',
    privileged: i % 50 === 0,
  }));
  return {
    summary: {
      workspace: { id: 'ws_bench', slug: 'bench', name: 'Bench Workspace' },
      apiUrl: 'http://127.0.0.1:0',
      toolVersion: 'bench',
      generatedAt: new Date('2026-06-29T06:05:00Z'),
      timezone: 'Europe/Berlin',
      current: {
        id: 2,
        takenAt,
        finishedAt: takenAt,
        status: 'complete',
        error: null,
        userCount: users,
        inviteCount: invites.length,
        groupCount: 40,
        staleInviteDays: 14,
      },
      previous: null,
      staleInviteDays: 14,
      completeness: null,
      crawlStats: null,
      previousDataSha256: null,
      changeCounts: {},
      privilegedRoles: DEFAULT_PRIVILEGED_ROLES,
    },
    permissionChanges,
    staleInvites: invites.filter((i) => i.stale),
    membershipChanges: [],
    accessReview,
    invites,
  };
}

/**
 * Samples RSS every 10 ms (and at the end) while `work` runs; also its process CPU time
 * (user + system, deflate's thread-pool work included), which a busy machine does not inflate
 * as it does the wall time.
 */
async function withPeakRss<T>(
  work: () => Promise<T>,
): Promise<{ result: T; peakMiB: number; ms: number; cpuMs: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const result = await work();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakMiB: peak / MiB, ms, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

export async function benchReport(sizes: readonly number[] = [100_000, 500_000]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
  try {
    console.log(
      'report: rows | hash pass | writeReport (CPU) | file | peak RSS (sampled) | rows/s (per CPU s)',
    );
    for (const rows of sizes) {
      const data = syntheticData(rows);
      (globalThis as { gc?: () => void }).gc?.();
      const scan = await withPeakRss(() => scanReport(data));
      const write = await withPeakRss(() => writeReport(data, { dir }));
      const r = write.result;
      console.log(
        `report: ${rows.toLocaleString('en-US')} | ${(scan.ms / 1000).toFixed(2)} s | ` +
          `${(write.ms / 1000).toFixed(2)} s (CPU ${(write.cpuMs / 1000).toFixed(2)} s) | ` +
          `${(r.bytes / MiB).toFixed(1)} MiB | ${write.peakMiB.toFixed(0)} MiB | ` +
          `${Math.round(rows / (write.ms / 1000)).toLocaleString('en-US')} ` +
          `(${Math.round(rows / (write.cpuMs / 1000)).toLocaleString('en-US')})`,
      );
      await rm(r.path, { force: true });
    }
    console.log(`report: process maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Run directly: npx tsx bench/report.ts [rows…]
if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  await benchReport(sizes.length ? sizes : undefined);
}
