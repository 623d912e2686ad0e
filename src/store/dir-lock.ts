/**
 * An exclusive lock on the embedded database's directory, so that one process at a time
 * owns DATA_DIR. PGlite is Postgres in this process: two processes opening the same files
 * would corrupt them, and the socket's shared session makes advisory locks useless here.
 *
 * The lock is a file created with O_EXCL (atomic on local file systems) holding the
 * owner's pid, host, process start time and a random token. A lock left by a dead process
 * is broken, never obeyed forever:
 * - same host: the pid is gone (ESRCH), or it now names another process (its start time
 *   in /proc differs, or it is this very process without holding the lock: pid reuse
 *   after a container restart);
 * - another host (a second container on a shared volume): the owner refreshes the file's
 *   mtime every HEARTBEAT_MS; one not refreshed for STALE_AFTER_MS is stale.
 * Breaking is itself serialized by a `.break` directory (mkdir is atomic), so two
 * newcomers cannot both break and both win.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, readFile, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { AuditError } from '../errors.js';
import { makePrivateDir, PRIVATE_DIR, PRIVATE_FILE } from '../files/private.js';

export const LOCK_FILE = 'access-audit.lock';
const HEARTBEAT_MS = 10_000;
const STALE_AFTER_MS = 120_000;
const BREAK_STALE_MS = 30_000;

interface Holder {
  pid: number;
  host: string;
  procStart: string | null;
  since: string;
  token: string;
}

export interface DirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Tokens of the locks this process holds (to tell "held by us" from pid reuse). */
const held = new Map<string, string>();
let exitHookInstalled = false;

function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count from ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: Holder, path: string, mtimeMs: number): boolean {
  if (holder.host !== hostname()) return Date.now() - mtimeMs < STALE_AFTER_MS;
  if (holder.pid === process.pid) return held.get(path) === holder.token;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = procStart(holder.pid);
  return !(start !== null && holder.procStart !== null && start !== holder.procStart);
}

async function readHolder(path: string): Promise<{ holder: Holder | null; mtimeMs: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    try {
      return { holder: JSON.parse(text) as Holder, mtimeMs: info.mtimeMs };
    } catch {
      return { holder: null, mtimeMs: info.mtimeMs };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function busy(dir: string, holder: Holder | null): AuditError {
  const who = holder
    ? `process ${holder.pid} on ${holder.host} since ${holder.since}`
    : 'a process that is starting';
  return new AuditError(
    'DB_BUSY',
    `another audit run is in progress on this database: the embedded database in DATA_DIR (${dir}) is held by ${who} (lock file ${join(dir, LOCK_FILE)}); ` +
      'one process at a time may use DATA_DIR: stop the other one, or set DATABASE_URL to a Postgres server that all instances share',
    { details: { dataDir: dir, pid: holder?.pid } },
  );
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Best effort on a normal exit; a killed process leaves a stale lock that is broken.
  process.once('exit', () => {
    for (const [path, token] of held) {
      try {
        const holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
        if (holder.token === token) unlinkSync(path);
      } catch {
        // already gone
      }
    }
  });
}

async function breakStale(dir: string, path: string, staleToken: string | null): Promise<void> {
  const breaker = `${path}.break`;
  try {
    await mkdir(breaker, { mode: PRIVATE_DIR });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(breaker).catch(() => null);
    if (info && Date.now() - info.mtimeMs > BREAK_STALE_MS) await rmdir(breaker).catch(() => {});
    throw busy(dir, null);
  }
  try {
    const again = await readHolder(path);
    // Only remove the very lock judged stale: someone may have replaced it meanwhile.
    if (again && (again.holder?.token ?? null) === staleToken) await unlink(path).catch(() => {});
  } finally {
    await rmdir(breaker).catch(() => {});
  }
}

export async function lockDirectory(dir: string): Promise<DirLock> {
  await makePrivateDir(dir); // the embedded database lives here: this user's alone
  const path = join(resolve(dir), LOCK_FILE);
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    procStart: procStart(process.pid),
    since: new Date().toISOString(),
    token: randomBytes(16).toString('hex'),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', PRIVATE_FILE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const found = await readHolder(path);
      if (found === null) continue; // released meanwhile: try again
      const { holder, mtimeMs } = found;
      // An unparseable file is a lock being written right now, unless it is old.
      const alive = holder ? isAlive(holder, path, mtimeMs) : Date.now() - mtimeMs < BREAK_STALE_MS;
      if (alive) throw busy(dir, holder);
      await breakStale(dir, path, holder?.token ?? null);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    held.set(path, me.token);
    installExitHook();
    const heartbeat = setInterval(() => {
      const now = new Date();
      utimes(path, now, now).catch(() => {});
    }, HEARTBEAT_MS);
    heartbeat.unref();
    let released = false;
    return {
      path,
      async release() {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        const current = await readHolder(path).catch(() => null);
        if (current?.holder?.token === me.token) await unlink(path).catch(() => {});
        held.delete(path);
      },
    };
  }
  throw busy(dir, null);
}
