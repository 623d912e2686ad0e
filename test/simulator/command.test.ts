import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { simulatorOptionsFrom } from '../../src/commands/simulate.js';
import { call } from './http.js';

const children: ChildProcess[] = [];
afterAll(() => {
  // Only if a test failed half-way: end the process group this file started.
  for (const child of children) {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

/** `via: 'npx'` runs `npx tsx …` like a user; 'node' loads tsx in-process so signals reach the CLI itself. */
function simulate(
  args: string[],
  via: 'npx' | 'node' = 'npx',
): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const [command, prefix] = via === 'npx' ? ['npx', ['tsx']] : [process.execPath, ['--import', 'tsx']];
  const child = spawn(command as string, [...(prefix as string[]), 'src/cli.ts', 'simulate', ...args], {
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { child, stdout: () => out, stderr: () => err };
}

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('access-audit simulate', () => {
  it('prints url and token once listening and serves the API', async () => {
    const run = simulate([
      '--port',
      '0',
      '--token',
      'sim_cli_test',
      '--users',
      '12',
      '--seed',
      '4',
      '--detail-only',
    ]);
    await until(() => /token: .+\n/.test(run.stdout()), 'the token line');
    const lines = run.stdout().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^url: http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toBe('token: sim_cli_test');
    const sim = { url: lines[0]!.slice('url: '.length), token: 'sim_cli_test' };
    const users = await call(sim, '/users?pagination.count=200');
    expect(users.status).toBe(200);
    expect(users.body.data.users).toHaveLength(12);
    expect('permissions' in users.body.data.users[0]).toBe(false);
    // --detail-only: group lists lose their permissions too.
    const groups = await call(sim, '/groups');
    expect(groups.body.data.userGroups.some((g: object) => 'permissions' in g)).toBe(false);
    // The whole group (npx → tsx → node), as a terminal's Ctrl-C would.
    process.kill(-run.child.pid!, 'SIGINT');
    await once(run.child, 'exit');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`closes and exits 0 on ${signal}`, async () => {
      const run = simulate(['--port', '0'], 'node');
      await until(() => /token: sim_.+\n/.test(run.stdout()), 'the token line');
      const url = run.stdout().split('\n')[0]!.slice('url: '.length);
      run.child.kill(signal);
      const [code] = await once(run.child, 'exit');
      expect(code).toBe(0);
      await expect(fetch(url)).rejects.toThrow();
    });
  }

  it('exits 2 with one error line naming a bad argument', async () => {
    const run = simulate(['--rate-limit', 'lots']);
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(2);
    expect(run.stderr().trim()).toMatch(/^error: --rate-limit must be/);
    expect(run.stdout()).toBe('');
  });
});

describe('simulate flags', () => {
  it('choose which lists carry permissions, and refuse a contradiction', () => {
    expect(simulatorOptionsFrom({}).inlinePermissions).toBeUndefined();
    expect(simulatorOptionsFrom({ inlinePermissions: true }).inlinePermissions).toBe(true);
    expect(simulatorOptionsFrom({ detailOnly: true }).inlinePermissions).toBe(false);
    expect(() => simulatorOptionsFrom({ detailOnly: true, inlinePermissions: true })).toThrow(
      /--detail-only and --inline-permissions/,
    );
  });

  it('--max-page-count sets the largest page, 1 to 1000', () => {
    expect(simulatorOptionsFrom({}).maxPageCount).toBeUndefined();
    expect(simulatorOptionsFrom({ maxPageCount: '200' }).maxPageCount).toBe(200);
    expect(() => simulatorOptionsFrom({ maxPageCount: '1001' })).toThrow(/--max-page-count must be/);
    expect(() => simulatorOptionsFrom({ maxPageCount: '0' })).toThrow(/--max-page-count must be/);
  });
});
