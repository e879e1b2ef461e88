/**
 * The gateway's idempotency service: one object per process, used by GraphQL mutations
 * (`idempotencyKey` argument) and REST write routes (`Idempotency-Key` header) alike. It binds a
 * store (Redis when `REDIS_URL` is set, else in memory) to the configured TTLs and bounds.
 *
 * Only write actions go through it (the surfaces decide, from the spec's read/write kind), and
 * only after the caller was authenticated and authorized for the request: a stored answer is
 * never looked at before that. Success values holding key material (`containsKeyMaterial`, from
 * the spec's key-material table) are never stored.
 */
import { containsKeyMaterial } from '../auth/scopes';
import type { WarnLogger } from '../upstream/redis-ratelimit';
import { requestFingerprint } from './fingerprint';
import { DEFAULT_MAX_OUTCOME_BYTES, executeIdempotent, type IdempotentResult } from './run';
import { DEFAULT_MAX_BYTES_PER_CALLER, DEFAULT_MAX_ENTRIES_PER_CALLER, MemoryIdempotencyStore, type IdempotencyStore } from './store';

export interface IdempotencyService {
  /**
   * Runs `fn` at most once per (caller, key); repeats get the first outcome. Without a key, runs
   * `fn` as is. `caller` is the namespaced identity (`Identity.id`). `operation` + `input` make
   * the fingerprint: the same key with other input is refused.
   */
  run<T>(key: string | undefined, caller: string, operation: string, input: unknown, fn: () => Promise<T>): Promise<IdempotentResult<T>>;
  close(): Promise<void>;
}

/** Idempotency settings (`Config.idempotency`, read from the environment by src/config.ts). */
export interface IdempotencyConfig {
  /** `IDEMPOTENCY_TTL_SECONDS`: how long a result is replayed for its key. @default 86400 */
  readonly ttlSeconds: number;
  /** `IDEMPOTENCY_LOCK_TTL_MS`: longest a first call may run before a duplicate treats it as lost. @default 60000 */
  readonly lockTtlMs: number;
  /** `IDEMPOTENCY_WAIT_MS`: how long a concurrent duplicate waits for the first. @default 10000 */
  readonly waitTimeoutMs: number;
  /** `IDEMPOTENCY_MAX_ENTRIES`: bound of the in-memory store, all callers together. @default 10000 */
  readonly maxEntries: number;
  /** `IDEMPOTENCY_MAX_ENTRIES_PER_CALLER`: live keys one caller may hold (memory and Redis). @default 1000 */
  readonly maxEntriesPerCaller: number;
  /** `IDEMPOTENCY_MAX_BYTES_PER_CALLER`: bytes of stored outcomes one caller may hold. @default 1048576 */
  readonly maxBytesPerCaller: number;
  /** `IDEMPOTENCY_MAX_OUTCOME_BYTES`: largest outcome kept for replay. @default 65536 */
  readonly maxOutcomeBytes: number;
}

export const DEFAULT_IDEMPOTENCY_CONFIG: IdempotencyConfig = {
  ttlSeconds: 86_400,
  lockTtlMs: 60_000,
  waitTimeoutMs: 10_000,
  maxEntries: 10_000,
  maxEntriesPerCaller: DEFAULT_MAX_ENTRIES_PER_CALLER,
  maxBytesPerCaller: DEFAULT_MAX_BYTES_PER_CALLER,
  maxOutcomeBytes: DEFAULT_MAX_OUTCOME_BYTES,
};

/** The in-memory store sized by `config`. */
export function memoryStoreFor(config: IdempotencyConfig = DEFAULT_IDEMPOTENCY_CONFIG): MemoryIdempotencyStore {
  return new MemoryIdempotencyStore({
    maxEntries: config.maxEntries,
    maxEntriesPerCaller: Math.min(config.maxEntriesPerCaller, config.maxEntries),
    maxBytesPerCaller: config.maxBytesPerCaller,
  });
}

export function createIdempotencyService(
  store: IdempotencyStore = memoryStoreFor(),
  config: IdempotencyConfig = DEFAULT_IDEMPOTENCY_CONFIG,
  options: { onClose?: () => Promise<void>; logger?: WarnLogger; fingerprintKey?: Uint8Array } = {},
): IdempotencyService {
  return {
    async run(key, caller, operation, input, fn) {
      if (key === undefined || key === null) return { value: await fn(), replayed: false };
      return executeIdempotent(
        store,
        {
          key,
          scope: caller,
          fingerprint: requestFingerprint(operation, input, options.fingerprintKey),
          ttlSeconds: config.ttlSeconds,
          lockTtlMs: config.lockTtlMs,
          waitTimeoutMs: config.waitTimeoutMs,
          maxOutcomeBytes: config.maxOutcomeBytes,
          isKeyMaterial: containsKeyMaterial,
          ...(options.logger ? { logger: options.logger } : {}),
        },
        fn,
      );
    },
    close: async () => {
      await options.onClose?.();
    },
  };
}
