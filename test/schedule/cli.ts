/**
 * Runs `access-audit` as a real child process (through tsx, from the sources) and reads
 * its JSON log lines, so the long-running commands can be tested as an operator runs
 * them: real signals, real exit statuses, real databases. Waits poll a condition with a
 * deadline; nothing sleeps for a fixed time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CONTRACT_ENVIRONMENT } from '../helpers/contract.js';
import type { TestDatabase } from '../helpers/database.js';

export { freePort } from '../helpers/net.js';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

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

export function startCli(args: string[], env: Record<string, string | undefined>): CliChild {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONTRACT_VARS) delete childEnv[name];
  delete childEnv.TEST_DATABASE_URL;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
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
      try {
        entries.push(JSON.parse(line) as LogEntry);
      } catch {
        // not a log line
      }
    }
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
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
