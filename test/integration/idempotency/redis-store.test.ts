/**
 * The idempotency contract (test/unit/idempotency/contract.ts) against a real Redis, in real time,
 * plus Redis specifics: key layout and expiry, script cache loss, Redis down.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadRedisDriver } from '../../../src/upstream/redis-driver';
import { executeIdempotent, IdempotencyError, IdempotencyReason, type IdempotencyStore } from '../../../src/idempotency';
import { RedisIdempotencyStore } from '../../../src/idempotency/redis-store';
import { startRedis, type TestRedis } from '../../helpers/redis';
import { boundsContract } from '../../unit/idempotency/bounds-contract';
import { idempotencyContract, settle, silentLogger } from '../../unit/idempotency/contract';

let redis: TestRedis;
const stores: RedisIdempotencyStore[] = [];
const newStore = (options: { keyPrefix?: string; commandTimeoutMs?: number; maxEntriesPerCaller?: number; maxBytesPerCaller?: number } = {}): RedisIdempotencyStore => {
  const s = new RedisIdempotencyStore({ url: redis.url, ...options });
  stores.push(s);
  return s;
};

beforeAll(async () => {
  redis = await startRedis();
  // The stores below open their connections from the URL.
  await loadRedisDriver();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await redis?.stop();
});

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe.each([
  { name: 'one connection', twoProcesses: false },
  { name: 'two connections (two gateway processes)', twoProcesses: true },
])('idempotency contract: Redis store, $name', ({ twoProcesses }) => {
  let a: IdempotencyStore;
  let b: IdempotencyStore;
  beforeAll(() => {
    a = newStore();
    b = twoProcesses ? newStore() : a;
  });
  idempotencyContract({ stores: () => ({ a, b }), advance: realSleep });
});

describe('idempotency bounds: Redis store', () => {
  const prefix = `bounds-${Date.now()}:`;
  boundsContract({
    store: (bounds) => newStore({ keyPrefix: prefix, ...bounds }),
    async dump() {
      const client = stores[0]!.client;
      const keys = await client.keys(`${prefix}*`);
      const parts: string[] = [];
      for (const k of keys) {
        const type = await client.type(k);
        if (type === 'hash') parts.push(JSON.stringify(await client.hgetall(k)));
        else if (type === 'zset') parts.push(JSON.stringify(await client.zrange(k, '0', '-1')));
      }
      return parts.join('\n');
    },
  });
});

describe('RedisIdempotencyStore specifics', () => {
  it('keeps one hash per prefixed, scoped key with an expiry', async () => {
    const store = newStore({ keyPrefix: 'test-layout:' });
    const o = { key: 'order-42', scope: 'partner:7', fingerprint: 'fp', ttlSeconds: 30, logger: silentLogger };
    await executeIdempotent(store, o, async () => ({ ok: true }));
    const client = store.client;
    // The record, plus the caller's index (entry bound) and sizes (byte bound).
    expect((await client.keys('test-layout:*')).sort()).toEqual(['test-layout:@bytes:partner%3A7', 'test-layout:@idx:partner%3A7', 'test-layout:partner%3A7:order-42']);
    const pttl = await client.pttl('test-layout:partner%3A7:order-42');
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    expect(await client.hgetall('test-layout:partner%3A7:order-42')).toMatchObject({ fp: 'fp', st: 'c', out: '{"kind":"value","value":{"ok":true}}' });
  });

  it('keeps working after the server forgot its scripts (EVALSHA falls back to EVAL)', async () => {
    const store = newStore();
    const o = { key: 'k-' + Date.now(), scope: 'flush', fingerprint: 'fp', ttlSeconds: 30, logger: silentLogger };
    await store.client.script('FLUSH');
    expect(await executeIdempotent(store, o, async () => 1)).toEqual({ value: 1, replayed: false });
    await store.client.script('FLUSH');
    expect(await executeIdempotent(store, o, async () => 2)).toEqual({ value: 1, replayed: true });
  });

  it('fails closed when Redis is down: 503, nothing executed', async () => {
    const own = await startRedis();
    const store = new RedisIdempotencyStore({ url: own.url, commandTimeoutMs: 500 });
    try {
      const o = { key: 'k', scope: 's', fingerprint: 'fp', ttlSeconds: 30, logger: silentLogger };
      expect(await executeIdempotent(store, o, async () => 'up')).toEqual({ value: 'up', replayed: false });
      await own.stop();
      const fn = vi.fn(async () => 'down');
      const r = await settle(executeIdempotent(store, { ...o, key: 'k2' }, fn));
      expect(r.ok).toBe(false);
      const err = (r as { error: IdempotencyError }).error;
      expect(err).toBeInstanceOf(IdempotencyError);
      expect(err.reason).toBe(IdempotencyReason.STORE_UNAVAILABLE);
      expect(err.httpStatus).toBe(503);
      expect(fn).not.toHaveBeenCalled();
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it('works with a caller-provided client and leaves it open', async () => {
    const client = new Redis(redis.url);
    try {
      const store = new RedisIdempotencyStore({ client });
      const o = { key: 'provided', scope: 's-' + Date.now(), fingerprint: 'fp', ttlSeconds: 30, logger: silentLogger };
      expect(await executeIdempotent(store, o, async () => 'v')).toEqual({ value: 'v', replayed: false });
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
