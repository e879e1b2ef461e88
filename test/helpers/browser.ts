/**
 * A real headless Chromium for the browser suites (the GraphQL playground; the /v1/docs page).
 *
 * The tests bring their browser (issue 9, "a fresh machine passes"): Debian's /usr/bin/chromium
 * when the machine has it (faster to start, nothing to unpack), otherwise the Chromium that the
 * `@sparticuz/chromium` devDependency ships inside its npm package, unpacked once into
 * node_modules/.cache. Either is driven by `playwright-core`. There is no skip: a browser that
 * cannot start fails the suite with the reason.
 */
import { spawnSync } from 'node:child_process';
import { executable } from './executable';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
/**
 * Verification switch: with `SSLGW_TEST_IGNORE_SYSTEM_CHROMIUM=1` the system Chromium is not
 * used, so the npm-shipped one is what runs (how the fresh-machine check was made here).
 */
const IGNORE_SYSTEM = 'SSLGW_TEST_IGNORE_SYSTEM_CHROMIUM';
/** A Chromium of one's choice (e.g. Chrome on macOS), used as it is. */
const EXPLICIT = 'SSLGW_TEST_CHROMIUM';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGE_DIR = join(REPO, 'node_modules', '@sparticuz', 'chromium');

export interface ChromiumBinary {
  path: string;
  /** Extra environment for the browser process (the packaged one's font configuration). */
  env: Record<string, string>;
  source: typeof EXPLICIT | 'system' | '@sparticuz/chromium';
}

/**
 * Unpacks the packaged Chromium into node_modules/.cache/ssl-gateway-chromium/<version>/ and
 * returns that directory. The package unpacks into os.tmpdir(), so a child process does it with
 * TMPDIR set to a private staging directory, which is then renamed into place: concurrent test
 * workers (or concurrent runs) never see a half-written binary, and the loser of the rename race
 * just drops its copy.
 */
function unpackPackagedChromium(): string {
  let version: string;
  try {
    version = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  } catch (err) {
    throw new Error(`No Chromium: /usr/bin/chromium is absent and the @sparticuz/chromium devDependency is not installed (${(err as Error).message}). Run npm install.`);
  }
  const cacheRoot = join(REPO, 'node_modules', '.cache', 'ssl-gateway-chromium');
  const dir = join(cacheRoot, version);
  if (executable(join(dir, 'chromium'))) return dir;

  mkdirSync(cacheRoot, { recursive: true });
  const staging = mkdtempSync(join(cacheRoot, `.staging-${version}-`));
  const script = "import C from '@sparticuz/chromium'; process.stdout.write(await C.executablePath());";
  // The package sets up Lambda paths when it thinks it runs on Amazon Linux; here it never does.
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: staging };
  for (const k of ['AWS_EXECUTION_ENV', 'AWS_LAMBDA_JS_RUNTIME', 'CODEBUILD_BUILD_IMAGE', 'VERCEL']) delete env[k];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, env, encoding: 'utf8', timeout: 5 * 60_000 });
  if (r.error !== undefined || r.status !== 0 || r.stdout !== join(staging, 'chromium')) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`Unpacking @sparticuz/chromium failed (${r.error?.message ?? `exit ${r.status}`}): ${`${r.stdout}${r.stderr}`.trim().slice(-2_000)}`);
  }
  // Its own font configuration names /tmp/fonts; point one at the fonts it unpacked here.
  writeFileSync(
    join(staging, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${dir}/fonts/fonts</dir>\n  <cachedir>${dir}/fonts-cache</cachedir>\n</fontconfig>\n`,
  );
  try {
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another worker or run finished first: use its copy.
    if (!executable(join(dir, 'chromium'))) throw err;
  }
  return dir;
}

/** Which Chromium the browser suites run, unpacking the packaged one when needed. */
export function chromiumBinary(env: NodeJS.ProcessEnv = process.env): ChromiumBinary {
  const explicit = env[EXPLICIT];
  if (explicit !== undefined && explicit !== '') return { path: explicit, env: {}, source: EXPLICIT };
  if (env[IGNORE_SYSTEM] !== '1' && executable(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, env: {}, source: 'system' };
  const dir = unpackPackagedChromium();
  return { path: join(dir, 'chromium'), env: { FONTCONFIG_FILE: join(dir, 'fonts.conf') }, source: '@sparticuz/chromium' };
}

export interface TestBrowser {
  /** A context with a fresh, private profile: no stored tabs, history or headers from an earlier run. */
  context: BrowserContext;
  binary: ChromiumBinary;
  /** Closes the browser and removes its profile. Idempotent. */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile. `--no-sandbox` because tests run as root in CI
 * and containers, where Chromium's sandbox cannot start; the pages are our own, on 127.0.0.1.
 */
export async function launchBrowser(env: NodeJS.ProcessEnv = process.env): Promise<TestBrowser> {
  const binary = chromiumBinary(env);
  const profile = mkdtempSync(join(tmpdir(), 'ssl-gateway-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: binary.path,
      headless: true,
      env: { ...process.env, ...binary.env },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium (${binary.source}, ${binary.path}) did not start: ${(err as Error).message}`);
  }
  let closed = false;
  return {
    context,
    binary,
    async close() {
      if (closed) return;
      closed = true;
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A browser for one suite: launched in beforeAll, closed in afterAll. Call the returned function
 * inside a test to get it. A launch failure is thrown there, by every test, so the tests FAIL with
 * the reason: vitest reports the tests of a suite whose beforeAll threw as skipped.
 */
export function useBrowser(env: NodeJS.ProcessEnv = process.env): () => TestBrowser {
  let browser: TestBrowser | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      browser = await launchBrowser(env);
    } catch (err) {
      failure = err;
    }
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (browser === undefined) throw failure ?? new Error('useBrowser: the browser is used outside a test of its suite');
    return browser;
  };
}
