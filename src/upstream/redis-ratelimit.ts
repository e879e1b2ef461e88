/**
 * Redis-backed rate limiting: one per-action budget shared by every gateway process (Lambda
 * instance) that uses the same Redis and key prefix.
 *
 * Semantics are exactly those of `MemoryRateLimiterStore` and `QueueingRateLimiter` (see
 * `ratelimit.ts`): per action key, at most `limit` slots in ANY window of `windowMs` (the documented
 * window plus `windowGuardMs`: a sliding-window budget by default; `burst: 1` spaces slots evenly,
 * 110 ms at 10/s with the 100 ms default guard);
 * each `reserve` atomically books the earliest such slot, never earlier than previously booked
 * slots (so waiting callers are served in the order their bookings reached Redis, across
 * processes); a caller whose slot is further away than `maxWaitMs` is refused and books nothing.
 * The limiter that `createRedisRateLimiter` builds does not book on arrival: it grants the same
 * slots (same rule, same sorted set) in fair order through the queue described below.
 * The limiter starts a call at its slot and at most `lateToleranceMs` (default: half the guard, at most 25 ms)
 * after it wherever the schedule is full (the script reports, per booking, whether the window
 * ending at the new slot already holds `limit - 1` others); a slot that could only be used later is
 * released and replaced (see `ratelimit.ts`), so slots booked right are also STARTED right,
 * whatever the event loop of one process is doing.
 * Throughput cost: G / (W + G) of the documented rate (9.1 % at the 100 ms default), plus one slot
 * per start that came too late.
 *
 * Implementation: one sorted set per action key. Members are reservations (`<slotMs>:<unique id>`),
 * scores are slot times in ms on the REDIS clock (`TIME` inside the script), so the clocks of the
 * gateway processes never decide a booking. The whole read-decide-write step is one Lua script
 * (EVALSHA, falling back to EVAL when the server does not know the script yet, e.g. after a
 * restart or `SCRIPT FLUSH`). Entries older than one window are pruned on every call and the key
 * expires one window after its last slot. The script also returns the Redis time at which it
 * decided; each store keeps an estimate of (Redis clock - local clock) as an interval, narrowed by
 * every answer (the script ran between sending and receiving) and widened by a drift allowance
 * as it ages, and hands the limiter each slot's start time on the local clock with that
 * uncertainty. A reply read late because this process was busy therefore does not shift the start:
 * the call starts at the slot (or, if the process is still busy then, gives the slot up).
 *
 * Fair shares across processes: `createRedisRateLimiter` paces with `SharedFairLimiter`
 * (`shared-fair-limiter.ts`) over this store. A waiting call does not book a slot on arrival (that
 * serves callers in arrival order across processes); it joins a weighted fair queue in Redis
 * (`redis-fair-queue.ts`: keys `<key>:fq:*`, TTLs on every key, at most a caller's queue quota of
 * entries per caller) and is granted a slot of the window above, in one Lua script with the
 * booking, when its turn has come. The caller quota is counted in Redis too:
 * `<key>:caller:<sha1 of the id>:q` (queued calls, INCR on admission, DECR when the call leaves
 * the queue, expiring `maxWaitMs` + 60 s after the last admission, so a process that dies cannot
 * hold a caller's quota) and `…:r` (admissions of the last second, for `callerRatePerSecond`,
 * expiring after 2 s). `reserve` (booking on arrival, FIFO) stays for the store contract.
 *
 * Redis unavailable: a connection that is not usable (ioredis status other than `ready` once it
 * has been up), a command that fails (connection refused/lost), or no reply within
 * `commandTimeoutMs` (default 2000 ms; `firstCommandTimeoutMs` before the first success, which
 * includes connecting). The time limit is measured by the reply's ARRIVAL: when the timer fires
 * the store first lets the event loop read whatever has arrived, so an event-loop stall of this
 * process (a timer that fires late) is not taken for a slow Redis. The store then throws
 * `RateLimitStoreUnavailableError` and opens a breaker for `retryAfterMs`, during which it fails at
 * once without touching the network; afterwards a single call probes Redis again. A booking that
 * timed out on our side but is answered later is released again. The limiter built by
 * `createRedisRateLimiter` then, by `fallback`:
 * - `'memory'` (default): paces the call with an in-process `QueueingRateLimiter` over the
 *   per-process budget scaled by `fallbackRateFactor` (default 0.5, so two instances falling back
 *   at once stay within the shared budget; use 1/N for N instances) and logs one warning when it
 *   switches and one when Redis is back. It never lets calls through unpaced; if more instances
 *   than the factor allows fall back together, upstream breaches answer `RequestLimitExceeded`,
 *   which the client retries safely (the upstream proves the call did not execute). While
 *   switching over, a process may briefly use both its recent Redis slots and a fresh local budget.
 * - `'reject'`: answers RATE_LIMITED with HTTP 503 (`details.reason = RATE_LIMIT_STORE_UNAVAILABLE`):
 *   never exceeds the shared budget, at the price of availability.
 */
import { backoffDelay } from '../time/backoff';
import { quitRedis, withTimeout } from './redis-client';
import { RedisScript, type RedisScriptClient } from './redis-script';
import { cancelScript, fairQueueKeys, parseTakeReply, takeScript, type FairTakeEntry } from './redis-fair-queue';
import { SharedFairLimiter, type FairQueueStore, type FairTake, type FairTakeOptions } from './shared-fair-limiter';
import { ErrorReason, reasonEntry } from '../errors';
import { fallbackLogger } from '../observability/log';
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from './redis-driver';
import { GatewayError, GatewayErrorCode } from './errors';
import type { ActionPolicyLookup } from './policy';
import {
  DEFAULT_WINDOW_GUARD_MS,
  MemoryRateLimiterStore,
  QueueingRateLimiter,
  burstOf,
  policyForRate,
  systemClock,
  type AcquireOptions,
  type Admission,
  type CallerLimits,
  type CallerQuotaStore,
  type Clock,
  type FairShareOptions,
  type RateLimiter,
  type RateLimiterStore,
  type RatePolicy,
  type Reservation,
  type Sleep,
  type StartPermit,
} from './ratelimit';

export { RedisScript, type RedisScriptClient };

/**
 * Like `withTimeout`, but measured by the reply's ARRIVAL rather than by when this process got
 * round to reading it: when the timer fires (possibly late, after an event-loop stall), the
 * decision waits for one `setImmediate`, i.e. until the event loop's poll phase has read every
 * socket that has data. A reply that arrived in time but could not be processed because the
 * process was busy therefore still wins; only a reply that has not arrived times out.
 */
export function awaitReply<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    const timer = setTimeout(() => {
      immediate = setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(onTimeout());
      });
    }, Math.max(1, ms));
    const done = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      return true;
    };
    promise.then(
      (v) => {
        if (done()) resolve(v);
      },
      (e: unknown) => {
        if (done()) reject(e);
      },
    );
  });
}

/** Minimal pino-compatible logger (`logger.warn(obj, msg)`). */
export interface WarnLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  info?(obj: Record<string, unknown>, msg: string): void;
}

// No console output: without a logger, warnings are structured JSON lines like every other line.
const consoleLogger: WarnLogger = {
  warn: (obj, msg) => fallbackLogger().warn(obj, msg),
  info: (obj, msg) => fallbackLogger().info(obj, msg),
};

/** The shared store could not be used (down, unreachable, too slow, or its breaker is open). */
export class RateLimitStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitStoreUnavailableError';
  }
}

/**
 * KEYS[1] = sorted set of slots; ARGV = limit, windowMs, maxWaitMs, unique member id, burst,
 * and optionally "now" in ms (only when a test drives time with `redisClock`; otherwise Redis TIME).
 * The same rule as `earliestSlot` in ratelimit.ts (at most `limit` per window, at most `burst` per
 * `burst × window / limit`, never before the last slot, rounded up to whole microseconds), on the
 * Redis clock. Numbers go out with `%.3f` (Lua's `tostring` keeps only 14 digits).
 * Returns {1, waitMs, slotMs, nowMs, others} when granted (`others`: other slots in the window
 * ending at the slot, see `isCrowded`), {0, waitMs, nowMs} when refused (nothing written).
 */
const RESERVE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local burst = tonumber(ARGV[5]) or limit
if burst > limit then burst = limit end
if burst < 1 then burst = 1 end
local function ceilus(x) return math.ceil(x * 1000) / 1000 end
local function fmt(x) return string.format('%.3f', x) end
local now = tonumber(ARGV[6])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
local at = now
if n > 0 then
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  local l = tonumber(last[2])
  if l > at then at = l end
end
if n >= limit then
  local kth = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
  local k = ceilus(tonumber(kth[2]) + window)
  if k > at then at = k end
end
if burst < limit and n >= burst then
  local bth = redis.call('ZRANGE', key, n - burst, n - burst, 'WITHSCORES')
  local b = ceilus(tonumber(bth[2]) + burst * window / limit)
  if b > at then at = b end
end
local wait = at - now
if wait > maxWait then
  return {0, fmt(wait), fmt(now)}
end
redis.call('ZADD', key, fmt(at), fmt(at) .. ':' .. ARGV[4])
redis.call('PEXPIRE', key, math.ceil(wait + window) + 1000)
local others = redis.call('ZCOUNT', key, '(' .. fmt(at - window), '+inf') - 1
return {1, fmt(wait), fmt(at), fmt(now), others}
`;

/** KEYS[1] = sorted set; ARGV[1] = slot ms. Removes one reservation at that slot (they are interchangeable). */
const RELEASE_LUA = `
local m = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if m[1] then
  redis.call('ZREM', KEYS[1], m[1])
  return 1
end
return 0
`;

/**
 * Caller quota. KEYS[1] = queued counter, KEYS[2] = sorted set of admissions in the last second;
 * ARGV = maxQueued, ratePerSecond (0: none), ttlMs, unique member, optional now (see RESERVE_LUA).
 * Returns {1} when admitted (counted), {0, 'CALLER_QUEUE_FULL'} or {0, 'CALLER_RATE', retryAfterMs}.
 * Every key expires: a process that dies with calls queued cannot hold a caller's quota for long.
 */
const ADMIT_LUA = `
local maxQueued = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local now = tonumber(ARGV[5])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local queued = tonumber(redis.call('GET', KEYS[1]) or '0')
if queued >= maxQueued then return {0, 'CALLER_QUEUE_FULL'} end
if rate > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 1000)
  local n = redis.call('ZCARD', KEYS[2])
  if n >= rate then
    local k = redis.call('ZRANGE', KEYS[2], n - math.floor(rate), n - math.floor(rate), 'WITHSCORES')
    return {0, 'CALLER_RATE', string.format('%.3f', tonumber(k[2]) + 1000 - now)}
  end
  redis.call('ZADD', KEYS[2], string.format('%.3f', now), ARGV[4])
  redis.call('PEXPIRE', KEYS[2], 2000)
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return {1}
`;

/** KEYS[1] = queued counter. One admitted call left the queue. */
const LEAVE_LUA = `
local v = redis.call('DECR', KEYS[1])
if v <= 0 then redis.call('DEL', KEYS[1]) end
return v
`;

const admitScript = new RedisScript(ADMIT_LUA);
const leaveScript = new RedisScript(LEAVE_LUA);
const reserveScript = new RedisScript(RESERVE_LUA);
const releaseScript = new RedisScript(RELEASE_LUA);

export type RedisStoreHealth = 'up' | 'down';

/**
 * Assumed worst-case rate difference between the Redis clock and the local clock (NTP slews at
 * most 500 ppm; disciplined clocks are within a few ppm): how fast an old offset sample loses
 * precision.
 */
const CLOCK_DRIFT = 5e-4;

/**
 * (remote clock - local clock) as an interval that certainly contains it, from request/answer
 * pairs: the remote time `remoteNow` (whole ms) was read between local `sentAt` and `receivedAt`
 * (whole ms). Every sample narrows the interval (intersection), age widens it by the drift
 * allowance; an empty intersection (a clock was stepped) restarts from the new sample.
 */
export class ClockOffsetEstimator {
  private lo = Number.NEGATIVE_INFINITY;
  private hi = Number.POSITIVE_INFINITY;
  private at = Number.NaN;

  constructor(private readonly drift = CLOCK_DRIFT) {}

  update(remoteNow: number, sentAt: number, receivedAt: number): void {
    // remote true time in [remoteNow, remoteNow + 1), local true time in [sentAt, receivedAt + 1)
    const lo = remoteNow - receivedAt - 1;
    const hi = remoteNow + 1 - sentAt;
    if (!(hi >= lo)) return;
    const aged = this.bounds(receivedAt);
    const nlo = Math.max(lo, aged.lo);
    const nhi = Math.min(hi, aged.hi);
    if (nlo <= nhi) {
      this.lo = nlo;
      this.hi = nhi;
    } else {
      this.lo = lo;
      this.hi = hi;
    }
    this.at = receivedAt;
  }

  /** The interval at local time `now`. */
  bounds(now: number): { lo: number; hi: number } {
    if (Number.isNaN(this.at)) return { lo: this.lo, hi: this.hi };
    const slack = Math.max(0, now - this.at) * this.drift;
    return { lo: this.lo - slack, hi: this.hi + slack };
  }
}

export interface RedisRateLimiterStoreOptions {
  client: RedisScriptClient;
  /**
   * How long a command may go without a reply (measured by its arrival, see `awaitReply`) before
   * the store counts as unavailable. @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * Time limit until the first command has succeeded (a cold start also has to connect, e.g. TLS
   * to a managed Redis). @default max(2000, commandTimeoutMs)
   */
  firstCommandTimeoutMs?: number;
  /** How long the breaker stays open after a failure before one call probes Redis again. @default 1000 */
  retryAfterMs?: number;
  /** Local clock: the breaker, and the limiter's clock that slot start times are mapped to. @default Date.now */
  clock?: Clock;
  /**
   * Replaces the Redis server's clock (TIME) inside the script. Only for tests that drive time
   * themselves, so that what the store decides can be asserted exactly. @default the Redis clock
   */
  redisClock?: Clock;
  /** Called on every up/down transition (never throws into the store). */
  onHealthChange?: (health: RedisStoreHealth, error?: unknown) => void;
  /** Expiry of a caller's queued-calls counter, refreshed on every admission. @default 60000 */
  callerQuotaTtlMs?: number;
}

/** Shared-budget `RateLimiterStore` (and caller quotas) over one Redis (see the module comment). */
export class RedisRateLimiterStore implements RateLimiterStore, CallerQuotaStore, FairQueueStore {
  /** Every process using the same Redis and key prefix books here (see `RateLimiterStore.shared`). */
  readonly shared = true;
  private readonly client: RedisScriptClient;
  private readonly commandTimeoutMs: number;
  private readonly firstCommandTimeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly clock: Clock;
  private readonly offset = new ClockOffsetEstimator();
  private everUp = false;
  private readonly instanceId = randomBytes(6).toString('hex');
  private seq = 0;
  private healthState: RedisStoreHealth = 'up';
  private openUntil = 0;
  private probing = false;

  constructor(private readonly options: RedisRateLimiterStoreOptions) {
    this.client = options.client;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    this.firstCommandTimeoutMs = Math.max(this.commandTimeoutMs, options.firstCommandTimeoutMs ?? 2_000);
    this.retryAfterMs = options.retryAfterMs ?? 1_000;
    this.clock = options.clock ?? systemClock;
  }

  /** `down` from a failure until a later command succeeds. */
  get health(): RedisStoreHealth {
    return this.healthState;
  }

  async reserve(key: string, policy: RatePolicy, maxWaitMs: number): Promise<Reservation> {
    if (!(policy.limit >= 1) || !(policy.windowMs > 0)) throw new RangeError(`invalid rate policy for ${key}`);
    const probe = this.enter();
    const member = this.newMember();
    try {
      const sentAt = this.clock();
      const reply = await this.command(
        () => reserveScript.run(this.client, [key], [policy.limit, policy.windowMs, Math.max(0, maxWaitMs), member, burstOf(policy), ...this.scriptNow()]),
        // Booked after we gave up on it: nobody will use that slot, give it back.
        (late) => {
          const r = parseReply(late);
          if (r.granted) void this.releaseNow(key, r.ticket);
        },
      );
      const receivedAt = this.clock();
      const r = parseReply(reply);
      this.offset.update(r.redisNow, sentAt, receivedAt);
      this.markUp();
      if (!r.granted) return { granted: false, waitMs: r.waitMs };
      const { lo, hi } = this.offset.bounds(receivedAt);
      // Local time of the slot = slot - offset, somewhere in [slot - hi, slot - lo].
      return {
        granted: true,
        waitMs: r.waitMs,
        ticket: r.ticket,
        startAt: r.ticket - lo,
        uncertaintyMs: hi - lo,
        crowded: r.others >= policy.limit - 1,
      };
    } catch (err) {
      throw this.failed(err);
    } finally {
      if (probe) this.probing = false;
    }
  }

  /**
   * One poll of the shared fair queue (see `redis-fair-queue.ts`) for this process' waiting calls
   * of `key`: joins the new ones, refreshes the others' leases, and grants those whose turn has
   * come (the budget has room within `lookaheadMs`). Results are in `entries` order, mapped to the
   * local clock like `reserve`'s. Uses the breaker like `reserve`.
   */
  async take(key: string, policy: RatePolicy, entries: readonly FairTakeEntry[], options: FairTakeOptions): Promise<FairTake[]> {
    if (!(policy.limit >= 1) || !(policy.windowMs > 0)) throw new RangeError(`invalid rate policy for ${key}`);
    const probe = this.enter();
    try {
      const sentAt = this.clock();
      const args: (string | number)[] = [
        policy.limit,
        policy.windowMs,
        burstOf(policy),
        Math.max(0, options.lookaheadMs),
        Math.max(1, Math.ceil(options.leaseMs)),
        Math.max(1, Math.ceil(options.ttlMs)),
        this.scriptNow()[0] ?? '',
        entries.length,
      ];
      for (const e of entries) args.push(e.member, e.callerClass, e.weight, e.front ? 1 : 0, Math.max(0, e.budgetMs));
      const reply = await this.command(
        () => takeScript.run(this.client, [key, ...fairQueueKeys(key)], args),
        // Granted after we gave up on the poll: nobody will use those slots, give them back.
        (late) => {
          for (const r of parseTakeReply(late, entries.length).results) if (r.status === 'granted') void this.releaseNow(key, r.slot);
        },
      );
      const receivedAt = this.clock();
      const r = parseTakeReply(reply, entries.length);
      this.offset.update(r.redisNow, sentAt, receivedAt);
      this.markUp();
      const { lo, hi } = this.offset.bounds(receivedAt);
      return r.results.map((x): FairTake => {
        if (x.status === 'refused') return x;
        // Local time of a Redis time t is in [t - hi, t - lo].
        if (x.status === 'waiting') return { status: 'waiting', waitMs: x.waitMs, dueAt: r.redisNow + x.waitMs - hi };
        return { status: 'granted', waitMs: x.waitMs, ticket: x.slot, order: x.order, startAt: x.slot - lo, uncertaintyMs: hi - lo };
      });
    } catch (err) {
      throw this.failed(err);
    } finally {
      if (probe) this.probing = false;
    }
  }

  /** Waiting calls that gave up leave the shared queue. Best effort (their leases expire anyway). */
  async cancel(key: string, members: readonly string[]): Promise<void> {
    if (this.healthState === 'down' || members.length === 0) return;
    try {
      await this.command(() => cancelScript.run(this.client, fairQueueKeys(key), members));
    } catch {
      // ignored on purpose (see above)
    }
  }

  /** A fresh id for one waiting call (unique across processes). */
  newMember(): string {
    return `${this.instanceId}:${(this.seq = (this.seq + 1) % Number.MAX_SAFE_INTEGER)}`;
  }

  /** The fair-queue class of a caller id as Redis sees it (hashed: nothing of the id in Redis). */
  callerClass(caller: string): string {
    return caller === '' ? 'anon' : createHash('sha1').update(caller).digest('hex').slice(0, 20);
  }

  /** Breaker: throws while open; true when this call is the one probe after it. */
  private enter(): boolean {
    if (this.healthState !== 'down') return false;
    if (this.clock() < this.openUntil || this.probing) {
      throw new RateLimitStoreUnavailableError('Redis rate-limit store unavailable (breaker open)');
    }
    this.probing = true;
    return true;
  }

  /**
   * Caller quota across processes: `<key>:caller:<sha1(caller), 20 hex>:q` counts the caller's
   * queued calls, `…:r` its admissions of the last second. Caller ids are opaque, so they are
   * hashed (bounded key length, nothing of the id in Redis).
   */
  async admit(key: string, caller: string, limits: CallerLimits): Promise<Admission> {
    if (this.healthState === 'down') throw new RateLimitStoreUnavailableError('Redis rate-limit store unavailable (breaker open)');
    const base = `${key}:caller:${createHash('sha1').update(caller).digest('hex').slice(0, 20)}`;
    const member = `${this.instanceId}:${(this.seq = (this.seq + 1) % Number.MAX_SAFE_INTEGER)}`;
    let reply: unknown;
    try {
      reply = await this.command(() =>
        admitScript.run(this.client, [`${base}:q`, `${base}:r`], [limits.maxQueued, limits.ratePerSecond ?? 0, this.options.callerQuotaTtlMs ?? 60_000, member, ...this.scriptNow()]),
      );
    } catch (err) {
      throw this.failed(err);
    }
    if (!Array.isArray(reply)) throw new Error('unexpected reply from the caller quota script');
    if (Number(reply[0]) === 1) return { admitted: true };
    if (reply[1] === 'CALLER_RATE') return { admitted: false, reason: 'CALLER_RATE', retryAfterMs: Math.max(1, Math.ceil(Number(reply[2]))) };
    return { admitted: false, reason: 'CALLER_QUEUE_FULL', retryAfterMs: 0 };
  }

  /** Best effort (the counter expires anyway). Never throws. */
  async leave(key: string, caller: string): Promise<void> {
    if (this.healthState === 'down') return;
    const base = `${key}:caller:${createHash('sha1').update(caller).digest('hex').slice(0, 20)}`;
    try {
      await this.command(() => leaveScript.run(this.client, [`${base}:q`], []));
    } catch {
      // ignored on purpose (see above)
    }
  }

  /** The script's "now" argument when a test drives the Redis clock; none: Redis TIME. */
  private scriptNow(): string[] {
    const c = this.options.redisClock;
    return c === undefined ? [] : [c().toFixed(3)];
  }

  /** Best effort: an unreturned slot only lowers throughput for one window. Never throws. */
  async release(key: string, _policy: RatePolicy, ticket: number): Promise<void> {
    if (this.healthState === 'down') return;
    await this.releaseNow(key, ticket);
  }

  private async releaseNow(key: string, ticket: number): Promise<void> {
    try {
      await this.command(() => releaseScript.run(this.client, [key], [ticket]));
    } catch {
      // ignored on purpose (see above)
    }
  }

  /**
   * Runs one command. Unavailable when the connection is known to be unusable, when the command
   * fails, or when no reply has ARRIVED within the time limit; `onLateReply` gets a reply that
   * arrives after that.
   */
  private command<T>(fn: () => Promise<T>, onLateReply?: (reply: T) => void): Promise<T> {
    const status = this.client.status;
    if (status !== undefined && (status === 'end' || (this.everUp && status !== 'ready'))) {
      return Promise.reject(new RateLimitStoreUnavailableError(`Redis rate-limit store unavailable: connection ${status}`));
    }
    const ms = this.everUp ? this.commandTimeoutMs : this.firstCommandTimeoutMs;
    let timedOut = false;
    let pending: Promise<T>;
    try {
      pending = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    if (onLateReply !== undefined) {
      pending.then(
        (reply) => {
          if (timedOut) {
            try {
              onLateReply(reply);
            } catch {
              // best effort
            }
          }
        },
        () => {},
      );
    }
    return awaitReply(pending, ms, () => {
      timedOut = true;
      return new RateLimitStoreUnavailableError(`Redis rate-limit store did not answer within ${ms} ms`);
    });
  }

  private markUp(): void {
    this.everUp = true;
    if (this.healthState === 'up') return;
    this.healthState = 'up';
    this.notify('up');
  }

  /** A command failed: Redis counts as down for a while; the error callers get. */
  private failed(err: unknown): RateLimitStoreUnavailableError {
    this.markDown(err);
    return err instanceof RateLimitStoreUnavailableError
      ? err
      : new RateLimitStoreUnavailableError(`Redis rate-limit store unavailable: ${errorMessage(err)}`, { cause: err });
  }

  private markDown(err: unknown): void {
    this.openUntil = this.clock() + this.retryAfterMs;
    if (this.healthState === 'down') return;
    this.healthState = 'down';
    this.notify('down', err);
  }

  private notify(health: RedisStoreHealth, err?: unknown): void {
    try {
      this.options.onHealthChange?.(health, err);
    } catch {
      // observers must not break rate limiting
    }
  }
}

type ScriptReply =
  | { granted: true; waitMs: number; ticket: number; redisNow: number; others: number }
  | { granted: false; waitMs: number; redisNow: number };

function parseReply(reply: unknown): ScriptReply {
  const bad = (): never => {
    throw new Error('unexpected reply from the rate-limit script');
  };
  if (!Array.isArray(reply) || reply.length < 3) return bad();
  const waitMs = Number(reply[1]);
  if (!Number.isFinite(waitMs)) return bad();
  if (Number(reply[0]) === 1) {
    const ticket = Number(reply[2]);
    const redisNow = Number(reply[3]);
    const others = Number(reply[4]);
    if (!Number.isFinite(ticket) || !Number.isFinite(redisNow) || !Number.isFinite(others)) return bad();
    return { granted: true, waitMs, ticket, redisNow, others };
  }
  const redisNow = Number(reply[2]);
  if (!Number.isFinite(redisNow)) return bad();
  return { granted: false, waitMs, redisNow };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type RedisLimiterFallback = 'memory' | 'reject';

interface RedisRateLimiterCommonOptions extends FairShareOptions {
  /** Rate per action (`rateLimit`). */
  policies: ActionPolicyLookup;
  /** Longest a caller may be queued before being rejected with RATE_LIMITED. */
  maxWaitMs: number;
  /**
   * Prefix of the Redis keys (`<prefix><Action>`); every process sharing a budget must use the
   * same one, and different upstream accounts must use different ones.
   * @default 'ssl-gateway:ratelimit:'
   */
  keyPrefix?: string;
  /**
   * Longest a command may go without a reply once connected before Redis counts as unavailable
   * (measured by the reply's arrival, so event-loop stalls of this process do not count). @default 2000
   */
  commandTimeoutMs?: number;
  /** Time limit until the first command succeeded (includes connecting). @default max(2000, commandTimeoutMs) */
  firstCommandTimeoutMs?: number;
  /** Breaker open time after a Redis failure. @default 1000 */
  retryAfterMs?: number;
  /** Behaviour while Redis is unavailable (see module comment). @default 'memory' */
  fallback?: RedisLimiterFallback;
  /**
   * Scales the per-process budget used by the `memory` fallback, (0, 1]. 1/N keeps N instances
   * that fall back at the same time within the shared budget. @default 0.5
   */
  fallbackRateFactor?: number;
  /** Added to every window (shared and fallback): late-start tolerance plus transit jitter. @default 100 */
  windowGuardMs?: number;
  /** Slots per interval (1 = evenly spaced); see `QueueingRateLimiterOptions.burst`. @default the limit (sliding window) */
  burst?: number;
  /** Latest start after a slot; see `QueueingRateLimiterOptions.lateToleranceMs`. @default max(min(windowGuardMs / 2, 25), 5) */
  lateToleranceMs?: number;
  /** Maps a documented rate to a window policy (before the guard). @default policyForRate */
  ratePolicy?: (ratePerSecond: number) => RatePolicy;
  /** Switch-over warnings. @default console */
  logger?: WarnLogger;
  clock?: Clock;
  sleep?: Sleep;
  /** Tests only: replaces the Redis clock in the script (see `RedisRateLimiterStoreOptions.redisClock`). */
  redisClock?: Clock;
}

export type CreateRedisRateLimiterOptions = RedisRateLimiterCommonOptions &
  (
    | { /** `redis://` or `rediss://` URL; the limiter owns (and `close()` closes) the connection. Await `loadRedisDriver()` first. */ url: string; client?: undefined }
    | { /** An existing client; not closed by `close()`. */ client: Redis; url?: undefined }
  );

/**
 * A `RateLimiter` over `RedisRateLimiterStore` with a fallback while Redis is unavailable.
 * Built by `createRedisRateLimiter`.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly store: RedisRateLimiterStore;
  private readonly shared: SharedFairLimiter;
  private readonly local: QueueingRateLimiter | undefined;
  private readonly fallbackMode: RedisLimiterFallback;
  private readonly retryAfterMs: number;
  private closed = false;

  /** @internal use `createRedisRateLimiter` */
  constructor(
    readonly client: Redis,
    private readonly ownsClient: boolean,
    private readonly options: RedisRateLimiterCommonOptions,
  ) {
    const logger = options.logger ?? consoleLogger;
    const guard = options.windowGuardMs ?? DEFAULT_WINDOW_GUARD_MS;
    if (!Number.isFinite(guard) || guard < 0) throw new RangeError('windowGuardMs must be >= 0');
    const factor = options.fallbackRateFactor ?? 0.5;
    if (!(factor > 0 && factor <= 1)) throw new RangeError('fallbackRateFactor must be in (0, 1]');
    const base = options.ratePolicy ?? policyForRate;
    const pacing = {
      windowGuardMs: guard,
      burst: options.burst,
      lateToleranceMs: options.lateToleranceMs,
      callerWeights: options.callerWeights,
      maxQueuedPerCaller: options.maxQueuedPerCaller,
      callerRatePerSecond: options.callerRatePerSecond,
    };
    this.fallbackMode = options.fallback ?? 'memory';
    this.retryAfterMs = options.retryAfterMs ?? 1_000;
    const keyPrefix = options.keyPrefix ?? 'ssl-gateway:ratelimit:';

    this.store = new RedisRateLimiterStore({
      client,
      commandTimeoutMs: options.commandTimeoutMs,
      firstCommandTimeoutMs: options.firstCommandTimeoutMs,
      retryAfterMs: this.retryAfterMs,
      clock: options.clock,
      redisClock: options.redisClock,
      callerQuotaTtlMs: options.maxWaitMs + 60_000,
      onHealthChange: (health, err) => {
        if (health === 'down') {
          logger.warn(
            { keyPrefix, fallback: this.fallbackMode, error: err === undefined ? undefined : errorMessage(err) },
            this.fallbackMode === 'memory'
              ? 'Redis rate-limit store unavailable: pacing upstream calls with the in-process limiter until it is back'
              : 'Redis rate-limit store unavailable: rejecting upstream calls until it is back',
          );
        } else {
          (logger.info ?? logger.warn).call(logger, { keyPrefix }, 'Redis rate-limit store available again: using the shared budget');
        }
      },
    });
    this.shared = new SharedFairLimiter({
      policies: options.policies,
      maxWaitMs: options.maxWaitMs,
      store: this.store,
      clock: options.clock,
      sleep: options.sleep,
      keyPrefix,
      ratePolicy: base,
      ...pacing,
    });
    this.local =
      this.fallbackMode === 'memory'
        ? new QueueingRateLimiter({
            policies: options.policies,
            maxWaitMs: options.maxWaitMs,
            store: new MemoryRateLimiterStore(options.clock ?? systemClock),
            clock: options.clock,
            sleep: options.sleep,
            keyPrefix,
            ratePolicy: (rate) => base(rate * factor),
            ...pacing,
          })
        : undefined;
  }

  /** `redis` while the shared budget is in use, `fallback` while Redis is unavailable. */
  get state(): 'redis' | 'fallback' {
    return this.store.health === 'up' ? 'redis' : 'fallback';
  }

  async acquire(action: string, signal?: AbortSignal, options?: AcquireOptions): Promise<StartPermit> {
    try {
      return await this.shared.acquire(action, signal, options);
    } catch (err) {
      if (!(err instanceof RateLimitStoreUnavailableError)) throw err;
      if (this.local !== undefined) return await this.local.acquire(action, signal, options);
      throw new GatewayError(
        GatewayErrorCode.RATE_LIMITED,
        `The shared rate limiter is unavailable, so the ${action} call was not sent; retry later.`,
        {
          httpStatus: reasonEntry(ErrorReason.RATE_LIMIT_STORE_UNAVAILABLE).httpStatus,
          details: { action, source: 'gateway', reason: ErrorReason.RATE_LIMIT_STORE_UNAVAILABLE, retryAfterMs: this.retryAfterMs },
          cause: err,
        },
      );
    }
  }

  /** Closes the Redis connection if the limiter opened it. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.closed) return;
    this.closed = true;
    await quitRedis(this.client);
  }
}

/**
 * Options for a client the limiter owns: fail fast instead of queueing commands for long while
 * disconnected, reconnect in the background.
 */
export function rateLimiterRedisOptions(commandTimeoutMs: number) {
  // ioredis' own command timeout is only a backstop behind the store's (shorter, and
  // event-loop-stall tolerant) one.
  return {
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: Math.max(commandTimeoutMs * 2, 1_000),
    retryStrategy: (times: number) => backoffDelay(times + 1, 50, 2_000),
  };
}

/**
 * A shared-budget rate limiter. Give either `url` (the limiter opens and owns the connection) or
 * `client`. Plug it into the upstream client with `new UpstreamClient({ ..., limiter })` /
 * `createUpstreamClient(config, { limiter })`.
 */
export function createRedisRateLimiter(options: CreateRedisRateLimiterOptions): RedisRateLimiter {
  if ((options.url === undefined) === (options.client === undefined)) {
    throw new TypeError('createRedisRateLimiter: give exactly one of url or client');
  }
  if (options.client !== undefined) return new RedisRateLimiter(options.client, false, options);
  const client = connectRedis(options.url, rateLimiterRedisOptions(Math.max(options.commandTimeoutMs ?? 2_000, options.firstCommandTimeoutMs ?? 2_000)));
  // Connection errors surface through failing commands (and the limiter's warning); without a
  // listener ioredis would print every reconnect failure.
  client.on('error', () => {});
  return new RedisRateLimiter(client, true, options);
}

export { withTimeout };
