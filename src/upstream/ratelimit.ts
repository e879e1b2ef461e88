/**
 * Per-action rate limiting that queues instead of failing, and that bounds when calls START, not
 * only when their slots are booked.
 *
 * Semantics (identical for the in-process store and the Redis store, see `RateLimiterStore`):
 *
 * 1. Booking. Each caller books a slot. Per action key, slots satisfy
 *    - at most `limit` slots in ANY window of `windowMs` (a token that comes back one window after
 *      it was spent: a classic bucket refilled continuously would let 2N-1 through in a second), and
 *    - at most `burst` slots in any `burst × windowMs / limit`. The limiter's default `burst` is 1:
 *      consecutive slots are at least `interval = windowMs / limit` apart (evenly spaced, a leaky
 *      bucket / GCRA without burst tolerance), so a queue drains at a steady pace instead of in
 *      clumps of N at every window boundary.
 *    Slots are never earlier than previously booked ones (FIFO across everything that shares the
 *    store). A caller whose slot would lie more than `maxWaitMs` away is refused at once with a
 *    RATE_LIMITED `GatewayError` and books nothing.
 * 2. Starting. The limiter lets a call go at its slot, never before, and only if it is not later
 *    than `slot + lateToleranceMs` while the schedule after it is full (a later slot is "crowded":
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
 * event-loop stalls longer than T). Without burst, k simultaneous calls into an idle limiter take
 * (k - 1) × interval to start instead of 0 (10 calls at 10/s: 990 ms), which is what keeps them
 * from arriving as a clump; `burst` trades that latency back.
 *
 * The booking is the only shared state and sits behind `RateLimiterStore`, so a Redis-backed store
 * (`redis-ratelimit.ts`: a Lua script over a sorted set of slot times per action, on the Redis
 * clock) can replace `MemoryRateLimiterStore` to share one budget between many Lambda instances.
 * With the in-memory store every process has the full budget. `UpstreamClient`'s default limiter
 * is this class with its defaults (evenly spaced, 100 ms guard, start check), so a single instance
 * without Redis does not burst either.
 */
import { GatewayError, GatewayErrorCode } from './errors';
import type { ActionPolicyLookup } from './policy';

/** Milliseconds since the epoch. */
export type Clock = () => number;
/** Resolves after `ms`, or rejects with `signal.reason` when aborted first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemClock: Clock = () => Date.now();

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

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
  /** True when starting now would be too late for the slot: do not send; acquire again with `requeue`. */
  late(): boolean;
  /** The call was not sent (it was late): gives the slot back to the store. Best effort. */
  release(): void;
}

export interface AcquireOptions {
  /** The caller lost its slot (it could not start in time): serve it before the other local waiters. */
  readonly requeue?: boolean;
}

export interface RateLimiter {
  /**
   * Resolves when the caller may send one `action` call, optionally with a `StartPermit` to check
   * right before sending; rejects with RATE_LIMITED or the abort reason.
   */
  acquire(action: string, signal?: AbortSignal, options?: AcquireOptions): Promise<StartPermit | void>;
}

export interface QueueingRateLimiterOptions {
  /** Rate per action (`rateLimit`); only that field is used. */
  policies: ActionPolicyLookup;
  /** Longest a caller may be queued before being rejected. */
  maxWaitMs: number;
  /** @default new MemoryRateLimiterStore(clock) */
  store?: RateLimiterStore;
  clock?: Clock;
  /** The limiter's timer. @default setTimeout based */
  sleep?: Sleep;
  /** Prefix of store keys, e.g. the account, when a shared store serves several accounts. @default 'ssl:' */
  keyPrefix?: string;
  /** Maps a documented rate to a window policy (before the guard). @default policyForRate */
  ratePolicy?: (ratePerSecond: number) => RatePolicy;
  /** Added to every window: late-start tolerance plus transit jitter. @default DEFAULT_WINDOW_GUARD_MS (100) */
  windowGuardMs?: number;
  /** Slots that may share one interval (1 = evenly spaced). Clamped to the limit. @default 1 */
  burst?: number;
  /**
   * Latest a call may start after its slot; a later one waits for another slot. Must not exceed
   * `windowGuardMs` for the bound to hold. @default max(min(windowGuardMs / 2, 25), 5)
   */
  lateToleranceMs?: number;
}

interface Waiter {
  readonly joinedAt: number;
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
  private readonly burst: number;
  /** Late-start tolerance, ms. */
  readonly lateToleranceMs: number;
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: QueueingRateLimiterOptions) {
    if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) throw new RangeError('maxWaitMs must be >= 0');
    this.guardMs = options.windowGuardMs ?? DEFAULT_WINDOW_GUARD_MS;
    if (!Number.isFinite(this.guardMs) || this.guardMs < 0) throw new RangeError('windowGuardMs must be >= 0');
    this.burst = options.burst ?? 1;
    if (!Number.isInteger(this.burst) || this.burst < 1) throw new RangeError('burst must be an integer >= 1');
    this.lateToleranceMs = options.lateToleranceMs ?? Math.max(Math.min(this.guardMs / 2, MAX_DEFAULT_LATE_TOLERANCE_MS), MIN_DEFAULT_LATE_TOLERANCE_MS);
    if (!Number.isFinite(this.lateToleranceMs) || this.lateToleranceMs < 0) throw new RangeError('lateToleranceMs must be >= 0');
    this.clock = options.clock ?? systemClock;
    this.store = options.store ?? new MemoryRateLimiterStore(this.clock);
    this.sleep = options.sleep ?? defaultSleep;
    this.keyPrefix = options.keyPrefix ?? 'ssl:';
    this.ratePolicy = options.ratePolicy ?? policyForRate;
  }

  /** The policy booked for a documented rate: window plus guard, and the burst. */
  policyFor(ratePerSecond: number): RatePolicy {
    const base = this.ratePolicy(ratePerSecond);
    return { limit: base.limit, windowMs: base.windowMs + this.guardMs, burst: Math.min(base.limit, this.burst) };
  }

  acquire(action: string, signal?: AbortSignal, options?: AcquireOptions): Promise<StartPermit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const policy = this.options.policies(action);
    if (policy === undefined) {
      return Promise.reject(new GatewayError(GatewayErrorCode.BAD_REQUEST, `Unknown action: ${action}`, { details: { action } }));
    }
    let rate: RatePolicy;
    try {
      rate = this.policyFor(policy.rateLimit);
    } catch (err) {
      return Promise.reject(err);
    }
    const key = this.keyPrefix + action;
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = new Lane(key, action, rate, policy.rateLimit);
      this.lanes.set(key, lane);
    } else {
      lane.policy = rate;
      lane.limitPerSecond = policy.rateLimit;
    }
    const l = lane;
    return new Promise<StartPermit>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.remove(l, waiter)) {
          reject(signal?.reason);
          this.update(l);
        }
      };
      const waiter: Waiter = {
        joinedAt: this.clock(),
        booking: undefined,
        resolve: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (options?.requeue === true) l.waiters.unshift(waiter);
      else l.waiters.push(waiter);
      this.update(l);
    });
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
      let released = false;
      waiter.resolve({
        startAt: slot.startAt,
        slot: slot.ticket,
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
   * light load).
   */
  private tooLate(lane: Lane, slot: HeldSlot, now: number): boolean {
    if (now <= slot.latestStartAt) return false;
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
        if (target !== undefined && this.remove(lane, target)) {
          const retryAfterMs = Math.max(1, Math.ceil(r.waitMs - booking.budgetMs));
          target.reject(
            new GatewayError(
              GatewayErrorCode.RATE_LIMITED,
              `Too many ${lane.action} calls: the gateway's limit is ${lane.limitPerSecond} per second and the queue is full; retry after ${retryAfterMs} ms.`,
              { details: { action: lane.action, limitPerSecond: lane.limitPerSecond, retryAfterMs, source: 'gateway' } },
            ),
          );
        }
      } else if (target === undefined) {
        this.release(lane, r.ticket);
      } else {
        const startAt = r.startAt ?? receivedAt + Math.max(0, r.waitMs);
        const uncertainty = Math.max(0, r.startAt !== undefined ? (r.uncertaintyMs ?? 0) : receivedAt - sentAt);
        if (!Number.isFinite(startAt) || !Number.isFinite(uncertainty)) throw new TypeError('unusable reservation from the rate-limit store');
        const t = this.lateToleranceMs;
        // When the store's clock cannot be mapped to within half the tolerance (a slow store link),
        // insisting on the exact bound would discard every slot: keep half the tolerance instead.
        const slot: HeldSlot = { ticket: r.ticket, startAt, latestStartAt: startAt + Math.max(t - uncertainty, t / 2) };
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
