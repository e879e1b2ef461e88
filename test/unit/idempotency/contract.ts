/**
 * The idempotency contract, run against every store: the memory store under fake timers
 * (`memory.test.ts`) and the Redis store in real time (`test/integration/idempotency/redis-store.test.ts`).
 *
 * Tests only move time through `env.advance(ms)` (fake: advances the timers; real: sleeps) and
 * never await something that needs time to pass before advancing it.
 */
import { randomUUID } from 'node:crypto';
import { expect, it, vi } from 'vitest';
import {
  executeIdempotent,
  IdempotencyError,
  IdempotencyReason,
  isReplayedError,
  requestFingerprint,
  type IdempotencyOptions,
  type IdempotencyStore,
} from '../../../src/idempotency';
import { GatewayError, GatewayErrorCode, UpstreamError } from '../../../src/upstream/errors';

export interface ContractEnv {
  /** Stores seen by two "processes" (they may be the same object). */
  stores(): { a: IdempotencyStore; b: IdempotencyStore };
  advance(ms: number): Promise<void>;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Attaches handlers at once (no unhandled rejection while time is advanced). */
export function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export const silentLogger = { warn: () => {} };

function upstream(upstreamCode: string, requestId = 'req-' + randomUUID()): UpstreamError {
  return new UpstreamError({ action: 'ApplyCertificate', upstreamCode, message: `upstream said ${upstreamCode}`, requestId });
}

function expectReason(result: Settled<unknown>, reason: IdempotencyReason): IdempotencyError {
  expect(result.ok).toBe(false);
  const err = (result as { error: unknown }).error;
  expect(err).toBeInstanceOf(IdempotencyError);
  expect((err as IdempotencyError).reason).toBe(reason);
  return err as IdempotencyError;
}

export function idempotencyContract(env: ContractEnv): void {
  const FP_A = requestFingerprint('ApplyCertificate', { DomainName: 'a.example.com', DvAuthMethod: 'DNS' });
  const FP_B = requestFingerprint('ApplyCertificate', { DomainName: 'b.example.com', DvAuthMethod: 'DNS' });

  /** Fresh scope and key per test, so tests never share records (the Redis one is shared). */
  function opts(over: Partial<IdempotencyOptions> = {}): IdempotencyOptions {
    return {
      key: randomUUID(),
      scope: 'client-' + randomUUID(),
      fingerprint: FP_A,
      ttlSeconds: 60,
      lockTtlMs: 10_000,
      waitTimeoutMs: 2_000,
      pollIntervalMs: 20,
      logger: silentLogger,
      ...over,
    };
  }

  it('executes the first request once and replays its result for a repeat', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const fn = vi.fn(async () => ({ CertificateId: 'cert-1', RequestId: 'r-1' }));
    const first = await executeIdempotent(a, o, fn);
    expect(first).toEqual({ value: { CertificateId: 'cert-1', RequestId: 'r-1' }, replayed: false });
    const second = await executeIdempotent(b, o, fn);
    expect(second).toEqual({ value: first.value, replayed: true });
    const third = await executeIdempotent(a, o, fn);
    expect(third).toEqual({ value: first.value, replayed: true });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('answers the first caller with the same JSON a replay gets (a copy, undefined as null)', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const result = { list: [1, 'two', { three: true }], when: new Date(0), dropped: undefined };
    const first = await executeIdempotent(a, o, async () => result);
    expect(first.value).not.toBe(result);
    expect(first.value).toEqual({ list: [1, 'two', { three: true }], when: '1970-01-01T00:00:00.000Z' });
    result.list.push('mutated later');
    const second = await executeIdempotent(b, o, async () => result);
    expect(second.value).toEqual(first.value);

    const o2 = opts();
    expect((await executeIdempotent(a, o2, async () => undefined)).value).toBeNull();
    expect(await executeIdempotent(b, o2, async () => 'never')).toEqual({ value: null, replayed: true });
  });

  it('scopes keys by caller: the same key from two callers executes twice', async () => {
    const { a, b } = env.stores();
    const key = randomUUID();
    const one = await executeIdempotent(a, opts({ key, scope: 'caller-1-' + key }), async () => 'one');
    const two = await executeIdempotent(b, opts({ key, scope: 'caller-2-' + key }), async () => 'two');
    expect([one, two]).toEqual([
      { value: 'one', replayed: false },
      { value: 'two', replayed: false },
    ]);
    // Separators inside scope or key cannot make two (scope, key) pairs meet: ('c', 'a:b') vs ('c:a', 'b').
    const c = 'c-' + key;
    expect((await executeIdempotent(a, opts({ scope: c, key: 'a:b' }), async () => 'pair 1')).replayed).toBe(false);
    expect(await executeIdempotent(b, opts({ scope: c + ':a', key: 'b' }), async () => 'pair 2')).toEqual({ value: 'pair 2', replayed: false });
    expect(await executeIdempotent(a, opts({ key, scope: 'caller-1-' + key }), async () => 'again')).toEqual({ value: 'one', replayed: true });
  });

  it('refuses the same key for a different request with 422, executing nothing', async () => {
    const { a, b } = env.stores();
    const o = opts();
    await executeIdempotent(a, o, async () => 'first');
    const fn = vi.fn(async () => 'second');
    const err = expectReason(await settle(executeIdempotent(b, { ...o, fingerprint: FP_B }, fn)), IdempotencyReason.KEY_REUSED);
    expect(err.httpStatus).toBe(422);
    expect(err.code).toBe(GatewayErrorCode.BAD_REQUEST);
    expect(err.details).toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: o.key });
    expect(fn).not.toHaveBeenCalled();
  });

  it('refuses a different request at once while the first is still running (no waiting)', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const gate = deferred<string>();
    const started = deferred<void>();
    const first = settle(executeIdempotent(a, o, async () => (started.resolve(), gate.promise)));
    await started.promise;
    const other = await settle(executeIdempotent(b, { ...o, fingerprint: FP_B, waitTimeoutMs: 60_000 }, async () => 'x'));
    expectReason(other, IdempotencyReason.KEY_REUSED);
    gate.resolve('done');
    expect(await first).toEqual({ ok: true, value: { value: 'done', replayed: false } });
  });

  it('stores a definitive upstream error and replays it exactly', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const original = upstream('FailedOperation.CertificateExists', 'req-definitive');
    const fn = vi.fn(async () => {
      throw original;
    });
    const first = await settle(executeIdempotent(a, o, fn));
    expect(first).toEqual({ ok: false, error: original });
    const second = await settle(executeIdempotent(b, o, fn));
    expect(second.ok).toBe(false);
    // The replay is the same upstream error again (so every surface renders it identically),
    // marked as a replay.
    const replayed = (second as { error: unknown }).error as UpstreamError;
    expect(replayed).toBeInstanceOf(UpstreamError);
    expect(isReplayedError(replayed)).toBe(true);
    expect(isReplayedError(original)).toBe(false);
    expect(replayed.httpStatus).toBe(original.httpStatus);
    expect(replayed.toJSON()).toEqual(original.toJSON());
    expect(replayed).toMatchObject({ action: original.action, upstreamCode: 'FailedOperation.CertificateExists', requestId: 'req-definitive', outcomeUnknown: false });
    expect(replayed.details).toMatchObject({ upstreamCode: 'FailedOperation.CertificateExists', requestId: 'req-definitive' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  for (const code of ['InternalError', 'Gateway.Timeout', 'Gateway.ConnectionLost']) {
    it(`never re-executes after an outcome-unknown failure (${code}): repeats get 409 "check state"`, async () => {
      const { a, b } = env.stores();
      const o = opts();
      const original = upstream(code, 'req-unknown');
      expect(original.outcomeUnknown).toBe(true);
      const fn = vi.fn(async () => {
        throw original;
      });
      // The first caller gets the original error (502/504 with details.outcomeUnknown).
      expect(await settle(executeIdempotent(a, o, fn))).toEqual({ ok: false, error: original });
      for (const store of [b, a]) {
        const err = expectReason(await settle(executeIdempotent(store, o, async () => 'retried')), IdempotencyReason.OUTCOME_UNKNOWN);
        expect(err.httpStatus).toBe(409);
        expect(err.message).toMatch(/may or may not have been carried out/);
        expect(err.message).toMatch(/check the current state/);
        expect(err.details).toMatchObject({
          idempotencyKey: o.key,
          original: { code: original.code, httpStatus: original.httpStatus, details: { upstreamCode: code, requestId: 'req-unknown', outcomeUnknown: true } },
        });
      }
      expect(fn).toHaveBeenCalledTimes(1);
    });
  }

  it('treats an unexpected exception as outcome unknown and never stores its text', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const boom = new TypeError('cannot read SecretKey=hunter2 of undefined');
    expect(await settle(executeIdempotent(a, o, async () => Promise.reject(boom)))).toEqual({ ok: false, error: boom });
    const err = expectReason(await settle(executeIdempotent(b, o, async () => 'x')), IdempotencyReason.OUTCOME_UNKNOWN);
    expect(JSON.stringify(err.toJSON())).not.toContain('hunter2');
    expect(err.details).toMatchObject({ original: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 } });
  });

  it('frees the key after failures that prove nothing was executed, so the same key can be retried', async () => {
    const { a, b } = env.stores();
    const notExecuted: unknown[] = [
      upstream('RequestLimitExceeded'),
      upstream('AuthFailure.SignatureExpire'),
      upstream('Gateway.ConnectFailed'),
      upstream('AuthFailure.SecretIdNotFound'),
      new GatewayError(GatewayErrorCode.RATE_LIMITED, 'queue full'),
      new GatewayError(GatewayErrorCode.BAD_REQUEST, 'DomainName is required'),
    ];
    for (const failure of notExecuted) {
      const o = opts();
      expect(await settle(executeIdempotent(a, o, async () => Promise.reject(failure)))).toEqual({ ok: false, error: failure });
      const fn = vi.fn(async () => 'executed on retry');
      expect(await executeIdempotent(b, o, fn)).toEqual({ value: 'executed on retry', replayed: false });
      expect(await executeIdempotent(a, o, fn)).toEqual({ value: 'executed on retry', replayed: true });
      expect(fn).toHaveBeenCalledTimes(1);
    }
    // A rejected input may be corrected and resent under the same key.
    const o = opts();
    await settle(executeIdempotent(a, o, async () => Promise.reject(new GatewayError(GatewayErrorCode.BAD_REQUEST, 'bad'))));
    expect(await executeIdempotent(b, { ...o, fingerprint: FP_B }, async () => 'fixed')).toEqual({ value: 'fixed', replayed: false });
  });

  it('makes a concurrent duplicate wait for the first and replay its result', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const gate = deferred<{ TaskId: string }>();
    const started = deferred<void>();
    const fnA = vi.fn(async () => (started.resolve(), gate.promise));
    const fnB = vi.fn(async () => ({ TaskId: 'second' }));
    const first = settle(executeIdempotent(a, o, fnA));
    await started.promise;
    const second = settle(executeIdempotent(b, o, fnB));
    await env.advance(150);
    gate.resolve({ TaskId: 'task-1' });
    await env.advance(150);
    expect(await first).toEqual({ ok: true, value: { value: { TaskId: 'task-1' }, replayed: false } });
    expect(await second).toEqual({ ok: true, value: { value: { TaskId: 'task-1' }, replayed: true } });
    expect(fnA).toHaveBeenCalledTimes(1);
    expect(fnB).not.toHaveBeenCalled();
  });

  it('makes a concurrent duplicate replay a definitive error of the first', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const gate = deferred<string>();
    const started = deferred<void>();
    const first = settle(executeIdempotent(a, o, async () => (started.resolve(), gate.promise)));
    await started.promise;
    const second = settle(executeIdempotent(b, o, async () => 'second'));
    await env.advance(100);
    const original = upstream('FailedOperation.CertificateStatusNotAllowResubmit');
    gate.reject(original);
    await env.advance(150);
    expect(await first).toEqual({ ok: false, error: original });
    const r = await second;
    expect(r.ok).toBe(false);
    expect(((r as { error: GatewayError }).error).toJSON()).toEqual(original.toJSON());
  });

  it('answers 409 IN_PROGRESS when the first is still running after the bounded wait; a later repeat replays', async () => {
    const { a, b } = env.stores();
    const o = opts({ waitTimeoutMs: 300 });
    const gate = deferred<string>();
    const started = deferred<void>();
    const fnB = vi.fn(async () => 'second');
    const first = settle(executeIdempotent(a, o, async () => (started.resolve(), gate.promise)));
    await started.promise;
    const second = settle(executeIdempotent(b, o, fnB));
    await env.advance(500);
    const err = expectReason(await second, IdempotencyReason.IN_PROGRESS);
    expect(err.httpStatus).toBe(409);
    expect(err.code).toBe(GatewayErrorCode.CONFLICT);
    expect(err.details?.retryAfterMs).toBeGreaterThan(0);
    gate.resolve('first');
    expect(await first).toEqual({ ok: true, value: { value: 'first', replayed: false } });
    expect(await executeIdempotent(b, o, fnB)).toEqual({ value: 'first', replayed: true });
    expect(fnB).not.toHaveBeenCalled();
  });

  it('lets a waiting duplicate execute when the first freed the key (it provably did not execute)', async () => {
    const { a, b } = env.stores();
    const o = opts();
    const gate = deferred<string>();
    const started = deferred<void>();
    const first = settle(executeIdempotent(a, o, async () => (started.resolve(), gate.promise)));
    await started.promise;
    const fnB = vi.fn(async () => 'second ran');
    const second = settle(executeIdempotent(b, o, fnB));
    await env.advance(100);
    const limited = upstream('RequestLimitExceeded');
    gate.reject(limited);
    await env.advance(150);
    expect(await first).toEqual({ ok: false, error: limited });
    expect(await second).toEqual({ ok: true, value: { value: 'second ran', replayed: false } });
    expect(fnB).toHaveBeenCalledTimes(1);
  });

  it('executes exactly once under many simultaneous duplicates', async () => {
    const { a, b } = env.stores();
    const o = opts();
    let calls = 0;
    const fn = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 50));
      return { n: calls };
    };
    const all = Array.from({ length: 12 }, (_, i) => settle(executeIdempotent(i % 2 === 0 ? a : b, o, fn)));
    await env.advance(400);
    const results = await Promise.all(all);
    expect(calls).toBe(1);
    for (const r of results) expect(r).toMatchObject({ ok: true, value: { value: { n: 1 } } });
    expect(results.filter((r) => r.ok && !r.value.replayed)).toHaveLength(1);
  });

  it('turns a lost owner (lock ran out) into "outcome unknown", never a second execution; a late finish is kept', async () => {
    const { a, b } = env.stores();
    const o = opts({ lockTtlMs: 200 });
    const gate = deferred<string>();
    const started = deferred<void>();
    const first = settle(executeIdempotent(a, o, async () => (started.resolve(), gate.promise)));
    await started.promise;
    await env.advance(350);
    const fnB = vi.fn(async () => 'second');
    const err = expectReason(await settle(executeIdempotent(b, o, fnB)), IdempotencyReason.OUTCOME_UNKNOWN);
    expect(err.message).toMatch(/did not finish/);
    expect(err.details?.original).toBeUndefined();
    expect(fnB).not.toHaveBeenCalled();
    // The slow owner finishes after all: its outcome replaces "unknown".
    gate.resolve('late result');
    expect(await first).toEqual({ ok: true, value: { value: 'late result', replayed: false } });
    expect(await executeIdempotent(b, o, fnB)).toEqual({ value: 'late result', replayed: true });
    expect(fnB).not.toHaveBeenCalled();
  });

  it('tells a waiting duplicate "outcome unknown" when the lock runs out while it waits', async () => {
    const { a, b } = env.stores();
    const o = opts({ lockTtlMs: 200, waitTimeoutMs: 5_000 });
    const started = deferred<void>();
    void settle(executeIdempotent(a, o, async () => (started.resolve(), new Promise<string>(() => {}))));
    await started.promise;
    const fnB = vi.fn(async () => 'second');
    const second = settle(executeIdempotent(b, o, fnB));
    await env.advance(400);
    expectReason(await second, IdempotencyReason.OUTCOME_UNKNOWN);
    expect(fnB).not.toHaveBeenCalled();
  });

  it('forgets outcomes after the TTL', async () => {
    const { a, b } = env.stores();
    const o = opts({ ttlSeconds: 0.5 });
    const fn = vi.fn(async () => `run ${fn.mock.calls.length}`);
    expect(await executeIdempotent(a, o, fn)).toEqual({ value: 'run 1', replayed: false });
    expect(await executeIdempotent(b, o, fn)).toEqual({ value: 'run 1', replayed: true });
    await env.advance(800);
    expect(await executeIdempotent(b, o, fn)).toEqual({ value: 'run 2', replayed: false });
    // An "unknown" record also ends with its TTL.
    const u = opts({ ttlSeconds: 0.5 });
    await settle(executeIdempotent(a, u, async () => Promise.reject(upstream('InternalError'))));
    expectReason(await settle(executeIdempotent(b, u, fn)), IdempotencyReason.OUTCOME_UNKNOWN);
    await env.advance(800);
    expect(await executeIdempotent(b, u, fn)).toEqual({ value: 'run 3', replayed: false });
  });

  it('rejects malformed keys with 400 before touching the store', async () => {
    const { a } = env.stores();
    const fn = vi.fn(async () => 'x');
    for (const key of ['', 'has space', 'x'.repeat(256), 'tab\there', 'ünïcode']) {
      const err = expectReason(await settle(executeIdempotent(a, opts({ key }), fn)), IdempotencyReason.KEY_INVALID);
      expect(err.httpStatus).toBe(400);
    }
    expect(fn).not.toHaveBeenCalled();
    expect((await executeIdempotent(a, opts({ key: 'x'.repeat(255) }), fn)).replayed).toBe(false);
  });
}
