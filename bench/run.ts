/**
 * End-to-end benchmark (issue 4): `run` — crawl → snapshot → diff → report → email — on a
 * large simulated workspace, as the product runs it:
 *   - the simulator in its own process (`access-audit simulate`, its `url:`/`token:` lines);
 *   - real PostgreSQL: a scratch database on BENCH_DATABASE_URL (default
 *     postgres://postgres@127.0.0.1:5432/postgres), created and dropped here;
 *   - a local SMTP server (smtp-server, in this process);
 *   - the run itself in a child process running the compiled code (dist/, built first),
 *     so its peak RSS (process.resourceUsage().maxRSS) is the run's alone.
 * Three runs per size: the baseline twice (each into a fresh database: the whole run's time
 * and the ratio take the faster, the machine's speed drifting within minutes), then a week
 * later after a batch of changes made through the simulator's API (the weekly case: diff,
 * permission changes). Printed: wall time of
 * each stage (RunResult.times), the run's total, the whole process, peak RSS, rows.
 *
 * Targets (issue 14, the real API's shape: one GET /users/{id} per user): 20,000 users
 * (≈100,000 Access Review rows): whole run ≤ 10 s, peak RSS ≤ 300 MB; 100,000 users: peak
 * RSS ≤ 1.5× and run time ≤ 5× (no faster than the user count) the 20,000-user figures,
 * report ≤ 10 s.
 *
 * The latency part (benchLatency): 1,500 users behind 50 ms of latency, the whole run
 * against the naive sequential walk (bench/naive.ts) of the same simulator, side by side.
 *
 *   npm run bench -- run            both sizes
 *   BENCH_RUN_USERS=20000 npm run bench -- run
 *   npm run bench -- latency
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { naiveWalk } from './naive.js';
import { adminStatement, build, productChild, type SimulatorProcess, spawnSimulator } from './processes.js';
import { record } from './results.js';

const MB = 1024 * 1024;

interface Smtp {
  port: number;
  messages: { bytes: number }[];
  close(): Promise<void>;
}

async function startSmtp(): Promise<Smtp> {
  const messages: { bytes: number }[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 64 * MB,
    onData(stream, _session, callback) {
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      stream.on('end', () => {
        messages.push({ bytes });
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as { port: number }).port,
    messages,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** What the child prints (one JSON line on stdout). */
interface ChildReport {
  openMs: number;
  runMs: number;
  times: { crawlMs: number; storeMs: number; reportMs: number; mailMs: number };
  maxRssKiB: number;
  snapshotId: number;
  users: number;
  accessRows: number;
  permissionChanges: number;
  changes: number;
  reportBytes: number;
  email: string;
  /** Peak RSS / V8 heap used (MB) sampled every 20 ms within each stage. */
  stagePeaks: Record<string, { rssMB: number; heapMB: number }>;
  /** The run process's CPU time in the report stage (null if a stage mark was missing). */
  reportCpuMs: number | null;
}

async function runChild(env: NodeJS.ProcessEnv): Promise<ChildReport & { processMs: number }> {
  const started = performance.now();
  const report = await productChild<ChildReport>('run', CHILD, '{"openMs"', env);
  return { ...report, processMs: performance.now() - started };
}

/** Changes an administrator might make in a week, through the simulator's API. */
async function weekOfChanges(sim: SimulatorProcess): Promise<string> {
  const { SimulatorAdmin } = await import('../src/simulator/client.js');
  const a = new SimulatorAdmin(sim);
  const get = async (path: string) => {
    const r = await fetch(`${sim.url}${path}`, {
      headers: { authorization: `Bearer ${sim.token}`, accept: 'application/vnd.segment.v1+json' },
    });
    return ((await r.json()) as { data: Record<string, unknown> }).data;
  };
  const users = (await get('/users?pagination.count=200')).users as { id: string; email: string }[];
  const groups = (await get('/groups?pagination.count=20')).userGroups as { id: string }[];
  const roles = (await get('/roles?pagination.count=200')).roles as { id: string; name: string }[];
  const workspace = (await get('/')).workspace as { id: string };
  const member = roles.find((r) => r.name === 'Workspace Member') ?? roles[0]!;
  const leaving = users.slice(0, 50).map((u) => u.id);
  await a.deleteUsers(leaving);
  const joiners = users.slice(50, 150).map((u) => u.email);
  await a.addGroupMembers(groups[0]!.id, joiners);
  await a.addGroupPermissions(groups[1]!.id, [
    { roleId: member.id, resources: [{ id: workspace.id, type: 'WORKSPACE' }] },
  ]);
  for (const u of users.slice(150, 170)) {
    await a.addUserPermissions(u.id, [
      { roleId: member.id, resources: [{ id: workspace.id, type: 'WORKSPACE' }] },
    ]);
  }
  await a.createInvites(Array.from({ length: 20 }, (_, i) => ({ email: `bench.new.${i}@example.org` })));
  return '50 users removed, 100 joined a group, a group grant, 20 user grants, 20 invites';
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A scratch database, an SMTP server and a reports directory for runs against `sim`. */
async function runPlace(sim: SimulatorProcess, serverUrl: string) {
  const dbName = `bench_run_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminStatement(serverUrl, `CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const smtp = await startSmtp();
  const reportsDir = await mkdtemp(join(tmpdir(), 'bench-run-'));
  let closed = false;
  return {
    smtp,
    env: (auditNow: string): NodeJS.ProcessEnv => ({
      SEGMENT_API_URL: sim.url,
      SEGMENT_API_TOKEN: sim.token,
      DATABASE_URL: dbUrl.toString(),
      REPORTS_DIR: reportsDir,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_TO: 'security@example.com',
      AUDIT_NOW: auditNow,
      LOG_LEVEL: 'warn',
    }),
    close: async () => {
      if (closed) return;
      closed = true;
      await smtp.close();
      await adminStatement(serverUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await rm(reportsDir, { recursive: true, force: true });
    },
  };
}

interface SizeFigures {
  /** The faster baseline run's time (runAudit), the slowest report and the worst peak RSS of the three runs. */
  runMs: number;
  reportMs: number;
  maxRssKiB: number;
}

function printRun(users: number, label: string, r: ChildReport & { processMs: number }, smtp: Smtp): void {
  const t = r.times;
  console.log(
    `run ${users.toLocaleString('en-US')} users, ${label}: crawl ${sec(t.crawlMs)} | store ${sec(t.storeMs)} | ` +
      `report ${sec(t.reportMs)} (CPU ${r.reportCpuMs === null ? '?' : sec(r.reportCpuMs)}) | mail ${sec(t.mailMs)} | run total ${sec(r.runMs)} ` +
      `(+ open/migrate ${sec(r.openMs)}; whole process ${sec(r.processMs)}) | peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MB | ` +
      `${r.accessRows.toLocaleString('en-US')} Access Review rows, ${r.permissionChanges} permission changes, ` +
      `${r.changes} change rows, report ${(r.reportBytes / MB).toFixed(1)} MB, email ${r.email}, ` +
      `message ${((smtp.messages.at(-1)?.bytes ?? 0) / MB).toFixed(1)} MB`,
  );
  console.log(
    `run ${users.toLocaleString('en-US')} users, ${label}: peak RSS / heap by stage: ` +
      Object.entries(r.stagePeaks)
        .map(([stage, p]) => `${stage} ${p.rssMB}/${p.heapMB} MB`)
        .join(', '),
  );
}

async function benchSize(users: number, serverUrl: string): Promise<SizeFigures> {
  const groups = Math.max(1, Math.round(users / 40));
  const sim = await spawnSimulator([
    '--seed',
    '1',
    '--users',
    String(users),
    '--groups',
    String(groups),
    '--members-per-group',
    '40',
    '--invites',
    String(users / 10),
    '--group-invites',
    String(groups),
  ]);
  // Two baselines, each into a database of its own: this machine's speed drifts by a third
  // within minutes, and the run time and the 100,000 ÷ 20,000 ratio take the faster one.
  const first = await runPlace(sim, serverUrl);
  const place = await runPlace(sim, serverUrl);
  try {
    const once = await runChild(first.env('2026-01-05T06:00:00Z'));
    printRun(users, 'baseline', once, first.smtp);
    await first.close();
    const baseline = await runChild(place.env('2026-01-05T06:00:00Z'));
    printRun(users, 'baseline again', baseline, place.smtp);
    const what = await weekOfChanges(sim);
    console.log(`run ${users.toLocaleString('en-US')} users: changes made: ${what}`);
    const later = await runChild(place.env('2026-01-12T06:00:00Z'));
    printRun(users, 'a week later', later, place.smtp);
    const runs = [once, baseline, later];
    return {
      runMs: Math.min(once.runMs, baseline.runMs),
      reportMs: Math.max(...runs.map((r) => r.times.reportMs)),
      maxRssKiB: Math.max(...runs.map((r) => r.maxRssKiB)),
    };
  } finally {
    await first.close();
    await place.close();
    await sim.stop();
  }
}

/** Figures of one size for the table: the whole run, its peak RSS and its report. */
function recordSize(users: number, f: SizeFigures): void {
  const k = `${users / 1000}k`;
  const small = users === 20_000;
  record(
    {
      figure: `run ${k} users (baseline, faster of two): whole run`,
      value: sec(f.runMs),
      ...(small ? { target: '≤ 10 s', ok: f.runMs <= 10_000 } : {}),
    },
    {
      figure: `run ${k} users: peak RSS (worst of the three runs)`,
      value: `${(f.maxRssKiB / 1024).toFixed(0)} MB`,
      ...(small ? { target: '≤ 300 MB', ok: f.maxRssKiB <= 300 * 1024 } : {}),
    },
    {
      figure: `run ${k} users: report stage (slowest of the three runs)`,
      value: sec(f.reportMs),
      ...(users === 100_000 ? { target: '≤ 10 s', ok: f.reportMs <= 10_000 } : {}),
    },
  );
}

export async function benchRun(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const sizes = (process.env.BENCH_RUN_USERS ?? '20000,100000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  await build();
  const figures = new Map<number, SizeFigures>();
  for (const users of sizes) {
    const f = await benchSize(users, serverUrl);
    figures.set(users, f);
    recordSize(users, f);
  }
  const small = figures.get(20_000);
  const large = figures.get(100_000);
  if (small && large) {
    const rss = large.maxRssKiB / small.maxRssKiB;
    const time = large.runMs / small.runMs;
    console.log(
      `run: 100,000 ÷ 20,000 users: peak RSS ${rss.toFixed(2)} (≤ 1.5), run time ${time.toFixed(2)} (≤ 5)`,
    );
    record(
      { figure: 'run 100k ÷ 20k users: peak RSS', value: rss.toFixed(2), target: '≤ 1.5', ok: rss <= 1.5 },
      {
        figure: 'run 100k ÷ 20k users: run time (users ×5)',
        value: time.toFixed(2),
        target: '≤ 5',
        ok: time <= 5,
      },
    );
  }
}

/**
 * 50 ms of latency on every answer (1,500 users, 40 groups, the real API's shape): the
 * naive sequential walk, then the whole product run, against the same simulator.
 */
export async function benchLatency(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  await build();
  const shape = { users: 1500, groups: 40, 'members-per-group': 40, invites: 150, 'group-invites': 40 };
  const sim = await spawnSimulator([
    '--seed',
    '1',
    ...Object.entries(shape).flatMap(([flag, n]) => [`--${flag}`, String(n)]),
    '--latency-ms',
    '50',
  ]);
  const place = await runPlace(sim, serverUrl);
  try {
    const naive = await naiveWalk(sim.url, sim.token);
    console.log(`latency 50 ms: naive sequential walk: ${naive.requests} requests, ${sec(naive.wallMs)}`);
    const run = await runChild(place.env('2026-01-05T06:00:00Z'));
    printRun(1500, 'latency 50 ms', run, place.smtp);
    const speedup = naive.wallMs / run.runMs;
    console.log(
      `latency 50 ms: whole run ${sec(run.runMs)}, ${speedup.toFixed(1)}× faster than the naive walk`,
    );
    record(
      { figure: 'latency 50 ms, 1,500 users: naive sequential walk', value: sec(naive.wallMs) },
      { figure: 'latency 50 ms, 1,500 users: whole run', value: sec(run.runMs) },
      {
        figure: 'latency 50 ms: naive walk ÷ whole run',
        value: `${speedup.toFixed(1)}×`,
        target: '≥ 5×',
        ok: speedup >= 5,
      },
    );
  } finally {
    await place.close();
    await sim.stop();
  }
}

/**
 * The child: one `run` as the command does it (config, open + migrate, runAudit), with the
 * compiled code in dist/ — as shipped, and without the tsx loader, which alone adds ~90 MB
 * of RSS to a process loading this code base. Prints its figures as one JSON line.
 */
const CHILD = `
import { pathToFileURL } from 'node:url';
const dist = (m) => import(pathToFileURL(process.env.BENCH_ROOT + 'dist/' + m).href);
const { loadConfig } = await dist('config.js');
const { createLogger } = await dist('log/logger.js');
const { runAudit } = await dist('pipeline/run-audit.js');
const { openDatabase } = await dist('store/index.js');
const { sql } = await import('kysely');
const { pino } = await import('pino');
const MB = 1024 * 1024;
const config = loadConfig(process.env, { segmentToken: true });
// Stage marks from the run's own log lines; warnings and errors still reach stderr.
const marks = new Map();
// Process CPU time (user + system, thread pool included) at the same marks: the report
// stage's CPU, which a busy machine does not inflate as it does the wall time.
const cpuMarks = new Map();
const cpuBetween = (from, to) => {
  const a = cpuMarks.get(from);
  const b = cpuMarks.get(to);
  return a && b ? (b.user + b.system - a.user - a.system) / 1000 : null;
};
const shown = createLogger({ level: 'warn' });
const logger = pino({ level: 'info' }, {
  write(line) {
    const msg = /"msg":"([^"]+)"/.exec(line)?.[1];
    if (msg && !marks.has(msg)) {
      marks.set(msg, performance.now());
      cpuMarks.set(msg, process.cpuUsage());
    }
    if (/"level":[456]0/.test(line)) shown.warn(line.trim());
  },
});
const samples = [];
const sample = () => {
  const m = process.memoryUsage();
  samples.push({ t: performance.now(), rss: m.rss, heap: m.heapUsed });
};
const sampler = setInterval(sample, 20);
let t = performance.now();
const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
const openMs = performance.now() - t;
try {
  t = performance.now();
  const result = await runAudit(handle, config, { logger });
  const runMs = performance.now() - t;
  sample();
  clearInterval(sampler);
  const maxRssKiB = process.resourceUsage().maxRSS;
  const started = marks.get('audit started') ?? t;
  const bounds = [
    ['before', started],
    ['crawl', started + result.times.crawlMs],
    ['store', marks.get('snapshot stored') ?? Infinity],
    ['report', marks.get('report written') ?? Infinity],
    ['mail', Infinity],
  ];
  const stagePeaks = {};
  for (const x of samples) {
    const stage = bounds.find(([, end]) => x.t <= end)?.[0] ?? 'mail';
    const p = stagePeaks[stage] ?? { rssMB: 0, heapMB: 0 };
    p.rssMB = Math.max(p.rssMB, Math.round(x.rss / MB));
    p.heapMB = Math.max(p.heapMB, Math.round(x.heap / MB));
    stagePeaks[stage] = p;
  }
  const access = await sql\`SELECT count(*)::int AS n FROM audit.effective_access\`.execute(handle.db);
  process.stdout.write(JSON.stringify({
    openMs, runMs, times: result.times, maxRssKiB, snapshotId: result.snapshotId,
    users: result.counts.users, accessRows: access.rows[0]?.n ?? 0,
    permissionChanges: result.permissionChanges,
    changes: Object.values(result.changes).reduce((a, b) => a + (b ?? 0), 0),
    reportBytes: result.reportBytes, email: result.email.status, stagePeaks,
    reportCpuMs: cpuBetween('snapshot stored', 'report written'),
  }) + '\\n');
} finally {
  await handle.close();
}
`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchRun();
}
