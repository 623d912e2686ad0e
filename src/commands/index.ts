import type { Command } from 'commander';
import { registerMigrate } from './migrate.js';
import { registerSimulate } from './simulate.js';
import { registerSnapshots } from './snapshots.js';

/**
 * Every command of the contract, in the order --help lists them. Each module adds one
 * command and composes the stages it needs; stages never import each other.
 */
export function registerCommands(program: Command): void {
  void program;
  registerSnapshots(program);
  registerMigrate(program);
  registerSimulate(program);
}
