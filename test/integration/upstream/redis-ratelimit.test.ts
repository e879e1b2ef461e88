/**
 * The Redis-backed rate limiter against a real, private redis-server: several limiter instances
 * (separate connections, i.e. separate gateway processes) and three real child processes share
 * one per-action budget. Assertions are on what the code decides, never on how fast this machine
 * is: in-process suites run on manual time (`manualTime`, which also replaces the Redis clock in
 * the script), so grants happen at exact times; the multi-process suite checks the slots Redis
 * booked and that no call was granted before its slot. Slots are evenly spaced by default
 * (window + 100 ms guard, divided by the limit); `burst` restores bursts where a test is about
 * something else.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRedisDriver } from '../../../src/upstream/redis-driver';
import { GatewayError, GatewayErrorCode } from '../../../src/upstream/errors';
import { createPolicyLookup, type ActionPolicy } from '../../../src/upstream/policy';
import { MemoryRateLimiterStore, type RatePolicy } from '../../../src/upstream/ratelimit';
import {
  createRedisRateLimiter,
  RateLimitStoreUnavailableError,
  RedisRateLimiterStore,
  type CreateRedisRateLimiterOptions,
  type RedisRateLimiter,
  type WarnLogger,
} from '../../../src/upstream/redis-ratelimit';
import { manualTime, type ManualTime } from '../../helpers/manual-time';
import { freePort, startRedis, type TestRedis } from '../../helpers/redis';
import type { ChildReport } from './fixtures/limiter-child';

const read = (rateLimit: number): ActionPolicy => ({ rateLimit, region: 'none', kind: 'read' });
const policies = (rate: number) => createPolicyLookup({ DescribeCertificates: read(rate), ApplyCertificate: { ...read(rate), kind: 'write' } });
const ACTION = 'DescribeCertificates';

let redis: TestRedis;
let admin: Redis;
const limiters: RedisRateLimiter[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  // The limiters below open their connections from the URL.
  await loadRedisDriver();
});
afterAll(async () => {
  await Promise.all(limiters.map((l) => l.close()));
  admin?.disconnect();
  await redis?.stop();
});

type Extra = Partial<Omit<CreateRedisRateLimiterOptions, 'url' | 'client' | 'policies'>>;
function limiter(rate: number, extra: Extra & { url?: string } = {}): RedisRateLimiter {
  const { url, ...rest } = extra;
  const l = createRedisRateLimiter({ url: url ?? redis.url, policies: policies(rate), maxWaitMs: 10_000, logger: quiet, ...rest });
  limiters.push(l);
  return l;
}
const quiet: WarnLogger = { warn: () => {}, info: () => {} };
const prefix = () => `test:${randomUUID()}:`;

/** Largest number of grants in any window (t - windowMs, t]. */
function maxInWindow(times: number[], windowMs = 1_000): number {
  const t = [...times].sort((x, y) => x - y);
  let worst = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[lo] <= t[hi] - windowMs) lo++;
    worst = Math.max(worst, hi - lo + 1);
  }
  return worst;
}

interface Run {
  grants: number[];
  errors: unknown[];
}
async function hammer(instances: RedisRateLimiter[], callsEach: number, action = ACTION): Promise<Run> {
  const run: Run = { grants: [], errors: [] };
  await Promise.all(
    instances.flatMap((l) =>
      Array.from({ length: callsEach }, () =>
        l.acquire(action).then(
          () => void run.grants.push(Date.now()),
          (err: unknown) => void run.errors.push(err),
        ),
      ),
    ),
  );
  return run;
}

/**
 * Manual time for limiters on a real Redis: between two steps every connection answers a PING
 * (Redis answers in order, so every reply sent before has arrived), then callbacks run.
 */
function redisTime(clients: () => readonly Pick<Redis, 'ping'>[]): ManualTime {
  return manualTime(1_800_000_000_000, async () => {
    for (let i = 0; i < 3; i++) {
      await Promise.all(clients().map((c) => c.ping()));
      await new Promise<void>((r) => setImmediate(r));
    }
  });
}

/** A limiter on `time` (its clock, its timers, and the script's clock). */
function timedLimiter(time: ManualTime, rate: number, extra: Extra = {}): RedisRateLimiter {
  return limiter(rate, { clock: time.clock, sleep: time.sleep, redisClock: time.clock, ...extra });
}

/** `hammer` on manual time: grants are stamped with the manual clock; time runs until all settled. */
async function hammerOn(time: ManualTime, instances: RedisRateLimiter[], callsEach: number, action = ACTION, advanceMs = 60_000): Promise<Run> {
  const run: Run = { grants: [], errors: [] };
  const all = Promise.all(
    instances.flatMap((l) =>
      Array.from({ length: callsEach }, () =>
        l.acquire(action).then(
          () => void run.grants.push(time.now()),
          (err: unknown) => void run.errors.push(err),
        ),
      ),
    ),
  );
  await time.advance(advanceMs);
  await all;
  return run;
}

describe('maxInWindow (test helper)', () => {
  it('counts starts in half-open windows', () => {
    expect(maxInWindow([0, 0, 999, 1000, 1000])).toBe(3);
    expect(maxInWindow([0, 0, 999, 999.5])).toBe(4);
    expect(maxInWindow([0, 1000, 2000])).toBe(1);
    expect(maxInWindow([])).toBe(0);
  });
});

describe('Redis rate limiter: one budget for many processes', () => {
  it('four limiter instances (separate connections) never exceed the limit in any 1 s window', async () => {
    const keyPrefix = prefix();
    const instances: RedisRateLimiter[] = [];
    const time = redisTime(() => instances.map((l) => l.client));
    instances.push(...Array.from({ length: 4 }, () => timedLimiter(time, 20, { keyPrefix })));
    await Promise.all(instances.map((l) => l.client.ping()));
    const run = await hammerOn(time, instances, 15);
    expect(run.errors).toEqual([]);
    expect(run.grants).toHaveLength(60);
    // A sliding window of 1.1 s: 20 start at once, 20 more when that window has passed, and so on:
    // the load saturates the limit, never beyond it.
    expect(maxInWindow(run.grants)).toBeLessThanOrEqual(20);
    expect(maxInWindow(run.grants)).toBeGreaterThanOrEqual(18);
    for (const l of instances) expect(l.state).toBe('redis');
  });

  it('three child processes hammering one action through one Redis share the budget', async () => {
    const keyPrefix = prefix();
    const script = fileURLToPath(new URL('./fixtures/limiter-child.ts', import.meta.url));
    const cfg = { url: redis.url, action: ACTION, rate: 10, calls: 15, maxWaitMs: 20_000, keyPrefix };
    const children: ChildProcess[] = [];
    const stderr: string[] = [];
    try {
      const reports: Promise<ChildReport>[] = [];
      const ready: Promise<void>[] = [];
      for (let n = 0; n < 3; n++) {
        const child = fork(script, [JSON.stringify(cfg)], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        children.push(child);
        child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString('utf8')));
        const exited = new Promise<never>((_, reject) =>
          child.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting: ${stderr.join('')}`))),
        );
        ready.push(Promise.race([new Promise<void>((resolve) => child.on('message', (m: { type?: string }) => m.type === 'ready' && resolve())), exited]));
        reports.push(Promise.race([new Promise<ChildReport>((resolve) => child.on('message', (m: ChildReport) => m.type === 'done' && resolve(m))), exited]));
      }
      await Promise.all(ready);
      for (const child of children) child.send({ type: 'go' });
      const done = await Promise.all(reports);

      expect(new Set(done.map((r) => r.pid)).size).toBe(3);
      expect(done.flatMap((r) => r.errors)).toEqual([]);
      const grants = done.flatMap((r) => r.grants);
      expect(grants).toHaveLength(45);
      // What Redis decided: 45 distinct slots, at most (and, saturated, exactly) 10 in any second.
      const slots = grants.map((g) => g.slot);
      expect(new Set(slots).size).toBe(45);
      expect(maxInWindow(slots)).toBe(10);
      // And no process let a call go before its slot (on the local clock, which Redis shares here).
      for (const g of grants) {
        expect(g.startAt).toBeGreaterThanOrEqual(g.slot);
        expect(g.at).toBeGreaterThanOrEqual(g.startAt);
      }
      // Each process alone got far fewer than the total: the budget is shared, not per process.
      for (const r of done) expect(r.grants).toHaveLength(15);
      expect(await admin.exists(keyPrefix + ACTION)).toBe(1);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    }
  }, 60_000);

  it('queues within the max wait and rejects beyond it without consuming a slot', async () => {
    const keyPrefix = prefix();
    const both: RedisRateLimiter[] = [];
    const time = redisTime(() => both.map((l) => l.client));
    const opts = { keyPrefix, maxWaitMs: 1_500, windowGuardMs: 50, burst: 1 };
    const [a, b] = [timedLimiter(time, 5, opts), timedLimiter(time, 5, opts)];
    both.push(a, b);
    await Promise.all([a.client.ping(), b.client.ping()]);
    const t0 = time.now();
    const run = await hammerOn(time, [a, b], 6);
    // Slots 210 ms apart (1050 / 5): 0, 210, ..., 1470 are within 1.5 s; 4 would need more.
    expect(run.grants).toHaveLength(8);
    expect(run.errors).toHaveLength(4);
    for (const err of run.errors) {
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe(GatewayErrorCode.RATE_LIMITED);
      expect((err as GatewayError).httpStatus).toBe(429);
      expect((err as GatewayError).details).toMatchObject({ action: ACTION, limitPerSecond: 5, source: 'gateway' });
      expect((err as GatewayError).details?.retryAfterMs).toBeGreaterThan(0);
    }
    expect(maxInWindow(run.grants)).toBe(5);
    const sorted = [...run.grants].sort((x, y) => x - y);
    expect(sorted[5] - sorted[0]).toBeGreaterThanOrEqual(1_000); // the sixth really waited a window
    // The rejected callers booked nothing: every slot in Redis is one of the 8 granted ones (0, 210,
    // ..., 1470 ms; older ones are pruned as the window slides), and they left the waiting queue.
    const booked = (await admin.zrange(keyPrefix + ACTION, '0', '-1', 'WITHSCORES')).filter((_, i) => i % 2 === 1).map((v) => Number(v) - t0);
    expect(booked.length).toBeGreaterThan(0);
    for (const slot of booked) expect([0, 210, 420, 630, 840, 1_050, 1_260, 1_470]).toContain(slot);
    expect(Math.max(...booked)).toBe(1_470);
    expect(await admin.exists(`${keyPrefix}${ACTION}:fq:q`)).toBe(0);
  });

  it('hands out slots in arrival order (FIFO), evenly spaced with burst 1', async () => {
    const box: RedisRateLimiter[] = [];
    const time = redisTime(() => box.map((l) => l.client));
    const l = timedLimiter(time, 10, { keyPrefix: prefix(), burst: 1 });
    box.push(l);
    await l.client.ping();
    const order: number[] = [];
    const at: number[] = [];
    const all = Promise.all(Array.from({ length: 9 }, (_, i) => l.acquire(ACTION).then(() => void (order.push(i), at.push(time.now())))));
    await time.advance(5_000);
    await all;
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // 110 ms apart (1100 / 10). The first slot was free: it starts at once; the others 1 ms after
    // their slot (the Redis clock is mapped to the local one on the safe side of whole-ms rounding).
    expect(at.map((t) => t - at[0])).toEqual(Array.from({ length: 9 }, (_, k) => (k === 0 ? 0 : k * 110 + 1)));
  });

  it('keeps actions and key prefixes apart, and lets keys expire', async () => {
    const p1 = prefix();
    const p2 = prefix();
    const box: RedisRateLimiter[] = [];
    const time = redisTime(() => box.map((l) => l.client));
    const l1 = timedLimiter(time, 3, { keyPrefix: p1, maxWaitMs: 0 });
    const l2 = timedLimiter(time, 3, { keyPrefix: p2, maxWaitMs: 0 });
    box.push(l1, l2);
    const count = async (l: RedisRateLimiter, action: string) => (await hammerOn(time, [l], 5, action)).grants.length;
    expect(await count(l1, ACTION)).toBe(3);
    expect(await count(l1, 'ApplyCertificate')).toBe(3);
    expect(await count(l2, ACTION)).toBe(3);
    const pttl = await admin.pttl(p1 + ACTION);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1_100 + 1_000); // one window (1 s + the 100 ms guard) + 1 s
  });

  it('a caller that gives up while queued leaves the shared queue (and books no slot)', async () => {
    const keyPrefix = prefix();
    const queue = `${keyPrefix}${ACTION}:fq:q`;
    const l = limiter(2, { keyPrefix });
    await hammer([l], 2);
    const ac = new AbortController();
    const waiting = l.acquire(ACTION, ac.signal).then(
      () => 'granted',
      (err: unknown) => err,
    );
    for (let i = 0; i < 100 && (await admin.zcard(queue)) < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await admin.zcard(queue)).toBe(1);
    expect(await admin.pttl(queue)).toBeGreaterThan(0);
    ac.abort(new Error('client went away'));
    expect(await waiting).toEqual(new Error('client went away'));
    for (let i = 0; i < 100 && (await admin.exists(queue)) === 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await admin.exists(queue)).toBe(0);
    expect(await admin.zcard(keyPrefix + ACTION)).toBe(2);
  });

  it('reloads its script when the server forgot it (EVALSHA -> EVAL)', async () => {
    const keyPrefix = prefix();
    const box: RedisRateLimiter[] = [];
    const time = redisTime(() => box.map((l) => l.client));
    const l = timedLimiter(time, 5, { keyPrefix, maxWaitMs: 0 });
    box.push(l);
    await admin.script('FLUSH');
    expect((await hammerOn(time, [l], 2, ACTION, 0)).grants).toHaveLength(2);
    await admin.script('FLUSH');
    expect((await hammerOn(time, [l], 5, ACTION, 0)).grants).toHaveLength(3);
  });

  it('rejects invalid factory options', () => {
    expect(() => createRedisRateLimiter({ policies: policies(1), maxWaitMs: 0 } as unknown as CreateRedisRateLimiterOptions)).toThrow(TypeError);
    expect(() => limiter(1, { fallbackRateFactor: 0 })).toThrow(RangeError);
    expect(() => limiter(1, { windowGuardMs: -1 })).toThrow(RangeError);
    expect(() => limiter(1, { burst: 0 })).toThrow(RangeError);
  });
});

describe('Redis limiter: a sliding-window budget shared fairly by callers, across processes (manual time)', () => {
  type Grant = { caller: string | undefined; at: number; via: number };
  /** Two limiter instances (two processes) on one budget and one manual clock. */
  function pair(rate: number, extra: Extra = {}) {
    const keyPrefix = prefix();
    const box: RedisRateLimiter[] = [];
    const time = redisTime(() => box.map((l) => l.client));
    box.push(timedLimiter(time, rate, { keyPrefix, ...extra }), timedLimiter(time, rate, { keyPrefix, ...extra }));
    const log: Grant[] = [];
    const errors: unknown[] = [];
    const call = (via: number, caller: string | undefined, n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          box[via].acquire(ACTION, undefined, caller === undefined ? undefined : { caller }).then(
            () => void log.push({ caller, at: time.now() - time0, via }),
            (err: unknown) => void errors.push(err),
          ),
        ),
      );
    const time0 = time.now();
    return { keyPrefix, box, time, log, errors, call };
  }

  it('light traffic pays nothing: a lone call and a burst below the limit, from two processes, start at once', async () => {
    const p = pair(10);
    await Promise.all(p.box.map((l) => l.client.ping()));
    const lone = p.call(0, 'key:a', 1);
    await p.time.advance(0);
    await lone;
    const burst = Promise.all([p.call(0, 'key:a', 4), p.call(1, 'key:b', 5)]);
    await p.time.advance(0);
    await burst;
    expect(p.errors).toEqual([]);
    expect(p.log.map((g) => g.at)).toEqual(Array(10).fill(0));
  });

  it('never grants more than the limit in any window + guard; only calls beyond the budget wait', async () => {
    const p = pair(10, { maxQueuedPerCaller: 100 });
    await Promise.all(p.box.map((l) => l.client.ping()));
    const all = Promise.all([p.call(0, 'key:a', 12), p.call(1, 'key:b', 13)]);
    await p.time.advance(10_000);
    await all;
    expect(p.errors).toEqual([]);
    const times = p.log.map((g) => g.at).sort((a, b) => a - b);
    // (+1 ms: slots on the Redis clock are mapped to the local one on the safe side of whole-ms rounding)
    expect(times).toEqual([...Array(10).fill(0), ...Array(10).fill(1_101), ...Array(5).fill(2_201)]);
  });

  it('round-robin: a light caller is served in its fair turn while a flooder has 40 queued', async () => {
    const p = pair(10, { maxQueuedPerCaller: 40 });
    await Promise.all(p.box.map((l) => l.client.ping()));
    const flood = p.call(0, 'key:flood', 40);
    await p.time.advance(5);
    expect(p.log).toHaveLength(10);
    const light = p.call(0, 'key:light', 3);
    await p.time.advance(10_000);
    await Promise.all([flood, light]);
    expect(p.errors).toEqual([]);
    expect(p.log.slice(10, 16).map((g) => g.caller)).toEqual(['key:flood', 'key:light', 'key:flood', 'key:light', 'key:flood', 'key:light']);
    // (+1 ms: a slot on the Redis clock is mapped to the local one on the safe side of whole-ms rounding)
    expect(p.log.filter((g) => g.caller === 'key:light').map((g) => g.at)).toEqual([1_101, 1_101, 1_101]);
  });

  it('fair shares across processes: a light caller gets every call through while one caller floods four processes', async () => {
    // Four processes on one budget (10/s), the defaults of a deployment: 2 s max wait, 20 queued
    // calls per caller. One caller runs 40 loops spread over all four (each loop calls again at
    // once; refused at admission, it retries after the retryAfterMs it was told); another calls
    // once every 500 ms, through each process in turn. Booking on arrival served the flood's 20
    // queued calls first everywhere, so the light call's turn came after its max wait (refused).
    const keyPrefix = prefix();
    const box: RedisRateLimiter[] = [];
    const time = redisTime(() => box.map((l) => l.client));
    for (let i = 0; i < 4; i++) box.push(timedLimiter(time, 10, { keyPrefix, maxWaitMs: 2_000 }));
    await Promise.all(box.map((l) => l.client.ping()));
    const t0 = time.now();
    const end = t0 + 10_000;
    const grants: { caller: string; joined: number; at: number }[] = [];
    const refusals: Record<string, Record<string, number>> = { flood: {}, light: {} };
    const once = async (via: number, caller: 'flood' | 'light'): Promise<number> => {
      const joined = time.now();
      try {
        await box[via].acquire(ACTION, undefined, { caller: `key:${caller}` });
        grants.push({ caller, joined, at: time.now() });
        return 0;
      } catch (err) {
        const reason = String((err as GatewayError).details?.reason ?? (err as GatewayError).code);
        refusals[caller][reason] = (refusals[caller][reason] ?? 0) + 1;
        return Math.max(1, Number((err as GatewayError).details?.retryAfterMs ?? 1));
      }
    };
    const loops = Array.from({ length: 40 }, async (_, i) => {
      while (time.now() < end) {
        const retryAfter = await once(i % 4, 'flood');
        if (retryAfter > 0) await time.sleep(retryAfter);
      }
    });
    let lightCalls = 0;
    const light = (async () => {
      for (let i = 0; time.now() < end; i++, lightCalls++) {
        const next = time.now() + 500;
        await once(i % 4, 'light');
        if (next > time.now()) await time.sleep(next - time.now());
      }
    })();
    // While the flood runs, every key the limiter keeps in Redis has a TTL.
    await time.advance(5_000);
    const keys = await admin.keys(`${keyPrefix}*`);
    const ttls = await Promise.all(keys.map(async (k) => [k, await admin.pttl(k)] as const));
    await time.advance(8_000);
    await Promise.all([...loops, light]);

    const lightGrants = grants.filter((g) => g.caller === 'light');
    expect(refusals.light).toEqual({});
    // (one call every 500 ms, or when its previous call returns: under a saturated sliding window
    // slots free up a whole window at a time, every 1.1 s)
    expect(lightGrants).toHaveLength(lightCalls);
    expect(lightCalls).toBeGreaterThanOrEqual(9);
    // Its fair share: served in the first window that frees up after it joined (at most one full
    // window of slots, i.e. 10 grants, go to anyone between its arrival and its grant) ...
    for (const g of lightGrants) {
      const between = grants.filter((o) => o.caller === 'flood' && o.at > g.joined && o.at < g.at).length;
      expect(between).toBeLessThanOrEqual(10);
      expect(g.at - g.joined).toBeLessThanOrEqual(1_101);
    }
    // ... while the flood was refused by its own quota, and kept the rest of the budget busy.
    expect(refusals.flood.CALLER_QUEUE_FULL).toBeGreaterThan(0);
    const floodGrants = grants.filter((g) => g.caller === 'flood').length;
    expect(floodGrants + lightGrants.length).toBeGreaterThanOrEqual(90);
    expect(maxInWindow(grants.map((g) => g.at), 1_100)).toBeLessThanOrEqual(10);
    expect(keys).toContain(`${keyPrefix}${ACTION}:fq:q`);
    for (const [k, ttl] of ttls) expect(ttl, k).toBeGreaterThan(0);
    // Everyone left: the queue keys are gone.
    expect(await admin.keys(`${keyPrefix}${ACTION}:fq:*`)).toEqual([]);
  }, 60_000);

  it('weighted fair queueing across processes: a caller of weight 2 gets two slots for every one of weight 1', async () => {
    const p = pair(10, { callerWeights: { 'key:heavy': 2 } });
    await Promise.all(p.box.map((l) => l.client.ping()));
    const blocker = p.call(0, undefined, 10); // fills the first window: everything after queues
    await p.time.advance(0);
    const both = Promise.all([p.call(0, 'key:heavy', 20), p.call(1, 'key:plain', 20)]);
    await p.time.advance(10_000);
    await Promise.all([blocker, both]);
    expect(p.errors).toEqual([]);
    const windows = [1_101, 2_201, 3_301];
    const count = (caller: string) => p.log.filter((g) => g.caller === caller && windows.includes(g.at)).length;
    // The next three windows (30 slots): 20 for weight 2, 10 for weight 1, whichever process asked.
    expect(count('key:heavy')).toBe(20);
    expect(count('key:plain')).toBe(10);
    expect(p.log.filter((g) => g.caller === 'key:plain' && g.at === 4_401)).toHaveLength(10);
  });

  it("a caller's queue quota is counted in Redis: past it, in any process, it is refused at once; its keys expire", async () => {
    const p = pair(10, { maxQueuedPerCaller: 3 });
    await Promise.all(p.box.map((l) => l.client.ping()));
    const blocker = p.call(0, undefined, 10); // internal calls fill the window: everything after queues
    await p.time.advance(0);
    const a = p.call(0, 'key:flood', 2);
    const b = p.call(1, 'key:flood', 3);
    const other = p.call(1, 'key:other', 3);
    await p.time.advance(0);
    expect(p.errors).toHaveLength(2);
    for (const err of p.errors) {
      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, details: { action: ACTION, reason: 'CALLER_QUEUE_FULL', retryAfterMs: 110 } });
    }
    const keys = await admin.keys(`${p.keyPrefix}${ACTION}:caller:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(await admin.pttl(k)).toBeGreaterThan(0);
    await p.time.advance(5_000);
    await Promise.all([blocker, a, b, other]);
    expect(p.log.filter((g) => g.caller === 'key:flood')).toHaveLength(3);
    expect(p.log.filter((g) => g.caller === 'key:other')).toHaveLength(3);
    // every queued call left: the counters are gone
    expect(await admin.keys(`${p.keyPrefix}${ACTION}:caller:*:q`)).toEqual([]);
  });
});

describe('Redis store: same semantics as the in-process store, on the Redis clock', () => {
  const policies: RatePolicy[] = [
    { limit: 3, windowMs: 1_050, burst: 1 },
    { limit: 4, windowMs: 1_000, burst: 2 },
    { limit: 3, windowMs: 1_000 },
    { limit: 2, windowMs: 825, burst: 1 },
  ];

  it('books the same slots as MemoryRateLimiterStore for the same requests', async () => {
    const client = new Redis(redis.url);
    try {
      // Both stores on one driven clock (the script takes "now" from it instead of Redis TIME), so
      // they must decide exactly alike; time moves between requests, as it would between callers.
      let now = 1_800_000_000_000;
      const steps = [0, 7, 0, 130.5, 1, 400, 3, 250];
      const clock = () => now;
      const store = new RedisRateLimiterStore({ client, clock, redisClock: clock });
      const memoryStore = new MemoryRateLimiterStore(clock);
      let refusals = 0;
      for (const policy of policies) {
        const key = `${prefix()}same`;
        const shared: (number | string)[] = [];
        const memory: (number | string)[] = [];
        for (const step of steps) {
          now += step;
          const r = await store.reserve(key, policy, 1_500);
          const m = await memoryStore.reserve(key, policy, 1_500);
          shared.push(r.granted ? r.waitMs : `refused ${r.waitMs}`);
          memory.push(m.granted ? m.waitMs : `refused ${m.waitMs}`);
        }
        expect(shared, JSON.stringify(policy)).toEqual(memory);
        refusals += shared.filter((w) => typeof w === 'string').length;
      }
      expect(refusals).toBeGreaterThan(0); // the refusal path was compared too
    } finally {
      client.disconnect();
    }
  });

  it('fair queue: a waiting call whose process stopped polling is dropped at its lease; one past its deadline is refused', async () => {
    const client = new Redis(redis.url);
    try {
      let now = 1_800_000_000_000;
      const clock = () => now;
      // Two processes: `dead` joins and never polls again; `live` polls on.
      const dead = new RedisRateLimiterStore({ client, clock, redisClock: clock });
      const live = new RedisRateLimiterStore({ client, clock, redisClock: clock });
      const key = `${prefix()}lease`;
      const policy: RatePolicy = { limit: 1, windowMs: 1_000 };
      const opts = { lookaheadMs: 0, leaseMs: 300, ttlMs: 60_000 };
      const entry = (store: RedisRateLimiterStore, member: string, budgetMs = 10_000) => ({ member, callerClass: store.callerClass(member), weight: 1, front: false, budgetMs });
      const a = entry(live, 'live-a');
      expect((await live.take(key, policy, [a], opts))[0].status).toBe('granted'); // the window is full now
      const d = entry(dead, 'dead-d');
      expect((await dead.take(key, policy, [d], opts))[0]).toMatchObject({ status: 'waiting', waitMs: 1_000 });
      now += 100;
      const b = entry(live, 'live-b');
      const impatient = entry(live, 'live-c', 1_500); // its turn (third) would come at 2000 ms
      expect((await live.take(key, policy, [b, impatient], opts)).map((r) => r.status)).toEqual(['waiting', 'refused']);
      // At 1000 ms the slot is free and it would be `dead`'s turn, but its lease ended 300 ms after
      // its last poll: it was dropped, so `live-b` gets the slot.
      now = 1_800_000_000_000 + 1_000;
      expect((await live.take(key, policy, [b], opts))[0]).toMatchObject({ status: 'granted', waitMs: 0 });
      expect(await admin.exists(`${key}:fq:q`)).toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it('fair queue: the turn of a live process that is behind in polling is kept for it', async () => {
    const client = new Redis(redis.url);
    try {
      let now = 1_800_000_000_000;
      const clock = () => now;
      const one = new RedisRateLimiterStore({ client, clock, redisClock: clock });
      const two = new RedisRateLimiterStore({ client, clock, redisClock: clock });
      const key = `${prefix()}turn`;
      const policy: RatePolicy = { limit: 1, windowMs: 1_000 };
      const opts = { lookaheadMs: 0, leaseMs: 5_000, ttlMs: 60_000 };
      const entry = (store: RedisRateLimiterStore, member: string, caller: string) => ({ member, callerClass: store.callerClass(caller), weight: 1, front: false, budgetMs: 10_000 });
      expect((await one.take(key, policy, [entry(one, 'x', 'key:x')], opts))[0].status).toBe('granted');
      const first = entry(one, 'first', 'key:a');
      const second = entry(two, 'second', 'key:b');
      await one.take(key, policy, [first], opts);
      await two.take(key, policy, [second], opts);
      now += 1_000;
      // `two` polls first when the slot frees up, but it is `one`'s turn: `two` waits a window.
      expect((await two.take(key, policy, [second], opts))[0]).toMatchObject({ status: 'waiting', waitMs: 1_000 });
      expect((await one.take(key, policy, [first], opts))[0]).toMatchObject({ status: 'granted', waitMs: 0 });
    } finally {
      client.disconnect();
    }
  });

  it('maps each slot to the local clock: the start time is the slot, within a few ms', async () => {
    const client = new Redis(redis.url);
    try {
      const store = new RedisRateLimiterStore({ client });
      const policy: RatePolicy = { limit: 10, windowMs: 1_050, burst: 1 };
      const key = `${prefix()}map`;
      for (let i = 0; i < 5; i++) {
        const before = Date.now();
        const r = await store.reserve(key, policy, 5_000);
        const after = Date.now();
        if (!r.granted) throw new Error('expected a grant');
        // Redis runs on this machine's clock: the local start time is the Redis slot time, known to
        // within the round trip (plus the whole-ms rounding of both clocks), never before it.
        const startAt = r.startAt ?? Number.NaN;
        expect(startAt).toBeGreaterThanOrEqual(r.ticket);
        expect(startAt - r.ticket).toBeLessThanOrEqual(r.uncertaintyMs ?? Number.NaN);
        expect(startAt).toBeGreaterThanOrEqual(before + r.waitMs);
        expect(r.uncertaintyMs).toBeLessThanOrEqual(after - before + 3);
      }
    } finally {
      client.disconnect();
    }
  });

  it('an event-loop stall longer than the command time limit is not taken for a Redis outage', async () => {
    const health: string[] = [];
    const client = new Redis(redis.url);
    try {
      await client.ping();
      const store = new RedisRateLimiterStore({ client, commandTimeoutMs: 50, onHealthChange: (h) => void health.push(h) });
      await store.reserve(`${prefix()}warm`, { limit: 10, windowMs: 1_050 }, 0);
      const key = `${prefix()}stall`;
      const pending = store.reserve(key, { limit: 10, windowMs: 1_050 }, 0);
      const until = Date.now() + 400; // this process is busy for 8x the limit; Redis answers at once
      while (Date.now() < until) {
        // busy
      }
      await expect(pending).resolves.toMatchObject({ granted: true });
      expect(store.health).toBe('up');
      expect(health).toEqual([]);
      expect(await admin.zcard(key)).toBe(1);
    } finally {
      client.disconnect();
    }
  });

  it('a limiter whose process stalls keeps using the shared budget (no fallback, no warning)', async () => {
    const logger = capture();
    const keyPrefix = prefix();
    const l = limiter(10, { keyPrefix, commandTimeoutMs: 50, logger });
    await l.acquire(ACTION); // connected and answered once: the 50 ms limit applies from now on
    await new Promise((r) => setTimeout(r, 150));
    // Continue from an I/O callback, where a gateway stalls (handling requests), not from a timer.
    await l.client.ping();
    const grants = Array.from({ length: 5 }, () => l.acquire(ACTION));
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // busy
    }
    await Promise.all(grants);
    expect(l.state).toBe('redis');
    expect(logger.lines).toEqual([]);
  });
});

function capture(): WarnLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_o, msg) => void lines.push(`warn: ${msg}`), info: (_o, msg) => void lines.push(`info: ${msg}`) };
}

describe('Redis rate limiter: Redis down', () => {
  it('falls back to the per-process budget with one warning, and returns to Redis when it is back', async () => {
    const own = await startRedis();
    const logger = capture();
    const l = limiter(3, { url: own.url, keyPrefix: prefix(), maxWaitMs: 0, retryAfterMs: 200, logger, fallbackRateFactor: 1, burst: 3 });
    try {
      expect((await hammer([l], 1)).grants).toHaveLength(1);
      expect(l.state).toBe('redis');
      await own.stop();

      // Down: still paced, by the local budget of 3 per window (never fail open).
      const down = await hammer([l], 6);
      expect(down.grants).toHaveLength(3);
      expect(down.errors).toHaveLength(3);
      for (const err of down.errors) expect((err as GatewayError).httpStatus).toBe(429);
      expect(l.state).toBe('fallback');
      expect(logger.lines).toEqual([expect.stringMatching(/^warn: Redis rate-limit store unavailable: pacing upstream calls with the in-process limiter/)]);
      // Further calls while the breaker is open do not even try Redis, and do not warn again.
      await hammer([l], 2);
      expect(logger.lines).toHaveLength(1);

      // Back on the same port: after the breaker time one call probes and the shared budget is used again.
      const again = await startRedis({ port: own.port });
      try {
        for (let i = 0; i < 100 && l.state !== 'redis'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          await hammer([l], 1);
        }
        expect(l.state).toBe('redis');
        expect(logger.lines[1]).toMatch(/^info: Redis rate-limit store available again/);
        const probe = new Redis(again.url);
        expect(await probe.keys('test:*')).not.toEqual([]);
        probe.disconnect();
      } finally {
        await l.close();
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  });

  it('paces locally from the start when Redis is unreachable, by default with half the budget', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const full = limiter(4, { url, maxWaitMs: 0, burst: 4, fallbackRateFactor: 1 });
    const byDefault = limiter(4, { url, maxWaitMs: 0, burst: 4 });
    const quarter = limiter(4, { url, maxWaitMs: 0, burst: 4, fallbackRateFactor: 0.25 });
    const [r1, r2, r3] = await Promise.all([hammer([full], 10), hammer([byDefault], 10), hammer([quarter], 10)]);
    expect(r1.grants).toHaveLength(4);
    expect(r2.grants).toHaveLength(2);
    expect(r3.grants).toHaveLength(1);
    expect(full.state).toBe('fallback');
  });

  it('treats a Redis that accepts connections but never answers as down (time limit, then local pacing)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((sock) => void sockets.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const logger = capture();
      const l = limiter(2, { url: `redis://127.0.0.1:${port}`, maxWaitMs: 0, commandTimeoutMs: 300, firstCommandTimeoutMs: 300, logger, fallbackRateFactor: 1, burst: 2 });
      const run = await hammer([l], 3);
      expect(run.grants).toHaveLength(2);
      expect(run.errors).toHaveLength(1);
      expect(l.state).toBe('fallback');
      expect(logger.lines).toEqual([expect.stringMatching(/^warn: .*unavailable/)]);
      await l.close();
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("with fallback 'reject' answers 503 RATE_LIMITED and sends nothing", async () => {
    const port = await freePort();
    const l = limiter(4, { url: `redis://127.0.0.1:${port}`, fallback: 'reject', retryAfterMs: 5_000 });
    const run = await hammer([l], 3);
    expect(run.grants).toHaveLength(0);
    expect(run.errors).toHaveLength(3);
    for (const err of run.errors) {
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe(GatewayErrorCode.RATE_LIMITED);
      expect((err as GatewayError).httpStatus).toBe(503);
      expect((err as GatewayError).details).toMatchObject({ reason: 'RATE_LIMIT_STORE_UNAVAILABLE', action: ACTION });
    }
  });

  it('store: opens its breaker after a failure and fails fast until the retry time', async () => {
    let now = 0;
    let calls = 0;
    const failing = {
      evalsha: async () => {
        calls++;
        throw new Error('ECONNREFUSED');
      },
      eval: async () => {
        calls++;
        throw new Error('ECONNREFUSED');
      },
    } as unknown as ConstructorParameters<typeof RedisRateLimiterStore>[0]['client'];
    const health: string[] = [];
    const store = new RedisRateLimiterStore({ client: failing, retryAfterMs: 1_000, clock: () => now, onHealthChange: (h) => void health.push(h) });
    const policy = { limit: 1, windowMs: 1_000 };
    await expect(store.reserve('k', policy, 0)).rejects.toBeInstanceOf(RateLimitStoreUnavailableError);
    await expect(store.reserve('k', policy, 0)).rejects.toThrow(/breaker open/);
    expect(calls).toBe(1);
    now = 1_000;
    await expect(store.reserve('k', policy, 0)).rejects.toBeInstanceOf(RateLimitStoreUnavailableError);
    expect(calls).toBe(2);
    expect(health).toEqual(['down']);
    await store.release('k', policy, 1); // never throws, sends nothing while down
    expect(calls).toBe(2);
  });
});
