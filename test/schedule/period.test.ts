import { describe, expect, it } from 'vitest';
import { isCatchUpDue, mostRecentScheduledTime, nextScheduledTime } from '../../src/schedule/period.js';

const at = (iso: string) => new Date(iso);

describe('mostRecentScheduledTime', () => {
  it('finds last Monday 06:00 in the schedule time zone', () => {
    // 2026-06-29 is a Monday; 06:00 in Berlin (CEST, UTC+2) is 04:00 UTC.
    expect(mostRecentScheduledTime('0 6 * * 1', 'Europe/Berlin', at('2026-06-30T12:00:00Z'))).toEqual(
      at('2026-06-29T04:00:00Z'),
    );
    expect(mostRecentScheduledTime('0 6 * * 1', 'UTC', at('2026-06-30T12:00:00Z'))).toEqual(
      at('2026-06-29T06:00:00Z'),
    );
  });

  it('counts a tick that is exactly now', () => {
    expect(mostRecentScheduledTime('0 6 * * 1', 'UTC', at('2026-06-29T06:00:00Z'))).toEqual(
      at('2026-06-29T06:00:00Z'),
    );
  });

  it('understands a seconds field', () => {
    expect(mostRecentScheduledTime('*/5 * * * * *', 'UTC', at('2026-06-30T12:00:03.500Z'))).toEqual(
      at('2026-06-30T12:00:00Z'),
    );
  });

  it('follows DST: 06:00 Berlin is 05:00 UTC in winter', () => {
    expect(mostRecentScheduledTime('0 6 * * 1', 'Europe/Berlin', at('2026-11-28T12:00:00Z'))).toEqual(
      at('2026-11-23T05:00:00Z'),
    );
  });

  it('gives the next tick after an instant', () => {
    expect(nextScheduledTime('0 6 * * 1', 'UTC', at('2026-06-29T06:00:00Z'))).toEqual(
      at('2026-07-06T06:00:00Z'),
    );
  });
});

describe('isCatchUpDue', () => {
  const monday = at('2026-06-29T06:00:00Z');
  it('is due with no complete snapshot at all', () => {
    expect(isCatchUpDue(null, monday)).toBe(true);
  });
  it('is due when the last complete snapshot predates the most recent tick', () => {
    expect(isCatchUpDue(at('2026-06-22T06:00:05Z'), monday)).toBe(true);
  });
  it('is not due when a complete snapshot was taken at or after the tick', () => {
    expect(isCatchUpDue(at('2026-06-29T06:00:00Z'), monday)).toBe(false);
    expect(isCatchUpDue(at('2026-06-29T06:00:02Z'), monday)).toBe(false);
  });
  it('is not due when the schedule has no past tick', () => {
    expect(isCatchUpDue(null, null)).toBe(false);
  });
});
