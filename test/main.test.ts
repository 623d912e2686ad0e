/**
 * `main(argv, env, io)` in this process: what it writes goes to the given outputs, the
 * status is returned (never left in process.exitCode), configuration comes from the given
 * environment only, and importing it runs nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorLines, runMain } from './helpers/cli.js';

const COMMANDS = [
  'run',
  'schedule',
  'serve',
  'report',
  'review',
  'snapshots',
  'migrate',
  'roster',
  'demo',
  'simulate',
];

afterEach(() => {
  expect(process.exitCode).toBeUndefined();
});

describe('main', () => {
  it('--help lists every command of the contract on the given stdout, status 0', async () => {
    const r = await runMain(['--help'], {});
    expect(r.code).toBe(0);
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(r.stderr).toBe('');
  });

  it('--version prints the version, status 0', async () => {
    const r = await runMain(['--version'], {});
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an unknown command or option: status 2 and one error line', async () => {
    for (const args of [['nonsense'], ['run', '--no-such-flag']]) {
      const r = await runMain(args, {});
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorLines(r.stderr), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it("reads the given environment, not the process's", async () => {
    const before = process.env.SEGMENT_API_TOKEN;
    process.env.SEGMENT_API_TOKEN = 'sgp_from-the-process-environment-0123456789';
    try {
      const r = await runMain(['run'], { SEGMENT_API_URL: 'https://api.segmentapis.com' });
      expect(r.code).toBe(2);
      expect(errorLines(r.stderr)).toEqual([
        expect.stringMatching(/^error: .*SEGMENT_API_TOKEN is required/),
      ]);
    } finally {
      if (before === undefined) delete process.env.SEGMENT_API_TOKEN;
      else process.env.SEGMENT_API_TOKEN = before;
    }
  });

  it('runs nothing on import', async () => {
    const written: string[] = [];
    const [out, err] = [process.stdout.write, process.stderr.write];
    const capture = ((chunk: string) => written.push(String(chunk)) > 0) as typeof out;
    process.stdout.write = capture;
    process.stderr.write = capture;
    try {
      // A fresh evaluation of the module (the query makes it a new module instance).
      const fresh = '../src/main.js?fresh';
      await import(fresh);
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    expect(written).toEqual([]);
  });
});
