/**
 * ioredis is loaded only when Redis is configured (src/upstream/redis-driver.ts): in the Lambda
 * bundle it is a chunk of its own that a cold start without REDIS_URL never reads
 * (test/integration/handlers/package.test.ts runs the bundles with it deleted). Here, from
 * source: the gateway loads the driver exactly when REDIS_URL is set, and a store opened from a
 * URL without it says what to do. The tests run in order: the driver's state is per module
 * instance, fresh for this file.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { RedisIdempotencyStore } from '../../../src/idempotency/redis-store';
import { MemoryCacheStore } from '../../../src/upstream/cache';
import { RedisCacheStore } from '../../../src/upstream/cache/redis-store';
import { specPolicyLookup } from '../../../src/upstream';
import { connectRedis, loadRedisDriver, redisDriverLoaded } from '../../../src/upstream/redis-driver';
import { createRedisRateLimiter } from '../../../src/upstream/redis-ratelimit';
import { DEMO_CREDENTIAL } from '../../../src/simulator/index';
import { startRedis, type TestRedis } from '../../helpers/redis';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** No upstream call is made: only the composition is looked at. */
const upstream = { endpoint: 'http://127.0.0.1:9', credentials: { ...DEMO_CREDENTIAL } };

describe('the Redis driver, loaded on demand', () => {
  it('a gateway without REDIS_URL never loads the Redis driver', async () => {
    const gateway = await createGateway(loadConfig({ NODE_ENV: 'test' }), { upstream, surfaces: ['rest'] });
    try {
      expect(gateway.cache.redis).toBeUndefined();
      expect(redisDriverLoaded()).toBe(false);
    } finally {
      await gateway.close();
    }
  });

  it('opening a Redis store from a URL before the driver is loaded fails, naming loadRedisDriver', () => {
    const notLoaded = /The Redis driver is not loaded: await loadRedisDriver\(\)/;
    expect(() => connectRedis(redis.url, {})).toThrow(notLoaded);
    expect(() => createRedisRateLimiter({ url: redis.url, policies: specPolicyLookup(), maxWaitMs: 0 })).toThrow(notLoaded);
    expect(() => new RedisIdempotencyStore({ url: redis.url })).toThrow(notLoaded);
    expect(() => new RedisCacheStore({ url: redis.url, keyPrefix: 'x:', generationTtlMs: 1_000, fallback: new MemoryCacheStore({ maxBytes: 1_000, generationTtlMs: 1_000 }) })).toThrow(notLoaded);
  });

  it('a gateway with REDIS_URL loads the driver and connects its stores to Redis', async () => {
    const prefix = `driver-${process.pid}:`;
    const gateway = await createGateway(loadConfig({ NODE_ENV: 'test', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix }), { upstream, surfaces: ['rest'] });
    try {
      expect(redisDriverLoaded()).toBe(true);
      expect(gateway.cache.redis).toBeDefined();
      // Besides this one: the connections of the limiter, the cache and the idempotency store.
      const client = new Redis(redis.url);
      try {
        const connections = String(await client.call('CLIENT', 'LIST')).trim().split('\n');
        expect(connections.length).toBeGreaterThan(1);
      } finally {
        client.disconnect();
      }
    } finally {
      await gateway.close();
    }
    // Loading again is free and keeps the same driver.
    await loadRedisDriver();
    const c = connectRedis(redis.url, { lazyConnect: true });
    expect(c).toBeInstanceOf(Redis);
    c.disconnect();
  });
});
