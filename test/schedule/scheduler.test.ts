import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { startScheduler } from '../../src/schedule/scheduler.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('startScheduler', () => {
  it('fires on a fast expression, never two audits at once, and skips ticks that come while one runs', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-29T06:00:00.500Z') });
    const periods: string[] = [];
    let active = 0;
    let maxActive = 0;
    const scheduler = startScheduler({
      expression: '* * * * * *',
      timeZone: 'UTC',
      logger: silentLogger(),
      runPeriod: async (scheduledAt) => {
        periods.push(scheduledAt.toISOString());
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 2_500)); // each audit outlasts two ticks
        active--;
      },
    });
    await vi.advanceTimersByTimeAsync(10_000);
    const stopping = scheduler.stop(5_000);
    await vi.advanceTimersByTimeAsync(3_000); // lets the audit in flight finish within the grace period
    expect(await stopping).toEqual({ aborted: false });
    expect(maxActive).toBe(1);
    // Ticks every second for 10 s, each audit 2.5 s long: ticks 1, 4, 7, 10 (or so) start one.
    expect(periods.length).toBeGreaterThanOrEqual(3);
    expect(periods.length).toBeLessThanOrEqual(4);
    // Every period is a whole second (the scheduled time, not the moment the timer fired).
    for (const p of periods) expect(p).toMatch(/:\d\d\.000Z$/);
    expect(new Set(periods).size).toBe(periods.length);
  });

  it('gives a running audit its grace period, then aborts it', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-29T06:00:00.500Z') });
    let sawAbort = false;
    const scheduler = startScheduler({
      expression: '0 6 * * 1',
      timeZone: 'UTC',
      logger: silentLogger(),
      runPeriod: (_at, _reason, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          });
        }),
    });
    const run = scheduler.trigger(new Date('2026-06-29T06:00:00Z'), 'catch-up');
    const stopping = scheduler.stop(3_000);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(sawAbort).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(await stopping).toEqual({ aborted: true });
    await run;
    expect(sawAbort).toBe(true);
  });

  it('lets a run that finishes within the grace period complete', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-29T06:00:00.500Z') });
    let completed = false;
    const scheduler = startScheduler({
      expression: '0 6 * * 1',
      timeZone: 'UTC',
      logger: silentLogger(),
      runPeriod: async () => {
        await new Promise((r) => setTimeout(r, 1_000));
        completed = true;
      },
    });
    void scheduler.trigger(new Date('2026-06-29T06:00:00Z'), 'catch-up');
    const stopping = scheduler.stop(3_000);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(await stopping).toEqual({ aborted: false });
    expect(completed).toBe(true);
  });

  it('keeps the schedule after a failed run', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-29T06:00:00.500Z') });
    let calls = 0;
    const scheduler = startScheduler({
      expression: '* * * * * *',
      timeZone: 'UTC',
      logger: silentLogger(),
      runPeriod: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    await vi.advanceTimersByTimeAsync(3_200);
    const stopping = scheduler.stop(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    await stopping;
    expect(calls).toBeGreaterThanOrEqual(3);
  });
});
