/**
 * Shared pieces of the reliability suite: a simulated workspace with its administrator,
 * the environment and configuration of a run, a mail catcher that counts messages per
 * Message-ID, seeded workspace changes, and dumps of
 * everything a run leaves behind (history, every table, workbooks, emails).
 */
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { type Kysely, sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { type RunDeps, runAudit } from '../../src/pipeline/run-audit.js';
import { SimulatorAdmin } from '../../src/simulator/client.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { mulberry32, type Rng } from '../../src/simulator/prng.js';
import type { DatabaseHandle } from '../../src/store/index.js';
import type { Database } from '../../src/store/schema.js';
import type { TestDatabase } from '../helpers/database.js';

export const DAY = 86_400_000;
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export { mulberry32, type Rng };

// ---------------------------------------------------------------- the workspace

export interface Workspace {
  sim: RunningSimulator;
  admin: SimulatorAdmin;
}

export async function startWorkspace(options: SimulatorOptions = {}): Promise<Workspace> {
  const sim = await startSimulator({
    seed: 11,
    users: 24,
    groups: 4,
    membersPerGroup: 6,
    invites: 4,
    groupInvites: 3,
    writeLimitPerMinute: 100_000,
    ...options,
  });
  return { sim, admin: new SimulatorAdmin(sim) };
}

/** One seeded change of the workspace through its API; returns what it did. */
export async function mutate({ sim, admin }: Workspace, rng: Rng, step: number): Promise<string> {
  const truth = sim.truth();
  const pick = <T>(items: readonly T[]): T | undefined =>
    items.length === 0 ? undefined : items[Math.floor(rng() * items.length)];
  const users = truth.users;
  const roles = truth.roles.filter((r) => r.name !== 'Workspace Owner');
  const kinds = [
    'grant',
    'revoke',
    'join',
    'leave',
    'invite',
    'accept',
    'withdraw',
    'rename',
    'remove-user',
    'group',
  ] as const;
  const kind = kinds[step % kinds.length]!;
  const user = pick(users);
  switch (kind) {
    case 'grant': {
      const role = pick(roles);
      if (!user || !role) break;
      await admin.addUserPermissions(user.id, [
        { roleId: role.id, resources: [{ id: `src_${step}`, type: 'SOURCE' }] },
      ]);
      return `grant ${role.name} on src_${step} to ${user.id}`;
    }
    case 'revoke': {
      const holder = pick(users.filter((u) => u.permissions.length > 1));
      if (!holder) break;
      const kept = holder.permissions.slice(1).map((p) => ({
        roleId: p.roleId,
        resources: p.resources.map((r) => ({ id: r.id, type: r.type })),
      }));
      await admin.replaceUserPermissions(holder.id, kept);
      return `revoke a permission of ${holder.id}`;
    }
    case 'join': {
      const group = pick(truth.groups);
      const joiner = group && pick(users.filter((u) => !group.memberIds.includes(u.id)));
      if (!group || !joiner) break;
      await admin.addGroupMembers(group.id, [joiner.email]);
      return `${joiner.id} joins ${group.id}`;
    }
    case 'leave': {
      const group = pick(truth.groups.filter((g) => g.memberIds.length > 0));
      const leaver = group && pick(group.memberIds);
      if (!group || !leaver) break;
      await admin.removeGroupMembers(group.id, [truth.users.find((u) => u.id === leaver)!.email]);
      return `${leaver} leaves ${group.id}`;
    }
    case 'accept': {
      const email = pick(truth.invites);
      if (!email) break;
      // Signs up with the email in other case: the invite is accepted all the same.
      await admin.acceptInvite(email.toUpperCase(), `Joiner ${step}`);
      return `${email} accepts (as ${email.toUpperCase()})`;
    }
    case 'withdraw': {
      const email = pick(truth.invites);
      if (!email) break;
      await admin.deleteInvites([email]);
      return `withdraw ${email}`;
    }
    case 'rename': {
      if (!user) break;
      await admin.updateUser(user.id, { name: `${user.name} (${step})` });
      return `rename ${user.id}`;
    }
    case 'remove-user': {
      if (!user || users.length < 10) break;
      await admin.deleteUsers([user.id]);
      return `remove ${user.id}`;
    }
    case 'group': {
      const victim = pick(truth.groups);
      if (truth.groups.length > 3 && victim && rng() < 0.5) {
        await admin.deleteGroup(victim.id);
        return `delete group ${victim.id}`;
      }
      const role = pick(roles);
      const group = await admin.createGroup(`Team ${step}`);
      if (role) {
        await admin.addGroupPermissions(group.id, [
          { roleId: role.id, resources: [{ id: `space_${step}`, type: 'SPACE' }] },
        ]);
      }
      const member = pick(users);
      if (member) await admin.addGroupMembers(group.id, [member.email]);
      return `create group ${group.id}`;
    }
    case 'invite':
      break;
  }
  const email = `new.person.${step}@example.org`;
  await admin.createInvites([{ email }]);
  return `invite ${email}`;
}

// ---------------------------------------------------------------- configuration

export interface RunEnvOptions {
  reportsDir: string;
  smtpPort?: number;
  mailTo?: string;
  auditNow?: Date;
  extra?: Record<string, string>;
}

/** The environment of a run against this database and workspace (what the CLI reads). */
export function runEnv(t: TestDatabase, sim: { url: string; token: string }, o: RunEnvOptions) {
  const env: Record<string, string> = {
    SEGMENT_API_URL: sim.url,
    SEGMENT_API_TOKEN: sim.token,
    REPORTS_DIR: o.reportsDir,
    MAIL_TO: o.mailTo ?? 'auditors@example.com',
    ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl.reveal() } : { DATA_DIR: t.dataDir }),
    ...(o.smtpPort ? { SMTP_URL: `smtp://127.0.0.1:${o.smtpPort}` } : {}),
    ...(o.auditNow ? { AUDIT_NOW: o.auditNow.toISOString() } : {}),
    ...o.extra,
  };
  return env;
}

export function configOf(env: Record<string, string>): Config {
  return loadConfig(env, { segmentToken: true });
}

/** Fast retries for tests: the behaviour is the production one, the waits are short. */
const FAST_CRAWL: NonNullable<RunDeps['crawl']> = {
  requestTimeoutMs: 2_000,
  client: { minRetryDelayMs: 2, maxRetryDelayMs: 20 },
};

export function quietLogger(lines?: string[]): Logger {
  if (!lines) return createLogger({ level: 'silent', human: false });
  return createLogger({
    human: false,
    stream: {
      write(chunk: string) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
}

/** runAudit with test defaults; the error (if any) is returned, not thrown. */
export async function audit(
  handle: DatabaseHandle,
  env: Record<string, string>,
  deps: Partial<RunDeps> = {},
): Promise<Awaited<ReturnType<typeof runAudit>> | Error> {
  return runAudit(handle, configOf(env), {
    logger: quietLogger(),
    crawl: FAST_CRAWL,
    mailRetry: { retries: 1, minTimeoutMs: 10, maxTimeoutMs: 20, maxRetryTimeMs: 2_000 },
    ...deps,
  }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
}

// ---------------------------------------------------------------- mail

interface CaughtMessage {
  messageId: string;
  raw: Buffer;
}

export interface MailCatcher {
  port: number;
  messages: CaughtMessage[];
  /** Called when a message has been received, before the server answers 250. */
  onMessage: ((m: CaughtMessage) => void) | undefined;
  countsById(): Map<string, number>;
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const catcher: MailCatcher = {
    port: 0,
    messages: [],
    onMessage: undefined,
    countsById() {
      const counts = new Map<string, number>();
      for (const m of catcher.messages) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
      return counts;
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const header = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('utf8');
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(header)?.[1] ?? '(none)';
        const m = { messageId, raw };
        catcher.messages.push(m);
        catcher.onMessage?.(m);
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  catcher.port = (server.server.address() as { port: number }).port;
  catcher.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return catcher;
}

/** What makes two copies of a message "the same message": everything but MIME boundaries. */
export async function messageEssence(raw: Buffer) {
  const m = await simpleParser(raw);
  return {
    messageId: m.messageId,
    date: m.date?.toISOString(),
    subject: m.subject,
    to: m.to && !Array.isArray(m.to) ? m.to.text : undefined,
    text: m.text,
    html: m.html,
    attachments: m.attachments.map((a) => ({ name: a.filename, checksum: a.checksum, size: a.size })),
  };
}

// ---------------------------------------------------------------- dumps

/** Every table of schema audit, every row as text (for searching, not comparing). */
export async function dumpAllTables(db: Kysely<Database>): Promise<Record<string, string>> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'audit' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  const out: Record<string, string> = {};
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`
      SELECT t::text AS row FROM ${sql.table(`audit.${table_name}`)} AS t`.execute(db);
    out[table_name] = rows.rows.map((r) => r.row).join('\n');
  }
  return out;
}

/** Every entry of a zip (an .xlsx) as text. */
export async function unzipText(path: string): Promise<string> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const parts: string[] = [];
  for (const name of Object.keys(zip.files).sort()) {
    const f = zip.file(name);
    if (f) parts.push(await f.async('string'));
  }
  return parts.join('\n');
}

/** Files of a directory (recursively), relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Snapshot rows: id, status, taken_at. */
export async function snapshotRows(db: Kysely<Database>) {
  const r = await sql<{ id: number; status: string; taken_at: Date; error: string | null }>`
    SELECT id, status, taken_at, error FROM audit.snapshots ORDER BY id`.execute(db);
  return r.rows.map((s) => ({ ...s, id: Number(s.id) }));
}
