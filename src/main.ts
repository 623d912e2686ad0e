/**
 * access-audit's command line as a function: `main(argv, env, io)` parses the command line,
 * hands the command to its composition in src/commands/ with the given environment and
 * outputs, and returns the contract's exit status with at most one `error:` line on
 * stderr. It runs nothing on import and touches no process-wide state (exit code, env,
 * stdio), so tests call it in-process; src/cli.ts is the thin bin file around it.
 */
import { Command, CommanderError } from 'commander';
import type { CommandContext, Env, Io } from './commands/context.js';
import { registerCommands } from './commands/index.js';
import { AuditError, EXIT, errorLine, exitStatusOf } from './errors.js';
import { TOOL_VERSION } from './version.js';

export type { Env, Io } from './commands/context.js';

function buildProgram(context: CommandContext): Command {
  const { stdout, stderr } = context.io;
  // Every output setting from the given io: Commander would otherwise ask process.stdout.
  const output = {
    writeOut: (text: string) => void stdout.write(text),
    writeErr: (text: string) => void stderr.write(text),
    getOutHelpWidth: () => (stdout.isTTY && stdout.columns) || 80,
    getErrHelpWidth: () => (stderr.isTTY && stderr.columns) || 80,
    getOutHasColors: () => false,
    getErrHasColors: () => false,
    // Commander's own usage errors become the contract's one `error:` line (exit 2).
    outputError: () => {},
  };
  const program = new Command('access-audit')
    .description("Keeps a Twilio Segment workspace's access under audit.")
    .version(TOOL_VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput(output);
  registerCommands(program, context);
  // Subcommands too (`roster import`): Commander would otherwise exit the process itself.
  const configure = (parent: Command): void => {
    for (const command of parent.commands) {
      command.exitOverride().configureOutput(output);
      configure(command);
    }
  };
  configure(program);
  return program;
}

/** Runs one command line; resolves with its exit status (never rejects). */
export async function main(argv: readonly string[], env: Env, io: Io): Promise<number> {
  const program = buildProgram({ env, io });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (
        error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version'
      ) {
        return EXIT.ok;
      }
      const message = error.message.replace(/^error:\s*/i, '');
      io.stderr.write(`${errorLine(new AuditError('USAGE', message))}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${errorLine(error)}\n`);
    return exitStatusOf(error);
  }
}
