import { describe, expect, it } from 'vitest';
import {
  isCatchUpDue,
  missedPeriods,
  mostRecentScheduledTime,
  nextScheduledTime,
} from '../../src/schedule/period.js';

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

describe('missedPeriods', () => {
  const daily = '0 6 * * *';
  it('lists the scheduled days with no snapshot, newest first, from the first snapshot on', () => {
    const snapshots = [at('2026-06-01T06:00:05Z'), at('2026-06-02T09:00:00Z'), at('2026-06-05T06:01:00Z')];
    expect(missedPeriods(daily, 'UTC', snapshots, at('2026-06-07T12:00:00Z'))).toEqual([
      at('2026-06-07T06:00:00Z'),
      at('2026-06-06T06:00:00Z'),
      at('2026-06-04T06:00:00Z'),
      at('2026-06-03T06:00:00Z'),
    ]);
  });

  it('counts a failed run (any snapshot) as not missed, and nothing before the first snapshot', () => {
    expect(missedPeriods(daily, 'UTC', [at('2026-06-03T06:00:01Z')], at('2026-06-03T18:00:00Z'))).toEqual([]);
    expect(missedPeriods(daily, 'UTC', [], at('2026-06-03T18:00:00Z'))).toEqual([]);
  });

  it('keeps to the time zone of the schedule, and to the limit', () => {
    // 06:00 in Berlin (CEST) is 04:00 UTC: a snapshot at 05:00 UTC is in that day's period.
    expect(
      missedPeriods(daily, 'Europe/Berlin', [at('2026-06-01T05:00:00Z')], at('2026-06-02T05:00:00Z')),
    ).toEqual([at('2026-06-02T04:00:00Z')]);
    const everySecond = missedPeriods(
      '* * * * * *',
      'UTC',
      [at('2026-06-01T00:00:00Z')],
      at('2026-06-02T00:00:00Z'),
      10,
    );
    expect(everySecond).toHaveLength(10);
    expect(everySecond[0]).toEqual(at('2026-06-02T00:00:00Z'));
  });
});
