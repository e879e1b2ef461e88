/**
 * The idempotency store on a Redis that refuses writes (`maxmemory` reached with `noeviction`:
 * "OOM command not allowed"), on a real redis-server with a tiny memory limit. Must hold: nothing
 * is executed without a record (new keys fail closed with 503), an outcome that cannot be stored
 * is remembered as "completed, not replayable" (409), earlier outcomes still replay, and no write
 * ever runs twice.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { executeIdempotent, IdempotencyError, IdempotencyReason } from '../../../src/idempotency';
import { RedisIdempotencyStore } from '../../../src/idempotency/redis-store';
import { UpstreamError } from '../../../src/upstream/errors';
import { loadRedisDriver } from '../../../src/upstream/redis-driver';
import { startRedis, type TestRedis } from '../../helpers/redis';
import { deferred, settle, silentLogger } from '../../unit/idempotency/contract';

let redis: TestRedis;
let store: RedisIdempotencyStore;
let filler: Redis;

beforeAll(async () => {
  redis = await startRedis({ args: ['--maxmemory', String(MAXMEMORY), '--maxmemory-policy', 'noeviction'] });
  await loadRedisDriver();
  store = new RedisIdempotencyStore({ url: redis.url, commandTimeoutMs: 2_000 });
  filler = new Redis(redis.url);
});
afterAll(async () => {
  filler?.disconnect();
  await store?.close();
  await redis?.stop();
});

const MAXMEMORY = 3 * 1024 * 1024;
let junkCount = 0;
/**
 * Writes junk until Redis answers OOM, then keeps it there. Right at the limit Redis flaps: the
 * refused command's own query buffer counted towards the limit and is freed after the refusal,
 * so the next small write may pass. Lowering `maxmemory` a little under what is used now holds
 * Redis in the state the issue describes (every write refused) without depending on that edge.
 */
async function fillUntilOom(): Promise<void> {
  const junk = 'j'.repeat(8_192);
  for (let i = 0; i < 10_000; i++) {
    try {
      await filler.set(`junk:${junkCount++}`, junk);
    } catch (err) {
      if (!String((err as Error).message).includes('OOM')) throw err;
      const used = Number(/used_memory:(\d+)/.exec(await filler.info('memory'))?.[1]);
      await filler.config('SET', 'maxmemory', String(Math.max(1_048_576, used - 65_536)));
      await expect(filler.set('probe', 'x')).rejects.toThrow(/OOM/);
      return;
    }
  }
  throw new Error('Redis never refused a write');
}

const opts = (key: string) => ({ key, scope: 'key:oom-writer', fingerprint: 'fp', ttlSeconds: 60, logger: silentLogger });
const reasonOf = (r: { ok: boolean }) => (r.ok ? 'ok' : ((r as unknown as { error: IdempotencyError }).error.reason ?? 'other'));

describe('RedisIdempotencyStore when Redis refuses writes (maxmemory, noeviction)', () => {
  it('keeps every guarantee: earlier outcomes replay, an outcome it cannot store is "completed, not replayable" (409), new keys fail closed (503), nothing runs twice', async () => {
    // Before Redis is full: one finished write, and one still running.
    const done = vi.fn(async () => ({ CertificateId: 'before' }));
    expect((await executeIdempotent(store, opts('before-oom'), done)).replayed).toBe(false);
    const gate = deferred<{ CertificateId: string; Pad: string }>();
    const started = deferred<void>();
    const running = vi.fn(async () => (started.resolve(), gate.promise));
    const first = settle(executeIdempotent(store, opts('running-at-oom'), running));
    await started.promise;
    const unknownGate = deferred<never>();
    const unknownStarted = deferred<void>();
    const lost = vi.fn(async () => (unknownStarted.resolve(), unknownGate.promise));
    const lostRun = settle(executeIdempotent(store, opts('lost-at-oom'), lost));
    await unknownStarted.promise;

    await fillUntilOom();

    // The running write finishes while Redis refuses writes: its caller still gets the answer...
    gate.resolve({ CertificateId: 'during', Pad: 'p'.repeat(4_096) });
    expect(await first).toEqual({ ok: true, value: { value: { CertificateId: 'during', Pad: 'p'.repeat(4_096) }, replayed: false } });
    // ...and a repeat is told it completed (409), never executed again.
    for (let i = 0; i < 2; i++) {
      const again = await settle(executeIdempotent(store, opts('running-at-oom'), running));
      expect(reasonOf(again)).toBe(IdempotencyReason.NOT_REPLAYABLE);
      expect((again as unknown as { error: IdempotencyError }).error.httpStatus).toBe(409);
    }
    expect(running).toHaveBeenCalledTimes(1);

    // An answer lost upstream while Redis is full: repeats get "outcome unknown", never a second call.
    unknownGate.reject(new UpstreamError({ action: 'ModifyCertificateAlias', upstreamCode: 'Gateway.Timeout', message: 'timed out' }));
    expect((await lostRun).ok).toBe(false);
    expect(reasonOf(await settle(executeIdempotent(store, opts('lost-at-oom'), lost)))).toBe(IdempotencyReason.OUTCOME_UNKNOWN);
    expect(lost).toHaveBeenCalledTimes(1);

    // The outcome stored before Redis filled up still replays.
    expect(await executeIdempotent(store, opts('before-oom'), done)).toEqual({ value: { CertificateId: 'before' }, replayed: true });
    expect(done).toHaveBeenCalledTimes(1);

    // A new key cannot be recorded: refused before executing.
    const fresh = vi.fn(async () => 'must not run');
    const refused = await settle(executeIdempotent(store, opts('new-during-oom'), fresh));
    expect(reasonOf(refused)).toBe(IdempotencyReason.STORE_UNAVAILABLE);
    expect((refused as unknown as { error: IdempotencyError }).error.httpStatus).toBe(503);
    expect(fresh).not.toHaveBeenCalled();

    // Once memory is freed, the records are still there and new keys work again.
    await filler.config('SET', 'maxmemory', String(MAXMEMORY));
    await filler.del(...(await filler.keys('junk:*')));
    expect(reasonOf(await settle(executeIdempotent(store, opts('running-at-oom'), running)))).toBe(IdempotencyReason.NOT_REPLAYABLE);
    expect(running).toHaveBeenCalledTimes(1);
    expect((await executeIdempotent(store, opts('new-after-oom'), fresh)).replayed).toBe(false);
  });
});
