/**
 * The gateway's idempotency service: one object per process, used by GraphQL mutations
 * (`idempotencyKey` argument) and REST write routes (`Idempotency-Key` header) alike. It binds a
 * store (Redis when `REDIS_URL` is set, else in memory) to the configured TTLs.
 */
import { requestFingerprint } from './fingerprint';
import { executeIdempotent, type IdempotentResult } from './run';
import { MemoryIdempotencyStore, type IdempotencyStore } from './store';

export interface IdempotencyService {
  /**
   * Runs `fn` at most once per (caller, key); repeats get the first outcome. Without a key, runs
   * `fn` as is. `operation` + `input` make the fingerprint: the same key with other input is refused.
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
  /** `IDEMPOTENCY_MAX_ENTRIES`: bound of the in-memory store. @default 10000 */
  readonly maxEntries: number;
}

export const DEFAULT_IDEMPOTENCY_CONFIG: IdempotencyConfig = { ttlSeconds: 86_400, lockTtlMs: 60_000, waitTimeoutMs: 10_000, maxEntries: 10_000 };

export function createIdempotencyService(
  store: IdempotencyStore = new MemoryIdempotencyStore({ maxEntries: DEFAULT_IDEMPOTENCY_CONFIG.maxEntries }),
  config: IdempotencyConfig = DEFAULT_IDEMPOTENCY_CONFIG,
  options: { onClose?: () => Promise<void> } = {},
): IdempotencyService {
  return {
    async run(key, caller, operation, input, fn) {
      if (key === undefined || key === null) return { value: await fn(), replayed: false };
      return executeIdempotent(
        store,
        {
          key,
          scope: caller,
          fingerprint: requestFingerprint(operation, input),
          ttlSeconds: config.ttlSeconds,
          lockTtlMs: config.lockTtlMs,
          waitTimeoutMs: config.waitTimeoutMs,
        },
        fn,
      );
    },
    close: async () => {
      await options.onClose?.();
    },
  };
}
