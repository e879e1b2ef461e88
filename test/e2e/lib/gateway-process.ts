/**
 * One gateway process for the e2e suites, configured like a deployment: only from environment
 * variables (`loadConfig(process.env)`), served by `startLocalServer` (the Lambda handlers behind
 * node:http). Started by `spawnGateway` (./gateway-processes.ts) as
 *
 *   node --import tsx test/e2e/lib/gateway-process.ts
 *
 * With `PORT=0` it listens on a free loopback port and prints one line
 * `GATEWAY_READY {"url":"http://127.0.0.1:PORT","pid":N}` on stdout once it accepts requests (its
 * request log lines, one JSON object per line, go to stdout too). It shuts down cleanly (servers
 * closed, Redis connection quit) on SIGTERM/SIGINT and when its stdin closes, so it does not
 * outlive a parent that died without stopping it. SIGUSR2 prints its event-loop delay statistics
 * (`GATEWAY_STATS {...}`, see `GatewayProcess.loopDelay()`).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../../src/config';
import { startLocalServer } from '../../../src/dev/server';
import { READY_PREFIX, STATS_PREFIX } from './gateway-processes';

async function main(): Promise<void> {
  const server = await startLocalServer({ config: loadConfig(process.env) });
  // Event-loop delay of this process (how late its timers, e.g. the rate limiter's waits, and its
  // I/O callbacks ran): SIGUSR2 prints `GATEWAY_STATS {...}` since the last SIGUSR2 and resets.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
    const stats = { pid: process.pid, eventLoopDelayMs: { max: ms(loopDelay.max), p99: ms(loopDelay.percentile(99)), mean: ms(loopDelay.mean) } };
    loopDelay.reset();
    process.stdout.write(`${STATS_PREFIX}${JSON.stringify(stats)}\n`);
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    loopDelay.disable();
    const hardExit = setTimeout(() => process.exit(1), 5_000);
    hardExit.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`gateway-process: close failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.stdout.write(`${READY_PREFIX}${JSON.stringify({ url: server.url, pid: process.pid, mode: server.mode })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway-process: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
