/**
 * Per-action rate limiting that queues instead of failing.
 *
 * Model: a token bucket per action with capacity N (the documented "N calls per second") in which
 * every token comes back exactly one window (1 s) after it was spent. Equivalently: at most N
 * calls start in ANY window of 1 s. (A classic bucket with capacity N refilled continuously at N/s
 * lets 2N-1 calls through within one second — a burst of N plus the refill — which breaches a
 * per-second limit; the unit test demonstrates the bound.)
 *
 * It is implemented as reservations: each `acquire` atomically reserves the earliest slot that
 * keeps the bound and is told how long to wait for it. Slots are handed out in call order, so
 * callers are served FIFO; a caller whose slot lies further away than `maxWaitMs` is rejected at
 * once with a RATE_LIMITED `GatewayError` and reserves nothing.
 *
 * The reservation step is the only shared state and sits behind `RateLimiterStore`, so a
 * Redis-backed store (a Lua script over a sorted set of slot times per action, using the Redis
 * clock) can replace `MemoryRateLimiterStore` to share one budget between many Lambda
 * instances. With the in-memory store every process has the full budget.
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

export interface RatePolicy {
  /** Calls allowed to start within any window. */
  readonly limit: number;
  /** Window length, ms. */
  readonly windowMs: number;
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

export type Reservation =
  | { readonly granted: true; readonly waitMs: number; readonly ticket: number }
  | { readonly granted: false; readonly waitMs: number };

export interface RateLimiterStore {
  /**
   * Atomically reserves the earliest slot of `key` that keeps at most `policy.limit` slots in any
   * `policy.windowMs`, if it starts within `maxWaitMs` from now (slots are never earlier than
   * previously granted ones, which makes service FIFO).
   * Granted: wait `waitMs`, then call. Refused: nothing reserved; `waitMs` is the wait it would need.
   */
  reserve(key: string, policy: RatePolicy, maxWaitMs: number): Promise<Reservation>;
  /** Returns an unused granted reservation (the caller gave up while waiting). */
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

    let at = now;
    if (list.length > 0) at = Math.max(at, list[list.length - 1]);
    if (list.length >= policy.limit) at = Math.max(at, list[list.length - policy.limit] + policy.windowMs);
    const waitMs = at - now;
    if (waitMs > maxWaitMs) return { granted: false, waitMs };
    list.push(at);
    return { granted: true, waitMs, ticket: at };
  }

  async release(key: string, _policy: RatePolicy, ticket: number): Promise<void> {
    // Removing a granted-but-unused slot can only lower the count in any window: always safe.
    const list = this.slots.get(key);
    if (list === undefined) return;
    const i = list.lastIndexOf(ticket);
    if (i >= 0) list.splice(i, 1);
  }
}

export interface RateLimiter {
  /** Resolves when the caller may send one `action` call; rejects with RATE_LIMITED or the abort reason. */
  acquire(action: string, signal?: AbortSignal): Promise<void>;
}

export interface QueueingRateLimiterOptions {
  /** Rate per action (`rateLimit`); only that field is used. */
  policies: ActionPolicyLookup;
  /** Longest a caller may be queued before being rejected. */
  maxWaitMs: number;
  /** @default new MemoryRateLimiterStore(clock) */
  store?: RateLimiterStore;
  clock?: Clock;
  sleep?: Sleep;
  /** Prefix of store keys, e.g. the account, when a shared store serves several accounts. @default 'ssl:' */
  keyPrefix?: string;
  /** Maps a documented rate to a window policy. @default policyForRate */
  ratePolicy?: (ratePerSecond: number) => RatePolicy;
}

export class QueueingRateLimiter implements RateLimiter {
  private readonly store: RateLimiterStore;
  private readonly sleep: Sleep;
  private readonly keyPrefix: string;
  private readonly ratePolicy: (ratePerSecond: number) => RatePolicy;

  constructor(private readonly options: QueueingRateLimiterOptions) {
    if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) throw new RangeError('maxWaitMs must be >= 0');
    this.store = options.store ?? new MemoryRateLimiterStore(options.clock ?? systemClock);
    this.sleep = options.sleep ?? defaultSleep;
    this.keyPrefix = options.keyPrefix ?? 'ssl:';
    this.ratePolicy = options.ratePolicy ?? policyForRate;
  }

  async acquire(action: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const policy = this.options.policies(action);
    if (policy === undefined) {
      throw new GatewayError(GatewayErrorCode.BAD_REQUEST, `Unknown action: ${action}`, { details: { action } });
    }
    const rate = this.ratePolicy(policy.rateLimit);
    const key = this.keyPrefix + action;
    const reservation = await this.store.reserve(key, rate, this.options.maxWaitMs);
    if (!reservation.granted) {
      const retryAfterMs = Math.max(1, Math.ceil(reservation.waitMs - this.options.maxWaitMs));
      throw new GatewayError(
        GatewayErrorCode.RATE_LIMITED,
        `Too many ${action} calls: the gateway's limit is ${policy.rateLimit} per second and the queue is full; retry after ${retryAfterMs} ms.`,
        { details: { action, limitPerSecond: policy.rateLimit, retryAfterMs, source: 'gateway' } },
      );
    }
    if (reservation.waitMs <= 0) return;
    try {
      await this.sleep(Math.ceil(reservation.waitMs), signal);
    } catch (err) {
      await this.store.release?.(key, rate, reservation.ticket);
      throw err;
    }
  }
}

/** A limiter that never waits (tests, or when an outer layer already paces calls). */
export const unlimited: RateLimiter = { acquire: async (_action, signal) => { if (signal?.aborted) throw signal.reason; } };
