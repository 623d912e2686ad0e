import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * Everything the tool writes is its own user's alone (contract, "Files and secrets"):
 * files 0600, directories 0700, whatever the umask. A mode given at creation can only be
 * narrowed by the umask, never widened, so creating with these modes is enough for our
 * own writes; a directory that already existed gets its mode set explicitly. Code we do
 * not control (PGlite writes its files through its own file system layer, 0666) is
 * brought into line by privatizeTree.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * Creates the directory and its missing parents, each 0700; an existing one is left as
 * it is. Not `mkdir(…, { recursive: true })`: under /proc, where mkdir answers ENOENT
 * for a parent that exists, Node's recursive mkdir loops forever (it hung `run` with
 * REPORTS_DIR=/proc/x); this one climbs at most once per path component.
 */
export async function createDirs(dir: string): Promise<void> {
  const path = resolve(dir);
  try {
    await mkdir(path, { mode: PRIVATE_DIR });
    return;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return; // a file there is the caller's to find out
    const parent = dirname(path);
    if (codeOf(error) !== 'ENOENT' || parent === path) throw error;
  }
  await createDirs(dirname(path));
  try {
    await mkdir(path, { mode: PRIVATE_DIR });
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
  }
}

/** Creates the directory (and missing parents) 0700, and makes an existing one 0700. */
export async function makePrivateDir(dir: string): Promise<void> {
  await createDirs(dir);
  try {
    await chmod(dir, PRIVATE_DIR);
  } catch (error) {
    // A directory owned by someone else (a shared mount): our files in it are still 0600.
    if (codeOf(error) !== 'EPERM') throw error;
  }
}

/**
 * Sets every file under root to 0600 and every directory to 0700 (root included); links
 * are not followed. Returns how many entries it had to change.
 */
export async function privatizeTree(root: string): Promise<number> {
  let changed = 0;
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => null);
    if (info === null || info.isSymbolicLink()) return; // gone meanwhile, or not ours to follow
    const wanted = info.isDirectory() ? PRIVATE_DIR : PRIVATE_FILE;
    if ((info.mode & 0o777) !== wanted) {
      await chmod(path, wanted).catch(() => {});
      changed++;
    }
    if (info.isDirectory()) {
      const names = await readdir(path).catch(() => [] as string[]);
      for (const name of names) await visit(join(path, name));
    }
  };
  await visit(root);
  return changed;
}
