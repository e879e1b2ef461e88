/** Small helpers shared by the benchmarks: timing, table printing, result files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoApiKey, formatApiKeys } from '../src/auth';
import { createSimulator } from '../src/simulator/index';

export const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), 'results');

/** Runs `fn` `iterations` times after a warm-up; returns operations per second. */
export function opsPerSecond(fn: () => void, iterations: number): number {
  for (let i = 0; i < Math.min(1000, iterations / 10); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - start);
  return iterations / (ns / 1e9);
}

export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`|${cols.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => String(r[c])).join(' | ')} |`);
}

export function saveResult(name: string, data: unknown): void {
  mkdirSync(resultsDir, { recursive: true });
  const file = resolve(resultsDir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...(data as object) }, null, 2) + '\n');
}

/**
 * A simulator in this process (demo data, no rate limits) and the production-like environment of
 * a bundled handler pointed at it, with one read-scoped API key: what the bundle and cold-start
 * benchmarks run their fresh processes with.
 */
export async function benchUpstream(name: string): Promise<{ sim: Awaited<ReturnType<typeof createSimulator>>; apiKey: ReturnType<typeof createDemoApiKey>; env: Record<string, string> }> {
  const secretId = `bench-${name}-secret-id`;
  const secretKey = `bench-${name}-secret-key-${process.pid}`;
  const sim = await createSimulator({ port: 0, host: '127.0.0.1', rateLimits: false, demoData: true, credentials: [{ secretId, secretKey }] });
  const apiKey = createDemoApiKey({ id: `bench-${name}`, scopes: ['read'] });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    GATEWAY_ENV: 'production',
    LOG_LEVEL: 'info',
    TENCENTCLOUD_SECRET_ID: secretId,
    TENCENTCLOUD_SECRET_KEY: secretKey,
    TENCENTCLOUD_SSL_ENDPOINT: sim.url,
    GATEWAY_API_KEYS: formatApiKeys([apiKey.entry]),
  };
  return { sim, apiKey, env };
}

/**
 * The start of the cold-start benchmarks' child scripts (bench/coldstart.ts, bench/bundle.ts),
 * run with `node --input-type=module -e`: imports the handler at BENCH_HANDLER_URL between `t0`
 * and `t1`, parses BENCH_EVENT into `event`, and builds a Lambda `context` as the runtime passes it.
 */
export const CHILD_PRELUDE = `
const t0 = performance.now();
const mod = await import(process.env.BENCH_HANDLER_URL);
const t1 = performance.now();
const event = JSON.parse(process.env.BENCH_EVENT);
const context = {
  functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '1024', awsRequestId: 'bench-0', logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 28000, done() {}, fail() {}, succeed() {},
};
`;
