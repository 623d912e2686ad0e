/**
 * The `run` process of the crash trials, started ahead of time: it loads the CLI's
 * commands (the slow part of a start), prints `ready`, then waits for one line of JSON on
 * stdin — the run's environment — and runs `access-audit run` exactly as src/cli.ts does:
 * the same command registration, the same `error:` line and exit status. The test kills
 * it with SIGKILL when the stage it aims at has begun (the logger's JSON lines on stderr).
 */
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { registerCommands } from '../../src/commands/index.js';
import { errorLine, exitStatusOf } from '../../src/errors.js';

const program = new Command('access-audit').exitOverride();
registerCommands(program);
for (const command of program.commands) command.exitOverride();

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
const [line] = await Promise.all([new Promise<string>((resolve) => lines.once('line', resolve))]);
lines.close();
Object.assign(process.env, JSON.parse(line) as Record<string, string>);
try {
  await program.parseAsync(['run'], { from: 'user' });
} catch (error) {
  process.stderr.write(`${errorLine(error)}\n`);
  process.exitCode = exitStatusOf(error);
}
