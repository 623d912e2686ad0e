/**
 * Crawl benchmark (issue 2). The simulated workspace runs in its own process (the CLI's
 * `simulate` command), so the figures are the crawler's alone: requests, wall time, peak
 * RSS of this (crawling) process and 429s.
 *
 * (a) 20,000 users, 500 groups (≈40 members each), 2,000 invites, no rate limit.
 *     Targets: ≤ 3 s and ≤ 250 MB RSS.
 * (b) 2,000 users, 50 groups under 20 requests a second (1000 ms windows): wall time over
 *     the floor (⌈requests ÷ 20⌉ − 1) s. Target: ratio ≤ 1.10 with 0 429s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { crawlWorkspace } from '../src/crawl/index.js';
import type { WorkspacePicture } from '../src/model/workspace.js';
import { Secret } from '../src/secret.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Simulator {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `access-audit simulate` in a child process and reads its `url:` and `token:` lines. */
async function spawnSimulator(args: string[]): Promise<Simulator> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'simulate', '--port', '0', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const found: Record<string, string> = {};
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /^(url|token): (.+)$/.exec(line.trim());
      if (m) found[m[1]!] = m[2]!;
      if (found.url && found.token) resolve();
    });
    void exited.then(() => reject(new Error(`simulator exited before it listened: ${stderr.trim()}`)));
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  return {
    url: found.url!,
    token: found.token!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Peak RSS while `run` runs, sampled every 10 ms (process.resourceUsage().maxRSS is a lifetime figure). */
async function measured<T>(run: () => Promise<T>): Promise<{ result: T; wallMs: number; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  try {
    const result = await run();
    const wallMs = performance.now() - started;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, wallMs, peakRss };
  } finally {
    clearInterval(sampler);
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function crawl(sim: Simulator): Promise<WorkspacePicture> {
  return crawlWorkspace({ apiUrl: sim.url, token: new Secret(sim.token) });
}

async function benchUnlimited(): Promise<void> {
  const sim = await spawnSimulator([
    '--seed',
    '1',
    '--users',
    '20000',
    '--groups',
    '500',
    '--members-per-group',
    '40',
    '--invites',
    '2000',
    '--group-invites',
    '500',
  ]);
  try {
    // The first crawl of this process gives the peak RSS (a second one would count the
    // first one's garbage too); the second shows the wall time with a warm JIT.
    const first = await measured(() => crawl(sim));
    const { result } = first;
    const ok = first.wallMs <= 3000 && first.peakRss <= 250 * 1024 * 1024;
    console.log(
      `crawl (a) ${result.users.length} users, ${result.groups.length} groups, ${result.invites.length} invites, ` +
        `no limit: ${result.stats.requests} requests, wall ${s(first.wallMs)} (target ≤ 3 s), ` +
        `peak RSS ${mb(first.peakRss)} (target ≤ 250 MB), 429s ${result.stats.rateLimited}, ` +
        `retries ${result.stats.retries} — ${ok ? 'ok' : 'MISSED'}`,
    );
    const second = await measured(() => crawl(sim));
    console.log(`crawl (a) again, warm: wall ${s(second.wallMs)}, ${second.result.stats.requests} requests`);
  } finally {
    await sim.stop();
  }
}

async function benchLimited(): Promise<void> {
  const sim = await spawnSimulator([
    '--seed',
    '1',
    '--users',
    '2000',
    '--groups',
    '50',
    '--rate-limit',
    '20/1000',
  ]);
  try {
    const { result, wallMs } = await measured(() => crawl(sim));
    const floorS = Math.ceil(result.stats.requests / 20) - 1;
    const ratio = wallMs / 1000 / floorS;
    const ok = ratio <= 1.1 && result.stats.rateLimited === 0;
    console.log(
      `crawl (b) ${result.users.length} users, ${result.groups.length} groups at 20 requests/s: ` +
        `${result.stats.requests} requests, wall ${s(wallMs)}, floor ${floorS} s, ratio ${ratio.toFixed(3)} ` +
        `(target ≤ 1.10), 429s ${result.stats.rateLimited} (target 0), ` +
        `waited ${s(result.stats.rateLimitWaitMs)} — ${ok ? 'ok' : 'MISSED'}`,
    );
  } finally {
    await sim.stop();
  }
}

export async function benchCrawl(): Promise<void> {
  await benchUnlimited();
  await benchLimited();
}
