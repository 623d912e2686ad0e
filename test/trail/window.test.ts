import { describe, expect, it } from 'vitest';
import { trailWindow } from '../../src/trail/index.js';

const T1 = new Date('2026-06-01T06:00:00Z');
const T2 = new Date('2026-06-15T06:00:00Z');

describe('trailWindow', () => {
  it('the first run asks for everything the API keeps, up to its own time', () => {
    expect(trailWindow(undefined, T2)).toEqual({ endTime: T2 });
  });

  it('later runs start an hour before the previous complete snapshot (or the overlap given)', () => {
    expect(trailWindow(T1, T2)).toEqual({ startTime: new Date('2026-06-01T05:00:00Z'), endTime: T2 });
    expect(trailWindow(T1, T2, 0)).toEqual({ startTime: T1, endTime: T2 });
    expect(trailWindow(T1, T2, -5)).toEqual({ startTime: T1, endTime: T2 });
  });

  it('a clock that went backwards still gives a start before the end', () => {
    const w = trailWindow(T2, T1);
    expect(w.startTime?.getTime()).toBeLessThan(w.endTime.getTime());
    expect(w).toEqual({ startTime: new Date('2026-06-01T05:00:00Z'), endTime: T1 });
  });
});
