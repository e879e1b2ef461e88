/**
 * Starts a private, throw-away `redis-server` for a test file: loopback only, a free port, no
 * persistence (`--save "" --appendonly no`), its own temp dir. The binary comes from the
 * integration project's globalSetup, which installs Redis when it is missing
 * (test/helpers/redis-server-binary.ts); without it, startRedis fails saying what to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { REDIS_INSTALL_HINT, findRedisServer } from './redis-server-binary';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

let bin: string | undefined;
/**
 * The binary from the globalSetup, or (in a run without it, or outside vitest: `npm run bench`)
 * one already on this machine.
 */
function redisServerBin(): string {
  bin ??= injectedBin() ?? findRedisServer();
  if (bin === undefined) throw new Error(`The Redis tests need the redis-server binary, which is not on PATH. ${REDIS_INSTALL_HINT}`);
  return bin;
}

function injectedBin(): string | undefined {
  try {
    return inject('redisServerBin');
  } catch {
    return undefined; // not inside a vitest worker (benchmarks import this helper too)
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts a server on `port` (default: a free one) and resolves once it answers PING. `args` are
 * extra server arguments, e.g. `['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction']`.
 */
export async function startRedis(options: { port?: number; args?: readonly string[] } = {}): Promise<TestRedis> {
  const BIN = redisServerBin();
  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (await freePort());
    const dir = await mkdtemp(join(tmpdir(), 'ssl-gateway-redis-'));
    const child = spawn(
      BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', ...(options.args ?? [])],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString('utf8')).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString('utf8')).slice(-4000)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let hasExited = false;
    void exited.then(() => {
      hasExited = true;
      live.delete(child);
    });

    const stop = async (): Promise<void> => {
      if (!hasExited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    };

    const deadline = Date.now() + 10_000;
    let ready = false;
    while (!hasExited && Date.now() < deadline) {
      if (await ping(port)) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    if (ready) return { url: `redis://127.0.0.1:${port}`, port, stop };
    await stop();
    // A port taken between freePort() and the bind: try another one.
    if (options.port === undefined && attempt < 3 && /address already in use/i.test(output)) continue;
    throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${output.trim() || 'no output'}`);
  }
}
