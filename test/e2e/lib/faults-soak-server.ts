/**
 * Child process of `test/e2e/soak.test.ts`: the gateway as deployed (`startGateway`: the
 * simulator, the real configuration path and the local server) in a process of its own, started
 * with `node --expose-gc --import tsx`, so that
 *
 * - the heap it reports is the gateway's (plus the simulator's), not the load generator's, and
 * - `global.gc()` is available, so heap samples are taken after full collections.
 *
 * Protocol (IPC, `process.send`): on start it sends `{ type: 'ready', url, keys }`; then it
 * answers each `{ id, type, ... }` message from the parent with `{ id, type: 'reply', ... }`:
 *
 * - `faults` `{ specs }`: adds fault specs to the simulator (returns their ids).
 * - `measure`: folds the simulator's call log into running totals and clears it (the call log
 *   is a test fixture bounded at 10,000 records, not gateway memory), then runs several full
 *   collections with idle time in between and returns `process.memoryUsage()` figures.
 * - `stats`: running totals (upstream calls by action and outcome), the fault list with the
 *   number of times each fired, the simulator state figures used by the invariants, and the
 *   gateway's log lines of server errors (5xx) with their upstream attempts.
 * - `close`: closes the gateway and the simulator, then exits 0.
 *
 * Request log lines: the test harness keeps every line the gateway logs in an array. That is a
 * fixture, not the gateway's own memory (deployed, the lines go to stdout), and it would grow with
 * the request count; the logger is therefore set to `error` after start, which keeps exactly the
 * lines of server-side failures (`logRequest` logs those at error level: HTTP 5xx, and GraphQL
 * answers whose first error is of a 5xx class) — the ones the test inspects.
 */
import { FUNCTION_TIMEOUT_MS } from '../../../src/dev/server';
import { startGateway } from '../../helpers/fixture';
import type { FaultSpec } from '../../../src/simulator/index';

type Msg = { id: number; type: string; [k: string]: unknown };

const send = (msg: Record<string, unknown>): void => {
  process.send?.(msg);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every action the soak may call: the gateway's own pacing must not be what is measured. */
const ACTIONS = [
  'DescribeCertificates',
  'DescribeCertificateDetail',
  'DescribeCertificate',
  'ModifyCertificateAlias',
  'CheckCertificateDomainVerification',
  'DescribeDeployedResources',
  'DescribeCertificateOperateLogs',
];

async function main(): Promise<void> {
  const faultSeed = Number(process.env.SOAK_FAULT_SEED ?? '7');
  const gw = await startGateway({
    // Output shapes are checked by the other suites; here they would only add simulator CPU.
    sim: { faultSeed, strictShapes: false },
    env: {
      RATE_LIMIT_OVERRIDES: ACTIONS.map((a) => `${a}=100000`).join(','),
      UPSTREAM_MAX_ATTEMPTS: '3',
    },
  });
  gw.server.gateway.logger.level = 'error';

  const callsByAction: Record<string, number> = {};
  const outcomesByAction: Record<string, Record<string, number>> = {};
  let upstreamCalls = 0;
  const foldCalls = (): void => {
    for (const rec of gw.sim.calls.log()) {
      upstreamCalls++;
      callsByAction[rec.action] = (callsByAction[rec.action] ?? 0) + 1;
      const o = (outcomesByAction[rec.action] ??= {});
      o[rec.outcome] = (o[rec.outcome] ?? 0) + 1;
    }
    gw.sim.calls.reset();
  };

  const gc = (globalThis as { gc?: () => void }).gc;
  const measure = async (): Promise<Record<string, unknown>> => {
    foldCalls();
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Idle time lets pending timers, sockets and microtasks settle between collections.
      await sleep(100);
      gc?.();
      samples.push(process.memoryUsage().heapUsed);
    }
    const mu = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      eventLoopUtilization: performance.eventLoopUtilization().utilization,
      gcExposed: typeof gc === 'function',
      // With gc: the last sample after full collections; without: the largest (conservative).
      heapUsed: gc ? samples[samples.length - 1] : Math.max(...samples),
      samples,
      heapTotal: mu.heapTotal,
      rss: mu.rss,
      external: mu.external,
      arrayBuffers: mu.arrayBuffers,
    };
  };

  const stats = (): Record<string, unknown> => {
    foldCalls();
    const state = gw.sim.state;
    return {
      upstreamCalls,
      callsByAction,
      outcomesByAction,
      faults: gw.sim.faults.list(),
      aliasApplied: state.operationLogs.filter((l) => l.type === 'updateAlias').length,
      operationLogs: state.operationLogs.length,
      certificates: state.certificates.size,
      deployRecords: state.deployRecords.size,
      serverErrorLines: gw.logs.map((l) => ({ requestId: l.requestId, status: l.status, path: l.path, errorCode: l.errorCode, upstream: l.upstream })),
    };
  };

  const certs = [...gw.sim.state.certificates.values()].map((c) => ({ id: c.id, domain: c.domain, status: c.status, alias: c.alias }));
  send({ type: 'ready', url: gw.url, keys: { all: gw.keys.all, read: gw.keys.read, unknown: gw.keys.unknown }, certs, functionTimeoutMs: FUNCTION_TIMEOUT_MS });

  process.on('message', (raw) => {
    const msg = raw as Msg;
    void (async () => {
      try {
        switch (msg.type) {
          case 'faults': {
            const ids = (msg.specs as FaultSpec[]).map((s) => gw.sim.faults.add(s));
            send({ id: msg.id, type: 'reply', ids });
            break;
          }
          case 'clearFaults':
            for (const f of gw.sim.faults.list()) gw.sim.faults.remove(f.id);
            send({ id: msg.id, type: 'reply' });
            break;
          case 'measure':
            send({ id: msg.id, type: 'reply', ...(await measure()) });
            break;
          case 'stats':
            send({ id: msg.id, type: 'reply', ...stats() });
            break;
          case 'close':
            await gw.close();
            send({ id: msg.id, type: 'reply' });
            process.disconnect?.();
            process.exit(0);
            break;
          default:
            send({ id: msg.id, type: 'reply', error: `unknown message type ${msg.type}` });
        }
      } catch (err) {
        send({ id: msg.id, type: 'reply', error: err instanceof Error ? err.stack ?? err.message : String(err) });
      }
    })();
  });
  process.on('disconnect', () => {
    // The parent went away (test failed or timed out): do not linger.
    void gw.close().finally(() => process.exit(0));
  });
}

const rejections: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  rejections.push(reason);
  send({ type: 'unhandledRejection', reason: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
});

main().catch((err: unknown) => {
  send({ type: 'fatal', error: err instanceof Error ? err.stack ?? err.message : String(err) });
  process.exit(1);
});
