import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { type PeriodOutcome, startScheduler } from '../../src/schedule/scheduler.js';

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
        return 'ran';
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
        new Promise<PeriodOutcome>((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve('ran');
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
        return 'ran';
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

  it('tries a busy period again with a backoff until it runs', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-29T06:00:00.500Z') });
    const calls: string[] = [];
    const outcomes: PeriodOutcome[] = ['busy', 'busy', 'ran'];
    const scheduler = startScheduler({
      expression: '0 6 * * 1',
      timeZone: 'UTC',
      logger: silentLogger(),
      runPeriod: async (at, reason) => {
        calls.push(`${reason}@${at.toISOString()}`);
        return outcomes.shift() ?? 'ran';
      },
    });
    await scheduler.trigger(new Date('2026-06-29T06:00:00Z'), 'catch-up');
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // 1 s
    await vi.advanceTimersByTimeAsync(2_000); // then 2 s
    await vi.advanceTimersByTimeAsync(60_000); // and nothing after it ran
    expect(calls).toEqual([
      'catch-up@2026-06-29T06:00:00.000Z',
      'retry@2026-06-29T06:00:00.000Z',
      'retry@2026-06-29T06:00:00.000Z',
    ]);
    await scheduler.stop(1_000);
  });

  it('lets a newer tick supersede a busy period, and stops retrying when stopped', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-29T06:00:00.500Z') });
    const calls: string[] = [];
    const scheduler = startScheduler({
      expression: '*/2 * * * * *',
      timeZone: 'UTC',
      logger: silentLogger(),
      retryDelayMs: () => 3_000,
      runPeriod: async (at, reason) => {
        calls.push(`${reason}@${at.toISOString().slice(17, 19)}`);
        return 'busy';
      },
    });
    await vi.advanceTimersByTimeAsync(6_000);
    // Each tick's retry (due 3 s later) is cancelled by the next tick, 2 s later.
    expect(calls).toEqual(['tick@02', 'tick@04', 'tick@06']);
    await scheduler.stop(1_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(3);
  });
});
