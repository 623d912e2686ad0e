/** Runs child-run.ts in a separate Node process against a test database. */
import { fileURLToPath } from 'node:url';
import { type CliResult, dbEnv, startChild } from '../helpers/cli.js';
import type { TestDatabase } from '../helpers/database.js';

const CHILD = fileURLToPath(new URL('./child-run.ts', import.meta.url));

export async function runChild(t: TestDatabase, env: Record<string, string>): Promise<CliResult> {
  const child = startChild(CHILD, [], { ...dbEnv(t), ...env });
  const { code, signal } = await child.exited;
  return { code, signal, stdout: child.stdout(), stderr: child.stderr() };
}
