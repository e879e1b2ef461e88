/**
 * SharedFairLimiter against a scripted fair-queue store (the Redis side is tested on a real Redis
 * in test/integration/upstream/redis-ratelimit.test.ts): what the limiter does with each answer.
 * Manual time only.
 */
import { describe, expect, it } from 'vitest';
import { createPolicyLookup } from '../../../src/upstream/policy';
import type { Admission, CallerLimits, RatePolicy } from '../../../src/upstream/ratelimit';
import type { FairTakeEntry } from '../../../src/upstream/redis-fair-queue';
import { SharedFairLimiter, type FairQueueStore, type FairTake, type FairTakeOptions } from '../../../src/upstream/shared-fair-limiter';
import { manualTime, type ManualTime } from '../../helpers/manual-time';

const ACTION = 'DescribeCertificates';
const policies = createPolicyLookup({ [ACTION]: { rateLimit: 10, region: 'none', kind: 'read' } });

/** A store whose `take` answers come from `answer` (per poll), recording everything it is asked. */
class ScriptedStore implements FairQueueStore {
  readonly polls: FairTakeEntry[][] = [];
  readonly released: number[] = [];
  readonly cancelled: string[] = [];
  readonly left: string[] = [];
  private n = 0;
  constructor(
    private readonly time: ManualTime,
    private readonly answer: (poll: number, entries: readonly FairTakeEntry[]) => Promise<FairTake[]> | FairTake[],
  ) {}
  async take(_key: string, _policy: RatePolicy, entries: readonly FairTakeEntry[], _options: FairTakeOptions): Promise<FairTake[]> {
    this.polls.push(entries.map((e) => ({ ...e })));
    return await this.answer(this.polls.length, entries);
  }
  async cancel(_key: string, members: readonly string[]): Promise<void> {
    this.cancelled.push(...members);
  }
  async release(_key: string, _policy: RatePolicy, ticket: number): Promise<void> {
    this.released.push(ticket);
  }
  newMember(): string {
    return `m${++this.n}`;
  }
  callerClass(caller: string): string {
    return caller === '' ? 'anon' : `c:${caller}`;
  }
  async admit(_key: string, _caller: string, _limits: CallerLimits): Promise<Admission> {
    return { admitted: true };
  }
  async leave(_key: string, caller: string): Promise<void> {
    this.left.push(caller);
  }
}

const granted = (time: ManualTime, ticket: number): FairTake => ({ status: 'granted', waitMs: 0, ticket, startAt: time.now(), uncertaintyMs: 0, order: 1 });

describe('SharedFairLimiter', () => {
  it('a slot whose grant is read too late (a busy process) is given back, and the call asks again first in line', async () => {
    const time = manualTime();
    const store = new ScriptedStore(time, async (poll) => {
      if (poll === 1) {
        const answer = granted(time, 111);
        await time.advance(100); // the answer is read 100 ms after Redis granted the slot
        return [answer];
      }
      return [granted(time, 222)];
    });
    const limiter = new SharedFairLimiter({ policies, maxWaitMs: 2_000, store, clock: time.clock, sleep: time.sleep });
    const permit = await limiter.acquire(ACTION, undefined, { caller: 'key:a' });
    expect(permit.slot).toBe(222);
    expect(store.released).toEqual([111]);
    expect(store.polls.map((p) => p.map((e) => e.front))).toEqual([[false], [true]]);
    expect(store.polls[1][0].member).toBe(store.polls[0][0].member);
    expect(store.left).toEqual(['key:a']);
  });

  it('a call that gives up while waiting leaves the shared queue and its caller quota', async () => {
    const time = manualTime();
    const store = new ScriptedStore(time, (_poll, entries) => entries.map(() => ({ status: 'waiting', waitMs: 1_000, dueAt: time.now() + 1_000 })));
    const limiter = new SharedFairLimiter({ policies, maxWaitMs: 2_000, store, clock: time.clock, sleep: time.sleep });
    const ac = new AbortController();
    const waiting = limiter.acquire(ACTION, ac.signal, { caller: 'key:a' }).catch((err: unknown) => err);
    await time.advance(0);
    ac.abort(new Error('deadline'));
    expect(await waiting).toEqual(new Error('deadline'));
    expect(store.cancelled).toEqual([store.polls[0][0].member]);
    expect(store.left).toEqual(['key:a']);
    // It is not asked for again.
    const polls = store.polls.length;
    await time.advance(5_000);
    expect(store.polls).toHaveLength(polls);
  });

  it('asks again when the turn is due (half the lookahead before it), and at least every poll interval', async () => {
    const time = manualTime();
    const t0 = time.now();
    const asked: number[] = [];
    const store = new ScriptedStore(time, (poll) => {
      asked.push(time.now() - t0);
      return poll < 3 ? [{ status: 'waiting', waitMs: 150 - (time.now() - t0), dueAt: t0 + 150 }] : [granted(time, 1)];
    });
    const limiter = new SharedFairLimiter({ policies, maxWaitMs: 2_000, store, clock: time.clock, sleep: time.sleep, pollIntervalMs: 100, lookaheadMs: 20 });
    const permit = limiter.acquire(ACTION);
    await time.advance(1_000);
    await permit;
    expect(asked).toEqual([0, 100, 140]);
  });

  it('a store failure fails the waiting calls with its error (the Redis limiter then falls back)', async () => {
    const time = manualTime();
    const failure = new Error('store down');
    const store = new ScriptedStore(time, () => {
      throw failure;
    });
    const limiter = new SharedFairLimiter({ policies, maxWaitMs: 2_000, store, clock: time.clock, sleep: time.sleep });
    await expect(limiter.acquire(ACTION, undefined, { caller: 'key:a' })).rejects.toBe(failure);
    expect(store.left).toEqual(['key:a']);
  });

  it('a call whose turn is past its max wait is refused with RATE_LIMITED', async () => {
    const time = manualTime();
    const store = new ScriptedStore(time, () => [{ status: 'refused', waitMs: 2_500 }]);
    const limiter = new SharedFairLimiter({ policies, maxWaitMs: 2_000, store, clock: time.clock, sleep: time.sleep });
    await expect(limiter.acquire(ACTION)).rejects.toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, details: { action: ACTION, retryAfterMs: 500, source: 'gateway' } });
  });
});
