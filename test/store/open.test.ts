/** Opening the database: unreachable or refusing servers fail clearly, never showing the password. */
import { describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { openDatabase } from '../../src/store/open.js';

describe('openDatabase', () => {
  it('reports an unreachable server as DB_UNAVAILABLE with the host, never the password', async () => {
    const url = new Secret('postgres://auditor:s3cret-pw@127.0.0.1:1/audit');
    const error = await openDatabase({ databaseUrl: url, dataDir: '/nonexistent' }).catch((e: unknown) => e);
    expect(isAuditError(error, 'DB_UNAVAILABLE')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1/audit');
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain('s3cret');
    expect(JSON.stringify(error)).not.toContain('s3cret');
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    'reports a refusing server (no such database) as DB_UNAVAILABLE',
    async () => {
      const u = new URL(process.env.TEST_DATABASE_URL!);
      u.pathname = '/no_such_database_here';
      u.password = 'pw-never-shown';
      const error = await openDatabase({
        databaseUrl: new Secret(u.toString()),
        dataDir: '/nonexistent',
      }).catch((e: unknown) => e);
      expect(isAuditError(error, 'DB_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toContain('no_such_database_here');
      expect((error as Error).message).not.toContain('pw-never-shown');
    },
  );
});
