/**
 * The cache store shared by every gateway instance on one Redis (same key prefix):
 *
 *   <prefix>e:<key>      a stored answer: "<generation>\n<storedAt>\n<freshMs>\n<json>", PX = fresh + max stale
 *   <prefix>g:<tag>      a tag's generation (random token), PX = generationTtlMs (longer than any answer lives)
 *   <prefix>l:<flight>   the lock of a read in flight (value: the leader's token), PX = lockMs
 *   <prefix>r:<token>    the leader's published answer ("" when it failed), PX = resultTtlMs
 *
 * Every key has a TTL; answers over `maxEntryBytes` are not stored (nor published). A lookup is
 * one MGET (the answer and its tags' generations).
 *
 * A command whose reply has not ARRIVED within `commandTimeoutMs` (default 500 ms; a reply read
 * late because this process was busy does not count) falls back on its own: a lookup misses, a
 * save is skipped, an invalidation is replayed as "everything" before the next command.
 * Redis down (a command fails, or 3 in a row time out): every
 * operation goes to the in-process `fallback` store instead, never an error, and Redis is probed
 * again after `retryAfterMs`. Writes made meanwhile were only recorded locally, so when Redis is
 * back the `all` tag is bumped there first (every shared answer becomes invalid: other instances
 * may hold answers those writes changed) and the fallback store is cleared (it missed the other
 * instances' writes), before Redis is used again.
 */
import { backoffDelay } from '../../time/backoff';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../redis-driver';
import { awaitReply } from '../redis-ratelimit';
import { quitRedis, withTimeout } from '../redis-client';
import { ALL_TAG } from './invalidation-table';
import { generationOf, tagKey } from './keys';
import type { MemoryCacheStore } from './memory-store';
import type { CacheLookup, CacheStore, Lead, StoredAnswer } from './store';

export interface RedisCacheStoreOptions {
  /** Give `url` (the store opens and owns the connection; await `loadRedisDriver()` first) or `client`. */
  url?: string;
  client?: Redis;
  /** Prefix of every key, e.g. `ssl-gateway:cache:`. */
  keyPrefix: string;
  /** @default 500 */
  commandTimeoutMs?: number;
  /** @default 262144 (256 KiB) */
  maxEntryBytes?: number;
  generationTtlMs: number;
  /** Used while Redis is down. */
  fallback: MemoryCacheStore;
  /** How often a follower looks for the leader's answer. @default 20 */
  pollIntervalMs?: number;
  /** How long Redis is left alone after a failure. @default 1000 */
  retryAfterMs?: number;
  logger?: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
}

/** Opens a Redis store with the cache's settings (`createUpstreamCache`'s `redisStore`). */
export type RedisCacheStoreFactory = (options: Omit<RedisCacheStoreOptions, 'url' | 'client' | 'keyPrefix'>) => RedisCacheStore;

/**
 * The factory of stores on the Redis at `url`, keys under `<keyPrefix>cache:` (`keyPrefix` e.g.
 * `ssl-gateway:`). Await `loadRedisDriver()` before calling what it returns.
 */
export function redisCacheStoreFactory(url: string, keyPrefix = 'ssl-gateway:'): RedisCacheStoreFactory {
  return (options) => new RedisCacheStore({ ...options, url, keyPrefix: `${keyPrefix}cache:` });
}

const LEAD_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1])}
`;
const FINISH_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`;

class RedisDown extends Error {}

/** Commands in a row without a reply in time after which Redis counts as down. */
const CONSECUTIVE_TIMEOUTS_DOWN = 3;

export class RedisCacheStore implements CacheStore {
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly maxEntryBytes: number;
  private readonly pollMs: number;
  private readonly retryAfterMs: number;
  private downSince: number | undefined;
  private retryAt = 0;
  /** A write was recorded only locally while Redis was down (or its invalidation got no reply). */
  private missedInvalidation = false;
  /** Consecutive commands without a reply in time. */
  private timeouts = 0;
  private closed = false;

  constructor(private readonly options: RedisCacheStoreOptions) {
    if ((options.url === undefined) === (options.client === undefined)) throw new TypeError('RedisCacheStore: give exactly one of url or client');
    this.timeoutMs = options.commandTimeoutMs ?? 500;
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      connectRedis(options.url as string, {
        // Fail at once instead of queueing while disconnected: the fallback store answers.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1_000,
        retryStrategy: (times: number) => backoffDelay(times + 1, 50, 1_000),
      });
    // Failures surface through commands (and the fallback); without a listener ioredis prints each.
    this.client.on('error', () => {});
    this.prefix = options.keyPrefix;
    this.maxEntryBytes = options.maxEntryBytes ?? 256 * 1024;
    this.pollMs = options.pollIntervalMs ?? 20;
    this.retryAfterMs = options.retryAfterMs ?? 1_000;
  }

  /** `redis` while the shared store is used, `fallback` while Redis is down. */
  get state(): 'redis' | 'fallback' {
    return this.downSince === undefined ? 'redis' : 'fallback';
  }

  /** Resolves once connected, or after `timeoutMs` (then the fallback store serves until it is). */
  async ready(timeoutMs = 1_000): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return await new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.on('ready', onReady);
    });
  }

  private key(kind: 'e' | 'g' | 'l' | 'r', id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  private async redis<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) throw new RedisDown('closed');
    if (this.downSince !== undefined) {
      if (Date.now() < this.retryAt) throw new RedisDown('down');
      this.retryAt = Date.now() + this.retryAfterMs;
      await this.recover();
    } else if (this.missedInvalidation) {
      // An invalidation that got no reply in time: replay it (as "everything") before going on.
      await this.recover();
    }
    try {
      // Timed by the reply's arrival: a busy event loop that reads a reply late is not Redis down.
      const v = await awaitReply(op(), this.timeoutMs, () => new RedisDown('timeout'));
      this.timeouts = 0;
      return v;
    } catch (err) {
      // One slow reply under load is not an outage: the operation falls back on its own (a
      // lookup finds nothing, a save is skipped); a failed command or repeated timeouts are.
      const timeout = err instanceof RedisDown && err.message === 'timeout';
      if (!timeout || ++this.timeouts >= CONSECUTIVE_TIMEOUTS_DOWN) this.markDown(err);
      throw err instanceof RedisDown ? err : new RedisDown(String(err));
    }
  }

  private markDown(err: unknown): void {
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.retryAt = Date.now() + this.retryAfterMs;
    this.options.logger?.warn({ keyPrefix: this.prefix, error: err instanceof Error ? err.message : String(err) }, 'Redis cache store unavailable: using the in-process cache until it is back');
  }

  /** Before Redis is used again: replay what it missed, forget what we learned without it. */
  private async recover(): Promise<void> {
    try {
      if (this.missedInvalidation) {
        await awaitReply(this.client.set(this.key('g', ALL_TAG), token(), 'PX', this.options.generationTtlMs), this.timeoutMs, () => new RedisDown('timeout'));
      } else {
        await awaitReply(this.client.ping(), this.timeoutMs, () => new RedisDown('timeout'));
      }
    } catch (err) {
      throw err instanceof RedisDown ? err : new RedisDown(String(err));
    }
    this.missedInvalidation = false;
    this.timeouts = 0;
    if (this.downSince === undefined) return;
    this.downSince = undefined;
    this.options.fallback.clear();
    this.options.logger?.info?.({ keyPrefix: this.prefix }, 'Redis cache store available again');
  }

  async lookup(key: string, tags: readonly string[]): Promise<CacheLookup> {
    let raw: (string | null)[];
    try {
      raw = await this.redis(() => this.client.mget(this.key('e', key), ...tags.map((t) => this.key('g', tagKey(t)))));
    } catch {
      return this.options.fallback.lookup(key, tags);
    }
    const generation = generationOf(raw.slice(1));
    const entry = raw[0] === null ? undefined : parseEntry(raw[0]);
    return entry && entry.generation === generation ? { answer: entry.answer, generation } : { generation };
  }

  async save(key: string, generation: string, answer: StoredAnswer, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    const raw = `${generation}\n${answer.storedAt}\n${answer.freshMs}\n${answer.value}`;
    if (Buffer.byteLength(raw) > this.maxEntryBytes) return;
    try {
      await this.redis(() => this.client.set(this.key('e', key), raw, 'PX', Math.ceil(ttlMs)));
    } catch {
      // Only while down: the local store is cleared when Redis is back, and must not keep
      // answers that other instances' writes (seen only in Redis) could have changed.
      if (this.downSince !== undefined) await this.options.fallback.save(key, generation, answer, ttlMs);
    }
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    // The local store too: it may hold answers from an earlier outage, or serve the next one.
    await this.options.fallback.invalidate(tags);
    try {
      await this.redis(() => {
        const multi = this.client.multi();
        for (const t of tags) multi.set(this.key('g', tagKey(t)), token(), 'PX', this.options.generationTtlMs);
        return multi.exec();
      });
    } catch {
      this.missedInvalidation = true;
    }
  }

  async lead(flightKey: string, lockMs: number): Promise<Lead> {
    const mine = token();
    try {
      const r = (await this.redis(() => this.client.eval(LEAD_LUA, 1, this.key('l', flightKey), mine, Math.ceil(lockMs)))) as [number, string | null];
      if (r[0] === 1) return { role: 'leader', token: mine };
      return r[1] ? { role: 'follower', token: r[1] } : { role: 'solo' };
    } catch (err) {
      // A late reply (a busy machine): the lock may well be ours, and other instances may already
      // be waiting on our token. Lead anyway: we call upstream as a solo read would, and publishing
      // the answer under our token lets them have it instead of each calling on its own after
      // their wait. If the lock was not ours, the published answer is unused and expires.
      return isLateReply(err) ? { role: 'leader', token: mine } : { role: 'solo' };
    }
  }

  async finish(flightKey: string, lead: Lead, payload: string | undefined, resultTtlMs: number): Promise<void> {
    if (lead.role !== 'leader') return;
    const value = payload !== undefined && Buffer.byteLength(payload) <= this.maxEntryBytes ? payload : '';
    try {
      await this.redis(() => this.client.eval(FINISH_LUA, 2, this.key('l', flightKey), this.key('r', lead.token), lead.token, value, Math.ceil(resultTtlMs)));
    } catch {
      // Followers stop waiting at their bound and call on their own.
    }
  }

  async awaitResult(resultToken: string, waitMs: number, signal?: AbortSignal): Promise<string | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      let v: string | null;
      try {
        v = await this.redis(() => this.client.get(this.key('r', resultToken)));
      } catch (err) {
        // One late reply does not end the wait (the next poll may find the answer); Redis down
        // (several late replies in a row, or a failed command) does: call on our own.
        if (!isLateReply(err)) return undefined;
        v = null;
      }
      if (v !== null) return v === '' ? undefined : v;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return undefined;
      await new Promise((r) => setTimeout(r, Math.min(this.pollMs, left)));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.fallback.close();
    if (!this.ownsClient) return;
    await quitRedis(this.client);
  }
}

/** A command whose reply did not arrive within the command timeout (Redis not known to be down). */
function isLateReply(err: unknown): boolean {
  return err instanceof RedisDown && err.message === 'timeout';
}

function token(): string {
  return randomBytes(12).toString('base64url');
}

function parseEntry(raw: string): { generation: string; answer: StoredAnswer } | undefined {
  const a = raw.indexOf('\n');
  const b = raw.indexOf('\n', a + 1);
  const c = raw.indexOf('\n', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  const storedAt = Number(raw.slice(a + 1, b));
  const freshMs = Number(raw.slice(b + 1, c));
  if (!Number.isFinite(storedAt) || !Number.isFinite(freshMs)) return undefined;
  return { generation: raw.slice(0, a), answer: { storedAt, freshMs, value: raw.slice(c + 1) } };
}
