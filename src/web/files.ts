import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORT_FILE_NAME } from '../model/files.js';

/**
 * Resolves a requested report name to an open file inside the reports directory, or
 * undefined. Defence in layers, because this is the one place a URL becomes a path:
 * 1. only names shaped like our reports (no separators, no dots but the extension);
 * 2. the entry checked with lstat is a regular file with exactly one link (a hard link
 *    under a report name could point at any file of this user);
 * 3. it is opened with O_NOFOLLOW (a symbolic link swapped in after the check fails to
 *    open instead of being followed), and the opened file must be the very one checked:
 *    same device and inode, still one link, still a regular file.
 * The path is joined to the real reports directory and opened as is: no realpath of the
 * candidate, so no window between resolving a name and opening it.
 */
export async function openReport(
  reportsDir: string,
  name: string,
): Promise<{ file: FileHandle; size: number } | undefined> {
  if (!REPORT_FILE_NAME.test(name)) return undefined;
  let file: FileHandle | undefined;
  try {
    const candidate = join(await realpath(reportsDir), name);
    const checked = await lstat(candidate);
    if (!checked.isFile() || checked.nlink !== 1) return undefined;
    file = await open(candidate, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const opened = await file.stat();
    const same = opened.dev === checked.dev && opened.ino === checked.ino;
    if (!same || !opened.isFile() || opened.nlink !== 1) {
      await file.close();
      return undefined;
    }
    return { file, size: opened.size };
  } catch {
    await file?.close().catch(() => {});
    return undefined;
  }
}
