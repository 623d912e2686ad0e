import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { registerDemo } from './demo.js';
import { registerMigrate } from './migrate.js';
import { registerRemediate } from './remediate.js';
import { registerReport } from './report.js';
import { registerReview } from './review.js';
import { registerRoster } from './roster.js';
import { registerRun } from './run.js';
import { registerSchedule } from './schedule.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerSnapshots } from './snapshots.js';

/**
 * Every command README.md lists, in the order --help lists them. Each module adds one
 * command and composes the stages it needs; stages never import each other.
 */
export function registerCommands(program: Command, context: CommandContext): void {
  registerRun(program, context);
  registerSchedule(program, context);
  registerServe(program, context);
  registerReport(program, context);
  registerReview(program, context);
  registerSnapshots(program, context);
  registerRemediate(program, context);
  registerMigrate(program, context);
  registerRoster(program, context);
  registerDemo(program, context);
  registerSimulate(program, context);
}
