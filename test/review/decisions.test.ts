/**
 * The review's rules on sign-off cells, pure: what becomes a decision, and what refuses
 * the whole workbook (with the rows named). The end-to-end import is in
 * test/commands/review.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ExpectedCell } from '../../src/review/compare.js';
import { DecisionCollector } from '../../src/review/decisions.js';

const rules = {
  snapshotId: 4,
  reviewer: 'Ana@Example.com',
  decidedAt: new Date('2026-07-01T09:00:00Z'),
  source: 'r.xlsx',
  decisions: ['Keep', 'Revoke'],
  reasonMaxLength: 20,
};

function row(email: string, privileged = false): Record<string, ExpectedCell> {
  return {
    privileged: privileged ? 'yes' : null,
    email,
    userId: `u-${email}`,
    roleId: 'r1',
    roleName: 'Source Admin',
    resourceType: 'SOURCE',
    resourceId: 's1',
    labels: null,
    via: 'direct; Engineers',
  };
}

describe('DecisionCollector', () => {
  it('turns Keep/Revoke (any case, trimmed by the reader) into decisions; empty rows are undecided', () => {
    const c = new DecisionCollector(rules);
    c.visit('Access Review', 2, row('bo@example.com'), { decision: 'keep', reason: null });
    c.visit('Access Review', 3, row('cy@example.com', true), { decision: 'REVOKE', reason: 'left' });
    c.visit('Access Review', 4, row('di@example.com'), { decision: null, reason: null });
    c.visit('Review Status', 2, row('bo@example.com'), { decision: 'Maybe', reason: null });
    const d = c.finish();
    expect(d.map((x) => [x.email, x.decision, x.reason, x.privileged, x.labels, x.via])).toEqual([
      ['bo@example.com', 'keep', null, false, '', 'direct; Engineers'],
      ['cy@example.com', 'revoke', 'left', true, '', 'direct; Engineers'],
    ]);
    expect(d[0]).toMatchObject({ snapshotId: 4, reviewer: 'Ana@Example.com', userId: 'u-bo@example.com' });
  });

  it('refuses at once a decision outside the list, a reason without a decision, a reason too long', () => {
    const cases: [{ decision: string | null; reason: string | null }, RegExp][] = [
      [{ decision: 'Maybe', reason: null }, /row 7: Decision 'Maybe' is not one of Keep, Revoke/],
      [{ decision: null, reason: 'why' }, /row 7: a Reason without a Decision/],
      [{ decision: 'Keep', reason: 'x'.repeat(21) }, /row 7: the Reason is longer than 20 characters/],
    ];
    for (const [signOff, message] of cases) {
      const c = new DecisionCollector(rules);
      expect(() => c.visit('Access Review', 7, row('bo@example.com'), signOff)).toThrow(message);
    }
  });

  it('refuses, once all rows are read, missing reasons and then the reviewer’s own rows, naming the rows', () => {
    const c = new DecisionCollector(rules);
    c.visit('Access Review', 2, row('bo@example.com', true), { decision: 'Keep', reason: null });
    for (const n of [3, 4, 5, 6, 7, 8]) {
      c.visit('Access Review', n, row('bo@example.com'), { decision: 'Revoke', reason: null });
    }
    expect(() => c.finish()).toThrow(
      /rows 2, 3, 4, 5, 6 and 2 more: a Revoke, and a Keep on a privileged row, need a Reason; nothing recorded/,
    );

    const own = new DecisionCollector(rules);
    own.visit('Access Review', 9, row('ana@example.COM'), { decision: 'Keep', reason: null });
    expect(() => own.finish()).toThrow(
      /row 9: reviewer Ana@Example.com may not decide rows of their own account/,
    );
  });
});
