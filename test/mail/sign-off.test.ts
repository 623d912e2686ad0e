import { describe, expect, it } from 'vitest';
import { buildAuditMessage } from '../../src/mail/index.js';
import { signOffText } from '../../src/mail/sign-off.js';
import type { ReviewStatusRow } from '../../src/model/review.js';
import { withChanges } from '../report/fixtures.js';

/** The review's state in the email: one line from the report's Review Status rows. */

function status(n: number, extra: Partial<ReviewStatusRow>): ReviewStatusRow {
  return {
    decisionId: String(n),
    decidedAt: new Date('2026-06-20T10:00:00Z'),
    reviewer: 'auditor@example.com',
    decision: 'revoke',
    state: 'open',
    daysOpen: 3,
    privileged: false,
    email: `user${n}@example.com`,
    roleName: 'Source Admin',
    resourceType: 'SOURCE',
    resourceName: 'Website',
    labels: '',
    via: 'direct',
    reason: 'left',
    decisionSnapshotId: 1,
    remediatedSnapshotId: null,
    changeId: null,
    userId: `u${n}`,
    roleId: 'r1',
    resourceId: 's1',
    ...extra,
  };
}

const rows = [
  status(1, { decision: 'keep', state: 'kept', daysOpen: null, reviewer: 'lead@example.com' }),
  status(2, { state: 'remediated', daysOpen: null, remediatedSnapshotId: 2 }),
  status(3, { daysOpen: 12 }),
  status(4, { daysOpen: 5 }),
  status(5, { decision: 'keep', state: 'superseded', daysOpen: null, reviewer: 'old@example.com' }),
];

describe('signOffText', () => {
  it('counts what stands, the open revocations with the oldest one’s age, and who decided', () => {
    expect(signOffText(rows)).toBe(
      '4 decisions standing: 1 Keep, 3 Revoke (1 remediated, 2 open (oldest 12 days)); by auditor@example.com, lead@example.com',
    );
  });

  it('says when nothing is decided yet (superseded decisions alone stand for nothing)', () => {
    expect(signOffText([])).toBe('no review decisions recorded yet');
    expect(signOffText(rows.slice(4))).toBe('no review decisions recorded yet');
  });

  it('is a line of the email’s facts, in the text and the HTML (escaped)', () => {
    const m = buildAuditMessage({
      summary: withChanges(null).summary,
      counts: { permissionChanges: 0, staleInvites: 0 },
      rows: {
        permissionChanges: [],
        staleInvites: [],
        reviewStatus: [status(9, { reviewer: '<b>x@example.com</b>' })],
      },
      report: { path: '/r/a.xlsx', fileName: 'a.xlsx', bytes: 1000 },
      from: 'audit@example.com',
      to: ['sec@example.com'],
    });
    expect(m.text).toMatch(/^Review: +1 decision standing: 0 Keep, 1 Revoke \(0 remediated, 1 open/m);
    expect(m.html).toContain('&lt;b&gt;x@example.com&lt;/b&gt;');
    expect(m.html).not.toContain('<b>x@example.com');
  });
});
