import { defineConfig } from 'vitest/config';
import { SLOW_SUITES } from './vitest.slow.config.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test (npm run test:browser) and the slow suites (npm run test:slow) run apart.
    exclude: ['test/browser/**', 'node_modules/**', ...SLOW_SUITES],
    pool: 'forks',
    // Embedded mode: initdb and the migrations once per run, copied for each file.
    globalSetup: ['test/helpers/embedded-template.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file gets its own database and its own simulated workspace, so files run side by side.
    fileParallelism: true,
    // Vitest's default on two cores is one worker; the files spend much of their time waiting
    // on child processes, HTTP and timers, so two at once took a third off the wall time of
    // test/reliability + test/commands (205 s → 141 s, measured on two shared cores).
    maxWorkers: 2,
    // The files share their worker's process (each still opens its own database, simulator
    // and servers, and closes them): a fresh process per file re-imported exceljs, PGlite
    // and the rest 104 times, and the embedded run went from 386 s to 248 s without it.
    isolate: false,
  },
});
