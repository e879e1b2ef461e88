/**
 * A caching caller over a real `UpstreamClient` and the simulator, with an injected clock, for the
 * cache suites. Several rigs can share one simulator and one Redis (two "instances").
 */
import { readCacheConfig, type CacheConfig } from '../../../../src/upstream/cache/config';
import { createUpstreamCache, type UpstreamCache } from '../../../../src/upstream/cache';
import { redisCacheStoreFactory } from '../../../../src/upstream/cache/redis-store';
import { loadRedisDriver } from '../../../../src/upstream/redis-driver';
import { GatewayError, UpstreamClient, specPolicyLookup, unlimited, type RateLimiter } from '../../../../src/upstream';
import { newRequestCacheState } from '../../../../src/upstream/cache';
import { recordUpstreamCall, withRequestScope, type RequestScope } from '../../../../src/observability/log';
import type { Simulator } from '../../../helpers/simulator';

export interface Clock {
  t: number;
}

export interface CacheRig {
  client: UpstreamClient;
  cache: UpstreamCache;
  clock: Clock;
  /** Makes the limiter answer RATE_LIMITED (the budget is spent) until set back. */
  budgetSpent: { value: boolean };
  call(action: string, params?: Record<string, unknown>, options?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Runs `fn` as one client request; returns its result and the request scope (log records, cache state). */
  request<T>(fn: () => Promise<T>, noCache?: boolean): Promise<{ result: T; scope: RequestScope }>;
  close(): Promise<void>;
}

export function cacheConfig(env: Record<string, string> = {}): CacheConfig {
  const problems: { variable: string; problem: string }[] = [];
  const r = {
    problems,
    raw: (n: string) => env[n],
    int: (n: string, def: number) => (env[n] === undefined ? def : Number(env[n])),
  };
  const c = readCacheConfig(r);
  if (problems.length) throw new Error(JSON.stringify(problems));
  return c;
}

// The rig opens its Redis store from a URL (`redisUrl`), which needs the driver loaded first.
await loadRedisDriver();

export function startCacheRig(sim: Simulator, options: { redisUrl?: string; keyPrefix?: string; env?: Record<string, string>; clock?: Clock } = {}): CacheRig {
  const cred = sim.credentials[0];
  const budgetSpent = { value: false };
  const limiter: RateLimiter = {
    acquire: async (action, signal) => {
      if (budgetSpent.value) throw new GatewayError('RATE_LIMITED', `the ${action} budget is spent`, { details: { action, retryAfterMs: 500 } });
      return unlimited.acquire(action, signal);
    },
  };
  const client = new UpstreamClient({
    endpoint: sim.url,
    credentials: { secretId: cred.secretId, secretKey: cred.secretKey },
    policies: specPolicyLookup({}),
    limiter,
    maxAttempts: 2,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 2,
    onCall: recordUpstreamCall,
  });
  const clock = options.clock ?? { t: 1_000_000 };
  const cache = createUpstreamCache(client, {
    config: cacheConfig(options.env),
    endpoint: sim.url,
    secretId: cred.secretId,
    redisStore: options.redisUrl ? redisCacheStoreFactory(options.redisUrl, options.keyPrefix) : undefined,
    clock: () => clock.t,
  });
  return {
    client,
    cache,
    clock,
    budgetSpent,
    call: (action, params = {}, opts) => cache.caller.call(action, params, opts),
    async request(fn, noCache = false) {
      const scope: RequestScope = { requestId: 'r', upstream: [], cache: newRequestCacheState(noCache) };
      const result = await withRequestScope(scope, fn);
      return { result, scope };
    },
    async close() {
      await cache.close();
      await client.close();
    },
  };
}

/** Uses of the cache recorded on a request (`sent` per attempt, the others per read). */
export function uses(scope: RequestScope): string[] {
  return scope.upstream.map((u) => `${u.action}:${u.cache}`);
}
