#!/usr/bin/env node
/**
 * access-audit: parses the command line and hands each command to its composition in
 * src/commands/. This file knows nothing of how a command works; it only guarantees
 * the exit statuses README.md documents and the single `error:` line on stderr.
 */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { AuditError, EXIT, errorLine, exitStatusOf } from './errors.js';
import { TOOL_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('access-audit')
    .description("Keeps a Twilio Segment workspace's access under audit.")
    .version(TOOL_VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // Commander's own usage errors become the documented one `error:` line (exit 2).
      outputError: () => {},
    });
  registerCommands(program);
  for (const command of program.commands) command.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
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
      process.stderr.write(`${errorLine(new AuditError('USAGE', message))}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`${errorLine(error)}\n`);
    return exitStatusOf(error);
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`${errorLine(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
