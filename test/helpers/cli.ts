/**
 * `access-audit` in tests, two ways:
 * - `runMain`: src/main.ts's `main` in this process, with its own environment and captured
 *   outputs — the command parser, the command, the one `error:` line and the exit status,
 *   without the seconds of CPU a process start costs;
 * - `startCli` / `runCli` (and `startChild` for another script): a real child process
 *   through tsx, from the sources, for what only a process shows — signals, death by
 *   SIGKILL, the exit status reaching the OS, a second process on an embedded database.
 *   Its JSON log lines are parsed, so waits poll for a log line with a deadline; nothing
 *   sleeps for a fixed time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/main.js';
import { CONTRACT_ENVIRONMENT } from './contract.js';
import type { TestDatabase } from './database.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `access-audit <args>` in this process with exactly this environment (plus PATH and HOME);
 * stdout and stderr are captured (neither is a terminal, so logs are JSON lines).
 */
export async function runMain(args: string[], env: Record<string, string | undefined>): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
    },
  );
  return { code, stdout, stderr };
}

/** The `error:` lines of a stderr (the logger's JSON lines are not). */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error:'));
}

/** Variables of docs/configuration.md (and LOG_LEVEL), cleared so that the test's own environment never leaks in. */
const CONTRACT_VARS = [...CONTRACT_ENVIRONMENT, 'LOG_LEVEL'];

export type LogEntry = Record<string, unknown> & { msg?: string; level?: number };

export interface CliChild {
  readonly process: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written so far (stderr is not a terminal, so the logger writes JSON). */
  logs(): LogEntry[];
  /** Log lines whose msg is `msg`. */
  logged(msg: string): LogEntry[];
  /** Called synchronously with each log line as it arrives (to act at an exact point of a run). */
  onLog: ((entry: LogEntry) => void) | undefined;
  /** Resolves with the first log line matching, or rejects at the deadline (or if the process ends first). */
  waitForLog(match: (entry: LogEntry) => boolean, timeoutMs: number): Promise<LogEntry>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits for the exit, at most `timeoutMs` (then SIGKILL and reject). */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function dbEnv(t: TestDatabase): Record<string, string> {
  return t.databaseUrl ? { DATABASE_URL: t.databaseUrl.reveal() } : { DATA_DIR: t.dataDir };
}

const children = new Set<ChildProcess>();

/** Kills (by pid) every child this module started that is still alive: for afterAll. */
export function killLeftovers(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/** `access-audit <args>` in a child process: this test process's environment without the contract's variables, plus `env`. */
export function startCli(args: string[], env: Record<string, string | undefined>): CliChild {
  return startChild(CLI, args, env);
}

/** Runs `access-audit <args>` in a child process to its end (SIGKILL after `timeoutMs`). */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<CliResult> {
  const child = startCli(args, env);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  return { code, signal, stdout: child.stdout(), stderr: child.stderr() };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A TypeScript script (through tsx) in a child process, with the environment of `startCli`. */
export function startChild(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): CliChild {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONTRACT_VARS) delete childEnv[name];
  delete childEnv.TEST_DATABASE_URL;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  let err = '';
  const entries: LogEntry[] = [];
  let partial = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    err += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        continue; // not a log line
      }
      entries.push(entry);
      child.onLog?.(entry);
    }
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
      notify();
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const child: CliChild = {
    process: proc,
    pid: proc.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    logs: () => [...entries],
    logged: (msg) => entries.filter((e) => e.msg === msg),
    onLog: undefined,
    waitForLog(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = entries.find(match);
          if (found) {
            cleanup();
            resolve(found);
          } else if (done) {
            cleanup();
            reject(new Error(`the process exited before the awaited log line; stderr:\n${err.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no such log line within ${timeoutMs} ms; stderr:\n${err.slice(-3000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (!done) proc.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        exited,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (result === null) {
        proc.kill('SIGKILL');
        throw new Error(
          `the process did not exit within ${timeoutMs} ms of ${signal}; stderr:\n${err.slice(-3000)}`,
        );
      }
      return result;
    },
  };
  return child;
}

/** Polls `condition` until it holds or the deadline passes. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
