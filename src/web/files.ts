import type { FileHandle } from 'node:fs/promises';
import { lstat, open, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { REPORT_FILE_NAME } from '../model/files.js';

/**
 * Resolves a requested report name to an open file inside the reports directory, or
 * undefined. Defence in layers, because this is the one place a URL becomes a path:
 * 1. only names shaped like our reports (no separators, no dots but the extension);
 * 2. no symbolic link, only a regular file;
 * 3. the real path still lies inside the real reports directory.
 */
export async function openReport(
  reportsDir: string,
  name: string,
): Promise<{ file: FileHandle; size: number } | undefined> {
  if (!REPORT_FILE_NAME.test(name)) return undefined;
  try {
    const root = await realpath(reportsDir);
    const candidate = join(root, name);
    const info = await lstat(candidate);
    if (!info.isFile()) return undefined;
    const real = await realpath(candidate);
    if (!real.startsWith(root + sep)) return undefined;
    const file = await open(real, 'r');
    const stat = await file.stat();
    return { file, size: stat.size };
  } catch {
    return undefined;
  }
}
