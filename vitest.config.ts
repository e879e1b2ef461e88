import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects, run together by `npm test`:
 * - unit: test/unit, pure and in-process (`npm run test:unit` runs it alone, in seconds);
 * - integration: everything else (integration and e2e suites), after a globalSetup that makes
 *   sure the system programs they use are there, installing Redis when it is missing.
 * The checks that need the seed documentation beside the repo (test/seed) are not here: they run
 * in `npm run spec:check` (vitest.seed.config.ts).
 */
export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module); Node resolves the CJS build for every package
    // (no "exports" map) while Vite would pick the ESM one for our own imports. One realm only.
    alias: [
      { find: /^graphql$/, replacement: 'graphql/index.js' },
      { find: /^graphql\/(.+?)(\.js)?$/, replacement: 'graphql/$1.js' },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start servers on port 0; two workers match the 2-core CI machine.
    maxWorkers: 2,
    // A skipped test fails the run (see the reporter).
    reporters: ['default', './test/setup/no-skipped-tests.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/unit/**', 'test/seed/**'],
          globalSetup: ['test/setup/integration.ts'],
        },
      },
    ],
  },
});
