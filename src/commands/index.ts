import type { Command } from 'commander';
import { registerDemo } from './demo.js';
import { registerMigrate } from './migrate.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerSchedule } from './schedule.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerSnapshots } from './snapshots.js';

/**
 * Every command README.md lists, in the order --help lists them. Each module adds one
 * command and composes the stages it needs; stages never import each other.
 */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerSchedule(program);
  registerServe(program);
  registerReport(program);
  registerSnapshots(program);
  registerMigrate(program);
  registerDemo(program);
  registerSimulate(program);
}
