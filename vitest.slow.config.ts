import { defineConfig } from 'vitest/config';

/**
 * `npm run test:slow`: the suites that kill, stop or race real processes, or storm the
 * API with faults, many times over. They take most of the suite's time, so `npm test`
 * (vitest.config.ts) leaves them out and `.ci/run` runs them on their own, against both
 * databases like the main suite. One list, read by both configurations.
 */
export const SLOW_SUITES = [
  // SIGKILL at random moments of a run, 32 seeded trials (CRASH_SEED, CRASH_TRIALS).
  'test/reliability/crash.test.ts',
  // A run killed at each step of the store's write.
  'test/store/crash.test.ts',
  // SIGTERM during a scheduled audit: the grace period, then abandoned.
  'test/schedule/shutdown.test.ts',
  // Two `schedule` processes on one database, ticking every three seconds.
  'test/schedule/instances.test.ts',
  // Audits under 5xx, dropped connections, timeouts and 429 storms against fault-free twins.
  'test/reliability/faults.test.ts',
  // `remediate --apply` killed with SIGKILL at each moment that matters, then run again.
  'test/remediate/crash.test.ts',
];

export default defineConfig({
  test: {
    include: SLOW_SUITES,
    pool: 'forks',
    globalSetup: ['test/helpers/embedded-template.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
  },
});
