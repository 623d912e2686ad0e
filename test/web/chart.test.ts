/** The trend charts (pure): round value ticks from 0, dated time ticks, points placed by date. */
import { describe, expect, it } from 'vitest';
import type { ReportListing } from '../../src/model/site.js';
import { trendChart, valueTicks } from '../../src/web/chart.js';

const report = (day: string, users: number, staleInvites: number): ReportListing => ({
  fileName: `access-audit-${day}-s1.xlsx`,
  snapshotId: 1,
  takenAt: new Date(`${day}T06:00:00Z`),
  bytes: 1,
  permissionChanges: 0,
  staleInvites,
  users,
  privilegedGrants: 1,
  openInvites: 1,
});

describe('valueTicks', () => {
  it('steps of 1, 2 or 5 × 10^k from 0 to at least the maximum', () => {
    expect(valueTicks(0)).toEqual([0, 1]);
    expect(valueTicks(3)).toEqual([0, 1, 2, 3]);
    expect(valueTicks(40)).toEqual([0, 10, 20, 30, 40]);
    expect(valueTicks(54)).toEqual([0, 20, 40, 60]);
    expect(valueTicks(17)).toEqual([0, 5, 10, 15, 20]);
    expect(valueTicks(12_345)).toEqual([0, 5000, 10000, 15000]);
  });
});

describe('trendChart', () => {
  const html = trendChart(
    [report('2026-06-01', 1000, 2), report('2026-06-02', 1010, 3), report('2026-06-29', 990, 7)],
    'UTC',
  );

  it('draws one chart per measure, each with its own labelled scale', () => {
    expect((html.match(/<svg /g) ?? []).length).toBe(5);
    expect(html).toContain('>Users: 990</text>');
    expect(html).toContain('>Stale invites: 7</text>');
    expect(html).toContain('>1000</text>'); // a tick of the users' axis
    expect(html).toContain('>8</text>'); // the top tick of the stale invites' axis
  });

  it('places points by date: the first and last snapshot dates are ticks, the gap stays a gap', () => {
    expect(html).toContain('>2026-06-01</text>');
    expect(html).toContain('>2026-06-29</text>');
    const users = /points="([^"]+)"/
      .exec(html)![1]!
      .split(' ')
      .map((p) => Number(p.split(',')[0]));
    // One day after the first, 28 days before the last: the second point sits near the first.
    expect(users[1]! - users[0]!).toBeLessThan((users[2]! - users[1]!) / 10);
  });

  it('is empty without reports', () => {
    expect(trendChart([], 'UTC')).toBe('');
  });
});
