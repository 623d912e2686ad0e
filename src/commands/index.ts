import type { Command } from 'commander';
import { registerSimulate } from './simulate.js';

/**
 * Every command of the contract, in the order --help lists them. Each module adds one
 * command and composes the stages it needs; stages never import each other.
 */
export function registerCommands(program: Command): void {
  void program;
  registerSimulate(program);
}
