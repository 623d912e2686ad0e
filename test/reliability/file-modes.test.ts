/**
 * Files and directories the tool writes are its own user's alone (0600 / 0700) whatever
 * the umask: a whole audit run with umask 000 — the embedded database (PGlite writes its
 * files 0666 through its own file system layer), its directory lock, the report and its
 * temporary file, the outbox's .eml — leaves nothing readable by anyone else. A report
 * written with `--out` to an existing directory leaves that directory's mode alone.
 * (The embedded database is opened here whatever TEST_DATABASE_URL says: it is the one
 * whose files are at stake.)
 */
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/pipeline/run-audit.js';
import { writeReport } from '../../src/report/index.js';
import { LOCK_FILE } from '../../src/store/dir-lock.js';
import { type DatabaseHandle, loadReportData, openDatabase } from '../../src/store/index.js';
import { configOf, quietLogger, startWorkspace, type Workspace } from './helpers.js';

let root: string;
let ws: Workspace;
let previousUmask: number;

beforeAll(async () => {
  previousUmask = process.umask(0o000);
  root = await mkdtemp(join(tmpdir(), 'access-audit-modes-'));
  ws = await startWorkspace({ seed: 5, users: 8, groups: 2, invites: 2 });
});

afterAll(async () => {
  process.umask(previousUmask);
  await ws?.sim.close();
  await rm(root, { recursive: true, force: true });
});

/** Every entry under dir with a mode other than 0600 (files) or 0700 (directories). */
async function notPrivate(dir: string): Promise<{ files: number; open: string[] }> {
  const open: string[] = [];
  let files = 0;
  const visit = async (path: string) => {
    const info = await lstat(path);
    const mode = info.mode & 0o777;
    if (info.isDirectory()) {
      if (mode !== 0o700) open.push(`${path} ${mode.toString(8)}`);
      for (const name of await readdir(path)) await visit(join(path, name));
    } else {
      files++;
      if (mode !== 0o600) open.push(`${path} ${mode.toString(8)}`);
    }
  };
  await visit(dir);
  return { files, open };
}

describe('with umask 000', () => {
  let handle: DatabaseHandle;
  const dataDir = () => join(root, 'data');
  const reportsDir = () => join(root, 'reports');

  it('the umask really is 000 here (files created without a mode are 0666)', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(root, 'probe'), 'x');
    expect((await stat(join(root, 'probe'))).mode & 0o777).toBe(0o666);
    await rm(join(root, 'probe'));
  });

  it('the embedded database and its lock are private while open', { timeout: 120_000 }, async () => {
    handle = await openDatabase({ dataDir: dataDir(), logger: quietLogger() });
    expect((await stat(join(dataDir(), LOCK_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir())).mode & 0o777).toBe(0o700);
    const { files, open } = await notPrivate(dataDir());
    expect(files).toBeGreaterThan(500); // PGlite's cluster: hundreds of files
    expect(open).toEqual([]);
  });

  it('a whole run writes its report and .eml 0600 in 0700 directories', { timeout: 120_000 }, async () => {
    // A REPORTS_DIR that exists already, open to all, is made private.
    await mkdir(reportsDir(), { mode: 0o777 });
    const config = configOf({
      SEGMENT_API_URL: ws.sim.url,
      SEGMENT_API_TOKEN: ws.sim.token,
      REPORTS_DIR: reportsDir(),
      DATA_DIR: dataDir(),
      MAIL_TO: 'auditors@example.com',
    });
    const result = await runAudit(handle, config, { logger: quietLogger() });
    expect(result.email.status).toBe('outbox');
    const { files, open } = await notPrivate(reportsDir());
    expect(files).toBe(2); // the report and the .eml; no temporary file left
    expect(open).toEqual([]);
  });

  it('the database files stay private after it closes (files PGlite created while running)', async () => {
    await handle.close();
    const { files, open } = await notPrivate(dataDir());
    expect(files).toBeGreaterThan(500);
    expect(open).toEqual([]);
  });

  it('report --out writes a 0600 file and leaves an existing directory as it was', {
    timeout: 60_000,
  }, async () => {
    const outDir = join(root, 'elsewhere');
    await mkdir(outDir);
    await chmod(outDir, 0o755);
    const reopened = await openDatabase({ dataDir: dataDir(), logger: quietLogger() });
    try {
      const data = await loadReportData(reopened.db, {
        snapshotId: 1,
        timezone: 'UTC',
        toolVersion: 'test',
        generatedAt: new Date(),
      });
      const written = await writeReport(data, { dir: reportsDir(), outPath: join(outDir, 'out.xlsx') });
      expect((await stat(written.path)).mode & 0o777).toBe(0o600);
      expect((await stat(outDir)).mode & 0o777).toBe(0o755);
    } finally {
      await reopened.close();
    }
  });
});
