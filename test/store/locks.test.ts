/**
 * One run at a time per database: two concurrent runs → exactly one proceeds, the other
 * fails with DB_BUSY and changes nothing. Real server: an advisory lock; embedded: the
 * directory lock (a second process cannot even open DATA_DIR), stale locks are broken.
 */
import { spawn } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuditError } from '../../src/errors.js';
import { LOCK_FILE } from '../../src/store/dir-lock.js';
import { openDatabase } from '../../src/store/open.js';
import { acquireRunLock } from '../../src/store/run-lock.js';
import { listSnapshots } from '../../src/store/snapshots.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runChild } from './child.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const BUSY = /another audit run is in progress on this database/;

describe('the run lock', () => {
  it('excludes a second run and is free again once released', async () => {
    const release = await acquireRunLock(t.handle);
    // A second handle on the same database (server) or the same handle (embedded).
    const other =
      t.mode === 'server' ? await openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir }) : t.handle;
    try {
      const error = await acquireRunLock(other).catch((e: unknown) => e);
      expect(isAuditError(error, 'DB_BUSY')).toBe(true);
      expect(String((error as Error).message)).toMatch(BUSY);
      await release();
      const again = await acquireRunLock(other);
      await again();
    } finally {
      if (other !== t.handle) await other.close();
    }
  });

  it('lets exactly one of two concurrent runs proceed', { timeout: 120_000 }, async () => {
    const before = (await listSnapshots(t.handle.db)).length;
    await t.release();
    const env = { PICTURE: '1', TAKEN_AT: '2026-06-01T06:00:00Z', HOLD_MS: '3000' };
    const results = await Promise.all([runChild(t, env), runChild(t, env)]);
    await t.reopen();
    const ok = results.filter((r) => r.code === 0);
    const busy = results.filter((r) => r.code === 1);
    expect(ok, results.map((r) => r.stderr).join('\n')).toHaveLength(1);
    expect(busy).toHaveLength(1);
    expect(busy[0]?.stderr).toMatch(/^error: .*another audit run is in progress on this database/);
    expect(busy[0]?.stdout).not.toContain('snapshot');
    const list = await listSnapshots(t.handle.db);
    expect(list).toHaveLength(before + 1);
    expect(list.at(-1)?.status).toBe('complete');
  });
});

describe.runIf(!process.env.TEST_DATABASE_URL)('the embedded directory lock', () => {
  it('refuses a second open of the same directory in this process', async () => {
    const error = await openDatabase({ dataDir: t.dataDir }).catch((e: unknown) => e);
    expect(isAuditError(error, 'DB_BUSY')).toBe(true);
    expect(String((error as Error).message)).toContain(t.dataDir);
    const holder = JSON.parse(await readFile(join(t.dataDir, LOCK_FILE), 'utf8'));
    expect(holder.pid).toBe(process.pid);
  });

  it('breaks a lock left by a dead process', { timeout: 60_000 }, async () => {
    await t.release();
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid!;
    await new Promise((r) => dead.on('close', r));
    const path = join(t.dataDir, LOCK_FILE);
    await writeFile(
      path,
      JSON.stringify({ pid, host: hostname(), procStart: null, since: 'x', token: 'dead' }),
    );
    await t.reopen();
    const holder = JSON.parse(await readFile(path, 'utf8'));
    expect(holder.pid).toBe(process.pid);
  });

  it('obeys a fresh lock from another host and breaks a stale one', { timeout: 60_000 }, async () => {
    await t.release();
    const path = join(t.dataDir, LOCK_FILE);
    await writeFile(
      path,
      JSON.stringify({ pid: 1, host: 'elsewhere', procStart: null, since: 'x', token: 'other' }),
    );
    const error = await openDatabase({ dataDir: t.dataDir }).catch((e: unknown) => e);
    expect(isAuditError(error, 'DB_BUSY')).toBe(true);
    expect(String((error as Error).message)).toContain('process 1 on elsewhere');
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(path, old, old);
    await t.reopen();
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
  });
});
