/**
 * The Redis-shared rate limiter across PROCESSES, end to end: one simulator with its documented
 * rate limits enforced (DescribeCertificates: 10/s per account, token bucket), one real Redis, and
 * three gateway processes configured only through environment variables (as three Lambda or
 * container instances would be). A burst of 3 × 40 concurrent client requests (REST `GET /v1/certificates` and GraphQL
 * `certificates`, all DescribeCertificates) must be queued by the shared budget so that the
 * simulator never sees more than 10 call starts in any sliding 1-second window and never answers
 * RequestLimitExceeded, while every client request succeeds.
 *
 * `UPSTREAM_MAX_ATTEMPTS=1` so that a RequestLimitExceeded reaches the client instead of being
 * retried away. The control experiment runs the same burst without `REDIS_URL` (each process its
 * own in-process budget) and shows the upstream limit is then breached.
 *
 * The simulator runs as its own process (`npm run simulator`'s entry, limits enforced by default)
 * so that its arrival timestamps and token buckets are not skewed by this process, which fires
 * the 120 client requests; its call log (`CallRecord`s) is read through `/__simulator/log`.
 *
 * Timing claims are made only from recorded timestamps, all on this machine's clock: when each
 * gateway wrote each call (`sentAt` in its request log, taken by the start check at the moment
 * the request is written: what the code decided), the slot times the limiter booked in Redis (the
 * scores of its `ZADD`s, read with `MONITOR`), and, as a diagnostic, the simulator's
 * `CallRecord.at`. The simulator stamps a call when its own event loop gets to it, which on a
 * loaded machine can be a second late and compresses the stamps; the upstream's own verdict
 * (never `RequestLimitExceeded`) is asserted instead. No wall-clock assertions.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApiKey, formatApiKeys } from '../../src/auth';
import type { CallRecord } from '../../src/simulator/index';
import { getAction } from '../../src/spec/index';
import { jsonAnswer, spawnGateways, spawnSimulator, startRedis, stopAll, type GatewayProcess, type LoopDelay, type SimulatorProcess, type TestRedis } from '../helpers/fixture';

const ACTION = 'DescribeCertificates';
const LIMIT = 10; // documented calls/s of DescribeCertificates (checked against the spec below)
const WINDOW_MS = 1_000;
const PROCESSES = 3;
const PER_PROCESS = 40;
const TOTAL = PROCESSES * PER_PROCESS;

const key = createDemoApiKey({ id: 'e2e-burst', scopes: ['read'] });

let redis: TestRedis;
let sim: SimulatorProcess;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  [redis, sim] = await Promise.all([startRedis(), spawnSimulator()]);
});

afterAll(async () => {
  await stopAll(running.splice(0));
  await sim?.stop();
  await redis?.stop();
});

function gatewayEnv(extra: Record<string, string>): Record<string, string> {
  return {
    GATEWAY_ENV: 'test',
    LOG_LEVEL: 'info',
    TENCENTCLOUD_SECRET_ID: sim.secretId,
    TENCENTCLOUD_SECRET_KEY: sim.secretKey,
    TENCENTCLOUD_SSL_ENDPOINT: sim.url,
    GATEWAY_API_KEYS: formatApiKeys([key.entry]),
    UPSTREAM_MAX_ATTEMPTS: '1',
    // 120 calls at 10/s: the last one queues ~12 s, so the queue must be allowed to be that long,
    // and the one caller of this suite may have all of its requests queued.
    RATE_LIMIT_MAX_WAIT_MS: '25000',
    // The burst measures the limiter: identical reads must each reach it, not the read cache.
    CACHE_TTL_SECONDS: '0',
    RATE_LIMIT_CALLER_MAX_QUEUED: String(TOTAL),
    ...extra,
  };
}

async function start(env: Record<string, string>): Promise<GatewayProcess[]> {
  const procs = await spawnGateways(PROCESSES, gatewayEnv(env));
  running.push(...procs);
  return procs;
}

async function stop(procs: GatewayProcess[]): Promise<void> {
  await stopAll(procs);
  for (const p of procs) running.splice(running.indexOf(p), 1);
}

interface Outcome {
  process: number;
  surface: 'rest' | 'graphql';
  status: number;
  ok: boolean;
  body: any;
}

const GRAPHQL = JSON.stringify({ query: '{ certificates(limit: 1) { totalCount } }' });

async function one(proc: GatewayProcess, index: number, surface: 'rest' | 'graphql'): Promise<Outcome> {
  const res =
    surface === 'rest'
      ? await fetch(`${proc.url}/v1/certificates?limit=1`, { headers: { 'x-api-key': key.key } })
      : await fetch(`${proc.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key.key }, body: GRAPHQL });
  const { body } = await jsonAnswer(res);
  const ok =
    res.status === 200 &&
    (surface === 'rest'
      ? Array.isArray(body?.Certificates) && typeof body?.TotalCount === 'number'
      : body?.errors === undefined && typeof body?.data?.certificates?.totalCount === 'number');
  return { process: index, surface, status: res.status, ok, body };
}

/** `perProcess` concurrent requests at each process, all fired at once (half REST, half GraphQL). */
function burst(procs: GatewayProcess[], perProcess: number): Promise<Outcome[]> {
  return Promise.all(procs.flatMap((p, i) => Array.from({ length: perProcess }, (_, j) => one(p, i, j % 2 === 0 ? 'rest' : 'graphql'))));
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** Most call starts inside any window [t, t + windowMs) of the timestamps, and where. */
function maxInWindow(times: readonly number[], windowMs: number): { max: number; from: number } {
  const t = sorted(times);
  let best = { max: 0, from: t[0] ?? 0 };
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    if (j < i) j = i;
    while (j + 1 < t.length && t[j + 1] < t[i] + windowMs) j++;
    if (j - i + 1 > best.max) best = { max: j - i + 1, from: t[i] };
  }
  return best;
}

/** Smallest distance between the k-th and the (k + limit)-th timestamp (≥ windowMs ⇔ ≤ limit per window). */
function minGap(times: readonly number[], limit: number): number {
  const t = sorted(times);
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i + limit < t.length; i++) min = Math.min(min, t[i + limit] - t[i]);
  return min;
}

/**
 * One request of each surface to each process (first compile of the GraphQL path, first upstream
 * connection, first Redis script load), then a pause so those calls leave the limiter's window,
 * then a clean simulator (call log and rate-limit buckets).
 */
async function warmUp(procs: GatewayProcess[]): Promise<void> {
  const out = await Promise.all(procs.flatMap((p, i) => [one(p, i, 'rest'), one(p, i, 'graphql')]));
  expect(out.filter((o) => !o.ok), JSON.stringify(out.filter((o) => !o.ok))).toEqual([]);
  await new Promise((r) => setTimeout(r, 1_300));
  await sim.reset();
  await Promise.all(procs.map((p) => p.loopDelay())); // reset their event-loop delay histograms
}

function describeCalls(): Promise<CallRecord[]> {
  return sim.callLog(ACTION);
}

function requestLines(proc: GatewayProcess): Record<string, unknown>[] {
  return proc.logs().filter((l) => l.msg === 'request');
}

/**
 * The slot times (ms, Redis clock) booked by the shared limiter for `action`, from MONITOR: every
 * `ZADD` of the reservation script, minus the slots given back by calls of the release script (a
 * caller that gave up, or a slot its process could not start in time and replaced by a later one).
 */
async function watchBookedSlots(url: string, keyPrefix: string, action: string): Promise<{ slots(): number[]; released(): number[]; close(): void }> {
  const client = new Redis(url);
  const monitor = await client.monitor();
  const booked = new Map<string, number>();
  const released: number[] = [];
  const viaSha = new Set<string>();
  const target = `${keyPrefix}ratelimit:${action}`;
  monitor.on('monitor', (_time: string, args: string[]) => {
    const cmd = args[0]?.toLowerCase();
    if (cmd === 'zadd' && args[1] === target) booked.set(args[3], Number(args[2]));
    // A release is the release script called with one key and the slot time (`EVALSHA sha 1 key
    // slot`); counted by the call, not by its ZREM, which does not happen when the slot has
    // already been pruned (given back more than a window after it, by a process that stalled).
    else if ((cmd === 'evalsha' || cmd === 'eval') && args.length === 5 && args[2] === '1' && args[3] === target) {
      // An EVAL after an EVALSHA of the same release is its NOSCRIPT fallback: one release.
      if (cmd === 'eval' && viaSha.delete(args[4])) return;
      if (cmd === 'evalsha') viaSha.add(args[4]);
      const at = Number(args[4]);
      for (const [member, score] of booked) {
        if (score !== at) continue;
        booked.delete(member);
        released.push(at);
        break;
      }
    }
  });
  return {
    slots: () => [...booked.values()],
    released: () => [...released],
    close: () => {
      monitor.disconnect();
      client.disconnect();
    },
  };
}

interface BurstResult {
  outcomes: Outcome[];
  /** DescribeCertificates calls recorded by the simulator during the burst. */
  calls: CallRecord[];
  /** Every call recorded by the simulator during the burst. */
  allCalls: CallRecord[];
  /** Arrival times at the simulator, ascending. */
  arrivals: number[];
  /** When the gateways wrote the DescribeCertificates calls (their request logs), ascending. */
  sends: number[];
  /** Request log lines each process wrote during the burst. */
  lines: Record<string, unknown>[][];
  /** stdout lines (warnings included) each process wrote by the end of the burst. */
  stdout: string[][];
  delays: LoopDelay[];
  /** Slot times booked in Redis during the burst and not given back (shared run only), ascending. */
  slots: number[];
  /** Slots booked during the burst and given back unused (shared run only), ascending. */
  released: number[];
}

/** Starts 3 gateway processes with `env`, warms them up, fires the burst, collects the evidence, stops them. */
async function runBurst(env: Record<string, string>, keyPrefix?: string): Promise<BurstResult> {
  await sim.reset();
  const procs = await start(env);
  let watch: Awaited<ReturnType<typeof watchBookedSlots>> | undefined;
  try {
    await warmUp(procs);
    const logged = procs.map((p) => requestLines(p).length);
    if (keyPrefix !== undefined) watch = await watchBookedSlots(redis.url, keyPrefix, ACTION);

    const outcomes = await burst(procs, PER_PROCESS);

    const delays = await Promise.all(procs.map((p) => p.loopDelay()));
    const calls = await describeCalls();
    const lines = procs.map((p, i) => requestLines(p).slice(logged[i]));
    return {
      outcomes,
      calls,
      allCalls: await sim.callLog(),
      arrivals: sorted(calls.map((c) => c.at)),
      sends: sorted(lines.flat().flatMap((l) => (l.upstream as { action: string; sentAt?: number }[] | undefined)?.filter((u) => u.action === ACTION).map((u) => u.sentAt ?? Number.NaN) ?? [])),
      lines,
      stdout: procs.map((p) => p.stdoutLines()),
      delays,
      slots: sorted(watch?.slots() ?? []),
      released: sorted(watch?.released() ?? []),
    };
  } finally {
    watch?.close();
    await stop(procs);
  }
}

/** What the simulator and Redis saw, for assertion messages. */
function diagnosis(r: BurstResult): string {
  const refused = r.calls.filter((c) => c.outcome === 'RequestLimitExceeded').length;
  const worst = maxInWindow(r.arrivals, WINDOW_MS);
  // k-th arrival vs k-th booked slot: every call starts after its own slot, so this bounds from
  // below how late the k-th call started (negative: calls started before their booked slot).
  const lateness = r.arrivals.map((t, i) => t - (r.slots[i] ?? Number.NaN));
  const fallbacks = r.stdout.map((lines) => lines.filter((l) => /rate-limit store unavailable/i.test(l)).length);
  return [
    `gateways: ${r.sends.length} calls written, max ${maxInWindow(r.sends, WINDOW_MS).max} in one sliding second; min gap call k → k+${LIMIT}: ${minGap(r.sends, LIMIT)} ms`,
    `simulator: ${r.calls.length} calls, ${refused} answered RequestLimitExceeded; max ${worst.max} arrivals in one sliding second (from +${worst.from - r.arrivals[0]} ms); min gap call k → k+${LIMIT}: ${minGap(r.arrivals, LIMIT)} ms`,
    `Redis: ${r.slots.length} slots booked and used, max ${maxInWindow(r.slots, WINDOW_MS).max} per sliding second, min gap k → k+${LIMIT}: ${minGap(r.slots, LIMIT)} ms; ${r.released.length} more booked but given back unused`,
    `arrival − booked slot (by rank): min ${Math.min(...lateness)} ms, max ${Math.max(...lateness)} ms`,
    `gateway processes: event-loop delay max ${r.delays.map((d) => `${d.max} ms`).join(', ')}; fell back to the in-process limiter: ${fallbacks.join(', ')} time(s)`,
    `clients: ${r.outcomes.filter((o) => !o.ok).length} failed, e.g. ${JSON.stringify(r.outcomes.find((o) => !o.ok)?.body ?? null).slice(0, 300)}`,
  ].join('\n');
}

describe('DescribeCertificates limit', () => {
  it('is documented at 10 calls/s (the limit the simulator enforces)', () => {
    expect(getAction(ACTION)?.rateLimit).toBe(LIMIT);
  });
});

describe(`shared limiter (REDIS_URL): a burst of ${PROCESSES} × ${PER_PROCESS} requests through ${PROCESSES} gateway processes`, () => {
  let r: BurstResult;

  beforeAll(async () => {
    const prefix = `e2e-${randomUUID()}:`;
    r = await runBurst({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix }, prefix);
  }, 60_000);

  it('reached the simulator as exactly one DescribeCertificates call per client request', () => {
    expect(r.allCalls, diagnosis(r)).toHaveLength(TOTAL);
    expect(r.calls).toHaveLength(TOTAL);
  });

  it('every client request succeeded (200, no 429, no RequestLimitExceeded)', () => {
    const failed = r.outcomes.filter((o) => !o.ok);
    expect(failed.length, diagnosis(r)).toBe(0);
    expect(r.outcomes.filter((o) => o.status === 429)).toHaveLength(0);
    expect(JSON.stringify(r.outcomes.map((o) => o.body))).not.toContain('RequestLimitExceeded');
  });

  it('the simulator never answered RequestLimitExceeded', () => {
    const outcomes = r.calls.reduce<Record<string, number>>((acc, c) => ((acc[c.outcome] = (acc[c.outcome] ?? 0) + 1), acc), {});
    expect(outcomes, diagnosis(r)).toEqual({ ok: TOTAL });
  });

  it(`at most ${LIMIT} calls started in every sliding 1-second window (when the gateways wrote them, checked at send time)`, () => {
    expect(r.sends, diagnosis(r)).toHaveLength(TOTAL);
    expect(maxInWindow(r.sends, WINDOW_MS).max, diagnosis(r)).toBeLessThanOrEqual(LIMIT);
    expect(minGap(r.sends, LIMIT), diagnosis(r)).toBeGreaterThanOrEqual(WINDOW_MS);
  });

  it('queueing happened: the 120 calls spread over at least 11 windows, from one shared budget', () => {
    // 120 calls at ≤ 10 per window: calls 1, 11, …, 111 are each ≥ 1 s apart, so ≥ 11 windows lie
    // between the first and the last start, which fall into ≥ 12 distinct seconds.
    // (send times: see the module comment)
    const first = r.sends[0];
    const last = r.sends[r.sends.length - 1];
    expect(last - first, diagnosis(r)).toBeGreaterThanOrEqual((Math.ceil(TOTAL / LIMIT) - 1) * WINDOW_MS);
    expect(new Set(r.sends.map((t) => Math.floor((t - first) / WINDOW_MS))).size).toBeGreaterThanOrEqual(Math.ceil(TOTAL / LIMIT));
    // One budget, not one per process (which would let 30 through in the first second).
    expect(r.sends.filter((t) => t < first + WINDOW_MS).length, diagnosis(r)).toBeLessThan(2 * LIMIT);
  });

  it('the shared budget was used throughout: no process fell back to its in-process limiter', () => {
    expect(r.stdout.flat().filter((l) => /rate-limit store unavailable/i.test(l)), diagnosis(r)).toEqual([]);
  });

  it('diagnostic: the slots booked in Redis keep ≤ 10 per window (the booking itself is right)', () => {
    expect(r.slots, diagnosis(r)).toHaveLength(TOTAL);
    expect(maxInWindow(r.slots, WINDOW_MS).max).toBeLessThanOrEqual(LIMIT);
    expect(minGap(r.slots, LIMIT)).toBeGreaterThanOrEqual(WINDOW_MS);
  });

  it('each process logged one request line per request, with the upstream RequestIds the simulator issued', () => {
    const loggedIds: string[] = [];
    r.lines.forEach((lines) => {
      expect(lines).toHaveLength(PER_PROCESS);
      for (const l of lines) {
        expect(l).toMatchObject({
          caller: 'key:e2e-burst',
          operation: expect.any(String),
          latencyMs: expect.any(Number),
          upstream: [{ action: ACTION, requestId: expect.any(String), queueWaitMs: expect.any(Number), sentAt: expect.any(Number) }],
        });
        loggedIds.push((l.upstream as { requestId: string }[])[0].requestId);
      }
    });
    expect(sorted(loggedIds.map((id) => r.calls.findIndex((c) => c.requestId === id)))).toEqual(r.calls.map((_, i) => i));
  });
});

describe('control: the same burst WITHOUT REDIS_URL (one in-process budget per gateway process)', () => {
  let r: BurstResult;

  beforeAll(async () => {
    r = await runBurst({});
  }, 60_000);

  it('breaches the upstream limit: more than 10 starts in a second, and RequestLimitExceeded', () => {
    expect(r.calls).toHaveLength(TOTAL);
    const refused = r.calls.filter((c) => c.outcome === 'RequestLimitExceeded');
    const worst = maxInWindow(r.arrivals, WINDOW_MS);
    // Three independent budgets of 10 per window: the upstream sees up to 30 starts in a second,
    // and refuses what exceeds its own budget.
    expect(worst.max > LIMIT || refused.length > 0, diagnosis(r)).toBe(true);
    expect(worst.max, diagnosis(r)).toBeGreaterThan(LIMIT);
    expect(refused.length, diagnosis(r)).toBeGreaterThan(0);
  });

  it('each refusal surfaced as one failed client request: RATE_LIMITED with the upstream code', () => {
    const refused = r.calls.filter((c) => c.outcome === 'RequestLimitExceeded');
    const failed = r.outcomes.filter((o) => !o.ok);
    // One attempt per call (UPSTREAM_MAX_ATTEMPTS=1): nothing was retried away.
    expect(failed).toHaveLength(refused.length);
    for (const f of failed) {
      if (f.surface === 'rest') {
        expect(f.status).toBe(429);
        expect(f.body.error).toMatchObject({ code: 'RATE_LIMITED', upstream: { action: ACTION, code: 'RequestLimitExceeded' } });
      } else {
        expect(f.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', upstream: { action: ACTION, code: 'RequestLimitExceeded' } });
      }
    }
  });
});
