/**
 * Reporter that fails the run when any test was skipped: `npm test` allows none (a skipped test
 * is a check that did not run while the run looks green). It catches `.skip`/`skipIf`/`todo`,
 * and the tests vitest reports as skipped when their suite's beforeAll threw (e.g. a server that
 * could not start). A run filtered by test name (`-t`) skips the rest on purpose: not checked.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export default class NoSkippedTests implements Reporter {
  private filtered = false;
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.filtered) return;
    const skipped = testModules.flatMap((m) => [...m.children.allTests('skipped')].map((t) => `${relative(this.root, m.moduleId)} > ${t.fullName}`));
    if (skipped.length === 0) return;
    console.error(
      `\n${skipped.length} skipped test(s); the suite allows none (fix the test, or the beforeAll of its suite, or remove it):\n` +
        skipped.map((s) => `  - ${s}`).join('\n'),
    );
    process.exitCode = 1;
  }
}
