import type { Config } from '../config.js';
import type { RosterEntry } from '../model/roster.js';
import { readRosterFile } from '../roster/index.js';

/**
 * ROSTER_FILE, re-read by every run: read and validated before the run takes its lock or
 * begins a snapshot, so a bad file fails the run at once (exit 2 naming the variable)
 * with nothing recorded. undefined: no ROSTER_FILE.
 */
export async function configuredRoster(
  config: Pick<Config, 'rosterFile'>,
): Promise<RosterEntry[] | undefined> {
  if (config.rosterFile === undefined) return undefined;
  return readRosterFile(config.rosterFile, {
    where: `ROSTER_FILE (${config.rosterFile})`,
    code: 'CONFIG_INVALID',
  });
}
