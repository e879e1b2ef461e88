/**
 * A fresh machine (only Node and npm) passes `npm test`: the tests bring Redis and Chromium
 * themselves, and where they cannot, the run fails saying exactly what to install. Nothing skips.
 *
 * The apt-get install itself is not run here (it needs the package mirror and root, and this
 * suite runs on every `npm test`); the globalSetup runs it on a machine without redis-server.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { launchBrowser, useBrowser, type TestBrowser } from '../helpers/browser';
import { findOrInstallRedisServer, findRedisServer } from '../helpers/redis-server-binary';
import NoSkippedTests from '../setup/no-skipped-tests';
import type { TestModule, Vitest } from 'vitest/node';

describe('Redis for the tests', () => {
  const dirs: string[] = [];
  const emptyDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'ssl-gateway-path-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('finds redis-server on PATH, as an absolute path the workers can run', () => {
    const dir = emptyDir();
    symlinkSync(inject('redisServerBin') as string, join(dir, 'redis-server'));
    expect(findRedisServer({ PATH: dir })).toBe(join(dir, 'redis-server'));
  });

  it('with no redis-server and no package manager, fails with exactly what to install', () => {
    const env = { PATH: emptyDir(), SSLGW_TEST_IGNORE_SYSTEM_REDIS: '1' };
    expect(() => findOrInstallRedisServer(env, () => {})).toThrow(/apt-get is not on PATH.*apt-get install -y redis-server.*REDIS_SERVER_BIN=/);
  });

  it('a REDIS_SERVER_BIN that does not run is an error, not a reason to install another Redis', () => {
    const env = { PATH: emptyDir(), REDIS_SERVER_BIN: '/nonexistent/redis-server' };
    expect(() => findOrInstallRedisServer(env, () => {})).toThrow(/REDIS_SERVER_BIN=\/nonexistent\/redis-server could not be run/);
  });
});

describe('Chromium for the tests', () => {
  let browser: TestBrowser | undefined;
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  it('launches the headless Chromium that @sparticuz/chromium ships when the system has none', async () => {
    browser = await launchBrowser({ ...process.env, SSLGW_TEST_IGNORE_SYSTEM_CHROMIUM: '1' });
    expect(browser.binary.source).toBe('@sparticuz/chromium');
    expect(browser.binary.path).toMatch(/node_modules\/\.cache\/ssl-gateway-chromium\/[^/]+\/chromium$/);
    const page = await browser.context.newPage();
    await page.setContent('<p id="x">rendered</p>');
    expect(await page.textContent('#x')).toBe('rendered');
    expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome/);
  });
});

describe('a browser that cannot start', () => {
  const browser = useBrowser({ ...process.env, SSLGW_TEST_CHROMIUM: '/nonexistent/chromium' });

  it('fails the tests that use it with the reason (a throwing beforeAll would report them as skipped)', () => {
    expect(() => browser()).toThrow(/Chromium \(SSLGW_TEST_CHROMIUM, \/nonexistent\/chromium\) did not start/);
  });
});

describe('no skipped tests', () => {
  const module = (skipped: string[]): TestModule =>
    ({ moduleId: '/repo/test/x.test.ts', children: { *allTests() { for (const fullName of skipped) yield { fullName }; } } }) as unknown as TestModule;
  const run = (testNamePattern: RegExp | undefined, skipped: string[]): number | string | undefined => {
    const saved = process.exitCode;
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      process.exitCode = 0;
      const reporter = new NoSkippedTests();
      reporter.onInit({ config: { root: '/repo', testNamePattern } } as unknown as Vitest);
      reporter.onTestRunEnd([module(skipped)]);
      return process.exitCode;
    } finally {
      process.exitCode = saved;
      error.mockRestore();
    }
  };

  it('a skipped test fails the run', () => {
    expect(run(undefined, ['suite > a'])).toBe(1);
    expect(run(undefined, [])).toBe(0);
  });

  it('a run filtered by test name (-t) may skip the rest', () => {
    expect(run(/b/, ['suite > a'])).toBe(0);
  });
});
