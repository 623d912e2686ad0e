import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the download site in a real browser (Debian's Chromium at
 * /usr/bin/chromium, driven by playwright-core). Kept out of `npm test`, which must pass on
 * a machine without a browser.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/helpers/embedded-template.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
