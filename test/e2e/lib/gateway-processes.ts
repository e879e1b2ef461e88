/**
 * Child processes for e2e suites: gateway processes (`gateway-process.ts`) and the standalone
 * simulator (`simulator-process.ts` → `src/simulator/main.ts`, i.e. `npm run simulator`), run with
 * the repo's Node 22 and tsx. Every child is tracked so that none outlives the test file: `stop()`
 * (SIGTERM, then SIGKILL), `stopAll()`, a SIGKILL of every live child when the test process exits,
 * and every child exits by itself when its stdin closes (the test process died).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { CallRecord } from '../../../src/simulator/index';

export const READY_PREFIX = 'GATEWAY_READY ';
export const STATS_PREFIX = 'GATEWAY_STATS ';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const GATEWAY_ENTRY = resolve(import.meta.dirname, 'gateway-process.ts');
const SIMULATOR_ENTRY = resolve(import.meta.dirname, 'simulator-process.ts');

/** Event-loop delay of a gateway process, ms. */
export interface LoopDelay {
  max: number;
  p99: number;
  mean: number;
}

export interface ChildHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  pid: number;
  /** Every stdout line so far except the ready line (request log lines, warnings). */
  stdoutLines(): string[];
  /** stdout lines that parse as JSON objects (pino log lines). */
  logs(): Record<string, unknown>[];
  stderr(): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves when the process has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface GatewayProcess extends ChildHandle {
  /** Event-loop delay since the previous call (or the start), then resets the measurement. */
  loopDelay(): Promise<LoopDelay>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The Node binary for children: this one when it is Node 22+, else the repo's pinned Node. */
function nodeBinary(): string {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22 ? process.execPath : resolve(ROOT, 'node_modules', '.bin', 'node');
}

interface SpawnOptions {
  name: string;
  /** Returns the URL when `line` announces readiness. */
  ready(line: string): string | undefined;
  startTimeoutMs?: number;
}

/**
 * Runs `entry` with tsx and exactly `env` (plus PATH/HOME/TMPDIR/LANG: nothing else of this
 * process' environment leaks in); resolves once a stdout line announced its URL.
 */
async function spawnTsx(entry: string, env: Record<string, string>, options: SpawnOptions): Promise<ChildHandle & { child: ChildProcess; onLine(fn: (line: string) => boolean): void; exited(): boolean }> {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) base[k] = process.env[k] as string;
  const child = spawn(nodeBinary(), ['--import', 'tsx', entry], { cwd: ROOT, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    live.delete(child);
  });

  const lines: string[] = [];
  const lineHooks: ((line: string) => boolean)[] = [];
  let partial = '';
  let stderr = '';
  let onReady: ((url: string) => void) | undefined;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const url = onReady ? options.ready(line) : undefined;
      if (url !== undefined) {
        onReady?.(url);
        onReady = undefined;
      } else if (!lineHooks.some((hook) => hook(line)) && line.trim() !== '') lines.push(line);
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000): Promise<void> =>
    (stopping ??= (async () => {
      if (!hasExited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
    })());

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let url: string;
  try {
    url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`${options.name} did not start within ${timeoutMs} ms; stderr: ${stderr.trim()}`)), timeoutMs);
      onReady = (u) => {
        clearTimeout(timer);
        res(u);
      };
      void exited.then((code) => {
        clearTimeout(timer);
        rej(new Error(`${options.name} exited (code ${code}) before it was ready; stderr: ${stderr.trim()}`));
      });
    });
  } catch (err) {
    await stop(1_000);
    throw err;
  }

  return {
    child,
    url,
    pid: child.pid ?? -1,
    onLine: (fn) => lineHooks.push(fn),
    exited: () => hasExited,
    stdoutLines: () => [...lines],
    logs: () =>
      lines.flatMap((l) => {
        try {
          const v = JSON.parse(l) as unknown;
          return v !== null && typeof v === 'object' && !Array.isArray(v) ? [v as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    stderr: () => stderr,
    stop,
  };
}

/** One gateway process (`gateway-process.ts`) configured by `env` only; `PORT=0` by default. */
export async function spawnGateway(env: Record<string, string>, options: { startTimeoutMs?: number; name?: string } = {}): Promise<GatewayProcess> {
  const name = `gateway process ${options.name ?? ''}`.trim();
  const handle = await spawnTsx(GATEWAY_ENTRY, { PORT: '0', ...env }, {
    name,
    startTimeoutMs: options.startTimeoutMs,
    ready: (line) => (line.startsWith(READY_PREFIX) ? (JSON.parse(line.slice(READY_PREFIX.length)) as { url: string }).url : undefined),
  });
  const statsWaiters: ((d: LoopDelay) => void)[] = [];
  handle.onLine((line) => {
    if (!line.startsWith(STATS_PREFIX)) return false;
    statsWaiters.shift()?.((JSON.parse(line.slice(STATS_PREFIX.length)) as { eventLoopDelayMs: LoopDelay }).eventLoopDelayMs);
    return true;
  });
  const { child, onLine: _onLine, exited, ...rest } = handle;
  return {
    ...rest,
    loopDelay: () =>
      new Promise<LoopDelay>((res, rej) => {
        if (exited()) return rej(new Error(`${name} has exited`));
        const timer = setTimeout(() => rej(new Error(`${name}: no ${STATS_PREFIX.trim()} answer within 5 s`)), 5_000);
        statsWaiters.push((d) => {
          clearTimeout(timer);
          res(d);
        });
        child.kill('SIGUSR2');
      }),
  };
}

/**
 * Starts `count` gateways with the same environment, concurrently. If any fails to start, the
 * others are stopped before the error is rethrown.
 */
export async function spawnGateways(count: number, env: Record<string, string>): Promise<GatewayProcess[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => spawnGateway(env, { name: `#${i + 1}` })));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  return started;
}

export async function stopAll(processes: readonly { stop(): Promise<void> }[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
}

/** The standalone simulator (`npm run simulator`) in its own process, driven over its admin API. */
export interface SimulatorProcess extends ChildHandle {
  secretId: string;
  secretKey: string;
  /** `GET /__simulator/log`: the call log (`CallRecord`s), optionally of one action. */
  callLog(action?: string): Promise<CallRecord[]>;
  /** `POST /__simulator/reset`: counters, call log, faults and rate-limit buckets (state kept). */
  reset(): Promise<void>;
}

export async function spawnSimulator(options: { secretId?: string; secretKey?: string } = {}): Promise<SimulatorProcess> {
  const secretId = options.secretId ?? 'e2e-shared-limiter-secret-id';
  const secretKey = options.secretKey ?? 'e2eSharedLimiterSecretKey0000000000';
  const handle = await spawnTsx(
    SIMULATOR_ENTRY,
    { SIMULATOR_PORT: '0', TENCENTCLOUD_SECRET_ID: secretId, TENCENTCLOUD_SECRET_KEY: secretKey },
    { name: 'simulator process', ready: (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] },
  );
  const { child: _child, onLine: _onLine, exited: _exited, ...rest } = handle;
  const admin = async (method: string, path: string): Promise<unknown> => {
    const res = await fetch(`${handle.url}/__simulator${path}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? '{}' : undefined });
    if (!res.ok) throw new Error(`simulator admin ${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    ...rest,
    secretId,
    secretKey,
    callLog: async (action) => (await admin('GET', `/log${action ? `?action=${encodeURIComponent(action)}` : ''}`)) as CallRecord[],
    reset: async () => {
      await admin('POST', '/reset');
    },
  };
}
