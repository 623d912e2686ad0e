import { readFile, stat } from 'node:fs/promises';
import { AuditError } from '../errors.js';
import type { RosterEntry } from '../model/roster.js';
import { MAX_ROSTER_BYTES, parseRoster, type RosterSource } from './parse.js';

/**
 * A roster file read and validated: a regular file of sensible size (checked before it is
 * read, so a wrong path to a huge file or a device fails fast), then parseRoster.
 */
export async function readRosterFile(path: string, source: RosterSource): Promise<RosterEntry[]> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
    if (info.size > MAX_ROSTER_BYTES) {
      throw new AuditError(
        source.code,
        `${source.where} is larger than ${MAX_ROSTER_BYTES / 1024 / 1024} MiB: it is not a roster CSV; nothing was imported`,
        { details: { file: source.where } },
      );
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof AuditError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AuditError(source.code, `${source.where} cannot be read: ${code}; nothing was imported`, {
      cause: error,
      details: { file: source.where },
    });
  }
  return parseRoster(bytes, source);
}
