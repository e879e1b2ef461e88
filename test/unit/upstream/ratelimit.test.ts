import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../../src/upstream/errors';
import { createPolicyLookup, type ActionPolicy } from '../../../src/upstream/policy';
import {
  MemoryRateLimiterStore,
  QueueingRateLimiter,
  earliestSlot,
  isCrowded,
  policyForRate,
  type QueueingRateLimiterOptions,
  type RateLimiterStore,
  type RatePolicy,
  type Reservation,
  type StartPermit,
} from '../../../src/upstream/ratelimit';
import { prng } from './helpers';

const read = (rateLimit: number): ActionPolicy => ({ rateLimit, region: 'none', kind: 'read' });
const POLICIES = { DescribeCertificates: read(10), CheckCertificateChain: read(20), ApplyCertificate: { rateLimit: 10, region: 'none', kind: 'write' } as const };

/** Starts `n` acquires and records the fake time at which each resolves (or the error). */
function startMany(limiter: QueueingRateLimiter, action: string, n: number, signal?: AbortSignal) {
  const done: { i: number; at: number; permit: StartPermit; lateAtStart: boolean }[] = [];
  const errors: { i: number; err: unknown }[] = [];
  const all = Array.from({ length: n }, (_, i) =>
    limiter.acquire(action, signal).then(
      (permit) => void done.push({ i, at: Date.now(), permit, lateAtStart: permit.late() }),
      (err: unknown) => void errors.push({ i, err }),
    ),
  );
  return { done, errors, all: Promise.all(all) };
}

/** Largest number of timestamps in any window [t, t + windowMs). */
function maxInWindow(times: readonly number[], windowMs = 1_000): number {
  const t = [...times].sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j] < t[i] + windowMs) j++;
    worst = Math.max(worst, j - i);
  }
  return worst;
}

/** A store wrapper that records what it was asked. */
function spyStore(inner: RateLimiterStore = new MemoryRateLimiterStore()) {
  const released: number[] = [];
  const reserved: { maxWaitMs: number; r: Reservation }[] = [];
  const store: RateLimiterStore = {
    reserve: async (key, policy, maxWaitMs) => {
      const r = await inner.reserve(key, policy, maxWaitMs);
      reserved.push({ maxWaitMs, r });
      return r;
    },
    release: async (key, policy, ticket) => {
      released.push(ticket);
      await inner.release?.(key, policy, ticket);
    },
  };
  return { store, released, reserved };
}

describe('QueueingRateLimiter (fake time)', () => {
  let t0: number;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    t0 = Date.now();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // The pacing these tests were written for: evenly spaced slots (burst 1), a 50 ms guard, 25 ms
  // start tolerance. The default (a sliding-window budget) is tested in its own suite below.
  const make = (maxWaitMs: number, overrides: Record<string, number> = {}, extra: Partial<QueueingRateLimiterOptions> = {}) =>
    new QueueingRateLimiter({ policies: createPolicyLookup(POLICIES, { rateLimitOverrides: overrides }), maxWaitMs, windowGuardMs: 50, burst: 1, ...extra });

  it('by default guards every window with 100 ms, tolerates a start at most 25 ms late, and does not space slots', () => {
    const limiter = new QueueingRateLimiter({ policies: createPolicyLookup(POLICIES), maxWaitMs: 0 });
    expect(limiter.policyFor(10)).toEqual({ limit: 10, windowMs: 1_100, burst: 10 });
    expect(limiter.lateToleranceMs).toBe(25);
  });

  it('spaces starts evenly: at 10/s with a 50 ms guard, one start every 105 ms, no burst', async () => {
    const limiter = make(10_000);
    const run = startMany(limiter, 'DescribeCertificates', 15);
    await vi.advanceTimersByTimeAsync(0);
    expect(run.done.map((d) => d.i)).toEqual([0]); // only the first starts at once
    await vi.advanceTimersByTimeAsync(104);
    expect(run.done).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.done).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    await run.all;
    expect(run.errors).toEqual([]);
    expect(run.done.map((d) => d.at - t0)).toEqual(Array.from({ length: 15 }, (_, i) => i * 105));
  });

  it('serves queued callers FIFO and never starts more than the limit in any window of 1 s + guard', async () => {
    const limiter = make(10_000);
    const run = startMany(limiter, 'DescribeCertificates', 45);
    await vi.advanceTimersByTimeAsync(5_000);
    await run.all;
    expect(run.done.map((d) => d.i)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    const times = run.done.map((d) => d.at);
    expect(maxInWindow(times, 1_050)).toBe(10);
    for (let k = 0; k + 10 < times.length; k++) expect(times[k + 10] - times[k]).toBeGreaterThanOrEqual(1_050);
  });

  it('keeps the bound, the spacing and FIFO order under random arrivals', async () => {
    const rand = prng(99);
    const limiter = make(60_000);
    const grants: { seq: number; at: number }[] = [];
    const pending: Promise<void>[] = [];
    let seq = 0;
    for (let step = 0; step < 200; step++) {
      const burst = Math.floor(rand() * 4);
      for (let k = 0; k < burst; k++) {
        const mine = seq++;
        pending.push(limiter.acquire('CheckCertificateChain').then(() => void grants.push({ seq: mine, at: Date.now() })));
      }
      await vi.advanceTimersByTimeAsync(Math.floor(rand() * 120));
    }
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(pending);
    expect(grants.map((g) => g.seq)).toEqual(Array.from({ length: seq }, (_, i) => i));
    const times = grants.map((g) => g.at);
    // Slots 52.5 ms apart; timers fire on whole ms, never before the slot.
    for (let k = 1; k < times.length; k++) expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(52);
    for (let k = 20; k < times.length; k++) expect(times[k] - times[k - 20]).toBeGreaterThanOrEqual(1_050);
    // The load saturates the limit: 20 in some second, never more than 20 in 1050 ms.
    expect(maxInWindow(times)).toBe(20);
    expect(maxInWindow(times, 1_050)).toBe(20);
  });

  it('burst lets up to `burst` slots share an interval; burst = limit without guard is the plain window', async () => {
    const three = startMany(make(10_000, {}, { burst: 3, windowGuardMs: 0 }), 'DescribeCertificates', 12);
    await vi.advanceTimersByTimeAsync(2_000);
    await three.all;
    // 3 per 300 ms, and still 10 per 1000 ms: the 11th and 12th wait for the first ones' window.
    expect(three.done.map((d) => d.at - t0)).toEqual([0, 0, 0, 300, 300, 300, 600, 600, 600, 900, 1000, 1000]);

    const t1 = Date.now();
    const plain = startMany(make(10_000, {}, { burst: 10, windowGuardMs: 0 }), 'DescribeCertificates', 15);
    await vi.advanceTimersByTimeAsync(0);
    expect(plain.done).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1_000);
    await plain.all;
    expect(plain.done.map((d) => d.at - t1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000]);
  });

  it('rejects with RATE_LIMITED only when the wait would exceed the max wait, reserving nothing', async () => {
    const limiter = make(250, {}, { windowGuardMs: 0 });
    const run = startMany(limiter, 'DescribeCertificates', 5);
    await vi.advanceTimersByTimeAsync(0);
    // slots 0, 100, 200; the 4th would wait 300 ms > 250 ms
    expect(run.done).toHaveLength(1);
    // (the newest is refused first: it is last in the queue's order)
    expect(run.errors.map((e) => e.i)).toEqual([4, 3]);
    const err = run.errors[0].err;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, details: { action: 'DescribeCertificates', limitPerSecond: 10, retryAfterMs: 50, source: 'gateway' } });
    await vi.advanceTimersByTimeAsync(200);
    await run.all;
    expect(run.done.map((d) => d.at - t0)).toEqual([0, 100, 200]);
    // refused callers consumed nothing: a caller arriving now gets the t+300 slot, 100 ms away
    const late = startMany(limiter, 'DescribeCertificates', 1);
    await vi.advanceTimersByTimeAsync(99);
    expect(late.done).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(late.done.map((d) => d.at - t0)).toEqual([300]);
  });

  it('uses separate budgets per action and the documented rate of each', async () => {
    const limiter = make(10_000);
    const a = startMany(limiter, 'DescribeCertificates', 3);
    const b = startMany(limiter, 'CheckCertificateChain', 3);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([a.all, b.all]);
    expect(a.done.map((d) => d.at - t0)).toEqual([0, 105, 210]);
    expect(b.done.map((d) => d.at - t0)).toEqual([0, 53, 105]); // 52.5 ms apart, started on whole ms
  });

  it('applies rate overrides', async () => {
    const limiter = make(10_000, { DescribeCertificates: 2 }, { windowGuardMs: 0 });
    const run = startMany(limiter, 'DescribeCertificates', 5);
    await vi.advanceTimersByTimeAsync(3_000);
    await run.all;
    expect(run.done.map((d) => d.at - t0)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('starts at once again after an idle interval', async () => {
    const limiter = make(10_000);
    await vi.advanceTimersByTimeAsync(0);
    const first = startMany(limiter, 'DescribeCertificates', 3);
    await vi.advanceTimersByTimeAsync(300);
    await first.all;
    await vi.advanceTimersByTimeAsync(1_000);
    const t1 = Date.now();
    const run = startMany(limiter, 'DescribeCertificates', 2);
    await vi.advanceTimersByTimeAsync(200);
    await run.all;
    expect(run.done.map((d) => d.at - t1)).toEqual([0, 105]);
  });

  // At 3/s (+ 50 ms guard) slots are 350 ms apart and the third slot onward is crowded (its window
  // of 1050 ms holds 2 others): from there on a late start could breach the limit.
  it('where the schedule is full, a slot whose timer fires later than the tolerance is given up: the oldest waiter takes the next slot, a replacement is booked at the end', async () => {
    const spy = spyStore();
    const limiter = make(10_000, { DescribeCertificates: 3 }, { store: spy.store });
    expect(limiter.lateToleranceMs).toBe(25);
    const run = startMany(limiter, 'DescribeCertificates', 5); // slots 0, 350, 700, 1050, 1400
    await vi.advanceTimersByTimeAsync(0);
    expect(run.done.map((d) => d.i)).toEqual([0]);
    // The event loop stalls: the clock moves 400 ms while no timer can run.
    vi.setSystemTime(Date.now() + 400);
    await vi.advanceTimersByTimeAsync(350); // the timer due at 350 runs at clock 750
    // 350 and 700 could only start 400 / 50 ms late: given up and returned; 1050 is still ahead.
    expect(spy.released).toEqual([t0 + 350, t0 + 700]);
    expect(run.done.map((d) => d.i)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(2_000);
    await run.all;
    // FIFO kept: 1 and 2 got the slots meant for 3 and 4, which got the replacements at the end.
    expect(run.done.map((d) => [d.i, d.at - t0])).toEqual([
      [0, 0],
      [1, 1050],
      [2, 1400],
      [3, 1750],
      [4, 2100],
    ]);
    for (const d of run.done) expect(d.lateAtStart).toBe(false);
  });

  it('where the schedule has room, a late start goes: no window can get more than the limit from it', async () => {
    const spy = spyStore();
    const limiter = make(10_000, {}, { store: spy.store });
    const run = startMany(limiter, 'DescribeCertificates', 3); // 0, 105, 210 of 10 per 1050 ms
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(Date.now() + 200);
    await vi.advanceTimersByTimeAsync(105); // runs at 305: 200 and 95 ms late
    await run.all;
    expect(spy.released).toEqual([]);
    expect(run.done.map((d) => [d.i, d.at - t0, d.lateAtStart])).toEqual([
      [0, 0, false],
      [1, 305, false],
      [2, 305, false],
    ]);
  });

  it("the process' own queue counts too: with limit - 1 calls waiting, a late start is refused before any crowded booking is known", async () => {
    // A store that never reports crowding (as when its answers are still in flight).
    const inner = new MemoryRateLimiterStore();
    const store: RateLimiterStore = { reserve: async (k, p, w) => ({ ...(await inner.reserve(k, p, w)), crowded: false }) };
    const limiter = make(10_000, { DescribeCertificates: 3 }, { store });
    const one = startMany(limiter, 'DescribeCertificates', 1);
    await vi.advanceTimersByTimeAsync(0);
    const waiting = startMany(limiter, 'DescribeCertificates', 1); // 1 waiting: fewer than limit - 1
    await vi.advanceTimersByTimeAsync(30);
    expect(one.done[0].permit.late()).toBe(false);
    const more = startMany(limiter, 'DescribeCertificates', 1); // 2 waiting: the schedule fills up
    await vi.advanceTimersByTimeAsync(0);
    expect(one.done[0].permit.late()).toBe(true);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([waiting.all, more.all]);
  });

  it('a start within the tolerance goes; the permit turns late after slot + tolerance', async () => {
    const limiter = make(10_000, { DescribeCertificates: 3 });
    const run = startMany(limiter, 'DescribeCertificates', 4); // 0, 350, 700 (crowded), 1050
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(Date.now() + 20); // a stall shorter than the tolerance
    await vi.advanceTimersByTimeAsync(350);
    expect(run.done.map((d) => [d.i, d.at - t0, d.lateAtStart])).toEqual([
      [0, 0, false],
      [1, 370, false], // 20 ms after its slot: within the 25 ms tolerance
    ]);
    const permit = run.done[1].permit;
    vi.setSystemTime(t0 + 350 + 25);
    expect(permit.late()).toBe(false);
    vi.setSystemTime(t0 + 350 + 26);
    expect(permit.late()).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    await run.all;
  });

  it('requeue: a caller that lost its slot when sending gives it back and is served before the other local waiters', async () => {
    const spy = spyStore();
    const limiter = make(10_000, { DescribeCertificates: 3 }, { store: spy.store });
    const first = startMany(limiter, 'DescribeCertificates', 1);
    await vi.advanceTimersByTimeAsync(0);
    const others = startMany(limiter, 'DescribeCertificates', 3); // slots 350, 700 (crowded), 1050
    await vi.advanceTimersByTimeAsync(30); // the first call could not be written within 25 ms
    const permit = first.done[0].permit;
    expect(permit.late()).toBe(true);
    permit.release();
    permit.release(); // idempotent
    const again = limiter.acquire('DescribeCertificates', undefined, { requeue: true }).then(() => Date.now() - t0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(spy.released).toEqual([t0]);
    expect(await again).toBe(350);
    await others.all;
    expect(others.done.map((d) => d.at - t0)).toEqual([700, 1050, 1400]);
  });

  it('high rates: slots a fraction of a millisecond apart (rounded to microseconds, not to ms)', async () => {
    const limiter = make(10_000, { DescribeCertificates: 20_000 }, { windowGuardMs: 0 });
    const run = startMany(limiter, 'DescribeCertificates', 40); // 0.05 ms apart
    await vi.advanceTimersByTimeAsync(3);
    await run.all;
    expect(run.errors).toEqual([]);
    expect(Math.max(...run.done.map((d) => d.at - t0))).toBeLessThanOrEqual(3);
  });

  it('an aborted waiter rejects with the abort reason; the waiters behind it move up and the last slot is returned', async () => {
    const spy = spyStore();
    const limiter = make(10_000, {}, { store: spy.store });
    const before = startMany(limiter, 'DescribeCertificates', 3); // 0, 105, 210
    const ac = new AbortController();
    const aborting = startMany(limiter, 'DescribeCertificates', 1, ac.signal); // 315
    const after = startMany(limiter, 'DescribeCertificates', 2); // 420, 525
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('client went away');
    ac.abort(reason);
    await aborting.all;
    expect(aborting.errors[0].err).toBe(reason);
    expect(spy.released).toEqual([t0 + 525]);
    const next = startMany(limiter, 'DescribeCertificates', 1);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([before.all, after.all, next.all]);
    expect(after.done.map((d) => d.at - t0)).toEqual([315, 420]);
    expect(next.done[0].at - t0).toBe(525); // the returned slot, not 630
  });

  it('a caller aborted while its booking is in flight books nothing in the end', async () => {
    let resolveReserve: ((r: Reservation) => void) | undefined;
    const released: number[] = [];
    const store: RateLimiterStore = {
      reserve: () => new Promise<Reservation>((r) => (resolveReserve = r)),
      release: async (_k, _p, ticket) => void released.push(ticket),
    };
    const limiter = make(10_000, {}, { store });
    const ac = new AbortController();
    const p = limiter.acquire('DescribeCertificates', ac.signal).catch((err: unknown) => err);
    ac.abort(new Error('gone'));
    expect(await p).toEqual(new Error('gone'));
    resolveReserve?.({ granted: true, waitMs: 0, ticket: 42, startAt: Date.now(), uncertaintyMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toEqual([42]);
  });

  it('never starts before the store-mapped start time, and narrows the tolerance by the mapping uncertainty', async () => {
    const now = (): number => Date.now();
    const answers: Reservation[] = [];
    const store: RateLimiterStore = { reserve: async () => answers.shift()! };
    const limiter = make(10_000, {}, { store });
    answers.push({ granted: true, waitMs: 100, ticket: 1, startAt: now() + 110, uncertaintyMs: 10 });
    const a = limiter.acquire('DescribeCertificates').then(() => Date.now() - t0);
    await vi.advanceTimersByTimeAsync(109);
    await vi.advanceTimersByTimeAsync(1);
    expect(await a).toBe(110);

    // Slot certainly begun at +100 (+/- 10): the latest start is 100 - 10 + 25 = +115.
    const t1 = now();
    answers.push({ granted: true, waitMs: 100, ticket: 2, startAt: t1 + 100, uncertaintyMs: 10 });
    answers.push({ granted: true, waitMs: 200, ticket: 3, startAt: t1 + 200, uncertaintyMs: 0 });
    answers.push({ granted: true, waitMs: 300, ticket: 4, startAt: t1 + 400, uncertaintyMs: 0 }); // the replacement
    const b = startMany(limiter, 'DescribeCertificates', 2);
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(t1 + 16); // the timer for +100 will run at +116: 1 ms too late
    await vi.advanceTimersByTimeAsync(100);
    expect(b.done).toHaveLength(0);
    expect(answers).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    await b.all;
    expect(b.done.map((d) => d.at - t1)).toEqual([200, 400]);
  });

  it('with a badly mapped store clock (uncertainty over half the tolerance) keeps half the tolerance instead of discarding every slot', async () => {
    let n = 0;
    const store: RateLimiterStore = {
      reserve: async () => ({ granted: true, waitMs: 50, ticket: ++n, startAt: t0 + 50 * n, uncertaintyMs: 40 }),
    };
    const limiter = make(10_000, {}, { store });
    const p = limiter.acquire('DescribeCertificates');
    const next = limiter.acquire('DescribeCertificates'); // a later (crowded) slot: lateness matters
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(Date.now() + 12); // fires at +62: within 12.5 ms of +50
    await vi.advanceTimersByTimeAsync(50);
    const permit = await p;
    expect(permit.late()).toBe(false);
    vi.setSystemTime(t0 + 50 + 13);
    expect(permit.late()).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    await next;
  });

  it('without a mapped start time, waits from the answer and counts the round trip as uncertainty', async () => {
    let n = 0;
    const store: RateLimiterStore = {
      reserve: (): Promise<Reservation> =>
        new Promise((resolve) => {
          const waitMs = 100 * ++n;
          setTimeout(() => resolve({ granted: true, waitMs, ticket: n }), 10);
        }),
    };
    const limiter = make(10_000, {}, { store });
    const p = limiter.acquire('DescribeCertificates');
    const next = limiter.acquire('DescribeCertificates'); // a later slot, assumed crowded
    await vi.advanceTimersByTimeAsync(109);
    let done = false;
    void p.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false); // the answer came at +10: not before +110
    await vi.advanceTimersByTimeAsync(1);
    const permit = await p;
    expect(Date.now() - t0).toBe(110);
    // Slot begun somewhere in [+100, +110]: late after 100 + 25.
    vi.setSystemTime(t0 + 125);
    expect(permit.late()).toBe(false);
    vi.setSystemTime(t0 + 126);
    expect(permit.late()).toBe(true);
    await vi.advanceTimersByTimeAsync(300);
    await next;
  });

  it('an unusable store answer fails that caller instead of leaving it waiting', async () => {
    const store = { reserve: async () => undefined } as unknown as RateLimiterStore;
    await expect(make(10_000, {}, { store }).acquire('DescribeCertificates')).rejects.toBeInstanceOf(TypeError);
  });

  it('a failing store rejects only the caller whose booking failed', async () => {
    let n = 0;
    const inner = new MemoryRateLimiterStore();
    const store: RateLimiterStore = {
      reserve: async (key, policy, maxWaitMs) => {
        if (++n === 2) throw new Error('store down');
        return inner.reserve(key, policy, maxWaitMs);
      },
    };
    const run = startMany(make(10_000, {}, { store }), 'DescribeCertificates', 3);
    await vi.advanceTimersByTimeAsync(1_000);
    await run.all;
    expect(run.errors.map((e) => [e.i, (e.err as Error).message])).toEqual([[1, 'store down']]);
    expect(run.done.map((d) => [d.i, d.at - t0])).toEqual([
      [0, 0],
      [2, 105],
    ]);
  });

  it('rejects unknown actions with BAD_REQUEST, an already aborted signal immediately, and invalid options', async () => {
    const limiter = make(1_000);
    await expect(limiter.acquire('NoSuchAction')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(limiter.acquire('DescribeCertificates', ac.signal)).rejects.toThrow('stop');
    expect(() => make(-1)).toThrow(RangeError);
    expect(() => make(0, {}, { burst: 0 })).toThrow(RangeError);
    expect(() => make(0, {}, { windowGuardMs: -1 })).toThrow(RangeError);
    expect(() => make(0, {}, { lateToleranceMs: -1 })).toThrow(RangeError);
    expect(make(0, {}, { windowGuardMs: 0 }).lateToleranceMs).toBe(5);
    expect(make(0).policyFor(10)).toEqual({ limit: 10, windowMs: 1050, burst: 1 });
  });
});

describe('QueueingRateLimiter defaults: a sliding-window budget shared fairly by callers (fake time)', () => {
  let t0: number;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    t0 = Date.now();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = (extra: Partial<QueueingRateLimiterOptions> = {}) => new QueueingRateLimiter({ policies: createPolicyLookup(POLICIES), maxWaitMs: 60_000, ...extra });

  /** Acquires for `caller`, recording the grant time and order (shared `log`). */
  function calls(limiter: QueueingRateLimiter, caller: string | undefined, n: number, log: { caller: string | undefined; at: number }[]) {
    const errors: unknown[] = [];
    const all = Promise.all(
      Array.from({ length: n }, () =>
        limiter.acquire('DescribeCertificates', undefined, caller === undefined ? undefined : { caller }).then(
          () => void log.push({ caller, at: Date.now() - t0 }),
          (err: unknown) => void errors.push(err),
        ),
      ),
    );
    return { errors, all };
  }

  it('light traffic pays nothing: a lone call and a burst below the limit start at once', async () => {
    const limiter = make();
    const log: { caller: string | undefined; at: number }[] = [];
    await calls(limiter, 'key:a', 1, log).all;
    expect(log.map((l) => l.at)).toEqual([0]);
    // five different reads of one action a few ms later: the last window + guard still has room
    vi.setSystemTime(t0 + 3);
    await calls(limiter, 'key:a', 5, log).all;
    expect(log.map((l) => l.at)).toEqual([0, 3, 3, 3, 3, 3]);
  });

  it('only calls beyond the budget wait, until the window (1 s + 100 ms guard) of the oldest has passed', async () => {
    const limiter = make();
    const log: { caller: string | undefined; at: number }[] = [];
    const run = calls(limiter, undefined, 25, log);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1_099);
    expect(log).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(1_100);
    await run.all;
    expect(log.map((l) => l.at)).toEqual([...Array(10).fill(0), ...Array(10).fill(1_100), ...Array(5).fill(2_200)]);
  });

  it('with a shared store a start later than the tolerance is refused even with nobody waiting (other processes may fill the next window), and booking again costs nothing', async () => {
    const inner = new MemoryRateLimiterStore();
    const shared: RateLimiterStore = { shared: true, reserve: (k, p, w) => inner.reserve(k, p, w), release: (k, p, t) => inner.release(k, p, t) };
    const limiter = make({ store: shared });
    const permit = await limiter.acquire('DescribeCertificates');
    vi.setSystemTime(t0 + 25);
    expect(permit.late()).toBe(false);
    vi.setSystemTime(t0 + 26);
    expect(permit.late()).toBe(true);
    permit.release();
    const again = await limiter.acquire('DescribeCertificates', undefined, { requeue: true });
    expect(Date.now() - t0).toBe(26);
    expect(again.late()).toBe(false);
    expect(again.strict).toBe(true);
  });

  it('with the in-process store (every booking seen) a late start goes while the schedule after it has room', async () => {
    const limiter = make();
    const permit = await limiter.acquire('DescribeCertificates');
    vi.setSystemTime(t0 + 500);
    expect(permit.late()).toBe(false);
    expect(permit.strict).toBe(false);
  });

  it('never grants more than the limit in any window + guard, under random arrivals of several callers', async () => {
    const limiter = make({ maxQueuedPerCaller: 1_000 });
    const rnd = prng(7);
    const log: { caller: string | undefined; at: number }[] = [];
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 80; i++) {
      await vi.advanceTimersByTimeAsync(Math.floor(rnd() * 120));
      runs.push(calls(limiter, `key:${Math.floor(rnd() * 4)}`, 1, log).all);
    }
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all(runs);
    const times = log.map((l) => l.at).sort((a, b) => a - b);
    expect(times).toHaveLength(80);
    for (let k = 0; k + 10 < times.length; k++) expect(times[k + 10] - times[k]).toBeGreaterThanOrEqual(1_100);
    expect(maxInWindow(times, 1_100)).toBe(10);
  });

  it('round-robin: with a flooder holding 40 queued calls, a light caller is served in its fair turn, not after the flood', async () => {
    const limiter = make({ maxQueuedPerCaller: 40 });
    const log: { caller: string | undefined; at: number }[] = [];
    const flood = calls(limiter, 'key:flood', 40, log);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toHaveLength(10); // the flood's first 10 go at once; 30 wait
    await vi.advanceTimersByTimeAsync(5);
    const light = calls(limiter, 'key:light', 3, log);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all([flood.all, light.all]);
    // From the light caller's arrival on, the two alternate until it has nothing queued.
    expect(log.slice(10, 16).map((l) => l.caller)).toEqual(['key:flood', 'key:light', 'key:flood', 'key:light', 'key:flood', 'key:light']);
    expect(log.filter((l) => l.caller === 'key:light').map((l) => l.at)).toEqual([1_100, 1_100, 1_100]);
    expect(flood.errors).toEqual([]);
  });

  it('weights: a caller with weight 2 gets two of every three slots while both compete', async () => {
    const limiter = make({ callerWeights: { 'key:gold': 2 }, maxQueuedPerCaller: 20 }); // room for 8 queued calls of one caller
    const log: { caller: string | undefined; at: number }[] = [];
    const blocker = calls(limiter, undefined, 10, log); // fill the window so that both queue
    await vi.advanceTimersByTimeAsync(0);
    const a = calls(limiter, 'key:gold', 8, log);
    const b = calls(limiter, 'key:plain', 4, log);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all([blocker.all, a.all, b.all]);
    expect(log.slice(10, 22).map((l) => (l.caller === 'key:gold' ? 'G' : 'p')).join('')).toBe('GGpGGpGGpGGp');
  });

  it('quota: a caller past its queued-calls quota is refused at once (RATE_LIMITED, retry-after); other callers are not', async () => {
    const limiter = make({ maxQueuedPerCaller: 3 });
    const log: { caller: string | undefined; at: number }[] = [];
    const blocker = calls(limiter, 'key:other', 10, log);
    await vi.advanceTimersByTimeAsync(0);
    const flood = calls(limiter, 'key:flood', 5, log);
    const other = calls(limiter, 'key:other', 3, log);
    await vi.advanceTimersByTimeAsync(0);
    expect(flood.errors).toHaveLength(2);
    for (const err of flood.errors) {
      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, details: { action: 'DescribeCertificates', reason: 'CALLER_QUEUE_FULL', retryAfterMs: 110, source: 'gateway' } });
    }
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([blocker.all, flood.all, other.all]);
    expect(other.errors).toEqual([]);
    expect(log.filter((l) => l.caller === 'key:flood')).toHaveLength(3);
    // the quota counts queued calls: once they went, the caller may queue again
    const again = calls(limiter, 'key:flood', 3, log);
    await vi.advanceTimersByTimeAsync(2_000);
    await again.all;
    expect(again.errors).toEqual([]);
  });

  it('caller rate quota: at most RATE_LIMIT_CALLER_RATE admissions per second and caller, refused with the time until one is free', async () => {
    const limiter = make({ callerRatePerSecond: 2 });
    const log: { caller: string | undefined; at: number }[] = [];
    const first = calls(limiter, 'key:a', 3, log);
    await vi.advanceTimersByTimeAsync(0);
    await first.all;
    expect(log).toHaveLength(2);
    expect(first.errors).toHaveLength(1);
    expect(first.errors[0]).toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'CALLER_RATE', retryAfterMs: 1_000 } });
    await calls(limiter, 'key:b', 1, log).all; // another caller is not affected
    expect(log).toHaveLength(3);
    vi.setSystemTime(t0 + 1_000);
    const later = calls(limiter, 'key:a', 1, log);
    await vi.advanceTimersByTimeAsync(0);
    await later.all;
    expect(later.errors).toEqual([]);
  });

  it('calls without a caller are one anonymous class without a quota', async () => {
    const limiter = make({ maxQueuedPerCaller: 1 });
    const log: { caller: string | undefined; at: number }[] = [];
    const run = calls(limiter, undefined, 15, log);
    await vi.advanceTimersByTimeAsync(2_000);
    await run.all;
    expect(run.errors).toEqual([]);
    expect(log).toHaveLength(15);
  });
});

describe('MemoryRateLimiterStore (injected clock)', () => {
  it('books evenly spaced slots and computes waits from its clock', async () => {
    let now = 0;
    const store = new MemoryRateLimiterStore(() => now);
    const p: RatePolicy = { ...policyForRate(2), burst: 1 }; // 2 per 1000 ms: 500 ms apart
    expect(await store.reserve('k', p, 10_000)).toEqual({ granted: true, waitMs: 0, ticket: 0, startAt: 0, uncertaintyMs: 0, crowded: false });
    now = 300;
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ granted: true, waitMs: 200, ticket: 500 });
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ granted: true, waitMs: 700, ticket: 1000 });
    expect(await store.reserve('k', p, 100)).toEqual({ granted: false, waitMs: 1200 }); // would be 1500
    now = 5_000;
    expect(await store.reserve('k', p, 0)).toMatchObject({ granted: true, waitMs: 0 });
    expect(await store.reserve('k2', policyForRate(1), 0)).toMatchObject({ granted: true, waitMs: 0 });
  });

  it('without burst (the store default is burst = limit) only the window bounds the slots', async () => {
    let now = 0;
    const store = new MemoryRateLimiterStore(() => now);
    const p = policyForRate(2);
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ waitMs: 0 });
    now = 300;
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ waitMs: 0 });
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ waitMs: 700 }); // slot 1000
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ waitMs: 1000 }); // slot 1300
  });

  it('release gives a slot back', async () => {
    let now = 0;
    const store = new MemoryRateLimiterStore(() => now);
    const p: RatePolicy = { limit: 1, windowMs: 1_000, burst: 1 };
    const a = await store.reserve('k', p, 10_000);
    const b = await store.reserve('k', p, 10_000);
    expect(b).toMatchObject({ ticket: 1000 });
    await store.release('k', p, (b as { ticket: number }).ticket);
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ ticket: 1000 });
    await store.release('k', p, (a as { ticket: number }).ticket);
    now = 10;
    await store.release('nope', p, 1);
  });

  it('reports whether the window ending at a new slot is full (crowded)', async () => {
    const store = new MemoryRateLimiterStore(() => 0);
    const p: RatePolicy = { limit: 3, windowMs: 1_050, burst: 1 };
    const crowded = [];
    for (let i = 0; i < 5; i++) crowded.push((await store.reserve('k', p, 10_000)) as { crowded?: boolean });
    expect(crowded.map((r) => r.crowded)).toEqual([false, false, true, true, true]);
    expect(isCrowded([0, 350, 700], p, 700)).toBe(true);
    expect(isCrowded([0, 350, 1100], p, 1100)).toBe(false); // 0 left the window (1100 - 1050)
  });

  it('earliestSlot: the window bound, the burst bound and FIFO', () => {
    const p: RatePolicy = { limit: 4, windowMs: 1_000, burst: 2 }; // 2 per 500 ms, 4 per 1000 ms
    expect(earliestSlot([], p, 100)).toBe(100);
    expect(earliestSlot([100], p, 100)).toBe(100);
    expect(earliestSlot([100, 100], p, 100)).toBe(600);
    expect(earliestSlot([100, 100, 600], p, 100)).toBe(600);
    expect(earliestSlot([100, 100, 600, 600], p, 100)).toBe(1100);
    expect(earliestSlot([0, 10, 20, 900], { limit: 4, windowMs: 1_000 }, 950)).toBe(1000); // window
    expect(earliestSlot([0, 2_000], { limit: 4, windowMs: 1_000 }, 100)).toBe(2_000); // never before the last
    expect(earliestSlot([0], { limit: 3, windowMs: 1_000, burst: 1 }, 0)).toBe(333.334); // rounded up to a microsecond
    expect(earliestSlot([5], { limit: 20_000, windowMs: 1_000, burst: 1 }, 5)).toBe(5.05);
  });

  it('policyForRate: N per second, fractional rates keep the average', () => {
    expect(policyForRate(10)).toEqual({ limit: 10, windowMs: 1000 });
    expect(policyForRate(0.5)).toEqual({ limit: 1, windowMs: 2000 });
    expect(policyForRate(2.5)).toEqual({ limit: 2, windowMs: 800 });
    expect(() => policyForRate(0)).toThrow(RangeError);
  });
});

describe('createPolicyLookup', () => {
  it('applies overrides and rejects overrides for unknown actions', () => {
    const lookup = createPolicyLookup(POLICIES, { rateLimitOverrides: { ApplyCertificate: 2 } });
    expect(lookup('ApplyCertificate')).toEqual({ rateLimit: 2, region: 'none', kind: 'write' });
    expect(lookup('DescribeCertificates')?.rateLimit).toBe(10);
    expect(lookup('Nope')).toBeUndefined();
    expect(() => createPolicyLookup(POLICIES, { rateLimitOverrides: { DescribeCertificate: 5 } })).toThrow(/unknown action: DescribeCertificate/);
    expect(() => createPolicyLookup(POLICIES, { rateLimitOverrides: { ApplyCertificate: 0 } })).toThrow(RangeError);
  });

  it('uses a fallback for unknown actions when given', () => {
    const lookup = createPolicyLookup({}, { fallback: read(5), rateLimitOverrides: { X: 1 } });
    expect(lookup('Anything')).toEqual(read(5));
    expect(lookup('X')).toEqual(read(1));
  });
});
