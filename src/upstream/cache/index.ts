/**
 * The upstream read cache: public surface. `createUpstreamCache` builds the caching caller over
 * an upstream caller, with a Redis store shared by every instance when `redisStore` is given (the
 * in-process store as its fallback) or the in-process store alone.
 *
 * The Redis store (./redis-store.ts) is not imported here, nor re-exported: only a gateway with
 * REDIS_URL loads it (src/app/redis-backends.ts, a dynamic import), so a Lambda cold start
 * without Redis neither reads nor compiles it. Import it from './redis-store'.
 */
import { CachingCaller, type InnerCaller } from './caching-caller';
import type { CacheConfig } from './config';
import { accountId } from './keys';
import { MemoryCacheStore } from './memory-store';
import type { RedisCacheStore, RedisCacheStoreFactory } from './redis-store';
import type { CacheStore } from './store';
import { buildTtlTable } from './ttl-table';

export { CachingCaller, servesStaleOn, type CachingCallOptions, type CachingCallerOptions, type InnerCaller } from './caching-caller';
export { readCacheConfig, type CacheConfig } from './config';
export { accountId, canonicalJson, readKey } from './keys';
export { MemoryCacheStore } from './memory-store';
export { graphqlCacheExtension, newRequestCacheState, restCacheHeaders, wantsNoCache } from './request-state';
export type { CacheStore, StoredAnswer } from './store';
export { buildTtlTable, canCarryKeyMaterial, isFinalAnswer, ttlClassOf, type TtlClass, type TtlTable } from './ttl-table';
export { ALL_TAG, readTags, writeTags } from './invalidation-table';

export interface UpstreamCacheOptions {
  config: CacheConfig;
  /** Upstream endpoint and SecretId: the account every key belongs to. */
  endpoint: string;
  secretId: string;
  /**
   * Opens the store shared across instances (`redisCacheStoreFactory` of ./redis-store.ts, with
   * the Redis URL and key prefix); none: the in-process store alone.
   */
  redisStore?: RedisCacheStoreFactory;
  clock?: () => number;
  logger?: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
}

export interface UpstreamCache {
  caller: CachingCaller;
  store: CacheStore;
  /** The in-process store (alone, or the Redis store's fallback). */
  memory: MemoryCacheStore;
  redis?: RedisCacheStore;
  close(): Promise<void>;
}

export function createUpstreamCache(inner: InnerCaller, options: UpstreamCacheOptions): UpstreamCache {
  const { config } = options;
  const ttl = buildTtlTable({ defaultSeconds: config.ttlSeconds, overrides: config.ttlOverrides });
  const maxStaleMs = config.maxStaleSeconds * 1000;
  // Longer than any answer can live, so an expired generation never makes an old answer valid.
  const generationTtlMs = 2 * (ttl.maxFreshMs + maxStaleMs) + 60_000;
  const memory = new MemoryCacheStore({ maxBytes: config.memoryMaxBytes, generationTtlMs, clock: options.clock });
  const redis = options.redisStore?.({
    commandTimeoutMs: config.redisTimeoutMs,
    maxEntryBytes: config.redisMaxEntryBytes,
    generationTtlMs,
    fallback: memory,
    logger: options.logger,
  });
  const store = redis ?? memory;
  const caller = new CachingCaller(inner, {
    ttl,
    store,
    account: accountId(options.endpoint, options.secretId),
    maxStaleMs,
    coalesceWaitMs: config.coalesceWaitMs,
    clock: options.clock,
  });
  return { caller, store, memory, redis, close: () => store.close() };
}
