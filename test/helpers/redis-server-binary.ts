/**
 * Finds the `redis-server` binary the Redis tests run, and installs it when it is missing.
 *
 * The tests bring what they need (issue 9, "a fresh machine passes"): on a machine with only Node
 * and npm, Redis comes from the OS package manager (apt-get, non-interactive, as root or with
 * password-less sudo). Where that cannot be done, the run FAILS with a message that says exactly
 * what to install; it never skips the Redis tests.
 *
 * Called once per run from the integration project's globalSetup (test/setup/integration.ts),
 * which hands the path to the test workers; `startRedis` falls back to `findRedisServer` when
 * it runs outside that setup.
 */
import { spawnSync } from 'node:child_process';
import { executable } from './executable';
import { delimiter, join } from 'node:path';

/** What a person must do when the tests cannot install Redis themselves. */
export const REDIS_INSTALL_HINT =
  'Install Redis so that redis-server is on PATH (Debian/Ubuntu: apt-get update && apt-get install -y redis-server; ' +
  'Fedora: dnf install -y redis; macOS: brew install redis), or set REDIS_SERVER_BIN=/path/to/redis-server.';

/**
 * Verification switch: with `SSLGW_TEST_IGNORE_SYSTEM_REDIS=1` a redis-server on PATH is not
 * used, so the install path runs on a machine that already has Redis (how the fresh-machine
 * check was made without uninstalling anything).
 */
const IGNORE_SYSTEM = 'SSLGW_TEST_IGNORE_SYSTEM_REDIS';

/** The absolute path of `name` on `pathVar`, as a shell would find it. */
function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `redis-server --version`'s line, or the reason the binary could not be run. */
function probe(bin: string): { ok: true; version: string } | { ok: false; why: string } {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) return { ok: false, why: r.error.message };
  if (r.status !== 0) return { ok: false, why: `exit ${r.status}: ${(r.stderr || r.stdout).trim()}` };
  return { ok: true, version: r.stdout.trim() };
}

/**
 * The binary to use without installing anything: `REDIS_SERVER_BIN` when set (it must run: a
 * wrong explicit choice is an error, not a reason to install another Redis), else `redis-server`
 * on PATH. `undefined` when there is none.
 */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.REDIS_SERVER_BIN;
  if (explicit !== undefined && explicit !== '') {
    const p = probe(explicit);
    if (!p.ok) throw new Error(`REDIS_SERVER_BIN=${explicit} could not be run (${p.why}). ${REDIS_INSTALL_HINT}`);
    return explicit;
  }
  if (env[IGNORE_SYSTEM] === '1') return undefined;
  const found = onPath('redis-server', env.PATH);
  return found !== undefined && probe(found).ok ? found : undefined;
}

/** The command prefix that runs a command as root here, or why there is none. */
function asRoot(env: NodeJS.ProcessEnv): string[] | string {
  if (process.getuid?.() === 0) return [];
  const sudo = onPath('sudo', env.PATH);
  if (sudo !== undefined && spawnSync(sudo, ['-n', 'true'], { timeout: 10_000 }).status === 0) return [sudo, '-n'];
  return 'installing it needs root or password-less sudo';
}

function run(argv: string[], log: (line: string) => void): void {
  log(`$ ${argv.join(' ')}`);
  // 15 minutes: a slow mirror is still an answer; a hang is not.
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined || r.status !== 0) {
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().slice(-2_000);
    throw new Error(`redis-server is not installed and "${argv.join(' ')}" failed (${r.error?.message ?? `exit ${r.status}`}): ${output}\n${REDIS_INSTALL_HINT}`);
  }
}

function cannotInstall(why: string): never {
  throw new Error(`The Redis tests need redis-server, which is not installed, and the tests cannot install it here: ${why}. ${REDIS_INSTALL_HINT}`);
}

/** Installs Debian's redis-server package and returns the binary it put on the machine. */
function aptInstall(env: NodeJS.ProcessEnv, log: (line: string) => void): string {
  if (process.platform !== 'linux') cannotInstall(`this is ${process.platform}, not Linux`);
  const aptGet = onPath('apt-get', env.PATH) ?? cannotInstall('apt-get is not on PATH');
  const root = asRoot(env);
  if (typeof root === 'string') cannotInstall(root);
  const prefix = [...root, 'env', 'DEBIAN_FRONTEND=noninteractive', aptGet, '-o', 'DPkg::Lock::Timeout=300'];
  log('redis-server not found: installing it with apt-get (once; later runs find it on PATH)');
  run([...prefix, 'update', '-qq'], log);
  run([...prefix, 'install', '-y', '-qq', '--no-install-recommends', 'redis-server'], log);
  // Where the package put it, whatever PATH this process has.
  const listed = spawnSync('dpkg', ['-L', 'redis-server'], { encoding: 'utf8' }).stdout ?? '';
  const bin = listed.split('\n').find((l) => /\/s?bin\/redis-server$/.test(l) && executable(l));
  if (bin === undefined) cannotInstall('apt-get installed redis-server but dpkg lists no redis-server binary');
  const p = probe(bin);
  if (!p.ok) cannotInstall(`the installed ${bin} does not run (${p.why})`);
  log(`installed ${bin}: ${p.version}`);
  return bin;
}

/** The binary to use, installing Redis first when it is missing. Throws with what to install. */
export function findOrInstallRedisServer(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): string {
  return findRedisServer(env) ?? aptInstall(env, log);
}
