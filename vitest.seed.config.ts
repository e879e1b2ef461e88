import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run spec:check`: the tests that need the seed documentation beside the repository
 * (../shared/seeds, or SPEC_SEED). Not part of `npm test`, which a clone alone must pass.
 */
export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({ test: { name: 'seed', include: ['test/seed/**/*.test.ts'] } }),
);
