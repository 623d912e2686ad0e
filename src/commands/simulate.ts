/**
 * `access-audit simulate`: serves a simulated Segment workspace until SIGINT/SIGTERM.
 * Prints exactly `url: …` and `token: …` on stdout once listening (scripts read them);
 * a one-line summary goes to stderr.
 */
import type { Command } from 'commander';
import { AuditError } from '../errors.js';
import { type FaultOptions, type SimulatorOptions, startSimulator } from '../simulator/index.js';
import type { CommandContext } from './context.js';
import { watchStopSignals } from './signals.js';

interface RawOptions {
  port?: string;
  host?: string;
  token?: string;
  seed?: string;
  users?: string;
  groups?: string;
  membersPerGroup?: string;
  invites?: string;
  groupInvites?: string;
  detailOnly?: boolean;
  inlinePermissions?: boolean;
  omitTotal?: boolean;
  maxPageCount?: string;
  rateLimit?: string;
  writeLimit?: string;
  latencyMs?: string;
  slowRate?: string;
  slowMs?: string;
  serverErrorRate?: string;
  dropRate?: string;
  malformedRate?: string;
  missingFieldRate?: string;
  faultSeed?: string;
  /** commander's --no-audit-trail: false when given. */
  auditTrail?: boolean;
  auditRetentionDays?: string;
}

function whole(
  flag: string,
  value: string | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new AuditError('USAGE', `${flag} must be a whole number from ${min} to ${max} (got '${value}')`);
  }
  return n;
}

function fraction(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new AuditError('USAGE', `${flag} must be a fraction from 0 to 1 (got '${value}')`);
  }
  return n;
}

function rateLimit(value: string | undefined): SimulatorOptions['rateLimit'] {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const limit = Number(m?.[1]);
  const windowMs = Number(m?.[2]);
  if (!m || limit < 1 || windowMs < 1) {
    throw new AuditError('USAGE', `--rate-limit must be REQUESTS/WINDOW-MS, e.g. 20/1000 (got '${value}')`);
  }
  return { limit, windowMs };
}

function listPermissions(raw: RawOptions): boolean | undefined {
  if (raw.detailOnly && raw.inlinePermissions) {
    throw new AuditError('USAGE', '--detail-only and --inline-permissions contradict each other: give one');
  }
  return raw.detailOnly ? false : raw.inlinePermissions ? true : undefined;
}

/** Command-line flags → simulator options; a bad value names its flag (exit 2). */
export function simulatorOptionsFrom(raw: RawOptions): SimulatorOptions {
  const faults: FaultOptions = {};
  const set = <K extends keyof FaultOptions>(key: K, value: FaultOptions[K] | undefined) => {
    if (value !== undefined) faults[key] = value;
  };
  set('seed', whole('--fault-seed', raw.faultSeed));
  set('latencyMs', whole('--latency-ms', raw.latencyMs));
  set('slowRate', fraction('--slow-rate', raw.slowRate));
  set('slowMs', whole('--slow-ms', raw.slowMs));
  set('serverErrorRate', fraction('--server-error-rate', raw.serverErrorRate));
  set('dropRate', fraction('--drop-rate', raw.dropRate));
  set('malformedRate', fraction('--malformed-rate', raw.malformedRate));
  set('missingFieldRate', fraction('--missing-field-rate', raw.missingFieldRate));
  if (raw.token !== undefined && !/^[\x21-\x7e]+$/.test(raw.token)) {
    throw new AuditError('USAGE', '--token must be printable ASCII without spaces');
  }
  const options: SimulatorOptions = {
    port: whole('--port', raw.port, 0, 65_535),
    seed: whole('--seed', raw.seed, 0, 2 ** 32 - 1),
    users: whole('--users', raw.users, 0, 1_000_000),
    groups: whole('--groups', raw.groups, 0, 100_000),
    membersPerGroup: whole('--members-per-group', raw.membersPerGroup, 0, 1_000_000),
    invites: whole('--invites', raw.invites, 0, 1_000_000),
    groupInvites: whole('--group-invites', raw.groupInvites, 0, 1_000_000),
    writeLimitPerMinute: whole('--write-limit', raw.writeLimit, 1),
    rateLimit: rateLimit(raw.rateLimit),
    inlinePermissions: listPermissions(raw),
    omitTotalEntries: raw.omitTotal === true,
    maxPageCount: whole('--max-page-count', raw.maxPageCount, 1, 1000),
    faults: Object.keys(faults).length > 0 ? faults : undefined,
    auditTrail:
      raw.auditTrail === false || raw.auditRetentionDays !== undefined
        ? {
            enabled: raw.auditTrail !== false,
            retentionDays: whole('--audit-retention-days', raw.auditRetentionDays, 1, 3650),
          }
        : undefined,
  };
  if (raw.host !== undefined) options.host = raw.host;
  if (raw.token !== undefined) options.token = raw.token;
  // Leave unset options out so the simulator's own defaults apply.
  for (const key of Object.keys(options) as (keyof SimulatorOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}

export function registerSimulate(program: Command, { io }: CommandContext): void {
  program
    .command('simulate')
    .description('serve a simulated Segment workspace (Public API read and write operations) until stopped')
    .option('--port <n>', 'port to listen on (0: any free port)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', 'bearer token to accept (default: a random sim_… token)')
    .option('--seed <n>', 'the same seed gives the same workspace', '1')
    .option('--users <n>', 'users', '50')
    .option('--groups <n>', 'user groups', '5')
    .option('--members-per-group <n>', 'average members per group (default min(40, users/2))')
    .option('--invites <n>', 'pending workspace invites', '5')
    .option('--group-invites <n>', 'pending group invites in total', '3')
    .option('--detail-only', 'no list carries permissions (clients must GET each user and group)')
    .option(
      '--inline-permissions',
      'user lists carry permissions too (default: only group lists, as the real API)',
    )
    .option('--omit-total', 'pages carry no totalEntries')
    .option(
      '--max-page-count <n>',
      'largest pagination.count accepted (default 1000; 200: older API versions)',
    )
    .option('--rate-limit <n/ms>', 'read requests per fixed window, e.g. 20/1000')
    .option('--write-limit <n>', 'requests a minute per write endpoint (default 60)')
    .option('--latency-ms <n>', 'added to every response')
    .option('--slow-rate <f>', 'fraction of reads delayed by --slow-ms')
    .option('--slow-ms <n>', 'delay of a slow response')
    .option('--server-error-rate <f>', 'fraction of reads answered 500/502/503')
    .option('--drop-rate <f>', 'fraction of reads whose connection is dropped')
    .option('--malformed-rate <f>', 'fraction of 200 reads with a truncated body')
    .option('--missing-field-rate <f>', 'fraction of list pages with an item missing a required field')
    .option('--fault-seed <n>', 'seed of the fault dice')
    .option('--no-audit-trail', 'GET /audit-events refused, as for a workspace without the Business plan')
    .option('--audit-retention-days <n>', 'days the audit trail keeps its events (default 90)')
    .action(async (raw: RawOptions) => {
      const simulator = await startSimulator(simulatorOptionsFrom(raw));
      const stopped = watchStopSignals().signal;
      const truth = simulator.truth();
      io.stdout.write(`url: ${simulator.url}\ntoken: ${simulator.token}\n`);
      io.stderr.write(
        `simulated workspace "${truth.workspace.name}": ${truth.users.length} users, ${truth.groups.length} groups, ` +
          `${truth.invites.length} invites; Ctrl-C stops it\n`,
      );
      await stopped;
      await simulator.close();
    });
}
