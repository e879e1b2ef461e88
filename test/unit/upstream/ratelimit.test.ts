import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../../src/upstream/errors';
import { createPolicyLookup, type ActionPolicy } from '../../../src/upstream/policy';
import { MemoryRateLimiterStore, QueueingRateLimiter, policyForRate } from '../../../src/upstream/ratelimit';
import { prng } from './helpers';

const read = (rateLimit: number): ActionPolicy => ({ rateLimit, region: 'none', kind: 'read' });
const POLICIES = { DescribeCertificates: read(10), CheckCertificateChain: read(20), ApplyCertificate: { rateLimit: 10, region: 'none', kind: 'write' } as const };

/** Starts `n` acquires and records the fake time at which each resolves (or the error). */
function startMany(limiter: QueueingRateLimiter, action: string, n: number, signal?: AbortSignal) {
  const done: { i: number; at: number }[] = [];
  const errors: { i: number; err: unknown }[] = [];
  const all = Array.from({ length: n }, (_, i) =>
    limiter.acquire(action, signal).then(
      () => void done.push({ i, at: Date.now() }),
      (err: unknown) => void errors.push({ i, err }),
    ),
  );
  return { done, errors, all: Promise.all(all) };
}

describe('QueueingRateLimiter (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = (maxWaitMs: number, overrides: Record<string, number> = {}) =>
    new QueueingRateLimiter({ policies: createPolicyLookup(POLICIES, { rateLimitOverrides: overrides }), maxWaitMs });

  it('lets a full bucket through at once and queues the rest until tokens come back a window later', async () => {
    const limiter = make(10_000);
    const t0 = Date.now();
    const run = startMany(limiter, 'DescribeCertificates', 15);
    await vi.advanceTimersByTimeAsync(0);
    expect(run.done.map((d) => d.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await vi.advanceTimersByTimeAsync(999);
    expect(run.done).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1);
    await run.all;
    expect(run.errors).toEqual([]);
    expect(run.done.map((d) => d.at - t0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000]);
  });

  it('serves queued callers FIFO and never starts more than the limit in any 1 s window', async () => {
    const limiter = make(10_000);
    const run = startMany(limiter, 'DescribeCertificates', 45);
    await vi.advanceTimersByTimeAsync(5_000);
    await run.all;
    expect(run.done.map((d) => d.i)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    const times = run.done.map((d) => d.at);
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(10);
  });

  it('keeps the per-window bound and FIFO order under random arrivals', async () => {
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
    let worst = 0;
    for (const t of times) worst = Math.max(worst, times.filter((u) => u > t - 1000 && u <= t).length);
    expect(worst).toBeLessThanOrEqual(20);
    expect(worst).toBe(20); // the load saturates the limit, so the bound is reached, not just respected
  });

  it('rejects with RATE_LIMITED only when the wait would exceed the max wait, reserving nothing', async () => {
    const limiter = make(1_500);
    const run = startMany(limiter, 'DescribeCertificates', 25);
    await vi.advanceTimersByTimeAsync(0);
    // 10 now, 10 queued for t+1000, the 21st would wait 2000 ms > 1500 ms
    expect(run.done).toHaveLength(10);
    expect(run.errors.map((e) => e.i)).toEqual([20, 21, 22, 23, 24]);
    const err = run.errors[0].err;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, details: { action: 'DescribeCertificates', limitPerSecond: 10, retryAfterMs: 500 } });
    await vi.advanceTimersByTimeAsync(1_000);
    await run.all;
    expect(run.done).toHaveLength(20);
    // refused callers consumed nothing: a caller arriving now gets the t+2000 slot, 1000 ms away
    const late = startMany(limiter, 'DescribeCertificates', 1);
    await vi.advanceTimersByTimeAsync(999);
    expect(late.done).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(late.done).toHaveLength(1);
  });

  it('uses separate budgets per action and the documented rate of each', async () => {
    const limiter = make(10_000);
    const a = startMany(limiter, 'DescribeCertificates', 10);
    const b = startMany(limiter, 'CheckCertificateChain', 21);
    await vi.advanceTimersByTimeAsync(0);
    expect(a.done).toHaveLength(10);
    expect(b.done).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.done).toHaveLength(21);
  });

  it('applies rate overrides', async () => {
    const limiter = make(10_000, { DescribeCertificates: 2 });
    const t0 = Date.now();
    const run = startMany(limiter, 'DescribeCertificates', 5);
    await vi.advanceTimersByTimeAsync(3_000);
    await run.all;
    expect(run.done.map((d) => d.at - t0)).toEqual([0, 0, 1000, 1000, 2000]);
  });

  it('gives the full budget back after an idle window', async () => {
    const limiter = make(10_000);
    await startMany(limiter, 'DescribeCertificates', 10).all;
    await vi.advanceTimersByTimeAsync(1_000);
    const t1 = Date.now();
    const run = startMany(limiter, 'DescribeCertificates', 11);
    await vi.advanceTimersByTimeAsync(1_000);
    await run.all;
    expect(run.done.map((d) => d.at - t1)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000]);
  });

  it('an aborted waiter rejects with the abort reason and gives its slot back', async () => {
    const limiter = make(10_000);
    await startMany(limiter, 'DescribeCertificates', 10).all;
    const ac = new AbortController();
    const aborting = startMany(limiter, 'DescribeCertificates', 1, ac.signal);
    const others = startMany(limiter, 'DescribeCertificates', 9);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('client went away');
    ac.abort(reason);
    await aborting.all;
    expect(aborting.errors[0].err).toBe(reason);
    const t = Date.now();
    const next = startMany(limiter, 'DescribeCertificates', 1);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([others.all, next.all]);
    expect(next.done[0].at - t).toBe(990); // the returned t0+1000 slot, not t0+2000
  });

  it('rejects unknown actions with BAD_REQUEST and an already aborted signal immediately', async () => {
    const limiter = make(1_000);
    await expect(limiter.acquire('NoSuchAction')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(limiter.acquire('DescribeCertificates', ac.signal)).rejects.toThrow('stop');
  });
});

describe('MemoryRateLimiterStore (injected clock)', () => {
  it('computes waits from its clock', async () => {
    let now = 0;
    const store = new MemoryRateLimiterStore(() => now);
    const p = policyForRate(2);
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ granted: true, waitMs: 0 });
    now = 300;
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ granted: true, waitMs: 0 });
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ granted: true, waitMs: 700 }); // slot 1000
    expect(await store.reserve('k', p, 10_000)).toMatchObject({ granted: true, waitMs: 1000 }); // slot 1300
    expect(await store.reserve('k', p, 100)).toEqual({ granted: false, waitMs: 1700 }); // would be 2000
    now = 5_000;
    expect(await store.reserve('k', p, 0)).toMatchObject({ granted: true, waitMs: 0 });
    expect(await store.reserve('k2', other(), 0)).toMatchObject({ granted: true, waitMs: 0 });
  });

  const other = () => policyForRate(1);

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
