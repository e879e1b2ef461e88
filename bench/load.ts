/**
 * Loopback load: autocannon (this process) against three targets, each for a fixed duration at a
 * fixed number of connections, after a short warm-up:
 *
 *   (a) direct   pre-signed `DescribeCertificates` straight to the simulator (baseline: the
 *                upstream work alone; the simulator accepts a signature for 300 s and keeps no
 *                nonce, so one signature serves the whole run)
 *   (b) REST     `GET /v1/certificates?limit=10` through the gateway
 *   (c) GraphQL  `{ certificates(limit: 10) { ... } }` through the gateway
 *
 * The simulator and the gateway each run in their own child process (bench/load-child.ts), so the
 * RSS and CPU figures are the gateway's own: RSS is sampled every 100 ms from /proc (or `ps`).
 * The gateway is configured the real way (`loadConfig` over environment variables: credentials,
 * endpoint, an API key, production env, info logging to /dev/null). Its own per-action pacing is
 * raised out of the way (`RATE_LIMIT_OVERRIDES`), as the simulator's rate limits are off: the
 * bench measures the gateway's overhead, not the documented 20 calls/s. The read cache is off
 * for the same reason (`CACHE_TTL_SECONDS=0`): each request is one upstream call.
 *
 * Latency percentiles come from autocannon's per-response timings (sub-millisecond), 2xx only.
 * Added latency = gateway percentile − direct percentile, at the same concurrency, same run.
 */
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { createDemoApiKey, formatApiKeys } from '../src/auth';
import { sign } from '../src/upstream/sign';
import { build, lambdaEsbuildOptions } from './esbuild-options';
import { printTable, saveResult } from './lib';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const CHILD_SOURCE = resolve(HERE, 'load-child.ts');
/** The children run from a bundle made with the Lambda build's esbuild settings, on plain node:
 * under tsx every process carries ~30 MiB of loader state that a deployed gateway does not. */
const CHILD_BUNDLE = resolve(HERE, '.out', 'load-child.mjs');

async function bundleChild(): Promise<void> {
  await build(lambdaEsbuildOptions({ absWorkingDir: ROOT, entryPoints: [CHILD_SOURCE], outfile: CHILD_BUNDLE, sourcemap: false, metafile: false }));
}

const GRAPHQL_QUERY = '{ certificates(limit: 10) { totalCount certificates { certificateId domain status insertTime } } }';

export interface LoadBenchOptions {
  /** Measured seconds per target. @default 10 */
  durationSec?: number;
  /** Warm-up seconds per target (not measured). @default 2 */
  warmupSec?: number;
  /** @default 32 */
  connections?: number;
  /** The measured time is split into this many interleaved rounds (a, b, c, a, b, c, ...). @default 5 */
  rounds?: number;
}

// ---- child processes, RSS and CPU ------------------------------------------------------------------

interface Child {
  role: string;
  proc: ChildProcess;
  pid: number;
  url: string;
  port: number;
  stderr(): string;
}

function childEnv(extra: Record<string, string>): Record<string, string> {
  // Only what node/tsx need: no inherited TENCENTCLOUD_*, REDIS_URL, ... from the caller's shell.
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[name]) env[name] = process.env[name]!;
  return { ...env, ...extra };
}

function startChild(role: 'simulator' | 'gateway', env: Record<string, string>): Promise<Child> {
  const proc = fork(CHILD_BUNDLE, [role], {
    cwd: ROOT,
    execPath: process.execPath,
    execArgv: [],
    env: childEnv(env),
    // stdout (the gateway's request log lines) goes to /dev/null: written, as in production, never read.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    if (err.length < 20_000) err += c.toString('utf8');
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${role} child did not start within 30 s\n${err}`));
    }, 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${role} child exited with ${code} before it was ready\n${err}`));
    });
    proc.once('message', (m: { ready?: boolean; url: string; port: number }) => {
      clearTimeout(timer);
      if (!m?.ready) return reject(new Error(`${role} child: unexpected message ${JSON.stringify(m)}`));
      resolvePromise({ role, proc, pid: proc.pid!, url: m.url, port: m.port, stderr: () => err });
    });
  });
}

async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.proc.once('exit', () => r()));
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/status');
    return true;
  } catch {
    return false;
  }
})();

/** Resident set size of `pid` in bytes (undefined once it is gone). */
function rssOf(pid: number): number | undefined {
  try {
    if (HAS_PROC) {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : undefined;
    }
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024 || undefined;
  } catch {
    return undefined;
  }
}

/** Peak RSS since the process started (Linux VmHWM), bytes. */
function peakRssOf(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of `pid` in ms (Linux only). */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat), for "was the box saturated?". */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = v[3] + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Samples the RSS of some processes every `intervalMs`; `peak()` since the last `reset()`. */
class RssSampler {
  private peaks = new Map<number, number>();
  private timer: NodeJS.Timeout;
  constructor(
    private readonly pids: number[],
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  private sample(): void {
    for (const pid of this.pids) {
      const rss = rssOf(pid);
      if (rss !== undefined && rss > (this.peaks.get(pid) ?? 0)) this.peaks.set(pid, rss);
    }
  }
  reset(): void {
    this.peaks.clear();
    this.sample();
  }
  peak(pid: number): number {
    this.sample();
    return this.peaks.get(pid) ?? 0;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

// ---- measuring -----------------------------------------------------------------------------------

interface Target {
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** One autocannon run: 2xx latencies (ms, per response) and counters. */
interface Segment {
  latencies: number[];
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
}

interface Measured {
  requests: number;
  reqPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

function runCannon(target: Target, connections: number, durationSec: number): Promise<Segment> {
  const latencies: number[] = [];
  return new Promise((resolvePromise, reject) => {
    const instance = autocannon(
      { url: target.url, method: target.method, headers: target.headers, body: target.body, connections, duration: durationSec, pipelining: 1, timeout: 10 },
      (err, res: Result) => {
        if (err) return reject(err);
        resolvePromise({ latencies, non2xx: res.non2xx, errors: res.errors, timeouts: res.timeouts, durationSec: res.duration });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
    });
  });
}

function summarize(segments: Segment[]): Measured {
  const sorted = Float64Array.from(segments.flatMap((s) => s.latencies)).sort();
  const durationSec = segments.reduce((n, s) => n + s.durationSec, 0);
  return {
    requests: sorted.length,
    reqPerSec: sorted.length / durationSec,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((n, x) => n + x, 0) / (sorted.length || 1),
    non2xx: segments.reduce((n, s) => n + s.non2xx, 0),
    errors: segments.reduce((n, s) => n + s.errors, 0),
    timeouts: segments.reduce((n, s) => n + s.timeouts, 0),
    durationSec,
  };
}

async function simAdmin(sim: Child, method: string, path: string): Promise<any> {
  const res = await fetch(`${sim.url}/__simulator${path}`, { method });
  return res.json();
}

async function send(target: Target): Promise<{ status: number; json: any }> {
  const res = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    return { status: res.status, json: text };
  }
}

const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const mib = (b: number): string => (b / 1024 / 1024).toFixed(1);

export async function runLoadBench(options: LoadBenchOptions = {}): Promise<unknown> {
  const durationSec = options.durationSec ?? 10;
  const warmupSec = options.warmupSec ?? 2;
  const connections = options.connections ?? 32;
  const rounds = options.rounds ?? 5;

  const secretId = 'bench-load-secret-id';
  const secretKey = `bench-load-secret-key-${process.pid}`;
  const apiKey = createDemoApiKey({ id: 'bench-load', scopes: ['read'] });

  // A hard bound on the whole run, whatever hangs.
  const children: Child[] = [];
  const guard = setTimeout(() => {
    console.error('load bench: over 110 s, stopping');
    for (const c of children) c.proc.kill('SIGKILL');
    process.exit(1);
  }, 110_000);
  guard.unref();

  try {
    await bundleChild();
    const sim = await startChild('simulator', { BENCH_SECRET_ID: secretId, BENCH_SECRET_KEY: secretKey });
    children.push(sim);
    const gatewayEnv = {
      GATEWAY_ENV: 'production',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      TENCENTCLOUD_SECRET_ID: secretId,
      TENCENTCLOUD_SECRET_KEY: secretKey,
      TENCENTCLOUD_SSL_ENDPOINT: sim.url,
      GATEWAY_API_KEYS: formatApiKeys([apiKey.entry]),
      // The simulator's limits are off; take the gateway's own pacing out of the way too.
      RATE_LIMIT_OVERRIDES: 'DescribeCertificates=1000000',
      // Every request makes its upstream call: the bench measures the overhead of the whole path
      // per call. The read cache would answer repeats without one (`npm run bench -- budget`).
      CACHE_TTL_SECONDS: '0',
      // As many pooled upstream sockets as client connections, like the direct baseline has.
      UPSTREAM_MAX_CONNECTIONS: String(connections),
    };
    const gw = await startChild('gateway', gatewayEnv);
    children.push(gw);

    // Idle footprint: after start-up, before any request.
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = { gatewayRss: rssOf(gw.pid) ?? 0, simulatorRss: rssOf(sim.pid) ?? 0 };

    const rest: Target = { name: 'REST GET /v1/certificates?limit=10', url: `${gw.url}/v1/certificates?limit=10`, method: 'GET', headers: { 'x-api-key': apiKey.key } };
    const graphql: Target = {
      name: 'GraphQL certificates(limit: 10)',
      url: `${gw.url}/graphql`,
      method: 'POST',
      headers: { 'x-api-key': apiKey.key, 'content-type': 'application/json' },
      body: JSON.stringify({ query: GRAPHQL_QUERY }),
    };

    // Sanity: each gateway request answers correctly with exactly one upstream call; the direct
    // baseline sends the very parameters the REST route sends.
    const upstreamParams: Record<string, unknown> = {};
    for (const t of [rest, graphql]) {
      await simAdmin(sim, 'DELETE', '/calls');
      const r = await send(t);
      if (r.status !== 200) throw new Error(`${t.name}: HTTP ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
      const items = t === graphql ? (r.json.errors ? undefined : r.json.data?.certificates?.certificates) : r.json.Certificates;
      if (items?.length !== 10) throw new Error(`${t.name}: expected 10 certificates: ${JSON.stringify(r.json).slice(0, 300)}`);
      const counts = (await simAdmin(sim, 'GET', '/calls')) as Record<string, number>;
      if (JSON.stringify(counts) !== JSON.stringify({ DescribeCertificates: 1 })) throw new Error(`${t.name}: upstream calls ${JSON.stringify(counts)}, expected one DescribeCertificates`);
      const log = (await simAdmin(sim, 'GET', '/log?action=DescribeCertificates')) as { params: Record<string, unknown> }[];
      upstreamParams[t === rest ? 'rest' : 'graphql'] = log[0].params;
    }

    const body = JSON.stringify(upstreamParams.rest);
    const signed = sign({
      secretId,
      secretKey,
      service: 'ssl',
      timestamp: Math.floor(Date.now() / 1000),
      headers: { 'Content-Type': 'application/json; charset=utf-8', Host: `127.0.0.1:${sim.port}`, 'X-TC-Action': 'DescribeCertificates', 'X-TC-Version': '2019-12-05' },
      body,
    });
    const direct: Target = { name: 'direct signed call to simulator (baseline)', url: `${sim.url}/`, method: 'POST', headers: signed.headers, body };
    const d = await send(direct);
    if (d.status !== 200 || d.json?.Response?.Error || (d.json?.Response?.Certificates?.length ?? 0) !== 10) {
      throw new Error(`direct call failed: ${JSON.stringify(d.json).slice(0, 300)}`);
    }

    type Key = 'direct' | 'rest' | 'graphql';
    const targets: [Key, Target][] = [['direct', direct], ['rest', rest], ['graphql', graphql]];
    interface Acc {
      segments: Segment[];
      peakRss: { gateway: number; simulator: number };
      cpuMs: { gateway: number; simulator: number; client: number };
      machine: { busyMs: number; totalMs: number };
      upstreamCalls: number;
    }
    const acc = Object.fromEntries(
      targets.map(([k]) => [k, { segments: [], peakRss: { gateway: 0, simulator: 0 }, cpuMs: { gateway: 0, simulator: 0, client: 0 }, machine: { busyMs: 0, totalMs: 0 }, upstreamCalls: 0 } as Acc]),
    ) as Record<Key, Acc>;
    const jiffyMs = 1000 / CLOCK_TICKS;

    for (const [, target] of targets) await runCannon(target, connections, warmupSec);
    const sampler = new RssSampler([gw.pid, sim.pid]);
    // Interleaved rounds (a, b, c, a, b, c, ...): a change in background load on a shared
    // machine then hits the three targets alike instead of biasing whichever ran last.
    const load0 = os.loadavg()[0];
    for (let round = 0; round < rounds; round++) {
      for (const [key, target] of targets) {
        const a = acc[key];
        await simAdmin(sim, 'DELETE', '/calls');
        sampler.reset();
        const cpu0 = { gateway: cpuMsOf(gw.pid) ?? NaN, simulator: cpuMsOf(sim.pid) ?? NaN, client: process.cpuUsage(), machine: machineCpu() };
        const seg = await runCannon(target, connections, durationSec / rounds);
        const client = process.cpuUsage(cpu0.client);
        const machine1 = machineCpu();
        a.cpuMs.gateway += (cpuMsOf(gw.pid) ?? NaN) - cpu0.gateway;
        a.cpuMs.simulator += (cpuMsOf(sim.pid) ?? NaN) - cpu0.simulator;
        a.cpuMs.client += (client.user + client.system) / 1000;
        if (cpu0.machine && machine1) {
          a.machine.busyMs += (machine1.busy - cpu0.machine.busy) * jiffyMs;
          a.machine.totalMs += (machine1.total - cpu0.machine.total) * jiffyMs;
        }
        a.upstreamCalls += Object.values((await simAdmin(sim, 'GET', '/calls')) as Record<string, number>).reduce((n, c) => n + c, 0);
        a.peakRss.gateway = Math.max(a.peakRss.gateway, sampler.peak(gw.pid));
        a.peakRss.simulator = Math.max(a.peakRss.simulator, sampler.peak(sim.pid));
        a.segments.push(seg);
      }
    }
    const load1 = os.loadavg()[0];
    const measured = Object.fromEntries(
      targets.map(([key]) => {
        const a = acc[key];
        const m = summarize(a.segments);
        const sent = m.requests + m.non2xx + m.errors;
        const ours = a.cpuMs.gateway + a.cpuMs.simulator + a.cpuMs.client;
        if (m.non2xx + m.errors + m.timeouts > 0) console.warn(`load: ${key}: ${m.non2xx} non-2xx, ${m.errors} errors, ${m.timeouts} timeouts`);
        return [
          key,
          {
            ...m,
            peakRss: a.peakRss,
            cpuMsPerRequest: { gateway: a.cpuMs.gateway / sent, simulator: a.cpuMs.simulator / sent, client: a.cpuMs.client / sent },
            machineBusy: a.machine.totalMs ? a.machine.busyMs / a.machine.totalMs : NaN,
            /** Share of the machine's CPU time used by processes other than these three (other work on the box). */
            otherCpuShare: a.machine.totalMs ? Math.max(0, a.machine.busyMs - ours) / a.machine.totalMs : NaN,
            upstreamCallsPerRequest: a.upstreamCalls / sent,
          },
        ];
      }),
    ) as Record<Key, Measured & { peakRss: Acc['peakRss']; cpuMsPerRequest: Acc['cpuMs']; machineBusy: number; otherCpuShare: number; upstreamCallsPerRequest: number }>;
    sampler.stop();
    const peakSinceStart = { gateway: peakRssOf(gw.pid), simulator: peakRssOf(sim.pid) };

    const base = measured.direct;
    const rows = (['direct', 'rest', 'graphql'] as const).map((k) => {
      const m = measured[k];
      return {
        target: { direct: '(a) direct → simulator', rest: '(b) REST via gateway', graphql: '(c) GraphQL via gateway' }[k],
        'req/s': Math.round(m.reqPerSec),
        'vs (a)': `${f2(m.reqPerSec / base.reqPerSec)}×`,
        'p50 ms': f2(m.p50),
        'p99 ms': f2(m.p99),
        'added p50 ms': k === 'direct' ? '—' : f2(m.p50 - base.p50),
        'added p99 ms': k === 'direct' ? '—' : f2(m.p99 - base.p99),
        'non-2xx/err': m.non2xx + m.errors + m.timeouts,
        'upstream calls/req': f2(m.upstreamCallsPerRequest),
        'gateway CPU ms/req': k === 'direct' ? '—' : f2(m.cpuMsPerRequest.gateway),
        'sim CPU ms/req': f2(m.cpuMsPerRequest.simulator),
        'client CPU ms/req': f2(m.cpuMsPerRequest.client),
        'machine CPU busy': Number.isFinite(m.machineBusy) ? `${Math.round(m.machineBusy * 100)}%` : 'n/a',
        'other processes': Number.isFinite(m.otherCpuShare) ? `${Math.round(m.otherCpuShare * 100)}%` : 'n/a',
      };
    });
    printTable(
      `Loopback load: ${connections} connections, ${durationSec} s per target in ${rounds} interleaved rounds (after ${warmupSec} s warm-up each); ${os.cpus().length} CPUs, load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
      rows,
    );
    if (Math.max(...Object.values(measured).map((m) => m.otherCpuShare)) > 0.1) {
      console.log('\nNote: other processes used a sizeable share of the CPUs during the run; absolute figures are noisy, ratios less so.');
    }
    printTable('Resident memory (child processes, sampled every 100 ms)', [
      { process: 'gateway (idle, after start-up)', 'RSS MiB': mib(idle.gatewayRss) },
      { process: 'gateway peak during (b) REST', 'RSS MiB': mib(measured.rest.peakRss.gateway) },
      { process: 'gateway peak during (c) GraphQL', 'RSS MiB': mib(measured.graphql.peakRss.gateway) },
      { process: 'gateway peak since start (max of samples and VmHWM)', 'RSS MiB': mib(Math.max(peakSinceStart.gateway ?? 0, measured.rest.peakRss.gateway, measured.graphql.peakRss.gateway)) },
      { process: 'simulator (idle, after start-up)', 'RSS MiB': mib(idle.simulatorRss) },
      { process: 'simulator peak during (a) direct', 'RSS MiB': mib(measured.direct.peakRss.simulator) },
    ]);

    const result = {
      durationSec,
      warmupSec,
      connections,
      rounds,
      loadAverage: { start: load0, end: load1 },
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      graphqlQuery: GRAPHQL_QUERY,
      upstreamParams,
      idleRssBytes: idle,
      peakRssSinceStartBytes: peakSinceStart,
      targets: measured,
      addedLatencyMs: {
        rest: { p50: measured.rest.p50 - base.p50, p99: measured.rest.p99 - base.p99 },
        graphql: { p50: measured.graphql.p50 - base.p50, p99: measured.graphql.p99 - base.p99 },
      },
      throughputRatio: { rest: measured.rest.reqPerSec / base.reqPerSec, graphql: measured.graphql.reqPerSec / base.reqPerSec },
      notes: [
        'gateway and simulator run in separate child processes (plain node, from an esbuild bundle made with the Lambda settings); autocannon runs in the parent; all three share the machine CPUs',
        'upstream calls per response is slightly above 1 because requests in flight when a segment stops reach the simulator but are not counted as responses',
        'latency percentiles are computed from per-response timings of 2xx responses',
      ],
    };
    saveResult('load', result);
    return result;
  } finally {
    clearTimeout(guard);
    for (const c of children.reverse()) await stopChild(c);
  }
}
