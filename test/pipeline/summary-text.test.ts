/** The short summary `run` prints: "permission changes" means the report's rows, as everywhere. */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import { runSummaryText } from '../../src/pipeline/summary-text.js';

const result = {
  snapshotId: 2,
  takenAt: new Date('2026-06-30T06:00:00Z'),
  workspaceName: 'Acme',
  baseline: false,
  changes: { permission_granted: 3, membership_added: 4 },
  permissionChanges: 12,
  staleInvites: 1,
  headline: ['Workspace Owner granted to ana@acme.test'],
  counts: { users: 10, invites: 2, groups: 3 },
  reportPath: '/reports/r.xlsx',
  reportBytes: 1,
  email: { status: 'skipped', reason: 'MAIL_TO is not set' },
  recovered: [],
  crawlStats: { requests: 5, retries: 0, rateLimited: 0, rateLimitWaitMs: 0 },
  warnings: [],
  trail: {
    status: 'read',
    events: 4,
    attribution: {
      attributed: 6,
      unattributed: 1,
      flags: { 'self-granted': 1, 'by-token': 0, 'no-audit-event': 1 },
    },
  },
  times: { crawlMs: 0, storeMs: 0, reportMs: 0, mailMs: 0 },
} as unknown as RunResult;

describe('runSummaryText', () => {
  it('counts permission changes as the report rows, and names the history records apart', () => {
    const text = runSummaryText(result);
    expect(text).toContain(
      '  changes: 12 permission changes in the report; 1 stale invite; 7 change records in audit.changes\n',
    );
    expect(text).toContain('6 change records attributed, 1 not, 1 self-grant');
    expect(text).not.toMatch(/\b7 changes\b/);
  });

  it('lists what needs attention right after the counts', () => {
    const lines = runSummaryText(result).split('\n');
    const at = lines.indexOf('  needs attention:');
    expect(lines[at - 1]).toMatch(/^ {2}changes: 12 permission changes/);
    expect(lines[at + 1]).toBe('    - Workspace Owner granted to ana@acme.test');
  });
});
