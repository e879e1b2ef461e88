/**
 * The rate limiter of processes that share one budget (Redis): fair shares ACROSS processes.
 *
 * Same contract as `QueueingRateLimiter` (ratelimit.ts): a sliding-window budget with a guard (no
 * window of `windowMs` = documented window + guard ever holds more than `limit` slots), light
 * traffic goes at once, each caller's quota is checked before it queues, a call starts at its slot
 * and never later than `lateToleranceMs` after it (else it gives the slot back and queues first in
 * line), a call whose turn would come after its max wait is refused with RATE_LIMITED, and a
 * caller that gives up leaves the queue.
 *
 * What differs is who decides the ORDER. Booking a slot per waiter on arrival (what the in-process
 * limiter does against its store) is first come, first served across processes: a flooding
 * caller's queued calls, counted against its quota but spread over every process, fill the
 * schedule ahead of everyone else. Here a waiting call books nothing; it joins a queue in Redis
 * ordered by weighted-fair-queueing tags (`redis-fair-queue.ts`), and each process polls for its
 * waiting calls: the script grants a slot only to calls whose turn has come, in tag order for all
 * processes. One poll per process and action is in flight at a time and carries all its waiting
 * calls; a process polls when a call joins, when the turn of its first waiting call is due (the
 * script says when, assuming everyone ahead takes theirs), and at least every `pollIntervalMs`
 * while it has waiting calls (turns come earlier when calls ahead give up). A waiting call
 * whose process stops polling is dropped from the queue after its lease (`pollIntervalMs` +
 * `leaseGraceMs`), so a dead process cannot hold the queue.
 *
 * Cost: one Redis round trip per join (as a booking) plus one per poll while calls wait; a granted
 * call may start up to one round trip later than the budget would allow (the slot is granted on
 * the poll that finds it due; polls are aimed `lookaheadMs / 2` before the turn and the slot may be
 * granted up to `lookaheadMs` ahead, then the process waits locally for it).
 */
import type { ActionPolicyLookup } from './policy';
import {
  admitCaller,
  checkLimiterSettings,
  defaultSleep,
  policyForRate,
  queueFullRefusal,
  systemClock,
  type AcquireOptions,
  type CallerLimits,
  type CallerQuotaStore,
  type Clock,
  type LimiterSettings,
  type RateLimiter,
  type RatePolicy,
  type Sleep,
  type StartPermit,
} from './ratelimit';
import { GatewayError, GatewayErrorCode } from './errors';
import type { FairTakeEntry } from './redis-fair-queue';

/** One poll's answer for one waiting call, on the local clock. */
export type FairTake =
  | {
      readonly status: 'granted';
      readonly waitMs: number;
      /** The slot as the store booked it (store clock): what `release` takes. */
      readonly ticket: number;
      /** Local time at which the slot has certainly begun (it may have begun `uncertaintyMs` earlier). */
      readonly startAt: number;
      readonly uncertaintyMs: number;
      /** Fair order among the grants of one poll (they are handed out in this order). */
      readonly order: number;
    }
  | { readonly status: 'waiting'; readonly waitMs: number; /** Earliest local time its turn may come. */ readonly dueAt: number }
  | { readonly status: 'refused'; readonly waitMs: number };

export interface FairTakeOptions {
  /** A slot may be granted this far ahead of now. */
  readonly lookaheadMs: number;
  /** A waiting call not polled again within this is dropped from the queue. */
  readonly leaseMs: number;
  /** Expiry of the queue keys, refreshed on every poll. */
  readonly ttlMs: number;
}

/** A shared fair queue plus the shared slots and caller quotas (`RedisRateLimiterStore`). */
export interface FairQueueStore extends CallerQuotaStore {
  take(key: string, policy: RatePolicy, entries: readonly FairTakeEntry[], options: FairTakeOptions): Promise<FairTake[]>;
  cancel(key: string, members: readonly string[]): Promise<void>;
  release(key: string, policy: RatePolicy, ticket: number): Promise<void>;
  newMember(): string;
  callerClass(caller: string): string;
}

export interface SharedFairLimiterOptions extends LimiterSettings {
  policies: ActionPolicyLookup;
  store: FairQueueStore;
  clock?: Clock;
  sleep?: Sleep;
  /** @default 'ssl:' */
  keyPrefix?: string;
  /** @default policyForRate */
  ratePolicy?: (ratePerSecond: number) => RatePolicy;
  /** How far ahead of now a slot may be granted (see module comment). @default 20 */
  lookaheadMs?: number;
  /** Longest gap between two polls while calls wait. @default 100 */
  pollIntervalMs?: number;
  /** Added to the poll interval for a waiting call's lease. @default 1000 */
  leaseGraceMs?: number;
}

interface Waiter {
  readonly member: string;
  readonly callerClass: string;
  readonly weight: number;
  readonly joinedAt: number;
  readonly admitted: boolean;
  readonly caller: string | undefined;
  front: boolean;
  /** queued: waits for its turn; held: has a slot, waits for its start; done: left. */
  state: 'queued' | 'held' | 'done';
  /** Sent in a poll at least once (Redis may know it: cancel when it leaves). */
  registered: boolean;
  /** Cancels the local wait for a held slot's start. */
  hold: AbortController | undefined;
  held: { ticket: number; latestStartAt: number } | undefined;
  resolve(permit: StartPermit): void;
  reject(err: unknown): void;
}

class Lane {
  readonly waiters = new Set<Waiter>();
  inflight = false;
  again = false;
  timer: AbortController | undefined;
  constructor(
    readonly key: string,
    readonly action: string,
    public policy: RatePolicy,
    public limitPerSecond: number,
  ) {}
}

export class SharedFairLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly keyPrefix: string;
  private readonly ratePolicy: (ratePerSecond: number) => RatePolicy;
  private readonly guardMs: number;
  private readonly limits: CallerLimits;
  readonly lateToleranceMs: number;
  private readonly lookaheadMs: number;
  private readonly pollIntervalMs: number;
  private readonly leaseGraceMs: number;
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: SharedFairLimiterOptions) {
    ({ guardMs: this.guardMs, limits: this.limits, lateToleranceMs: this.lateToleranceMs } = checkLimiterSettings(options));
    this.lookaheadMs = options.lookaheadMs ?? 20;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.leaseGraceMs = options.leaseGraceMs ?? 1_000;
    if (!(this.lookaheadMs >= 0) || !(this.pollIntervalMs >= 1) || !(this.leaseGraceMs >= 0)) throw new RangeError('invalid fair-queue timing');
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? defaultSleep;
    this.keyPrefix = options.keyPrefix ?? 'ssl:';
    this.ratePolicy = options.ratePolicy ?? policyForRate;
  }

  /** The policy granted for a documented rate: window plus guard, and the burst. */
  policyFor(ratePerSecond: number): RatePolicy {
    const base = this.ratePolicy(ratePerSecond);
    return { limit: base.limit, windowMs: base.windowMs + this.guardMs, burst: Math.min(base.limit, this.options.burst ?? base.limit) };
  }

  async acquire(action: string, signal?: AbortSignal, options?: AcquireOptions): Promise<StartPermit> {
    if (signal?.aborted) throw signal.reason;
    const policy = this.options.policies(action);
    if (policy === undefined) {
      throw new GatewayError(GatewayErrorCode.BAD_REQUEST, `Unknown action: ${action}`, { details: { action } });
    }
    const rate = this.policyFor(policy.rateLimit);
    const key = this.keyPrefix + action;
    const caller = options?.caller;
    const store = this.options.store;
    const admitted = caller !== undefined && options?.requeue !== true && (await admitCaller(store, key, caller, action, policy.rateLimit, rate, this.limits, signal));
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = new Lane(key, action, rate, policy.rateLimit);
      this.lanes.set(key, lane);
    } else {
      lane.policy = rate;
      lane.limitPerSecond = policy.rateLimit;
    }
    const l = lane;
    return await new Promise<StartPermit>((resolve, reject) => {
      const finish = (): boolean => {
        if (waiter.state === 'done') return false;
        waiter.state = 'done';
        l.waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        if (admitted && caller !== undefined) void store.leave(key, caller).catch(() => {});
        return true;
      };
      const onAbort = (): void => {
        const state = waiter.state;
        if (!finish()) return;
        if (state === 'queued' && waiter.registered) void store.cancel(key, [waiter.member]).catch(() => {});
        if (state === 'held') this.giveBack(l, waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        member: store.newMember(),
        callerClass: store.callerClass(caller ?? ''),
        weight: this.options.callerWeights?.[caller ?? ''] ?? 1,
        joinedAt: this.clock(),
        admitted,
        caller,
        front: options?.requeue === true,
        state: 'queued',
        registered: false,
        hold: undefined,
        held: undefined,
        resolve: (permit) => {
          if (finish()) resolve(permit);
        },
        reject: (err) => {
          if (finish()) reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      l.waiters.add(waiter);
      this.kick(l);
    });
  }

  /** Polls now (or right after the poll in flight). */
  private kick(lane: Lane): void {
    if (lane.inflight) {
      lane.again = true;
      return;
    }
    lane.timer?.abort();
    lane.timer = undefined;
    this.poll(lane);
  }

  private poll(lane: Lane): void {
    const batch = [...lane.waiters].filter((w) => w.state === 'queued');
    if (batch.length === 0) return;
    lane.inflight = true;
    lane.again = false;
    const now = this.clock();
    const entries: FairTakeEntry[] = batch.map((w) => {
      w.registered = true;
      return {
        member: w.member,
        callerClass: w.callerClass,
        weight: w.weight,
        front: w.front,
        budgetMs: Math.max(0, w.joinedAt + this.options.maxWaitMs - now),
      };
    });
    let reply: Promise<FairTake[]>;
    try {
      reply = this.options.store.take(lane.key, lane.policy, entries, {
        lookaheadMs: this.lookaheadMs,
        leaseMs: this.pollIntervalMs + this.leaseGraceMs,
        ttlMs: this.options.maxWaitMs + this.pollIntervalMs + this.leaseGraceMs + 60_000,
      });
    } catch (err) {
      reply = Promise.reject(err);
    }
    reply.then(
      (results) => this.taken(lane, batch, results),
      (err: unknown) => this.failed(lane, batch, err),
    );
  }

  private taken(lane: Lane, batch: readonly Waiter[], results: readonly FairTake[]): void {
    lane.inflight = false;
    const now = this.clock();
    let due = Number.POSITIVE_INFINITY;
    // Grants in their fair order (the script's), everything else after.
    const rank = (i: number): number => {
      const r = results[i];
      return r?.status === 'granted' ? r.order : Number.POSITIVE_INFINITY;
    };
    const order = batch.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
    for (const i of order) {
      const w = batch[i];
      const r = results[i];
      if (r === undefined) continue;
      if (w.state !== 'queued') {
        // It left while the poll was in flight: a slot granted to it is nobody's.
        if (r.status === 'granted') this.release(lane, r.ticket);
        continue;
      }
      if (r.status === 'refused') {
        const left = Math.max(0, w.joinedAt + this.options.maxWaitMs - now);
        w.reject(queueFullRefusal(lane.action, lane.limitPerSecond, Math.max(1, Math.ceil(r.waitMs - left))));
      } else if (r.status === 'waiting') {
        due = Math.min(due, r.dueAt);
      } else {
        const t = this.lateToleranceMs;
        // A slot that was free when Redis decided has begun by the time its answer arrived.
        const startAt = r.waitMs <= 0 ? Math.min(r.startAt, now) : r.startAt;
        // The tolerance counts from the mapped start; a store link too slow to map the clock within
        // half the tolerance keeps half of it (as in QueueingRateLimiter).
        const latestStartAt = r.startAt + Math.max(t - r.uncertaintyMs, t / 2);
        this.hold(lane, w, { ticket: r.ticket, startAt, latestStartAt });
      }
    }
    if (lane.again) {
      this.poll(lane);
      return;
    }
    if ([...lane.waiters].some((w) => w.state === 'queued')) {
      // Aim at half the lookahead before the turn: the poll then finds the slot due (granted ahead).
      const at = Math.min(due - this.lookaheadMs / 2, now + this.pollIntervalMs);
      this.arm(lane, Math.max(1, Math.ceil(at - now)));
    }
  }

  private failed(lane: Lane, batch: readonly Waiter[], err: unknown): void {
    lane.inflight = false;
    // The store is unusable: these calls fail with its error (the Redis limiter falls back).
    for (const w of batch) if (w.state === 'queued') w.reject(err);
    if ([...lane.waiters].some((w) => w.state === 'queued')) this.poll(lane);
  }

  private arm(lane: Lane, ms: number): void {
    lane.timer?.abort();
    const timer = new AbortController();
    lane.timer = timer;
    this.sleep(ms, timer.signal).then(
      () => {
        if (lane.timer !== timer) return;
        lane.timer = undefined;
        if (!lane.inflight) this.poll(lane);
      },
      () => {},
    );
  }

  /** A granted slot: start at it, or give it back and queue first if this process comes too late. */
  private hold(lane: Lane, w: Waiter, slot: { ticket: number; startAt: number; latestStartAt: number }): void {
    w.state = 'held';
    w.held = { ticket: slot.ticket, latestStartAt: slot.latestStartAt };
    const go = (): void => {
      if (w.state !== 'held') return;
      w.hold = undefined;
      if (this.clock() > slot.latestStartAt) {
        // Too late for the slot (this process was busy): it goes back; the call queues first.
        this.giveBack(lane, w);
        w.state = 'queued';
        w.front = true;
        this.kick(lane);
        return;
      }
      let released = false;
      w.resolve({
        startAt: slot.startAt,
        slot: slot.ticket,
        strict: true,
        late: () => this.clock() > slot.latestStartAt,
        release: () => {
          if (released) return;
          released = true;
          this.release(lane, slot.ticket);
        },
      });
    };
    const wait = slot.startAt - this.clock();
    if (wait <= 0) {
      go();
      return;
    }
    const ac = new AbortController();
    w.hold = ac;
    // Timers may fire a little early against the clock (their ms rounding): wait again then.
    const sleepUntilStart = (): void => {
      this.sleep(Math.max(1, Math.ceil(slot.startAt - this.clock())), ac.signal).then(
        () => (this.clock() < slot.startAt ? sleepUntilStart() : go()),
        () => {},
      );
    };
    sleepUntilStart();
  }

  /** Returns a held slot that will not be used. */
  private giveBack(lane: Lane, w: Waiter): void {
    w.hold?.abort();
    w.hold = undefined;
    const held = w.held;
    w.held = undefined;
    if (held !== undefined) this.release(lane, held.ticket);
  }

  private release(lane: Lane, ticket: number): void {
    try {
      this.options.store.release(lane.key, lane.policy, ticket).catch(() => {});
    } catch {
      // best effort: an unreturned slot only lowers throughput for one window
    }
  }
}
