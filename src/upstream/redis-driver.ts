/**
 * The Redis driver (ioredis), loaded on demand. Only a gateway with REDIS_URL talks to Redis, and
 * ioredis is about 170 KiB of the Lambda bundle: loaded with a dynamic `import()`, it is a chunk
 * of its own in the zip (scripts/build-lambda.ts) that a cold start without Redis never reads.
 *
 * The Redis-backed stores (shared rate limiter, read cache, idempotency store) stay synchronous
 * to construct: whoever builds one from a URL awaits `loadRedisDriver()` first
 * (src/app/redis-backends.ts does, which composeGateway imports only when REDIS_URL is set); a
 * store given a ready `client` needs nothing.
 */
import type { Redis, RedisOptions } from 'ioredis';

let driver: typeof Redis | undefined;

/** Loads ioredis once; later calls are free. */
export async function loadRedisDriver(): Promise<void> {
  // ioredis is CommonJS whose `module.exports` is the Redis class. `default` is that class both
  // for Node's import() and in the bundle's ES module chunk (which offers `default` only).
  driver ??= (await import('ioredis')).default;
}

/** Whether `loadRedisDriver` has completed. */
export function redisDriverLoaded(): boolean {
  return driver !== undefined;
}

/** Opens a connection (as `new Redis(url, options)`); the driver must be loaded. */
export function connectRedis(url: string, options: RedisOptions): Redis {
  if (driver === undefined) {
    throw new Error('The Redis driver is not loaded: await loadRedisDriver() (src/upstream/redis-driver.ts) before opening a Redis connection from a URL');
  }
  return new driver(url, options);
}
