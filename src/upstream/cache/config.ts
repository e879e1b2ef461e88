/**
 * Cache settings, read by `loadConfig` (src/config.ts, the one reader of the environment):
 *
 * | variable                      | meaning                                                              | default |
 * |-------------------------------|----------------------------------------------------------------------|---------|
 * | `CACHE_TTL_SECONDS`           | fresh time of list/detail reads; `0` turns the cache and coalescing off | 5    |
 * | `CACHE_TTL_OVERRIDES`         | `Action=seconds,...` per read action (0: off for it); wins over the above | none |
 * | `CACHE_MAX_STALE_SECONDS`     | oldest age past freshness at which an answer is still served, marked stale | 30 |
 * | `CACHE_MEMORY_MAX_BYTES`      | bound of the in-process store                                         | 33554432 |
 * | `CACHE_REDIS_MAX_ENTRY_BYTES` | largest answer stored in Redis                                        | 262144  |
 * | `CACHE_REDIS_TIMEOUT_MS`      | a cache command without a reply by then falls back; 3 in a row: Redis down | 500 |
 * | `CACHE_COALESCE_WAIT_MS`      | how long an instance waits for another instance's identical read      | 3000    |
 */
import { overrideProblems } from './ttl-table';

export interface CacheConfig {
  /** `CACHE_TTL_SECONDS` (undefined: the table's default). */
  readonly ttlSeconds?: number;
  /** `CACHE_TTL_OVERRIDES`. @default {} */
  readonly ttlOverrides: Readonly<Record<string, number>>;
  /** `CACHE_MAX_STALE_SECONDS`. @default 30 */
  readonly maxStaleSeconds: number;
  /** `CACHE_MEMORY_MAX_BYTES`. @default 33554432 */
  readonly memoryMaxBytes: number;
  /** `CACHE_REDIS_MAX_ENTRY_BYTES`. @default 262144 */
  readonly redisMaxEntryBytes: number;
  /** `CACHE_REDIS_TIMEOUT_MS`. @default 500 */
  readonly redisTimeoutMs: number;
  /** `CACHE_COALESCE_WAIT_MS`. @default 3000 */
  readonly coalesceWaitMs: number;
}

/** The subset of `EnvReader` (src/config.ts) used here. */
export interface CacheEnvReader {
  int(name: string, def: number, min: number, max: number): number;
  raw(name: string): string | undefined;
  readonly problems: { variable: string; problem: string }[];
}

export function readCacheConfig(r: CacheEnvReader): CacheConfig {
  const ttlRaw = r.raw('CACHE_TTL_SECONDS');
  const ttlSeconds = ttlRaw === undefined ? undefined : r.int('CACHE_TTL_SECONDS', 5, 0, 86_400);
  const ttlOverrides: Record<string, number> = {};
  for (const part of (r.raw('CACHE_TTL_OVERRIDES') ?? '').split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(\d+)$/.exec(item);
    if (!m || Number(m[2]) > 86_400) {
      r.problems.push({ variable: 'CACHE_TTL_OVERRIDES', problem: `expected "Action=seconds[,Action=seconds...]" (0 to 86400), bad item "${item}"` });
    } else if (Object.prototype.hasOwnProperty.call(ttlOverrides, m[1])) {
      r.problems.push({ variable: 'CACHE_TTL_OVERRIDES', problem: `action ${m[1]} is listed twice` });
    } else {
      ttlOverrides[m[1]] = Number(m[2]);
    }
  }
  for (const problem of overrideProblems(ttlOverrides)) r.problems.push({ variable: 'CACHE_TTL_OVERRIDES', problem });
  return {
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    ttlOverrides,
    maxStaleSeconds: r.int('CACHE_MAX_STALE_SECONDS', 30, 0, 86_400),
    memoryMaxBytes: r.int('CACHE_MEMORY_MAX_BYTES', 32 * 1024 * 1024, 0, 4 * 1024 * 1024 * 1024),
    redisMaxEntryBytes: r.int('CACHE_REDIS_MAX_ENTRY_BYTES', 256 * 1024, 1_024, 64 * 1024 * 1024),
    redisTimeoutMs: r.int('CACHE_REDIS_TIMEOUT_MS', 500, 1, 10_000),
    coalesceWaitMs: r.int('CACHE_COALESCE_WAIT_MS', 3_000, 0, 60_000),
  };
}
