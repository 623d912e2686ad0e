#!/usr/bin/env node
/** The `access-audit` executable: the process's own argv, environment and stdio into `main`. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
});
