/** What several benchmark parts share: the simulator in its own process, scratch databases. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SimulatorProcess {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `access-audit simulate` in a child process and reads its `url:` and `token:` lines. */
export async function spawnSimulator(args: string[], startTimeoutMs = 300_000): Promise<SimulatorProcess> {
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
  const timer = setTimeout(() => child.kill('SIGTERM'), startTimeoutMs);
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

/** Runs one statement on a fresh connection (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function adminStatement(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Builds dist/ (children that measure the product run the compiled code, as shipped). */
export async function build(): Promise<void> {
  const child = spawn('npm', ['run', 'build', '--silent'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`npm run build failed (exit ${code})`);
}

/**
 * Runs `script` (ES module source) in a child Node with --expose-gc, as the Docker image
 * starts the product (src/pipeline/memory.ts), on the compiled code under BENCH_ROOT, and
 * returns the JSON object of the stdout line that starts with `marker`.
 */
export async function productChild<T>(
  what: string,
  script: string,
  marker: string,
  env: NodeJS.ProcessEnv,
): Promise<T> {
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_ROOT: ROOT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const line = stdout.split('\n').find((l) => l.startsWith(marker));
  if (code !== 0 || !line)
    throw new Error(`${what} child failed (exit ${code}): ${stderr.trim().slice(-2000)}`);
  return JSON.parse(line) as T;
}
