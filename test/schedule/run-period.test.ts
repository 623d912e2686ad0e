/**
 * The decisions of one scheduled period (src/schedule/run-period.ts) with plain stand-ins
 * for the database and the audit: claim first, skip a covered period, give a failed
 * period back, and tell a lost race (busy, covered meanwhile) from a real failure.
 */
import { describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { type PeriodOperations, runPeriod } from '../../src/schedule/run-period.js';

const PERIOD = new Date('2026-06-01T06:00:00Z');

function world(overrides: Partial<PeriodOperations> = {}) {
  const calls: string[] = [];
  const messages: string[] = [];
  const logger = createLogger({
    human: false,
    level: 'debug',
    stream: { write: (line: string) => messages.push((JSON.parse(line) as { msg: string }).msg) },
  });
  const ops: PeriodOperations = {
    claim: async (at) => {
      calls.push(`claim ${at.toISOString()}`);
      return true;
    },
    release: async (at) => {
      calls.push(`release ${at.toISOString()}`);
    },
    lastComplete: async () => {
      calls.push('lastComplete');
      return null;
    },
    audit: async () => {
      calls.push('audit');
      return { snapshotId: 7 };
    },
    ...overrides,
  };
  const run = () => runPeriod(ops, logger, PERIOD, 'tick', new AbortController().signal);
  return { calls, messages, run };
}

describe('runPeriod', () => {
  it('claims, checks, runs: ran', async () => {
    const w = world();
    expect(await w.run()).toBe('ran');
    expect(w.calls).toEqual([`claim ${PERIOD.toISOString()}`, 'lastComplete', 'audit']);
    expect(w.messages).toEqual(['scheduled audit done']);
  });

  it("another instance's claim: skipped without looking further", async () => {
    const w = world({ claim: async () => false });
    expect(await w.run()).toBe('skipped');
    expect(w.calls).toEqual([]);
    expect(w.messages).toEqual(['another instance has this period: not running']);
  });

  it('a complete snapshot at or after the period: skipped, no audit', async () => {
    for (const takenAt of [PERIOD, new Date(PERIOD.getTime() + 1)]) {
      const w = world({ lastComplete: async () => ({ id: 3, takenAt }) });
      expect(await w.run()).toBe('skipped');
      expect(w.calls).not.toContain('audit');
    }
  });

  it('a complete snapshot before the period does not cover it', async () => {
    const w = world({ lastComplete: async () => ({ id: 3, takenAt: new Date(PERIOD.getTime() - 1) }) });
    expect(await w.run()).toBe('ran');
  });

  it('another audit holds the database: busy, and the period is given back', async () => {
    const w = world({
      audit: async () => {
        throw new AuditError('DB_BUSY', 'another audit is running');
      },
    });
    expect(await w.run()).toBe('busy');
    expect(w.calls).toContain(`release ${PERIOD.toISOString()}`);
  });

  it('covered meanwhile: skipped, and the period is given back', async () => {
    const w = world({
      audit: async () => {
        throw new AuditError('PERIOD_COVERED', 'covered');
      },
    });
    expect(await w.run()).toBe('skipped');
    expect(w.calls).toContain(`release ${PERIOD.toISOString()}`);
  });

  it('a real failure is rethrown after the period is given back, even if giving back fails', async () => {
    const failure = new Error('crawl failed');
    const w = world({
      audit: async () => {
        throw failure;
      },
      release: async () => {
        throw new Error('database gone');
      },
    });
    await expect(w.run()).rejects.toBe(failure);
    expect(w.messages).toContain('could not give the period back');
  });
});
