/**
 * The `run` process of the crash trials, started ahead of time: it loads the CLI (the
 * slow part of a start), prints `ready`, then waits for one line of JSON on stdin — the
 * run's environment — and runs `access-audit run` through the CLI's own `main`. The test
 * kills it with SIGKILL when the stage it aims at has begun (the logger's JSON lines on
 * stderr).
 */
import { createInterface } from 'node:readline';
import { main } from '../../src/main.js';

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
const line = await new Promise<string>((resolve) => lines.once('line', resolve));
lines.close();
const env = { ...process.env, ...(JSON.parse(line) as Record<string, string>) };
process.exitCode = await main(['run'], env, { stdout: process.stdout, stderr: process.stderr });
