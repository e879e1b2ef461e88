/**
 * Parts of the Redis store that need no Redis: the clock-offset estimate, the stall-tolerant
 * command time limit (with a real socket and a really blocked event loop), and the store's
 * handling of replies through a fake client.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClockOffsetEstimator,
  RateLimitStoreUnavailableError,
  RedisRateLimiterStore,
  awaitReply,
  withTimeout,
  type RedisScriptClient,
} from '../../../src/upstream/redis-ratelimit';

/** Blocks the event loop (a long synchronous task, as when a process handles a burst of requests). */
function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

/**
 * A loopback echo server in a CHILD process (like Redis, it keeps answering while this process is
 * blocked), and a promise for the next answer.
 */
async function echo(): Promise<{ ask(): Promise<string>; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['-e', "const s=require('net').createServer(c=>{c.on('error',()=>{});c.on('data',d=>c.write(d))});s.listen(0,'127.0.0.1',()=>console.log(s.address().port));process.stdin.on('close',()=>process.exit(0));process.stdin.resume()"],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const sock = connect(port, '127.0.0.1');
  sock.on('error', () => {});
  await new Promise<void>((r) => sock.once('connect', () => r()));
  return {
    ask: () =>
      new Promise<string>((resolve) => {
        sock.once('data', (d) => resolve(d.toString()));
        sock.write('ping');
      }),
    close: async () => {
      sock.destroy();
      child.stdin!.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

describe('awaitReply: a time limit measured by the reply, not by a stalled event loop', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('a reply that arrived while the event loop was blocked past the limit still wins', async () => {
    const e = await echo();
    close = e.close;
    const pending = awaitReply(e.ask(), 50, () => new Error('timed out'));
    blockFor(300); // the reply arrives within ~1 ms, but nothing can run for 300 ms
    await expect(pending).resolves.toBe('ping');
  });

  it('plain withTimeout (a timer on the same loop) takes the same stall for a timeout', async () => {
    const e = await echo();
    close = e.close;
    const pending = withTimeout(e.ask(), 50, () => new Error('timed out'));
    blockFor(300);
    await expect(pending).rejects.toThrow('timed out');
  });

  it('a reply that does not arrive still times out, and errors pass through', async () => {
    await expect(awaitReply(new Promise(() => {}), 20, () => new Error('timed out'))).rejects.toThrow('timed out');
    await expect(awaitReply(Promise.reject(new Error('refused')), 20, () => new Error('timed out'))).rejects.toThrow('refused');
    await expect(awaitReply(Promise.resolve(1), Number.POSITIVE_INFINITY, () => new Error('x'))).resolves.toBe(1);
  });
});

describe('ClockOffsetEstimator', () => {
  it('narrows (remote - local) with every sample and widens it with age', () => {
    const est = new ClockOffsetEstimator(1e-3);
    expect(est.bounds(0)).toEqual({ lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY });
    // remote read 5_000 between local 1_000 and 1_040: offset in (3_959, 4_001)
    est.update(5_000, 1_000, 1_040);
    expect(est.bounds(1_040)).toEqual({ lo: 3_959, hi: 4_001 });
    // a tight sample: offset in (3_989, 3_992)
    est.update(5_100, 1_110, 1_110);
    expect(est.bounds(1_110)).toEqual({ lo: 3_989, hi: 3_991 });
    // a wide sample (a reply read late) does not widen it: (3_699, 3_991) meets the aged interval
    est.update(5_300, 1_310, 1_600);
    const a = est.bounds(1_600);
    expect(a.lo).toBeCloseTo(3_989 - 0.49, 6);
    expect(a.hi).toBe(3_991);
    // 10 s later, 1e-3 drift: +/- 10 ms
    const b = est.bounds(11_600);
    expect(b.lo).toBeCloseTo(3_988.51 - 10, 6);
    expect(b.hi).toBeCloseTo(3_991 + 10, 6);
  });

  it('starts over when a clock was stepped (the samples contradict each other)', () => {
    const est = new ClockOffsetEstimator();
    est.update(5_000, 1_000, 1_000);
    est.update(9_000, 1_010, 1_010); // remote jumped ~4 s
    expect(est.bounds(1_010)).toEqual({ lo: 7_989, hi: 7_991 });
  });
});

type Reply = unknown[];
function fakeClient(answer: (args: (string | number)[]) => Promise<Reply>, status?: string): RedisScriptClient & { calls: (string | number)[][]; status?: string } {
  const calls: (string | number)[][] = [];
  const run = (..._a: unknown[]): Promise<unknown> => {
    const args = _a.slice(2) as (string | number)[];
    calls.push(args);
    return answer(args);
  };
  return { calls, status, evalsha: run, eval: run } as unknown as RedisScriptClient & { calls: (string | number)[][]; status?: string };
}

describe('RedisRateLimiterStore (fake client)', () => {
  const policy = { limit: 10, windowMs: 1_050, burst: 1 };

  it('passes limit, window, max wait, member and burst; maps the slot to the local clock', async () => {
    const offset = 5_000; // Redis clock 5 s ahead of ours
    const client = fakeClient(async () => {
      const now = Date.now() + offset;
      return [1, '300.000', (now + 300).toFixed(3), now.toFixed(3), 9];
    });
    const store = new RedisRateLimiterStore({ client });
    const before = Date.now();
    const r = await store.reserve('k', policy, 2_000);
    const after = Date.now();
    // KEYS[1], then ARGV: limit, window, max wait, member, burst
    expect(client.calls[0]).toEqual(['k', 10, 1_050, 2_000, expect.stringMatching(/^[0-9a-f]{12}:1$/), 1]);
    expect(r).toMatchObject({ granted: true, waitMs: 300, crowded: true }); // 9 others: limit - 1
    if (!r.granted) throw new Error('expected a grant');
    // The slot, on the local clock, lies between the request and the answer, + 300 ms; never early.
    expect(r.startAt).toBeGreaterThanOrEqual(before + 300);
    expect(r.startAt).toBeLessThanOrEqual(after + 300 + 1);
    expect(r.uncertaintyMs).toBeLessThanOrEqual(after - before + 2);
  });

  it('refusals carry the wait and book nothing', async () => {
    const client = fakeClient(async () => [0, '2500', String(Date.now())]);
    const store = new RedisRateLimiterStore({ client });
    expect(await store.reserve('k', policy, 2_000)).toEqual({ granted: false, waitMs: 2_500 });
  });

  it('a connection that is not ready after having been up counts as unavailable at once, without sending', async () => {
    const client = fakeClient(async () => [1, '0', String(Date.now()), String(Date.now()), 0], 'ready');
    const store = new RedisRateLimiterStore({ client, retryAfterMs: 0 });
    await store.reserve('k', policy, 0);
    client.status = 'reconnecting';
    await expect(store.reserve('k', policy, 0)).rejects.toThrow(/connection reconnecting/);
    expect(client.calls).toHaveLength(1);
    expect(store.health).toBe('down');
    client.status = 'ready';
    await store.reserve('k', policy, 0);
    expect(store.health).toBe('up');
  });

  it('a booking answered after the time limit is given back when the answer comes', async () => {
    let answer: ((r: Reply) => void) | undefined;
    const client = fakeClient(async (args) => {
      if (args.length === 2) return [1]; // the release script: KEYS[1], slot
      return new Promise<Reply>((r) => (answer = r));
    });
    const store = new RedisRateLimiterStore({ client, commandTimeoutMs: 20, firstCommandTimeoutMs: 20 });
    await expect(store.reserve('k', policy, 2_000)).rejects.toBeInstanceOf(RateLimitStoreUnavailableError);
    expect(store.health).toBe('down');
    const now = Date.now();
    answer?.([1, '100', String(now + 100), String(now), 0]);
    await new Promise((r) => setTimeout(r, 10));
    expect(client.calls.at(-1)).toEqual(['k', now + 100]);
  });

  it('an unexpected reply is a store failure', async () => {
    const store = new RedisRateLimiterStore({ client: fakeClient(async () => ['nonsense']) });
    await expect(store.reserve('k', policy, 0)).rejects.toBeInstanceOf(RateLimitStoreUnavailableError);
  });
});
