/**
 * `IdempotencyStore` over Redis, shared by every gateway process using the same Redis and key
 * prefix. One hash per scoped key: `fp` (fingerprint), `st` (`p` pending, `c` completed, `u`
 * unknown), `tok` (owner token), `lu` (lock expiry, ms on the Redis clock), `out` (serialized
 * outcome). Every operation is one Lua script (EVALSHA with EVAL fallback) and lock expiry is judged
 * by Redis `TIME`, so process clocks do not matter. Key life is a Redis `PEXPIRE` (see `store.ts`).
 *
 * Failures (connection, timeout after `commandTimeoutMs`) reject with
 * `IdempotencyStoreUnavailableError`; `runIdempotent` then refuses to execute (fail closed).
 */
import { Redis } from 'ioredis';
import { RedisScript, withTimeout, type RedisScriptClient } from '../upstream/redis-ratelimit';
import type { BeginRequest, BeginResult, CompleteRequest, IdempotencyRecord, IdempotencyStore } from './store';

const BEGIN_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lockMs = tonumber(ARGV[3])
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'fp', ARGV[1], 'st', 'p', 'tok', ARGV[2], 'lu', tostring(now + lockMs))
  redis.call('PEXPIRE', key, math.ceil(lockMs + tonumber(ARGV[4])))
  return {1}
end
local r = redis.call('HMGET', key, 'fp', 'st', 'lu', 'out')
if r[2] == 'p' then
  local lu = tonumber(r[3]) or 0
  if lu > now then
    return {0, r[1], 'p', tostring(lu - now)}
  end
  redis.call('HSET', key, 'st', 'u')
  redis.call('HDEL', key, 'lu')
  return {0, r[1], 'u', false}
end
return {0, r[1], r[2], r[4]}
`;

const COMPLETE_LUA = `
local r = redis.call('HMGET', KEYS[1], 'tok', 'st')
if r[1] ~= ARGV[1] or r[2] == 'c' then return 0 end
redis.call('HSET', KEYS[1], 'st', ARGV[2], 'out', ARGV[3])
redis.call('HDEL', KEYS[1], 'lu')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

const RELEASE_LUA = `
local r = redis.call('HMGET', KEYS[1], 'tok', 'st')
if r[1] ~= ARGV[1] or r[2] == 'c' then return 0 end
redis.call('DEL', KEYS[1])
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

interface RedisIdempotencyStoreCommon {
  /** Prefix of every key. @default 'ssl-gateway:idem:' */
  keyPrefix?: string;
  /** @default 1000 */
  commandTimeoutMs?: number;
}

export type RedisIdempotencyStoreOptions = RedisIdempotencyStoreCommon &
  ({ url: string; client?: undefined } | { client: Redis; url?: undefined });

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly client: Redis;
  readonly keyPrefix: string;
  private readonly ownsClient: boolean;
  private readonly commandTimeoutMs: number;
  private closed = false;

  /** With `url` the store owns (and `close()` closes) the connection; with `client` it does not. */
  constructor(options: RedisIdempotencyStoreOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new TypeError('RedisIdempotencyStore: give exactly one of url or client');
    }
    this.keyPrefix = options.keyPrefix ?? 'ssl-gateway:idem:';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
    if (options.client !== undefined) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      this.client = new Redis(options.url, {
        enableOfflineQueue: true,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
      });
      this.client.on('error', () => {});
      this.ownsClient = true;
    }
  }

  // Keys given to the store are already scoped (`scopedKey`); the store prepends `keyPrefix`.
  async begin(req: BeginRequest): Promise<BeginResult> {
    const reply = await this.run(beginScript, req.key, [req.fingerprint, req.token, Math.ceil(req.lockTtlMs), Math.ceil(req.ttlMs)]);
    if (!Array.isArray(reply) || reply.length < 1) throw new Error('unexpected reply from the idempotency script');
    if (Number(reply[0]) === 1) return { acquired: true };
    const [, fingerprint, state, extra] = reply as [unknown, unknown, unknown, unknown];
    const fp = String(fingerprint ?? '');
    let record: IdempotencyRecord;
    if (state === 'p') record = { state: 'pending', fingerprint: fp, lockRemainingMs: Math.max(0, Number(extra) || 0) };
    else if (state === 'c') record = { state: 'completed', fingerprint: fp, outcome: typeof extra === 'string' ? extra : 'null' };
    else if (typeof extra === 'string') record = { state: 'unknown', fingerprint: fp, outcome: extra };
    else record = { state: 'unknown', fingerprint: fp };
    return { acquired: false, record };
  }

  async complete(req: CompleteRequest): Promise<boolean> {
    const reply = await this.run(completeScript, req.key, [req.token, req.state === 'completed' ? 'c' : 'u', req.outcome, Math.max(1, Math.ceil(req.ttlMs))]);
    return Number(reply) === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    return Number(await this.run(releaseScript, key, [token])) === 1;
  }

  /** Closes the connection if the store opened it. */
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

  private async run(script: RedisScript, key: string, args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await withTimeout(
        script.run(this.client as RedisScriptClient, [this.keyPrefix + key], args),
        this.commandTimeoutMs,
        () => new IdempotencyStoreUnavailableError(`Redis idempotency store did not answer within ${this.commandTimeoutMs} ms`),
      );
    } catch (err) {
      if (err instanceof IdempotencyStoreUnavailableError) throw err;
      throw new IdempotencyStoreUnavailableError(`Redis idempotency store unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
