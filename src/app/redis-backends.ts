/**
 * The Redis-backed parts of the gateway, for a configuration with REDIS_URL: the shared rate
 * limiter (one per-action budget, fair shares and quotas for every instance), the idempotency
 * store, and the factory of the shared read cache's store.
 *
 * Only `composeGateway` loads this file, with a dynamic `import()` and only when REDIS_URL is
 * set: in the Lambda bundles it is a chunk of its own, with the Redis stores, scripts and fair
 * queue it imports and ioredis behind them, that a cold start without Redis neither reads nor
 * compiles (scripts/build-lambda.ts counts it as lazy; test/integration/handlers/package.test.ts
 * runs the bundles with it deleted).
 */
import type { Config } from '../config';
import { RedisIdempotencyStore } from '../idempotency/redis-store';
import type { Logger } from '../observability/log';
import { redisCacheStoreFactory, type RedisCacheStoreFactory } from '../upstream/cache/redis-store';
import { loadRedisDriver } from '../upstream/redis-driver';
import { createRedisRateLimiter, type RedisRateLimiter } from '../upstream/redis-ratelimit';
import { specPolicyLookup } from '../upstream/spec-policy';

export interface RedisBackends {
  limiter: RedisRateLimiter;
  idempotencyStore: RedisIdempotencyStore;
  /** `createUpstreamCache`'s `redisStore`. */
  cacheStore: RedisCacheStoreFactory;
}

/** Loads the Redis driver, then opens the limiter and the idempotency store on `redisUrl`. */
export async function openRedisBackends(config: Config & { redisUrl: string }, logger: Logger): Promise<RedisBackends> {
  await loadRedisDriver();
  const prefix = config.redisKeyPrefix;
  const limiter = createRedisRateLimiter({
    url: config.redisUrl,
    policies: specPolicyLookup(config.upstream.rateLimitOverrides),
    maxWaitMs: config.upstream.rateLimitMaxWaitMs,
    keyPrefix: `${prefix}ratelimit:`,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    fallback: config.upstream.rateLimitRedisFallback,
    fallbackRateFactor: config.upstream.rateLimitFallbackPercent / 100,
    windowGuardMs: config.upstream.rateLimitWindowGuardMs,
    ...config.upstream.rateLimitFairShare,
    logger,
  });
  const idempotencyStore = new RedisIdempotencyStore({
    url: config.redisUrl,
    keyPrefix: `${prefix}idem:`,
    maxEntriesPerCaller: config.idempotency.maxEntriesPerCaller,
    maxBytesPerCaller: config.idempotency.maxBytesPerCaller,
  });
  return { limiter, idempotencyStore, cacheStore: redisCacheStoreFactory(config.redisUrl, prefix) };
}
