/**
 * Many CLI invocations in one process, for cases that end before any I/O (configuration
 * errors): each goes through src/cli.ts's own `main(argv)` — the command parser, the
 * command's configuration, the one `error:` line and the exit status — with its own
 * environment, and its stdout, stderr and exit status are captured. Starting a process
 * per case costs seconds of CPU on a shared machine; a few cases still go through a real
 * process each (bad-env.test.ts) to show the status reaching the OS.
 *
 * stdin: JSON [{ args, env }]; stdout: one line `results <JSON [{ code, stdout, stderr }]>`.
 */
import { text } from 'node:stream/consumers';

// src/cli.ts runs main(process.argv.slice(2)) when imported: make that a harmless --version.
process.argv = [process.argv[0]!, 'access-audit', '--version'];
const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);
let out = '';
let err = '';
process.stdout.write = ((chunk: string | Uint8Array) => {
  out += String(chunk);
  return true;
}) as typeof process.stdout.write;
process.stderr.write = ((chunk: string | Uint8Array) => {
  err += String(chunk);
  return true;
}) as typeof process.stderr.write;

const { main } = await import('../../src/cli.js');
const cases = JSON.parse(await text(process.stdin)) as { args: string[]; env: Record<string, string> }[];
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
const results: { code: number; stdout: string; stderr: string }[] = [];
for (const c of cases) {
  out = '';
  err = '';
  process.exitCode = undefined;
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, baseEnv, c.env);
  const code = await main(c.args);
  results.push({ code, stdout: out, stderr: err });
}
process.exitCode = 0;
realStdout(`results ${JSON.stringify(results)}\n`);
void realStderr;
