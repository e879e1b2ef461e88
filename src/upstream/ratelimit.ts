/**
 * Per-action rate limiting that queues instead of failing, bounds when calls START (not only when
 * their slots are booked), and shares an action's budget fairly between callers.
 *
 * Semantics (identical for the in-process store and the Redis store, see `RateLimiterStore`):
 *
 * 0. Admission and fair shares. A call names its caller (an opaque id such as `key:<id>` or
 *    `jwt:<iss>#<sub>`; none: one anonymous class for internal calls). Before it joins an
 *    action's queue, the caller's quota is checked (`CallerQuotaStore`: at most
 *    `maxQueuedPerCaller` of its calls queued per action, default 20, and optionally
 *    `callerRatePerSecond` admissions per sliding second); past it the call is refused at once
 *    with RATE_LIMITED (`details.reason` CALLER_QUEUE_FULL / CALLER_RATE, `retryAfterMs`), so a
 *    flooding caller fills its own queue, not everyone's. Waiters of a process are served by
 *    weighted fair queueing (virtual finish times, `callerWeights`, default weight 1): while
 *    callers compete, equal weights alternate (round-robin), weight 2 gets two turns for one.
 *    With Redis the quotas are counted in Redis (keys with TTLs, see `redis-ratelimit.ts`) and the
 *    fair order is decided in Redis for all processes together: `SharedFairLimiter`
 *    (`shared-fair-limiter.ts`) replaces this class there; waiting calls join one weighted fair
 *    queue per action in Redis and are granted the window's slots in its order.
 * 1. Booking. Each waiter books a slot. Per action key, slots satisfy
 *    - at most `limit` slots in ANY window of `windowMs` (a token that comes back one window after
 *      it was spent: a classic bucket refilled continuously would let 2N-1 through in a second), and
 *    - at most `burst` slots in any `burst × windowMs / limit`. The default `burst` is the limit:
 *      a sliding-window budget, so light traffic pays nothing (a call goes at once while the last
 *      window has room; only calls beyond the budget wait). `burst: 1` spaces slots evenly
 *      (`interval = windowMs / limit`, a leaky bucket without burst tolerance).
 *    Slots are never earlier than previously booked ones. A slot booked for one waiter may serve
 *    another: a process hands its due slots to its waiters in fair order. When the store refuses a
 *    booking (the schedule is full beyond `maxWaitMs`), the waiter last in fair order is refused
 *    with a RATE_LIMITED `GatewayError` and nothing is booked.
 * 2. Starting. The limiter lets a call go at its slot, never before, and only if it is not later
 *    than `slot + lateToleranceMs` (in a sliding window always; with `burst: 1` only) while the
 *    schedule after it is full (a later slot is "crowded":
 *    its window already holds `limit - 1` others, so `limit` calls follow within about a window;
 *    the store reports this per booking; or `limit - 1` calls of this process are waiting, which
 *    will take later slots). A late start next to a schedule with room cannot put
 *    `limit + 1` calls into any window (see 3) and goes: a merely slow process is not slowed down
 *    further under light load. A slot whose start would be too late (its timer fired late because
 *    the event loop was busy, the store's answer was read late, ...) is NOT used: it is released,
 *    the oldest local waiter waits for the next local slot, and a replacement slot is booked at the
 *    end of the queue for the youngest waiter (who is refused, RATE_LIMITED, if that is beyond its
 *    max wait). Local waiters are served oldest first from the slots the process holds, so a late
 *    slot costs each local waiter behind it one slot, not the late caller a place at the back of
 *    the queue; a waiter can be served after its max wait only by slots lost this way.
 *    `acquire` resolves with a `StartPermit` so that the sender can repeat the check at the moment
 *    the request is really written: the upstream client does (undici writes a request on a reused
 *    keep-alive socket only after one more event-loop turn, which a busy process can make long);
 *    a request that is late by then is not sent, its slot is released and the call acquires again
 *    with `requeue` (first in the local line).
 * 3. Why this bounds the upstream's count. `windowMs` is the documented window W plus a guard G
 *    (`windowGuardMs`, default 100 ms). Any `limit + 1` slots span at least W + G; every call is
 *    written in [slot, slot + T] (T = `lateToleranceMs`, default 25 ms); so the upstream, which
 *    counts ARRIVALS, sees at most `limit` calls in any W as long as the transit times of two calls
 *    differ by at most G - T (the other half of the guard). A call later than that can only share
 *    a window with `limit` LATER calls (earlier ones are more than W + G - T before it), and those
 *    exist only where a later slot is crowded, which is when lateness is refused. Not covered: a
 *    request that first has to open a connection is sent even if that made it late (refusing it
 *    would close the new connection and make every retry just as late), so connection setup
 *    counts as transit jitter; and a process only learns of crowding from its own bookings, so a
 *    lone late call of one process just before another process books a full second is let go.
 *
 * Costs: sustained throughput is `limit / (W + G)`, i.e. G / (W + G) below the documented rate
 * (9.1 % with the 100 ms default at 1 s), plus one slot per start that was too late (only under
 * event-loop stalls longer than T). Up to `limit` calls into an idle limiter start at once; with
 * `burst: 1` they would take (k - 1) × interval instead (10 calls at 10/s: 990 ms).
 *
 * The booking is the only shared state and sits behind `RateLimiterStore`, so a Redis-backed store
 * (`redis-ratelimit.ts`: a Lua script over a sorted set of slot times per action, on the Redis
 * clock) can replace `MemoryRateLimiterStore` to share one budget between many Lambda instances.
 * With the in-memory store every process has the full budget. `UpstreamClient`'s default limiter
 * is this class with its defaults (sliding window, 100 ms guard, start check, fair shares).
 */
import { GatewayError, GatewayErrorCode } from './errors';
import type { ActionPolicyLookup } from './policy';

import { defaultSleep, systemClock, type Clock, type Sleep } from '../time/clock';

export { defaultSleep, systemClock, type Clock, type Sleep };

/**
 * Margin added to every window by default (see the module comment). 100 ms: with the 25 ms start
 * tolerance it leaves 75 ms for differences in transit and in when the upstream timestamps an
 * arrival (50 ms, i.e. 25 ms of jitter, let a loaded machine put 11 arrivals into one second).
 */
export const DEFAULT_WINDOW_GUARD_MS = 100;
/** Largest default late-start tolerance: the rest of the guard absorbs transit jitter. */
export const MAX_DEFAULT_LATE_TOLERANCE_MS = 25;
/** Smallest default late-start tolerance: below this, ordinary timer jitter would discard slots. */
export const MIN_DEFAULT_LATE_TOLERANCE_MS = 5;

export interface RatePolicy {
  /** Slots allowed within any window. */
  readonly limit: number;
  /** Window length, ms. */
  readonly windowMs: number;
  /**
   * At most `burst` slots in any `burst × windowMs / limit` (1: consecutive slots at least
   * `windowMs / limit` apart). Integer in [1, limit]. @default limit (only the window bound)
   */
  readonly burst?: number;
}

/**
 * Policy for a documented "N calls per second" limit: N per 1000 ms. Non-integer rates keep the
 * average (2.5/s -> 2 per 800 ms; 0.5/s -> 1 per 2000 ms).
 */
export function policyForRate(ratePerSecond: number): RatePolicy {
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) throw new RangeError(`rate must be > 0, got ${ratePerSecond}`);
  const limit = Math.max(1, Math.floor(ratePerSecond));
  return { limit, windowMs: (1000 * limit) / ratePerSecond };
}

/** `burst` of a policy, clamped to [1, limit]. */
export function burstOf(policy: RatePolicy): number {
  const b = policy.burst === undefined ? policy.limit : Math.floor(policy.burst);
  return Math.min(policy.limit, Math.max(1, Number.isFinite(b) ? b : policy.limit));
}

/** Rounds a slot time up to a whole microsecond (slots of high rates are fractions of a ms apart). */
export function ceilToMicros(ms: number): number {
  return Math.ceil(ms * 1000) / 1000;
}

/**
 * The earliest slot that keeps `policy`, given the slots already booked (ascending, none older than
 * one window before `now`). Shared by the in-memory store and mirrored by the Redis Lua script.
 */
export function earliestSlot(booked: readonly number[], policy: RatePolicy, now: number): number {
  const n = booked.length;
  let at = now;
  if (n > 0) at = Math.max(at, booked[n - 1]);
  if (n >= policy.limit) at = Math.max(at, ceilToMicros(booked[n - policy.limit] + policy.windowMs));
  const burst = burstOf(policy);
  if (burst < policy.limit && n >= burst) at = Math.max(at, ceilToMicros(booked[n - burst] + (burst * policy.windowMs) / policy.limit));
  return at;
}

/**
 * Whether the window ending at `at` (the last of `booked`) holds `limit - 1` other slots: the
 * schedule is full there, so a call of an earlier slot that started late could share one window
 * with `limit` later calls. Where no slot is crowded, a late start cannot breach the limit.
 */
export function isCrowded(booked: readonly number[], policy: RatePolicy, at: number): boolean {
  // number of slots > at - windowMs (booked is ascending): binary search
  let lo = 0;
  let hi = booked.length;
  const from = at - policy.windowMs;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (booked[mid] > from) hi = mid;
    else lo = mid + 1;
  }
  return booked.length - lo - 1 >= policy.limit - 1;
}

export type Reservation =
  | {
      readonly granted: true;
      /** How long after the store decided the slot begins. */
      readonly waitMs: number;
      /** Identifies the slot for `release` (its time on the store's clock). */
      readonly ticket: number;
      /**
       * When the slot has certainly begun, on the limiter's clock (the store maps its own clock);
       * the slot may have begun up to `uncertaintyMs` earlier. When absent, the limiter derives
       * both from the time the request took: `answer + waitMs`, uncertainty = round trip.
       */
      readonly startAt?: number;
      readonly uncertaintyMs?: number;
      /**
       * The window ending at this slot already holds `limit - 1` other slots (see `isCrowded`).
       * Only then can an earlier call that starts late breach the limit, so only then are late
       * starts refused. Absent: assumed crowded.
       */
      readonly crowded?: boolean;
    }
  | { readonly granted: false; readonly waitMs: number };

export interface RateLimiterStore {
  /**
   * Atomically books the earliest slot of `key` that keeps `policy` (see `earliestSlot`: at most
   * `limit` slots in any `windowMs`, at most `burst` in any `burst × windowMs / limit`, never
   * earlier than previously booked slots, which makes service FIFO), if it starts within
   * `maxWaitMs` from now. Granted: the call may start at the slot. Refused: nothing booked;
   * `waitMs` is the wait it would need.
   */
  reserve(key: string, policy: RatePolicy, maxWaitMs: number): Promise<Reservation>;
  /** Returns an unused granted slot (its caller gave up, or it could not start in time). */
  release?(key: string, policy: RatePolicy, ticket: number): Promise<void>;
  /**
   * Other processes book in this store too, so a process cannot see every booking that makes the
   * schedule after a slot full: in a sliding window, late starts are then always refused.
   */
  readonly shared?: boolean;
}

/** In-process store (one budget per process). */
export class MemoryRateLimiterStore implements RateLimiterStore {
  /** Granted slot times per key, ascending; entries older than one window are pruned. */
  private readonly slots = new Map<string, number[]>();

  constructor(private readonly clock: Clock = systemClock) {}

  async reserve(key: string, policy: RatePolicy, maxWaitMs: number): Promise<Reservation> {
    return this.reserveSync(key, policy, maxWaitMs);
  }

  reserveSync(key: string, policy: RatePolicy, maxWaitMs: number): Reservation {
    if (!(policy.limit >= 1) || !(policy.windowMs > 0)) throw new RangeError(`invalid rate policy for ${key}`);
    const now = this.clock();
    let list = this.slots.get(key);
    if (list === undefined) {
      list = [];
      this.slots.set(key, list);
    }
    // Slots at or before now - window can no longer share a window with a slot >= now.
    let drop = 0;
    while (drop < list.length && list[drop] <= now - policy.windowMs) drop++;
    if (drop > 0) list.splice(0, drop);

    const at = earliestSlot(list, policy, now);
    const waitMs = at - now;
    if (waitMs > maxWaitMs) {
      if (list.length === 0) this.slots.delete(key);
      return { granted: false, waitMs };
    }
    list.push(at);
    return { granted: true, waitMs, ticket: at, startAt: at, uncertaintyMs: 0, crowded: isCrowded(list, policy, at) };
  }

  async release(key: string, _policy: RatePolicy, ticket: number): Promise<void> {
    // Removing a granted-but-unused slot can only lower the count in any window: always safe.
    const list = this.slots.get(key);
    if (list === undefined) return;
    const i = list.lastIndexOf(ticket);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.slots.delete(key);
  }
}

/** Per-caller limits checked before a call joins an action's queue. */
export interface CallerLimits {
  /** Calls of one caller that may wait for one action at the same time. */
  readonly maxQueued: number;
  /** Calls of one caller one action may admit per second (sliding second); none: unbounded. */
  readonly ratePerSecond?: number;
}

export type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly reason: 'CALLER_QUEUE_FULL' | 'CALLER_RATE'; readonly retryAfterMs: number };

/**
 * Counts each caller's queued calls (and admissions per second) per action key, so that its quota
 * holds before it joins a queue: in-process (`MemoryCallerQuotaStore`) or across processes
 * (`RedisRateLimiterStore`).
 */
export interface CallerQuotaStore {
  /** Admits one call of `caller` to `key`'s queue, or says why not (nothing counted then). */
  admit(key: string, caller: string, limits: CallerLimits): Promise<Admission>;
  /** An admitted call left the queue (it was granted, refused or aborted). Best effort. */
  leave(key: string, caller: string): Promise<void>;
}

/** In-process caller quotas; entries disappear once a caller has nothing queued and no recent admission. */
export class MemoryCallerQuotaStore implements CallerQuotaStore {
  private readonly entries = new Map<string, { queued: number; admitted: number[] }>();

  constructor(private readonly clock: Clock = systemClock) {}

  async admit(key: string, caller: string, limits: CallerLimits): Promise<Admission> {
    const id = `${key}\u0000${caller}`;
    const now = this.clock();
    const e = this.entries.get(id) ?? { queued: 0, admitted: [] };
    while (e.admitted.length > 0 && e.admitted[0] <= now - 1_000) e.admitted.shift();
    if (e.queued >= limits.maxQueued) return { admitted: false, reason: 'CALLER_QUEUE_FULL', retryAfterMs: 0 };
    const rate = limits.ratePerSecond;
    if (rate !== undefined && e.admitted.length >= rate) {
      return { admitted: false, reason: 'CALLER_RATE', retryAfterMs: Math.max(1, Math.ceil(e.admitted[e.admitted.length - Math.floor(rate)] + 1_000 - now)) };
    }
    e.queued++;
    if (rate !== undefined) e.admitted.push(now);
    this.entries.set(id, e);
    return { admitted: true };
  }

  async leave(key: string, caller: string): Promise<void> {
    const id = `${key}\u0000${caller}`;
    const e = this.entries.get(id);
    if (e === undefined) return;
    e.queued = Math.max(0, e.queued - 1);
    const now = this.clock();
    while (e.admitted.length > 0 && e.admitted[0] <= now - 1_000) e.admitted.shift();
    if (e.queued === 0 && e.admitted.length === 0) this.entries.delete(id);
  }
}

/**
 * What `acquire` resolves with: lets the caller check, at the moment the request is actually
 * written (an HTTP client may write it only after more event-loop work), that it is still within
 * its slot's tolerance.
 */
export interface StartPermit {
  /** When the call was allowed to start (its slot), on the limiter's clock. */
  readonly startAt?: number;
  /** The slot as the store booked it (its time on the store's clock): what the store decided. */
  readonly slot?: number;
  /**
   * Late is late, whatever made it late (connecting included): in a sliding window the call books
   * again at once, on the connection now open, so refusing costs little and keeps the bound.
   */
  readonly strict?: boolean;
  /** True when starting now would be too late for the slot: do not send; acquire again with `requeue`. */
  late(): boolean;
  /** The call was not sent (it was late): gives the slot back to the store. Best effort. */
  release(): void;
}

export interface AcquireOptions {
  /** The caller lost its slot (it could not start in time): serve it before the other local waiters. */
  readonly requeue?: boolean;
  /**
   * Opaque id of whoever the call is made for (e.g. `key:<id>`, `jwt:<iss>#<sub>`): competing
   * callers share an action's budget fairly, and each caller's quota applies. None: an internal
   * call, queued as one anonymous caller without a quota.
   */
  readonly caller?: string;
}

/** Fair sharing between callers (see the module comment). */
export interface FairShareOptions {
  /** Relative share of a caller when callers compete for an action (by caller id). @default 1 each */
  callerWeights?: Readonly<Record<string, number>>;
  /** Calls a caller may have queued per action; beyond it RATE_LIMITED at once. @default DEFAULT_MAX_QUEUED_PER_CALLER (20) */
  maxQueuedPerCaller?: number;
  /** Calls per second a caller may start per action. @default unbounded (only the action's limit) */
  callerRatePerSecond?: number;
}

/** The RATE_LIMITED error for a call its caller's quota refused (the same in every limiter). */
export function callerRefusal(
  action: string,
  limitPerSecond: number,
  rate: RatePolicy,
  limits: CallerLimits,
  admission: Extract<Admission, { admitted: false }>,
): GatewayError {
  const retryAfterMs = admission.reason === 'CALLER_RATE' ? admission.retryAfterMs : Math.max(1, Math.ceil(rate.windowMs / rate.limit));
  return new GatewayError(
    GatewayErrorCode.RATE_LIMITED,
    admission.reason === 'CALLER_RATE'
      ? `Too many ${action} calls from this caller: its share is ${limits.ratePerSecond} per second; retry after ${retryAfterMs} ms.`
      : `Too many ${action} calls from this caller are already queued (at most ${limits.maxQueued}); retry after ${retryAfterMs} ms.`,
    { details: { action, limitPerSecond, retryAfterMs, source: 'gateway', reason: admission.reason } },
  );
}

/** The RATE_LIMITED error for a call whose turn would come after its max wait. */
export function queueFullRefusal(action: string, limitPerSecond: number, retryAfterMs: number): GatewayError {
  return new GatewayError(
    GatewayErrorCode.RATE_LIMITED,
    `Too many ${action} calls: the gateway's limit is ${limitPerSecond} per second and the queue is full; retry after ${retryAfterMs} ms.`,
    { details: { action, limitPerSecond, retryAfterMs, source: 'gateway' } },
  );
}

/** Queued calls per caller and action by default: a flood fills its own queue, not everyone's. */
export const DEFAULT_MAX_QUEUED_PER_CALLER = 20;

/** The settings every queueing limiter takes: this process's, and the shared fair queue's. */
export interface LimiterSettings extends FairShareOptions {
  /** Longest a caller may be queued before being rejected. */
  maxWaitMs: number;
  /** Added to every window: late-start tolerance plus transit jitter. @default DEFAULT_WINDOW_GUARD_MS (100) */
  windowGuardMs?: number;
  /**
   * Slots that may share one interval of `window / limit` (1 = evenly spaced). Clamped to the
   * limit. @default the limit: a sliding-window budget, calls go at once while the window has room
   */
  burst?: number;
  /**
   * Latest a call may start after its slot; a later one waits for another slot. Must not exceed
   * `windowGuardMs` for the bound to hold. @default max(min(windowGuardMs / 2, 25), 5)
   */
  lateToleranceMs?: number;
}

/** `LimiterSettings` checked (RangeError when out of range), with their defaults applied. */
export function checkLimiterSettings(options: LimiterSettings): { guardMs: number; limits: CallerLimits; lateToleranceMs: number } {
  if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) throw new RangeError('maxWaitMs must be >= 0');
  const guardMs = options.windowGuardMs ?? DEFAULT_WINDOW_GUARD_MS;
  if (!Number.isFinite(guardMs) || guardMs < 0) throw new RangeError('windowGuardMs must be >= 0');
  if (options.burst !== undefined && (!Number.isInteger(options.burst) || options.burst < 1)) throw new RangeError('burst must be an integer >= 1');
  const maxQueued = options.maxQueuedPerCaller ?? DEFAULT_MAX_QUEUED_PER_CALLER;
  if (!Number.isInteger(maxQueued) || maxQueued < 1) throw new RangeError('maxQueuedPerCaller must be an integer >= 1');
  const rate = options.callerRatePerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 1)) throw new RangeError('callerRatePerSecond must be >= 1');
  for (const [caller, w] of Object.entries(options.callerWeights ?? {})) {
    if (!(Number.isFinite(w) && w > 0)) throw new RangeError(`weight of caller ${caller} must be > 0`);
  }
  const lateToleranceMs = options.lateToleranceMs ?? Math.max(Math.min(guardMs / 2, MAX_DEFAULT_LATE_TOLERANCE_MS), MIN_DEFAULT_LATE_TOLERANCE_MS);
  if (!Number.isFinite(lateToleranceMs) || lateToleranceMs < 0) throw new RangeError('lateToleranceMs must be >= 0');
  return { guardMs, limits: { maxQueued, ratePerSecond: rate }, lateToleranceMs };
}

/**
 * A caller's quota, held before its call joins a queue. Callers skip it, without awaiting, for an
 * anonymous call (no quota) and a requeued one (admitted already): an abort right after `acquire`
 * must find the call in its queue. Resolves true once counted (the call must `leave` when it
 * goes); rejects with the caller's refusal, or with the abort reason (having left again).
 */
export async function admitCaller(
  quota: CallerQuotaStore,
  key: string,
  caller: string,
  action: string,
  limitPerSecond: number,
  rate: RatePolicy,
  limits: CallerLimits,
  signal: AbortSignal | undefined,
): Promise<true> {
  const admission = await quota.admit(key, caller, limits);
  if (!admission.admitted) throw callerRefusal(action, limitPerSecond, rate, limits, admission);
  if (signal?.aborted) {
    void quota.leave(key, caller).catch(() => {});
    throw signal.reason;
  }
  return true;
}

export interface RateLimiter {
  /**
   * Resolves when the caller may send one `action` call, optionally with a `StartPermit` to check
   * right before sending; rejects with RATE_LIMITED or the abort reason.
   */
  acquire(action: string, signal?: AbortSignal, options?: AcquireOptions): Promise<StartPermit | void>;
}

export interface QueueingRateLimiterOptions extends LimiterSettings {
  /** Rate per action (`rateLimit`); only that field is used. */
  policies: ActionPolicyLookup;
  /** @default new MemoryRateLimiterStore(clock) */
  store?: RateLimiterStore;
  clock?: Clock;
  /** The limiter's timer. @default setTimeout based */
  sleep?: Sleep;
  /** Prefix of store keys, e.g. the account, when a shared store serves several accounts. @default 'ssl:' */
  keyPrefix?: string;
  /** Maps a documented rate to a window policy (before the guard). @default policyForRate */
  ratePolicy?: (ratePerSecond: number) => RatePolicy;
  /** Where caller quotas are counted. @default new MemoryCallerQuotaStore(clock) */
  quota?: CallerQuotaStore;
}

interface Waiter {
  readonly joinedAt: number;
  /** Fair-queue class ('' = anonymous). */
  readonly caller: string;
  /** Counted by the quota store: must `leave` when it goes. */
  readonly admitted: boolean;
  /** Virtual finish time (weighted fair queueing): waiters are served in ascending order. */
  finish: number;
  /** The in-flight booking meant for this waiter (if any). */
  booking: Booking | undefined;
  resolve(permit: StartPermit): void;
  reject(err: unknown): void;
}

interface Booking {
  /** Whom a refusal rejects; undefined: nobody needs the slot any more (released on arrival). */
  target: Waiter | undefined;
  readonly budgetMs: number;
}

interface HeldSlot {
  readonly ticket: number;
  /** Limiter clock: the slot has certainly begun. */
  readonly startAt: number;
  /** Limiter clock: the latest start that is still within the tolerance. */
  readonly latestStartAt: number;
}

/**
 * Per-key state: FIFO waiters, the slots they hold (ascending), bookings in flight, one timer.
 * Kept for the limiter's life (one per action and prefix: a bounded set), so that permits already
 * handed out keep seeing the crowding of later bookings.
 */
class Lane {
  readonly waiters: Waiter[] = [];
  readonly held: HeldSlot[] = [];
  readonly bookings: Booking[] = [];
  timer: AbortController | undefined;
  timerAt = Number.NaN;
  /** Start time of the latest crowded slot booked here: late starts of earlier slots matter. */
  crowdedUntil = Number.NEGATIVE_INFINITY;
  /** Virtual time: the finish tag of the last waiter served. */
  vtime = 0;
  /** Finish tag of each caller's last queued call (callers that are caught up are dropped). */
  readonly lastFinish = new Map<string, number>();

  constructor(
    readonly key: string,
    readonly action: string,
    public policy: RatePolicy,
    public limitPerSecond: number,
  ) {}

}

export class QueueingRateLimiter implements RateLimiter {
  private readonly store: RateLimiterStore;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly keyPrefix: string;
  private readonly ratePolicy: (ratePerSecond: number) => RatePolicy;
  private readonly guardMs: number;
  private readonly burst: number | undefined;
  private readonly quota: CallerQuotaStore;
  private readonly limits: CallerLimits;
  /** Late-start tolerance, ms. */
  readonly lateToleranceMs: number;
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: QueueingRateLimiterOptions) {
    ({ guardMs: this.guardMs, limits: this.limits, lateToleranceMs: this.lateToleranceMs } = checkLimiterSettings(options));
    this.burst = options.burst;
    this.clock = options.clock ?? systemClock;
    this.store = options.store ?? new MemoryRateLimiterStore(this.clock);
    this.quota = options.quota ?? new MemoryCallerQuotaStore(this.clock);
    this.sleep = options.sleep ?? defaultSleep;
    this.keyPrefix = options.keyPrefix ?? 'ssl:';
    this.ratePolicy = options.ratePolicy ?? policyForRate;
  }

  /** The policy booked for a documented rate: window plus guard, and the burst. */
  policyFor(ratePerSecond: number): RatePolicy {
    const base = this.ratePolicy(ratePerSecond);
    return { limit: base.limit, windowMs: base.windowMs + this.guardMs, burst: Math.min(base.limit, this.burst ?? base.limit) };
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
    const admitted = caller !== undefined && options?.requeue !== true && (await admitCaller(this.quota, key, caller, action, policy.rateLimit, rate, this.limits, signal));
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
      let left = false;
      const leave = (): void => {
        signal?.removeEventListener('abort', onAbort);
        if (left) return;
        left = true;
        if (admitted && caller !== undefined) void this.quota.leave(key, caller).catch(() => {});
      };
      const onAbort = (): void => {
        if (this.remove(l, waiter)) {
          leave();
          reject(signal?.reason);
          this.update(l);
        }
      };
      const waiter: Waiter = {
        joinedAt: this.clock(),
        caller: caller ?? '',
        admitted,
        finish: 0,
        booking: undefined,
        resolve: (permit) => {
          leave();
          resolve(permit);
        },
        reject: (err) => {
          leave();
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.enqueue(l, waiter, options?.requeue === true);
      this.update(l);
    });
  }

  /**
   * Weighted fair queueing by caller: a waiter's virtual finish time is its caller's previous one
   * (or the lane's virtual time, if later) plus 1 / weight, and waiters are served in ascending
   * finish order (ties: join order). A caller with 40 queued calls therefore holds finish times
   * 1..40 ahead; another caller's call joins at 1 and is served next but one, not 41st.
   */
  private enqueue(lane: Lane, waiter: Waiter, front: boolean): void {
    if (front) {
      waiter.finish = Number.NEGATIVE_INFINITY;
      lane.waiters.unshift(waiter);
      return;
    }
    const weight = this.options.callerWeights?.[waiter.caller] ?? 1;
    const start = Math.max(lane.vtime, lane.lastFinish.get(waiter.caller) ?? Number.NEGATIVE_INFINITY);
    waiter.finish = start + 1 / weight;
    lane.lastFinish.set(waiter.caller, waiter.finish);
    let i = lane.waiters.length;
    while (i > 0 && lane.waiters[i - 1].finish > waiter.finish) i--;
    lane.waiters.splice(i, 0, waiter);
  }

  /** Advances the lane's virtual time past a served waiter; forgets callers that are caught up. */
  private served(lane: Lane, waiter: Waiter): void {
    if (waiter.finish > lane.vtime) lane.vtime = waiter.finish;
    for (const [caller, finish] of lane.lastFinish) if (finish <= lane.vtime) lane.lastFinish.delete(caller);
  }

  /** Late is late whatever the reason: a sliding window over a store other processes share too. */
  private strictLateness(lane: Lane): boolean {
    return this.store.shared === true && burstOf(lane.policy) > 1;
  }

  /** Removes a waiter (and un-targets its booking); false when it had already left. */
  private remove(lane: Lane, waiter: Waiter): boolean {
    const i = lane.waiters.indexOf(waiter);
    if (i < 0) return false;
    lane.waiters.splice(i, 1);
    if (waiter.booking !== undefined) {
      waiter.booking.target = undefined;
      waiter.booking = undefined;
    }
    return true;
  }

  /** After any change: start or drop due slots, match slots to waiters, re-arm the timer. */
  private update(lane: Lane): void {
    this.drain(lane);
    if (lane.waiters.length === 0) lane.lastFinish.clear();
    this.rebalance(lane);
    this.arm(lane);
  }

  /** Hands due slots to the oldest waiters; drops (releases) slots that can no longer start in time. */
  private drain(lane: Lane): void {
    while (lane.held.length > 0) {
      const slot = lane.held[0];
      const now = this.clock();
      if (now < slot.startAt) return;
      lane.held.shift();
      const waiter = lane.waiters[0];
      if (waiter === undefined || this.tooLate(lane, slot, now)) {
        this.release(lane, slot.ticket);
        continue;
      }
      this.remove(lane, waiter);
      this.served(lane, waiter);
      let released = false;
      waiter.resolve({
        startAt: slot.startAt,
        slot: slot.ticket,
        strict: this.strictLateness(lane),
        late: () => this.tooLate(lane, slot, this.clock()),
        release: () => {
          if (released) return;
          released = true;
          this.release(lane, slot.ticket);
        },
      });
    }
  }

  /**
   * A start at `now` is too late for `slot` when it is past the tolerance AND the schedule after it
   * is (or is about to be) full: a crowded slot was booked after it, or at least `limit - 1` calls
   * of this process are waiting (they will all get later slots; their bookings may still be in
   * flight, e.g. while a burst of requests is being handled). Otherwise no window can get
   * `limit + 1` calls from it, so the call goes (a merely slow process is not made slower under
   * light load). That leniency is only for evenly spaced slots (`burst` 1), where a lost slot
   * costs an interval. In a sliding window a full window's slots share one instant, so a late
   * start can join the next window's batch, and with a shared store other processes' bookings
   * (which this process does not see) may be that batch; there every late start is refused. With
   * the in-process store every booking is seen, so the crowding test is exact and stays.
   */
  private tooLate(lane: Lane, slot: HeldSlot, now: number): boolean {
    if (now <= slot.latestStartAt) return false;
    if (this.strictLateness(lane)) return true;
    return lane.crowdedUntil > slot.startAt || lane.waiters.length >= lane.policy.limit - 1;
  }

  /**
   * Keeps one slot (held or being booked) per waiter. Surplus: drop the newest booking in flight,
   * else release the latest held slot. Shortage: adopt bookings nobody needs any more, else book
   * for the youngest waiters without one (oldest of them first, so slot order follows join order).
   */
  private rebalance(lane: Lane): void {
    let targeted = 0;
    for (const b of lane.bookings) if (b.target !== undefined) targeted++;
    let balance = lane.held.length + targeted - lane.waiters.length;
    for (let i = lane.bookings.length - 1; balance > 0 && i >= 0; i--) {
      const b = lane.bookings[i];
      if (b.target === undefined) continue;
      b.target.booking = undefined;
      b.target = undefined;
      balance--;
    }
    while (balance > 0 && lane.held.length > 0) {
      this.release(lane, lane.held.pop()!.ticket);
      balance--;
    }
    if (balance >= 0) return;
    const needy: Waiter[] = [];
    for (let i = lane.waiters.length - 1; i >= 0 && needy.length < -balance; i--) {
      if (lane.waiters[i].booking === undefined) needy.push(lane.waiters[i]);
    }
    needy.reverse();
    for (const w of needy) {
      const spare = lane.bookings.find((b) => b.target === undefined);
      if (spare !== undefined) {
        spare.target = w;
        w.booking = spare;
      } else {
        this.book(lane, w);
      }
    }
  }

  private book(lane: Lane, target: Waiter): void {
    const booking: Booking = { target, budgetMs: Math.max(0, target.joinedAt + this.options.maxWaitMs - this.clock()) };
    target.booking = booking;
    lane.bookings.push(booking);
    const policy = lane.policy;
    const sentAt = this.clock();
    let reply: Promise<Reservation>;
    try {
      reply = this.store.reserve(lane.key, policy, booking.budgetMs);
    } catch (err) {
      reply = Promise.reject(err);
    }
    reply.then(
      (r) => this.booked(lane, booking, r, sentAt, this.clock()),
      (err: unknown) => this.bookingFailed(lane, booking, err),
    );
  }

  private settleBooking(lane: Lane, booking: Booking): Waiter | undefined {
    const i = lane.bookings.indexOf(booking);
    if (i >= 0) lane.bookings.splice(i, 1);
    const target = booking.target;
    booking.target = undefined;
    if (target !== undefined) target.booking = undefined;
    return target;
  }

  private booked(lane: Lane, booking: Booking, r: Reservation, sentAt: number, receivedAt: number): void {
    const target = this.settleBooking(lane, booking);
    try {
      if (!r.granted) {
        // The schedule is full beyond the max wait: whoever would be served last goes (in fair
        // order that is the heaviest caller's newest call, not necessarily the booking's target,
        // which keeps waiting and books again).
        const victim = target === undefined ? undefined : lane.waiters[lane.waiters.length - 1];
        if (victim !== undefined && this.remove(lane, victim)) {
          const retryAfterMs = Math.max(1, Math.ceil(r.waitMs - booking.budgetMs));
          victim.reject(queueFullRefusal(lane.action, lane.limitPerSecond, retryAfterMs));
        }
      } else if (target === undefined) {
        this.release(lane, r.ticket);
      } else {
        const mapped = r.startAt ?? receivedAt + Math.max(0, r.waitMs);
        const uncertainty = Math.max(0, r.startAt !== undefined ? (r.uncertaintyMs ?? 0) : receivedAt - sentAt);
        if (!Number.isFinite(mapped) || !Number.isFinite(uncertainty)) throw new TypeError('unusable reservation from the rate-limit store');
        // A slot that was free when the store decided (no wait) has begun by the time its answer
        // arrived, whatever the clock mapping's whole-ms rounding says: light traffic goes at once.
        // The tolerance still counts from the mapped start.
        const startAt = r.waitMs <= 0 ? Math.min(mapped, receivedAt) : mapped;
        const t = this.lateToleranceMs;
        // When the store's clock cannot be mapped to within half the tolerance (a slow store link),
        // insisting on the exact bound would discard every slot: keep half the tolerance instead.
        const slot: HeldSlot = { ticket: r.ticket, startAt, latestStartAt: mapped + Math.max(t - uncertainty, t / 2) };
        if (r.crowded ?? true) lane.crowdedUntil = Math.max(lane.crowdedUntil, startAt);
        let i = lane.held.length;
        while (i > 0 && lane.held[i - 1].startAt > startAt) i--;
        lane.held.splice(i, 0, slot);
      }
    } catch (err) {
      // An answer that cannot be used fails its caller like a store error (never leaves it waiting).
      if (target !== undefined && this.remove(lane, target)) target.reject(err);
    }
    this.update(lane);
  }

  private bookingFailed(lane: Lane, booking: Booking, err: unknown): void {
    const target = this.settleBooking(lane, booking);
    if (target !== undefined && this.remove(lane, target)) target.reject(err);
    this.update(lane);
  }

  private release(lane: Lane, ticket: number): void {
    try {
      this.store.release?.(lane.key, lane.policy, ticket)?.catch(() => {});
    } catch {
      // best effort: an unreturned slot only lowers throughput
    }
  }

  /** One timer per lane, for its earliest held slot. */
  private arm(lane: Lane): void {
    const next = lane.held[0];
    if (next === undefined || lane.waiters.length === 0) {
      lane.timer?.abort();
      lane.timer = undefined;
      lane.timerAt = Number.NaN;
      return;
    }
    if (lane.timer !== undefined && lane.timerAt === next.startAt) return;
    lane.timer?.abort();
    const timer = new AbortController();
    lane.timer = timer;
    lane.timerAt = next.startAt;
    // Timers may fire a little early against the clock (their ms rounding): drain() re-arms then.
    this.sleep(Math.max(1, Math.ceil(next.startAt - this.clock())), timer.signal).then(
      () => {
        if (lane.timer !== timer) return;
        lane.timer = undefined;
        lane.timerAt = Number.NaN;
        this.update(lane);
      },
      () => {},
    );
  }
}

/** A limiter that never waits (tests, or when an outer layer already paces calls). */
export const unlimited: RateLimiter = {
  acquire: async (_action, signal) => {
    if (signal?.aborted) throw signal.reason;
  },
};
