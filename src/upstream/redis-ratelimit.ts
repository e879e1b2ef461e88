/**
 * Redis-backed rate limiting: one per-action budget shared by every gateway process (Lambda
 * instance) that uses the same Redis and key prefix.
 *
 * Semantics are exactly those of `MemoryRateLimiterStore` (see `ratelimit.ts`): per action key, at
 * most `limit` call starts in ANY window of `windowMs`; each `reserve` atomically books the earliest
 * slot that keeps this bound, never earlier than previously booked slots (so waiting callers are
 * served in the order their reservations reached Redis, across processes); a caller whose slot is
 * further away than `maxWaitMs` is refused and books nothing.
 *
 * Implementation: one sorted set per action key. Members are reservations (`<slotMs>:<unique id>`),
 * scores are slot times in ms on the REDIS clock (`TIME` inside the script), so clocks of the
 * gateway processes do not matter: a caller is told "wait `waitMs`" relative to the moment the
 * script ran and sleeps that long after the answer arrives (i.e. slightly late, never early). The
 * whole read-decide-write step is one Lua script (EVALSHA, falling back to EVAL when the server
 * does not know the script yet, e.g. after a restart or `SCRIPT FLUSH`). Entries older than one
 * window are pruned on every call and the key expires one window after its last slot.
 *
 * Cross-process pacing can never be exact: each caller starts after its slot by its own reply
 * latency and timer lateness, and the upstream counts arrivals after network jitter. Two callers
 * whose slots are exactly one window apart could therefore be seen closer than a window. The
 * factory widens every window by `windowGuardMs` (default 25 ms, about 2.5 % of throughput at a
 * 1 s window) so that jitter up to that much still never shows N+1 starts in one window.
 *
 * Redis unavailable (connection refused/lost, command slower than `commandTimeoutMs`, or than
 * `firstCommandTimeoutMs` before the first success, which includes connecting): the store
 * throws `RateLimitStoreUnavailableError` and opens a breaker for `retryAfterMs`, during which it
 * fails at once without touching the network; afterwards a single call probes Redis again. The
 * limiter built by `createRedisRateLimiter` then, by `fallback`:
 * - `'memory'` (default): paces the call with an in-process `QueueingRateLimiter` (the per-process
 *   budget, optionally scaled down by `fallbackRateFactor`) and logs one warning when it switches
 *   and one when Redis is back. It never lets calls through unpaced: the worst case is every live
 *   process using its own full budget (or the scaled one) while Redis is down, and upstream
 *   breaches then answer `RequestLimitExceeded`, which the client retries safely (the upstream
 *   proves the call did not execute). While switching over, a process may briefly use both its
 *   recent Redis slots and a fresh local budget.
 * - `'reject'`: answers RATE_LIMITED with HTTP 503 (`details.reason = RATE_LIMIT_STORE_UNAVAILABLE`):
 *   never exceeds the shared budget, at the price of availability.
 * A reservation that timed out on our side may still be booked in Redis later; it is then simply
 * an unused slot (lower throughput for one window, never more calls).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { GatewayError, GatewayErrorCode } from './errors';
import type { ActionPolicyLookup } from './policy';
import {
  MemoryRateLimiterStore,
  QueueingRateLimiter,
  policyForRate,
  systemClock,
  type Clock,
  type RateLimiter,
  type RateLimiterStore,
  type RatePolicy,
  type Reservation,
  type Sleep,
} from './ratelimit';

/** The subset of an ioredis client the scripts need. */
export type RedisScriptClient = Pick<Redis, 'evalsha' | 'eval'>;

/** A Lua script run with EVALSHA, falling back to EVAL (which also caches it) on NOSCRIPT. */
export class RedisScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisScriptClient, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(1, ms));
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Minimal pino-compatible logger (`logger.warn(obj, msg)`). */
export interface WarnLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  info?(obj: Record<string, unknown>, msg: string): void;
}

const consoleLogger: WarnLogger = {
  warn: (obj, msg) => console.warn(`[ssl-gateway] ${msg}`, obj),
  info: (obj, msg) => console.info(`[ssl-gateway] ${msg}`, obj),
};

/** The shared store could not be used (down, unreachable, too slow, or its breaker is open). */
export class RateLimitStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitStoreUnavailableError';
  }
}

/**
 * KEYS[1] = sorted set of slots; ARGV = limit, windowMs, maxWaitMs, unique member id.
 * Returns {1, waitMs, slotMs} when granted, {0, waitMs} when refused (nothing written).
 */
const RESERVE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
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
  local k = math.ceil(tonumber(kth[2]) + window)
  if k > at then at = k end
end
local wait = at - now
if wait > maxWait then
  return {0, tostring(wait)}
end
redis.call('ZADD', key, at, tostring(at) .. ':' .. ARGV[4])
redis.call('PEXPIRE', key, math.ceil(wait + window) + 1000)
return {1, tostring(wait), tostring(at)}
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

const reserveScript = new RedisScript(RESERVE_LUA);
const releaseScript = new RedisScript(RELEASE_LUA);

export type RedisStoreHealth = 'up' | 'down';

export interface RedisRateLimiterStoreOptions {
  client: RedisScriptClient;
  /** Longest a store command may take before the store counts as unavailable. @default 250 */
  commandTimeoutMs?: number;
  /**
   * Time limit until the first command has succeeded (a cold start also has to connect, e.g. TLS
   * to a managed Redis). @default 2000
   */
  firstCommandTimeoutMs?: number;
  /** How long the breaker stays open after a failure before one call probes Redis again. @default 1000 */
  retryAfterMs?: number;
  /** Local clock, for the breaker only. @default Date.now */
  clock?: Clock;
  /** Called on every up/down transition (never throws into the store). */
  onHealthChange?: (health: RedisStoreHealth, error?: unknown) => void;
}

/** Shared-budget `RateLimiterStore` over one Redis (see the module comment). */
export class RedisRateLimiterStore implements RateLimiterStore {
  private readonly client: RedisScriptClient;
  private readonly commandTimeoutMs: number;
  private readonly firstCommandTimeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly clock: Clock;
  private everUp = false;
  private readonly instanceId = randomBytes(6).toString('hex');
  private seq = 0;
  private healthState: RedisStoreHealth = 'up';
  private openUntil = 0;
  private probing = false;

  constructor(private readonly options: RedisRateLimiterStoreOptions) {
    this.client = options.client;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 250;
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
    let probe = false;
    if (this.healthState === 'down') {
      if (this.clock() < this.openUntil || this.probing) {
        throw new RateLimitStoreUnavailableError('Redis rate-limit store unavailable (breaker open)');
      }
      this.probing = true;
      probe = true;
    }
    const member = `${this.instanceId}:${(this.seq = (this.seq + 1) % Number.MAX_SAFE_INTEGER)}`;
    try {
      const reply = await this.command(() =>
        reserveScript.run(this.client, [key], [policy.limit, policy.windowMs, Math.max(0, maxWaitMs), member]),
      );
      const reservation = parseReservation(reply);
      this.markUp();
      return reservation;
    } catch (err) {
      this.markDown(err);
      throw err instanceof RateLimitStoreUnavailableError
        ? err
        : new RateLimitStoreUnavailableError(`Redis rate-limit store unavailable: ${errorMessage(err)}`, { cause: err });
    } finally {
      if (probe) this.probing = false;
    }
  }

  /** Best effort: an unreturned slot only lowers throughput for one window. Never throws. */
  async release(key: string, _policy: RatePolicy, ticket: number): Promise<void> {
    if (this.healthState === 'down') return;
    try {
      await this.command(() => releaseScript.run(this.client, [key], [ticket]));
    } catch {
      // ignored on purpose (see above)
    }
  }

  private command<T>(fn: () => Promise<T>): Promise<T> {
    const ms = this.everUp ? this.commandTimeoutMs : this.firstCommandTimeoutMs;
    return withTimeout(fn(), ms, () => new RateLimitStoreUnavailableError(`Redis rate-limit store did not answer within ${ms} ms`));
  }

  private markUp(): void {
    this.everUp = true;
    if (this.healthState === 'up') return;
    this.healthState = 'up';
    this.notify('up');
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

function parseReservation(reply: unknown): Reservation {
  if (!Array.isArray(reply) || reply.length < 2) throw new Error('unexpected reply from the rate-limit script');
  const waitMs = Number(reply[1]);
  if (!Number.isFinite(waitMs)) throw new Error('unexpected reply from the rate-limit script');
  if (Number(reply[0]) === 1) {
    const ticket = Number(reply[2]);
    if (!Number.isFinite(ticket)) throw new Error('unexpected reply from the rate-limit script');
    return { granted: true, waitMs, ticket };
  }
  return { granted: false, waitMs };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type RedisLimiterFallback = 'memory' | 'reject';

interface RedisRateLimiterCommonOptions {
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
  /** Per-command time limit once connected. @default 250 */
  commandTimeoutMs?: number;
  /** Time limit until the first command succeeded (includes connecting). @default 2000 */
  firstCommandTimeoutMs?: number;
  /** Breaker open time after a Redis failure. @default 1000 */
  retryAfterMs?: number;
  /** Behaviour while Redis is unavailable (see module comment). @default 'memory' */
  fallback?: RedisLimiterFallback;
  /** Scales the per-process budget used by the `memory` fallback, (0, 1]. @default 1 */
  fallbackRateFactor?: number;
  /** Added to every window (shared and fallback) to absorb start-time jitter. @default 25 */
  windowGuardMs?: number;
  /** Maps a documented rate to a window policy (before the guard). @default policyForRate */
  ratePolicy?: (ratePerSecond: number) => RatePolicy;
  /** Switch-over warnings. @default console */
  logger?: WarnLogger;
  clock?: Clock;
  sleep?: Sleep;
}

export type CreateRedisRateLimiterOptions = RedisRateLimiterCommonOptions &
  (
    | { /** `redis://` or `rediss://` URL; the limiter owns (and `close()` closes) the connection. */ url: string; client?: undefined }
    | { /** An existing client; not closed by `close()`. */ client: Redis; url?: undefined }
  );

/**
 * A `RateLimiter` over `RedisRateLimiterStore` with a fallback while Redis is unavailable.
 * Built by `createRedisRateLimiter`.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly store: RedisRateLimiterStore;
  private readonly shared: QueueingRateLimiter;
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
    const guard = options.windowGuardMs ?? 25;
    if (!Number.isFinite(guard) || guard < 0) throw new RangeError('windowGuardMs must be >= 0');
    const factor = options.fallbackRateFactor ?? 1;
    if (!(factor > 0 && factor <= 1)) throw new RangeError('fallbackRateFactor must be in (0, 1]');
    const base = options.ratePolicy ?? policyForRate;
    const guarded = (rate: number): RatePolicy => {
      const p = base(rate);
      return { limit: p.limit, windowMs: p.windowMs + guard };
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
    this.shared = new QueueingRateLimiter({
      policies: options.policies,
      maxWaitMs: options.maxWaitMs,
      store: this.store,
      clock: options.clock,
      sleep: options.sleep,
      keyPrefix,
      ratePolicy: guarded,
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
            ratePolicy: (rate) => guarded(rate * factor),
          })
        : undefined;
  }

  /** `redis` while the shared budget is in use, `fallback` while Redis is unavailable. */
  get state(): 'redis' | 'fallback' {
    return this.store.health === 'up' ? 'redis' : 'fallback';
  }

  async acquire(action: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.shared.acquire(action, signal);
    } catch (err) {
      if (!(err instanceof RateLimitStoreUnavailableError)) throw err;
      if (this.local !== undefined) {
        await this.local.acquire(action, signal);
        return;
      }
      throw new GatewayError(
        GatewayErrorCode.RATE_LIMITED,
        `The shared rate limiter is unavailable, so the ${action} call was not sent; retry later.`,
        {
          httpStatus: 503,
          details: { action, source: 'gateway', reason: 'RATE_LIMIT_STORE_UNAVAILABLE', retryAfterMs: this.retryAfterMs },
          cause: err,
        },
      );
    }
  }

  /** Closes the Redis connection if the limiter opened it. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      try {
        await withTimeout(this.client.quit(), 1_000, () => new Error('quit timed out'));
        return;
      } catch {
        // fall through
      }
    }
    this.client.disconnect();
  }
}

/**
 * Options for a client the limiter owns: fail fast instead of queueing commands for long while
 * disconnected, reconnect in the background.
 */
export function rateLimiterRedisOptions(commandTimeoutMs: number) {
  // ioredis' own command timeout is only a backstop behind the store's (shorter) one.
  return {
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: Math.max(commandTimeoutMs * 2, 1_000),
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
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
  const client = new Redis(options.url, rateLimiterRedisOptions(Math.max(options.commandTimeoutMs ?? 250, options.firstCommandTimeoutMs ?? 2_000)));
  // Connection errors surface through failing commands (and the limiter's warning); without a
  // listener ioredis would print every reconnect failure.
  client.on('error', () => {});
  return new RedisRateLimiter(client, true, options);
}
