/**
 * Per-caller bounds of an idempotency store (issue 8, item 3), run against the memory store
 * (`bounds.test.ts`) and the Redis store (`test/integration/idempotency/redis-store.test.ts`):
 * one caller can never push out another's records, a caller over its quota is refused before
 * anything executes, and an outcome that cannot be kept (too large, over the caller's byte budget,
 * key material) is remembered as "completed, not replayable": a repeat gets 409, never a second
 * execution.
 */
import { randomUUID } from 'node:crypto';
import { expect, it, vi } from 'vitest';
import { containsKeyMaterial } from '../../../src/auth/scopes';
import { executeIdempotent, IdempotencyError, IdempotencyReason, type IdempotencyOptions, type IdempotencyStore } from '../../../src/idempotency';
import { settle, silentLogger } from './contract';

export interface BoundsEnv {
  /** A store with these per-caller bounds (fresh callers per test: names are random). */
  store(bounds: { maxEntriesPerCaller: number; maxBytesPerCaller: number }): IdempotencyStore;
  /** Every stored byte the store holds for inspection (Redis: all values), or undefined. */
  dump?(): Promise<string>;
}

/** PEM-shaped with a plainly fake body, built at run time (no key material in the repo). */
const PRIVATE_KEY = ['-----BEGIN', 'PRIVATE KEY-----\nFAKEKEYBODYFORTESTSONLY0000\n-----END', 'PRIVATE KEY-----'].join(' ');

export function boundsContract(env: BoundsEnv): void {
  const opts = (scope: string, over: Partial<IdempotencyOptions> = {}): IdempotencyOptions => ({
    key: randomUUID(),
    scope,
    fingerprint: 'fp',
    ttlSeconds: 60,
    logger: silentLogger,
    ...over,
  });
  const reasonOf = (r: { ok: boolean; error?: unknown }) => (r.ok ? 'ok' : (r as { error: IdempotencyError }).error.reason);

  it('one caller flooding keyed writes cannot evict another caller\'s record: the other\'s retried write replays, never runs twice', async () => {
    const store = env.store({ maxEntriesPerCaller: 5, maxBytesPerCaller: 100_000 });
    const writer = `writer-${randomUUID()}`;
    const flooder = `flooder-${randomUUID()}`;
    const write = opts(writer);
    const alias = vi.fn(async () => ({ CertificateId: 'c1', RequestId: 'r1' }));
    expect((await executeIdempotent(store, write, alias)).replayed).toBe(false);

    const flood = vi.fn(async () => 'flood');
    const reasons: string[] = [];
    for (let i = 0; i < 40; i++) reasons.push(reasonOf(await settle(executeIdempotent(store, opts(flooder), flood))));
    expect(reasons.filter((r) => r === 'ok')).toHaveLength(5);
    expect(reasons.filter((r) => r === IdempotencyReason.CALLER_LIMIT)).toHaveLength(35);
    expect(flood).toHaveBeenCalledTimes(5);

    expect(await executeIdempotent(store, write, alias)).toEqual({ value: { CertificateId: 'c1', RequestId: 'r1' }, replayed: true });
    expect(alias).toHaveBeenCalledTimes(1);
  });

  it('a caller over its entry quota gets 429 IDEMPOTENCY_CALLER_LIMIT with a retry hint, before anything executes', async () => {
    const store = env.store({ maxEntriesPerCaller: 2, maxBytesPerCaller: 100_000 });
    const caller = `quota-${randomUUID()}`;
    await executeIdempotent(store, opts(caller), async () => 1);
    await executeIdempotent(store, opts(caller), async () => 2);
    const fn = vi.fn(async () => 3);
    const r = await settle(executeIdempotent(store, opts(caller), fn));
    const err = (r as { error: IdempotencyError }).error;
    expect(err).toBeInstanceOf(IdempotencyError);
    expect(err.reason).toBe(IdempotencyReason.CALLER_LIMIT);
    expect(err.httpStatus).toBe(429);
    expect(err.details?.retryAfterMs).toEqual(expect.any(Number));
    expect(fn).not.toHaveBeenCalled();
  });

  it('a provably unexecuted failure frees its quota slot (the record is released, not counted)', async () => {
    const store = env.store({ maxEntriesPerCaller: 1, maxBytesPerCaller: 100_000 });
    const caller = `release-${randomUUID()}`;
    const { GatewayError, GatewayErrorCode } = await import('../../../src/upstream/errors');
    await settle(executeIdempotent(store, opts(caller), async () => Promise.reject(new GatewayError(GatewayErrorCode.RATE_LIMITED, 'limited'))));
    expect((await executeIdempotent(store, opts(caller), async () => 'ran')).value).toBe('ran');
  });

  it('an outcome over the per-outcome cap is remembered as completed, not replayable: the repeat gets 409 IDEMPOTENCY_NOT_REPLAYABLE, never a second execution', async () => {
    const store = env.store({ maxEntriesPerCaller: 10, maxBytesPerCaller: 1_000_000 });
    const o = opts(`big-${randomUUID()}`, { maxOutcomeBytes: 1_000 });
    const big = { Certificates: Array.from({ length: 100 }, (_, i) => ({ CertificateId: `cert-${i}`, Alias: 'x'.repeat(20) })) };
    const fn = vi.fn(async () => big);
    const first = await executeIdempotent(store, o, fn);
    expect(first).toEqual({ value: big, replayed: false });
    for (let i = 0; i < 2; i++) {
      const r = await settle(executeIdempotent(store, o, fn));
      const err = (r as { error: IdempotencyError }).error;
      expect(err.reason).toBe(IdempotencyReason.NOT_REPLAYABLE);
      expect(err.httpStatus).toBe(409);
      expect(err.code).toBe('CONFLICT');
    }
    expect(fn).toHaveBeenCalledTimes(1);
    // Another input under the same key is still a reused key, not a replay.
    const other = await settle(executeIdempotent(store, { ...o, fingerprint: 'other' }, fn));
    expect(reasonOf(other)).toBe(IdempotencyReason.KEY_REUSED);
  });

  it('a caller over its byte budget has later outcomes kept as not replayable; another caller is unaffected', async () => {
    const store = env.store({ maxEntriesPerCaller: 100, maxBytesPerCaller: 4_000 });
    const heavy = `heavy-${randomUUID()}`;
    const light = `light-${randomUUID()}`;
    const value = { Blob: 'y'.repeat(1_500) };
    const keys = [opts(heavy), opts(heavy), opts(heavy), opts(heavy)];
    for (const o of keys) await executeIdempotent(store, o, async () => value);
    const replays = await Promise.all(keys.map((o) => settle(executeIdempotent(store, o, async () => 'again'))));
    const kinds = replays.map((r) => (r.ok ? 'replayed' : reasonOf(r)));
    expect(kinds.filter((k) => k === 'replayed').length).toBeGreaterThanOrEqual(1);
    expect(kinds.filter((k) => k === IdempotencyReason.NOT_REPLAYABLE).length).toBeGreaterThanOrEqual(1);
    expect(kinds.every((k) => k === 'replayed' || k === IdempotencyReason.NOT_REPLAYABLE)).toBe(true);

    const mine = opts(light);
    await executeIdempotent(store, mine, async () => value);
    expect(await executeIdempotent(store, mine, async () => 'again')).toEqual({ value, replayed: true });
  });

  it('never stores key material: such a success is completed, not replayable, and the store holds no trace of it', async () => {
    const store = env.store({ maxEntriesPerCaller: 10, maxBytesPerCaller: 1_000_000 });
    const o = opts(`keys-${randomUUID()}`, { isKeyMaterial: containsKeyMaterial });
    const fn = vi.fn(async () => ({ CertificateId: 'c', CertificatePrivateKey: PRIVATE_KEY }));
    expect((await executeIdempotent(store, o, fn)).value).toEqual({ CertificateId: 'c', CertificatePrivateKey: PRIVATE_KEY });
    expect(reasonOf(await settle(executeIdempotent(store, o, fn)))).toBe(IdempotencyReason.NOT_REPLAYABLE);
    expect(fn).toHaveBeenCalledTimes(1);
    if (env.dump) expect(await env.dump()).not.toContain('PRIVATE KEY');
  });
}
