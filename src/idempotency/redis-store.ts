/**
 * `IdempotencyStore` over Redis, shared by every gateway process using the same Redis and key
 * prefix. One hash per scoped key: `fp` (fingerprint), `st` (`p` pending, `c` completed, `u`
 * unknown; absent: "completed, not replayable"), `tok` (owner token), `lu` (lock expiry, ms on
 * the Redis clock), `out` (serialized outcome). Every operation is one Lua script (EVALSHA with
 * EVAL fallback) and lock expiry is judged by Redis `TIME`, so process clocks do not matter. Key
 * life is a Redis `PEXPIRE` (see `store.ts`).
 *
 * Per caller, two more keys (`@` never occurs in a record key, whose parts are URI-encoded):
 * `<prefix>@idx:<scope>`, a sorted set of the caller's record keys scored by expiry (the entry
 * bound), and `<prefix>@bytes:<scope>`, a hash of each record's accounted bytes plus the total in
 * field `#` (the byte bound). Expired members are forgotten when the caller starts a new key.
 *
 * When Redis refuses writes (`maxmemory` reached with `noeviction`: "OOM command not allowed"):
 * - a new key cannot be taken: `begin` fails and nothing is executed (503, fail closed);
 * - an outcome cannot be stored: the script falls back to commands Redis still accepts when out
 *   of memory (HDEL, PEXPIRE) and leaves "completed, not replayable" (or "unknown" for an
 *   unknown outcome), so a repeat gets a 409 and the write is never executed a second time.
 * The server must not evict these keys early: use `maxmemory-policy noeviction` (an evicted
 * record would let a retry execute again).
 *
 * Failures (connection, timeout after `commandTimeoutMs`) reject with
 * `IdempotencyStoreUnavailableError`; `runIdempotent` then refuses to execute (fail closed).
 */
import { backoffDelay } from '../time/backoff';
import type { Redis } from 'ioredis';
import { connectRedis } from '../upstream/redis-driver';
import { RedisScript, type RedisScriptClient } from '../upstream/redis-ratelimit';
import { quitRedis, withTimeout } from '../upstream/redis-client';
import {
  DEFAULT_MAX_BYTES_PER_CALLER,
  DEFAULT_MAX_ENTRIES_PER_CALLER,
  IdempotencyCallerLimitError,
  RECORD_OVERHEAD_BYTES,
  type BeginRequest,
  type BeginResult,
  type CompleteRequest,
  type IdempotencyBounds,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './store';

// KEYS: record, caller index, caller sizes. ARGV: fp, token, lockMs, ttlMs, maxEntries, member, overhead.
// Index writes come before the record: a refused write leaves at worst a phantom member that
// counts against the caller until it expires, never a record the caller is not charged for.
const BEGIN_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key, idx, sizes = KEYS[1], KEYS[2], KEYS[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lockMs = tonumber(ARGV[3])
local life = lockMs + tonumber(ARGV[4])
local member = ARGV[6]
local overhead = tonumber(ARGV[7])
if redis.call('EXISTS', key) == 0 then
  local old = redis.call('ZRANGEBYSCORE', idx, '-inf', now, 'LIMIT', 0, 200)
  if redis.call('ZSCORE', idx, member) then table.insert(old, member) end
  for _, m in ipairs(old) do
    local b = tonumber(redis.call('HGET', sizes, m)) or 0
    if b > 0 then redis.call('HINCRBY', sizes, '#', -b) end
    redis.call('HDEL', sizes, m)
    redis.call('ZREM', idx, m)
  end
  if redis.call('ZCARD', idx) >= tonumber(ARGV[5]) then
    local first = redis.call('ZRANGE', idx, 0, 0, 'WITHSCORES')
    return {2, tostring(math.max(1, tonumber(first[2]) - now))}
  end
  redis.call('ZADD', idx, now + life, member)
  redis.call('HSET', sizes, member, overhead)
  redis.call('HINCRBY', sizes, '#', overhead)
  if redis.call('PTTL', idx) < life then redis.call('PEXPIRE', idx, life) end
  if redis.call('PTTL', sizes) < life then redis.call('PEXPIRE', sizes, life) end
  redis.call('HSET', key, 'fp', ARGV[1], 'st', 'p', 'tok', ARGV[2], 'lu', tostring(now + lockMs))
  redis.call('PEXPIRE', key, life)
  return {1}
end
local r = redis.call('HMGET', key, 'fp', 'st', 'lu', 'out')
if r[2] == 'p' then
  local lu = tonumber(r[3]) or 0
  if lu > now then
    return {0, r[1], 'p', tostring(lu - now)}
  end
  redis.pcall('HSET', key, 'st', 'u')
  redis.call('HDEL', key, 'lu')
  return {0, r[1], 'u', false}
end
if not r[2] then return {0, r[1], 'c', false} end
return {0, r[1], r[2], r[4]}
`;

// KEYS: record, caller index, caller sizes.
// ARGV: token, state ('c' | 'u'), outcome, ttlMs, maxBytesPerCaller, member, overhead, has outcome ('1' | '0').
// Returns 0 (not owned), 1 (stored with its outcome), 2 (stored without it).
const COMPLETE_LUA = `
local key, idx, sizes = KEYS[1], KEYS[2], KEYS[3]
local r = redis.call('HMGET', key, 'tok', 'st')
if r[1] ~= ARGV[1] or not r[2] or r[2] == 'c' then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[4])
local member = ARGV[6]
local overhead = tonumber(ARGV[7])
local prev = (tonumber(redis.call('HGET', sizes, member)) or overhead) - overhead
if prev < 0 then prev = 0 end
local size = 0
if ARGV[8] == '1' then size = string.len(ARGV[3]) end
local total = tonumber(redis.call('HGET', sizes, '#')) or 0
local stored = false
if ARGV[8] == '1' and total - prev + size <= tonumber(ARGV[5]) then
  local ok = redis.pcall('HSET', key, 'st', ARGV[2], 'out', ARGV[3])
  if type(ok) ~= 'table' or not ok.err then
    stored = true
    redis.pcall('HINCRBY', sizes, '#', size - prev)
    redis.pcall('HSET', sizes, member, overhead + size)
  end
end
if not stored then
  if ARGV[2] == 'c' then
    redis.call('HDEL', key, 'st', 'lu', 'out')
  else
    redis.call('HDEL', key, 'lu', 'out')
    redis.pcall('HSET', key, 'st', 'u')
  end
  if prev > 0 then
    redis.pcall('HINCRBY', sizes, '#', -prev)
    redis.pcall('HSET', sizes, member, overhead)
  end
else
  redis.call('HDEL', key, 'lu')
end
redis.call('PEXPIRE', key, ttl)
redis.pcall('ZADD', idx, 'XX', now + ttl, member)
if redis.call('PTTL', idx) < ttl then redis.call('PEXPIRE', idx, ttl) end
if redis.call('PTTL', sizes) < ttl then redis.call('PEXPIRE', sizes, ttl) end
if stored then return 1 end
return 2
`;

// KEYS: record, caller index, caller sizes. ARGV: token, member.
const RELEASE_LUA = `
local r = redis.call('HMGET', KEYS[1], 'tok', 'st')
if r[1] ~= ARGV[1] or not r[2] or r[2] == 'c' then return 0 end
redis.call('DEL', KEYS[1])
local b = tonumber(redis.call('HGET', KEYS[3], ARGV[2])) or 0
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
if b > 0 then redis.pcall('HINCRBY', KEYS[3], '#', -b) end
return 1
`;

const beginScript = new RedisScript(BEGIN_LUA);
const completeScript = new RedisScript(COMPLETE_LUA);
const releaseScript = new RedisScript(RELEASE_LUA);

/** The Redis idempotency store could not be reached or did not answer in time. */
export class IdempotencyStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdempotencyStoreUnavailableError';
  }
}

interface RedisIdempotencyStoreCommon extends IdempotencyBounds {
  /** Prefix of every key. @default 'ssl-gateway:idem:' */
  keyPrefix?: string;
  /** @default 1000 */
  commandTimeoutMs?: number;
}

/** `url`: the store opens and owns the connection (await `loadRedisDriver()` first); or a `client`. */
export type RedisIdempotencyStoreOptions = RedisIdempotencyStoreCommon &
  ({ url: string; client?: undefined } | { client: Redis; url?: undefined });

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly client: Redis;
  readonly keyPrefix: string;
  private readonly ownsClient: boolean;
  private readonly commandTimeoutMs: number;
  readonly maxEntriesPerCaller: number;
  readonly maxBytesPerCaller: number;
  private closed = false;

  /** With `url` the store owns (and `close()` closes) the connection; with `client` it does not. */
  constructor(options: RedisIdempotencyStoreOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new TypeError('RedisIdempotencyStore: give exactly one of url or client');
    }
    this.keyPrefix = options.keyPrefix ?? 'ssl-gateway:idem:';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
    this.maxEntriesPerCaller = options.maxEntriesPerCaller ?? DEFAULT_MAX_ENTRIES_PER_CALLER;
    this.maxBytesPerCaller = options.maxBytesPerCaller ?? DEFAULT_MAX_BYTES_PER_CALLER;
    for (const [name, v] of [['maxEntriesPerCaller', this.maxEntriesPerCaller], ['maxBytesPerCaller', this.maxBytesPerCaller]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer`);
    }
    if (options.client !== undefined) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      this.client = connectRedis(options.url, {
        enableOfflineQueue: true,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        retryStrategy: (times: number) => backoffDelay(times + 1, 50, 2_000),
      });
      this.client.on('error', () => {});
      this.ownsClient = true;
    }
  }

  /** The caller's index and sizes keys (`@` never occurs in a record key). */
  private callerKeys(scope: string): [string, string] {
    const s = encodeURIComponent(scope);
    return [`${this.keyPrefix}@idx:${s}`, `${this.keyPrefix}@bytes:${s}`];
  }

  // Keys given to the store are already scoped (`scopedKey`); the store prepends `keyPrefix`.
  async begin(req: BeginRequest): Promise<BeginResult> {
    const reply = await this.run(beginScript, [this.keyPrefix + req.key, ...this.callerKeys(req.scope)], [
      req.fingerprint,
      req.token,
      Math.ceil(req.lockTtlMs),
      Math.ceil(req.ttlMs),
      this.maxEntriesPerCaller,
      req.key,
      RECORD_OVERHEAD_BYTES,
    ]);
    if (!Array.isArray(reply) || reply.length < 1) throw new Error('unexpected reply from the idempotency script');
    if (Number(reply[0]) === 1) return { acquired: true };
    if (Number(reply[0]) === 2) throw new IdempotencyCallerLimitError(this.maxEntriesPerCaller, Math.max(1, Number(reply[1]) || 1));
    const [, fingerprint, state, extra] = reply as [unknown, unknown, unknown, unknown];
    const fp = String(fingerprint ?? '');
    let record: IdempotencyRecord;
    if (state === 'p') record = { state: 'pending', fingerprint: fp, lockRemainingMs: Math.max(0, Number(extra) || 0) };
    else if (state === 'c') record = typeof extra === 'string' ? { state: 'completed', fingerprint: fp, outcome: extra } : { state: 'completed', fingerprint: fp };
    else if (typeof extra === 'string') record = { state: 'unknown', fingerprint: fp, outcome: extra };
    else record = { state: 'unknown', fingerprint: fp };
    return { acquired: false, record };
  }

  async complete(req: CompleteRequest): Promise<boolean> {
    const reply = await this.run(completeScript, [this.keyPrefix + req.key, ...this.callerKeys(req.scope)], [
      req.token,
      req.state === 'completed' ? 'c' : 'u',
      req.outcome ?? '',
      Math.max(1, Math.ceil(req.ttlMs)),
      this.maxBytesPerCaller,
      req.key,
      RECORD_OVERHEAD_BYTES,
      req.outcome === null ? '0' : '1',
    ]);
    return Number(reply) !== 0;
  }

  async release(key: string, token: string, scope: string): Promise<boolean> {
    return Number(await this.run(releaseScript, [this.keyPrefix + key, ...this.callerKeys(scope)], [token, key])) === 1;
  }

  /** Closes the connection if the store opened it. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.closed) return;
    this.closed = true;
    await quitRedis(this.client);
  }

  private async run(script: RedisScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await withTimeout(
        script.run(this.client as RedisScriptClient, keys, args),
        this.commandTimeoutMs,
        () => new IdempotencyStoreUnavailableError(`Redis idempotency store did not answer within ${this.commandTimeoutMs} ms`),
      );
    } catch (err) {
      if (err instanceof IdempotencyStoreUnavailableError) throw err;
      throw new IdempotencyStoreUnavailableError(`Redis idempotency store unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
