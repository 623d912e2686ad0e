/**
 * `access-audit simulate` as a process (it runs until a signal): its `url:`/`token:` lines,
 * the API it serves, a clean exit 0 on SIGINT and SIGTERM; a bad argument through `main`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { simulatorOptionsFrom } from '../../src/commands/simulate.js';
import { killLeftovers, runMain, startCli, waitUntil } from '../helpers/cli.js';
import { call } from '../simulator/http.js';

afterAll(killLeftovers);

describe('access-audit simulate', () => {
  it('prints url and token once listening and serves the API', async () => {
    const run = startCli(
      ['simulate', '--port', '0', '--token', 'sim_cli_test', '--users', '12', '--seed', '4', '--detail-only'],
      {},
    );
    await waitUntil(() => /token: .+\n/.test(run.stdout()), 30_000, 'the token line');
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
    expect(await run.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`closes and exits 0 on ${signal}`, async () => {
      const run = startCli(['simulate', '--port', '0'], {});
      await waitUntil(() => /token: sim_.+\n/.test(run.stdout()), 30_000, 'the token line');
      const url = run.stdout().split('\n')[0]!.slice('url: '.length);
      expect(await run.stop(signal)).toEqual({ code: 0, signal: null });
      await expect(fetch(url)).rejects.toThrow();
    });
  }

  it('exits 2 with one error line naming a bad argument', async () => {
    const run = await runMain(['simulate', '--rate-limit', 'lots'], {});
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error: --rate-limit must be/);
    expect(run.stdout).toBe('');
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

  it('--no-audit-trail and --audit-retention-days shape the audit trail', () => {
    expect(simulatorOptionsFrom({}).auditTrail).toBeUndefined();
    expect(simulatorOptionsFrom({ auditTrail: true }).auditTrail).toBeUndefined();
    expect(simulatorOptionsFrom({ auditTrail: false }).auditTrail).toEqual({
      enabled: false,
      retentionDays: undefined,
    });
    expect(simulatorOptionsFrom({ auditRetentionDays: '30' }).auditTrail).toEqual({
      enabled: true,
      retentionDays: 30,
    });
    expect(() => simulatorOptionsFrom({ auditRetentionDays: '0' })).toThrow(/--audit-retention-days must be/);
  });
});
