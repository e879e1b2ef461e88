import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../../../src/tasks/deadline';
import {
  canonicalJson,
  classifyFailure,
  executeIdempotent,
  IdempotencyError,
  IdempotencyReason,
  MemoryIdempotencyStore,
  requestFingerprint,
  type IdempotencyStore,
} from '../../../src/idempotency';
import { GatewayError, GatewayErrorCode, UpstreamError } from '../../../src/upstream/errors';
import { deferred, idempotencyContract, settle, silentLogger } from './contract';

describe.each([
  { name: 'one memory store', shared: true },
  { name: 'one memory store seen through two references', shared: false },
])('idempotency contract: $name (fake clock)', ({ shared }) => {
  let a: IdempotencyStore;
  let b: IdempotencyStore;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    a = new MemoryIdempotencyStore();
    // A memory store is per process; "two processes" share it here only to run the same contract.
    b = shared ? a : { begin: (r) => a.begin(r), complete: (r) => a.complete(r), release: (k, t, s) => a.release(k, t, s) };
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  idempotencyContract({
    stores: () => ({ a, b }),
    advance: async (ms) => {
      await vi.advanceTimersByTimeAsync(ms);
    },
  });
});

describe('MemoryIdempotencyStore bounds', () => {
  let now = 1_000_000;
  const clock = () => now;
  const base = { scope: 'client', fingerprint: 'fp', ttlSeconds: 10, logger: silentLogger, clock };

  it('drops expired records first when full', async () => {
    const store = new MemoryIdempotencyStore({ clock, maxEntries: 3 });
    for (const key of ['k1', 'k2', 'k3']) await executeIdempotent(store, { ...base, key }, async () => key);
    expect(store.size).toBe(3);
    now += 11_000;
    await executeIdempotent(store, { ...base, key: 'k4' }, async () => 'k4');
    expect(store.size).toBe(1);
  });

  // Regression: a full store used to evict the oldest finished records of ANY caller, so a
  // retried write whose record had been pushed out ran a second time.
  it('never evicts a live record to make room: a full store refuses new keys (503) and finished records keep replaying', async () => {
    now = 2_000_000;
    const store = new MemoryIdempotencyStore({ clock, maxEntries: 3 });
    const writer = { ...base, scope: 'writer' };
    const flooder = { ...base, scope: 'flooder' };
    await executeIdempotent(store, { ...writer, key: 'alias-change' }, async () => 'changed');
    await executeIdempotent(store, { ...flooder, key: 'f1' }, async () => 'f1');
    await executeIdempotent(store, { ...flooder, key: 'f2' }, async () => 'f2');
    const fn = vi.fn(async () => 'x');
    for (let i = 3; i < 10; i++) {
      const r = await settle(executeIdempotent(store, { ...flooder, key: `f${i}` }, fn));
      expect((r as { error: IdempotencyError }).error.reason).toBe(IdempotencyReason.STORE_UNAVAILABLE);
    }
    expect(fn).not.toHaveBeenCalled();
    const retried = vi.fn(async () => 'changed twice');
    expect(await executeIdempotent(store, { ...writer, key: 'alias-change' }, retried)).toEqual({ value: 'changed', replayed: true });
    expect(retried).not.toHaveBeenCalled();
  });

  it('refuses new keys with 503 (executing nothing) rather than dropping live locks', async () => {
    now = 3_000_000;
    const store = new MemoryIdempotencyStore({ clock, maxEntries: 2, maxEntriesPerCaller: 10 });
    const gates = [deferred<string>(), deferred<string>()];
    const runs = gates.map((g, i) => settle(executeIdempotent(store, { ...base, key: `p${i}` }, () => g.promise)));
    const fn = vi.fn(async () => 'x');
    const r = await settle(executeIdempotent(store, { ...base, key: 'p3' }, fn));
    expect(r.ok).toBe(false);
    const err = (r as { error: IdempotencyError }).error;
    expect(err).toBeInstanceOf(IdempotencyError);
    expect(err.reason).toBe(IdempotencyReason.STORE_UNAVAILABLE);
    expect(err.httpStatus).toBe(503);
    expect(fn).not.toHaveBeenCalled();
    gates.forEach((g) => g.resolve('ok'));
    await Promise.all(runs);
    // Finished records are kept for their TTL too; once expired, the key can be taken.
    expect((await settle(executeIdempotent(store, { ...base, key: 'p3' }, fn))).ok).toBe(false);
    now += 11_000;
    expect((await executeIdempotent(store, { ...base, key: 'p3' }, fn)).value).toBe('x');
  });

  it('rejects a non-positive maxEntries', () => {
    expect(() => new MemoryIdempotencyStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('store failures', () => {
  it('fails closed (503, nothing executed) when the store cannot begin', async () => {
    const broken: IdempotencyStore = {
      begin: async () => {
        throw new Error('connection refused');
      },
      complete: async () => true,
      release: async () => true,
    };
    const fn = vi.fn(async () => 'x');
    const r = await settle(executeIdempotent(broken, { key: 'k', scope: 's', fingerprint: 'f', ttlSeconds: 1, logger: silentLogger }, fn));
    expect(r.ok).toBe(false);
    expect((r as { error: IdempotencyError }).error.reason).toBe(IdempotencyReason.STORE_UNAVAILABLE);
    expect(fn).not.toHaveBeenCalled();
  });

  it('still answers the first caller when its outcome cannot be stored, and warns', async () => {
    const inner = new MemoryIdempotencyStore();
    const store: IdempotencyStore = {
      begin: (r) => inner.begin(r),
      complete: async () => {
        throw new Error('connection lost');
      },
      release: (k, t) => inner.release(k, t),
    };
    const warnings: string[] = [];
    const logger = { warn: (_obj: Record<string, unknown>, msg: string) => void warnings.push(msg) };
    const o = { key: 'k', scope: 's', fingerprint: 'f', ttlSeconds: 60, lockTtlMs: 1_000, waitTimeoutMs: 0, logger };
    expect(await executeIdempotent(store, o, async () => 'done')).toEqual({ value: 'done', replayed: false });
    expect(warnings).toEqual([expect.stringMatching(/could not store the idempotency outcome/)]);
    // Until the lock runs out a repeat is "in progress"; it is never executed again.
    const fn = vi.fn(async () => 'again');
    const r = await settle(executeIdempotent(store, o, fn));
    expect((r as { error: IdempotencyError }).error.reason).toBe(IdempotencyReason.IN_PROGRESS);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('classifyFailure', () => {
  const up = (upstreamCode: string) => new UpstreamError({ action: 'DeleteCertificate', upstreamCode, message: 'm' });
  it.each([
    ['FailedOperation.CertificateNotFound', 'definitive'],
    ['InvalidParameter.DomainInvalid', 'definitive'],
    ['LimitExceeded.Quota', 'definitive'],
    ['InternalError', 'unknown'],
    ['ServiceUnavailable', 'unknown'],
    ['Gateway.Timeout', 'unknown'],
    ['Gateway.MalformedResponse', 'unknown'],
    ['RequestLimitExceeded', 'not-executed'],
    ['Gateway.ConnectFailed', 'not-executed'],
    ['AuthFailure.SignatureFailure', 'not-executed'],
  ])('%s -> %s', (code, expected) => {
    expect(classifyFailure(up(code))).toBe(expected);
  });
  it('classifies gateway and foreign errors', () => {
    expect(classifyFailure(new GatewayError(GatewayErrorCode.RATE_LIMITED, 'x'))).toBe('not-executed');
    expect(classifyFailure(new GatewayError(GatewayErrorCode.FORBIDDEN, 'x'))).toBe('not-executed');
    expect(classifyFailure(new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR, 'x'))).toBe('unknown');
    expect(classifyFailure(new Error('x'))).toBe('unknown');
    expect(classifyFailure(new DOMException('aborted', 'AbortError'))).toBe('unknown');
  });
  it('a deadline error frees the key only when the write was never sent (NOT_STARTED, NOT_SENT); IN_FLIGHT is unknown', () => {
    expect(classifyFailure(new DeadlineExceededError('ApplyCertificate', 'NOT_STARTED', true))).toBe('not-executed');
    expect(classifyFailure(new DeadlineExceededError('ApplyCertificate', 'NOT_SENT', true))).toBe('not-executed');
    expect(classifyFailure(new DeadlineExceededError('ApplyCertificate', 'IN_FLIGHT', true))).toBe('unknown');
  });
});

describe('requestFingerprint', () => {
  it('ignores key order and undefined members, not array order, values or the operation', () => {
    const f = requestFingerprint('ApplyCertificate', { DomainName: 'a.com', Tags: [{ Key: 'k', Value: 'v' }], Alias: undefined });
    expect(requestFingerprint('ApplyCertificate', { Tags: [{ Value: 'v', Key: 'k' }], DomainName: 'a.com' })).toBe(f);
    expect(requestFingerprint('ApplyCertificate', { DomainName: 'b.com', Tags: [{ Key: 'k', Value: 'v' }] })).not.toBe(f);
    expect(requestFingerprint('SubmitCertificateInformation', { DomainName: 'a.com', Tags: [{ Key: 'k', Value: 'v' }] })).not.toBe(f);
    expect(requestFingerprint('X', { ids: [1, 2] })).not.toBe(requestFingerprint('X', { ids: [2, 1] }));
    expect(f).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: 1, a: { d: [undefined, 2], c: null } })).toBe('{"a":{"c":null,"d":[null,2]},"b":1}');
  });
});
