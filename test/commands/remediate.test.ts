/** `access-audit remediate` as a user runs it: listed by --help, refusals before anything is read. */
import { describe, expect, it } from 'vitest';
import { errorLines, runMain } from '../helpers/cli.js';

describe('access-audit remediate', () => {
  it('is listed by --help, with undo under it', async () => {
    const help = await runMain(['--help'], {});
    expect(help.stdout).toMatch(/^\s+remediate \[options\]/m);
    const sub = await runMain(['remediate', '--help'], {});
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--withdraw-stale-invites');
    expect(sub.stdout).toContain('--delete-users');
    expect(sub.stdout).toMatch(/undo .*<actionId>/);
  });

  it('--apply without SEGMENT_WRITE_TOKEN is refused with exit 2, nothing opened', async () => {
    const r = await runMain(['remediate', '--apply'], {
      SEGMENT_API_TOKEN: 'the-audit-token-never-used-to-write',
      DATA_DIR: '/nonexistent/never-opened',
    });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^error: SEGMENT_WRITE_TOKEN is required/)]);
    expect(r.stderr).not.toContain('the-audit-token-never-used-to-write');
  });

  it('undo without SEGMENT_WRITE_TOKEN, and with a bad usage, exit 2', async () => {
    const r = await runMain(['remediate', 'undo', '7'], { DATA_DIR: '/nonexistent/never-opened' });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toContain('SEGMENT_WRITE_TOKEN');
    const missing = await runMain(['remediate', 'undo'], {});
    expect(missing.code).toBe(2);
    expect(errorLines(missing.stderr)).toHaveLength(1);
  });
});
