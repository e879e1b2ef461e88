import { defineConfig } from 'vitest/config';

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
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start servers on port 0; two workers match the 2-core CI machine.
    maxWorkers: 2,
  },
});
