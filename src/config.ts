/**
 * Gateway configuration. This is the ONLY module that reads `process.env`; everything else takes
 * a `Config` (or a part of it) as a parameter.
 *
 * `loadConfig(env)` validates every variable, collects all problems and throws one `ConfigError`
 * naming each malformed variable (never echoing secret values). The result is deeply frozen.
 *
 * To add settings: add a field to the interface (with JSDoc and `@default`), read it in
 * `loadConfig` through the `EnvReader` helpers, and document the variable in the README.
 */

import { readAuthConfig, type AuthConfig } from './auth/config';
import type { Credentials, UpstreamLanguage } from './upstream/credentials';
import type { UpstreamSettings } from './upstream';
import type { IdempotencyConfig } from './idempotency/service';

export type { Credentials, IdempotencyConfig, UpstreamLanguage };
import { readGraphQLLimitsConfig, type GraphQLLimits } from './graphql/limits/settings';
import { readCacheConfig, type CacheConfig } from './upstream/cache/config';

export type GatewayEnv = 'development' | 'test' | 'staging' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/**
 * `Config.upstream`: the upstream client's settings (documented where they are declared,
 * src/upstream/index.ts) plus what the composition needs for the shared limiter.
 */
export interface UpstreamConfig extends UpstreamSettings {
  /** `RATE_LIMIT_REDIS_FALLBACK` (`memory` | `reject`): behaviour while Redis is unreachable. @default 'memory' */
  readonly rateLimitRedisFallback: 'memory' | 'reject';
  /**
   * `RATE_LIMIT_FALLBACK_PERCENT`: share of the documented budget a process uses on its own while
   * Redis is down. The default keeps two instances that fall back at once within the budget; use
   * 100/N for N instances (100 lets every instance use the whole budget). @default 50
   */
  readonly rateLimitFallbackPercent: number;
  /**
   * `RATE_LIMIT_WINDOW_GUARD_MS`: margin added to each 1 s window of the shared limiter (and its
   * fallback): up to 25 ms of it is the tolerance for a late call start (a later one waits for
   * another slot), the rest absorbs network jitter. Costs guard / (1000 + guard) of the throughput.
   * @default 100
   */
  readonly rateLimitWindowGuardMs: number;
  /**
   * Fair shares of an action's budget between callers (API keys, JWT clients):
   * - `RATE_LIMIT_CALLER_WEIGHTS`: `callerId=weight,...` (ids as logged, e.g. `key:abc=2,jwt:iss#sub=1`;
   *   default weight 1);
   * - `RATE_LIMIT_CALLER_MAX_QUEUED`: calls one caller may have queued per action (default 20);
   * - `RATE_LIMIT_CALLER_RATE`: calls per second one caller may make per action (default: unbounded).
   */
  readonly rateLimitFairShare: {
    readonly callerWeights: Readonly<Record<string, number>>;
    readonly maxQueuedPerCaller: number;
    readonly callerRatePerSecond?: number;
  };
}

export interface Config {
  /** `GATEWAY_ENV`, else derived from `NODE_ENV` (`production`/`test`, anything else `development`). @default 'development' */
  readonly env: GatewayEnv;
  /** `NODE_ENV` as given. @default 'development' */
  readonly nodeEnv: string;
  /** `PORT`: gateway HTTP port. @default 4000 */
  readonly port: number;
  /** `SIMULATOR_PORT`: simulator HTTP port. @default 4010 */
  readonly simulatorPort: number;
  /** `LOG_LEVEL` (pino levels). @default 'info' ('silent' when env is test) */
  readonly logLevel: LogLevel;
  /** `REDIS_URL` (`redis://` or `rediss://`): shared rate-limit and idempotency store when set. @default undefined */
  readonly redisUrl?: string;
  /** `REDIS_KEY_PREFIX`: prefix of every Redis key (one per upstream account). @default 'ssl-gateway:' */
  readonly redisKeyPrefix: string;
  /**
   * `REDIS_COMMAND_TIMEOUT_MS`: a rate-limit command whose reply has not arrived within this counts
   * as Redis being down (a reply that arrived but was read late because the process was busy does
   * not). @default 2000
   */
  readonly redisCommandTimeoutMs: number;
  readonly upstream: UpstreamConfig;
  /** Client authentication (`GATEWAY_AUTH`, `GATEWAY_API_KEYS`, `GATEWAY_JWT_*`); see src/auth/config.ts. */
  readonly auth: AuthConfig;
  /** GraphQL guards (`GRAPHQL_MAX_*`, `GRAPHQL_INTROSPECTION`); see src/graphql/limits/config.ts. */
  readonly graphqlLimits: GraphQLLimits;
  /** `GRAPHQL_INTROSPECTION` (same value as `graphqlLimits.introspection`). @default env !== 'production' */
  readonly graphqlIntrospection: boolean;
  /** `GRAPHQL_PLAYGROUND`: serve the offline GraphiQL page on a browser's GET /graphql. @default env !== 'production' */
  readonly graphqlPlayground: boolean;
  /**
   * `PUBLIC_DOCS`: `GET /v1/openapi.json`, `GET /v1/docs` and the docs page's files answer without
   * a credential. `false` puts them behind client authentication like every other route.
   * @default true
   */
  readonly publicDocs: boolean;
  /**
   * `CORS_ALLOWED_ORIGINS`: comma-separated exact origins, `scheme://host:*`, or `*`.
   * @default none; in development `http://localhost:*,http://127.0.0.1:*`
   */
  readonly corsAllowedOrigins: readonly string[];
  /** `MAX_BODY_BYTES`: largest accepted request body (GraphQL and REST). @default 1048576 */
  readonly maxBodyBytes: number;
  /**
   * `FUNCTION_TIMEOUT_MS`: time budget of one request when the runtime gives none (the local
   * server, direct calls); on Lambda the invocation's remaining time is used instead. Every wait,
   * re-call and serial mutation field of the request shares it. @default 28000 (serverless.yml)
   */
  readonly functionTimeoutMs: number;
  /**
   * `DEADLINE_MARGIN_MS`: time kept back from the request's budget so that the answer still gets
   * out (work stops this long before the function would be killed). @default 1000
   */
  readonly deadlineMarginMs: number;
  readonly idempotency: IdempotencyConfig;
  /** The upstream read cache (`CACHE_*`); see src/upstream/cache/config.ts. */
  readonly cache: CacheConfig;
}


/** Origins allowed by default in env `development` (the local server and a frontend dev server). */
export const DEV_CORS_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

export const DEFAULT_SSL_ENDPOINT = 'https://ssl.tencentcloudapi.com';

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by `loadConfig`; `variables` names every malformed variable. */
export class ConfigError extends Error {
  constructor(
    readonly problems: ReadonlyArray<{ variable: string; problem: string }>,
  ) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }
  get variables(): string[] {
    return this.problems.map((p) => p.variable);
  }
}

/** Reads variables, recording problems instead of throwing so all of them are reported at once. */
export class EnvReader {
  readonly problems: { variable: string; problem: string }[] = [];
  constructor(private readonly env: Env) {}

  private fail(variable: string, problem: string): undefined {
    this.problems.push({ variable, problem });
    return undefined;
  }

  /** Trimmed value; unset and empty are both "not set". */
  raw(name: string): string | undefined {
    const v = this.env[name];
    if (v === undefined) return undefined;
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  string(name: string): string | undefined {
    return this.raw(name);
  }

  /** A secret: must not have surrounding whitespace; its value is never put in a message. */
  secret(name: string): string | undefined {
    const v = this.env[name];
    if (v === undefined || v === '') return undefined;
    if (v.trim() !== v) return this.fail(name, 'must not have leading or trailing whitespace');
    if (/\s/.test(v)) return this.fail(name, 'must not contain whitespace');
    return v;
  }

  int(name: string, def: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v)) return this.fail(name, `must be an integer between ${min} and ${max}, got "${v}"`) ?? def;
    const n = Number(v);
    if (n < min || n > max) return this.fail(name, `must be between ${min} and ${max}, got ${n}`) ?? def;
    return n;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (/^(true|1|yes|on)$/i.test(v)) return true;
    if (/^(false|0|no|off)$/i.test(v)) return false;
    return this.fail(name, `must be true or false, got "${v}"`) ?? def;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    return hit ?? this.fail(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
  }

  url(name: string, def: string | undefined, protocols: readonly string[]): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return def;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return this.fail(name, `must be an absolute URL, got "${redactUrl(v)}"`) ?? def;
    }
    if (!protocols.includes(u.protocol)) {
      return this.fail(name, `must use ${protocols.join(' or ')}, got "${u.protocol}"`) ?? def;
    }
    return v;
  }

  /**
   * A comma-separated list of `key=number` items (whitespace around items tolerated): each item
   * goes through `parse` (undefined: malformed, reported with `expected`); a key listed twice is an
   * error naming it as `what`.
   */
  private numberMap(name: string, expected: string, what: string, parse: (item: string) => [string, number] | undefined): Record<string, number> {
    const v = this.raw(name);
    const out: Record<string, number> = {};
    if (v === undefined) return out;
    for (const part of v.split(',')) {
      const item = part.trim();
      if (item === '') continue;
      const pair = parse(item);
      if (pair === undefined) {
        this.fail(name, `expected ${expected}, bad item "${item}"`);
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(out, pair[0])) {
        this.fail(name, `${what} ${pair[0]} is listed twice`);
        continue;
      }
      out[pair[0]] = pair[1];
    }
    return out;
  }

  /**
   * `id=weight,id=weight`: ids are opaque (they may hold `:`, `#`, even `=`), so each item splits
   * at its LAST `=`; weights are numbers > 0.
   */
  weightMap(name: string): Record<string, number> {
    return this.numberMap(name, '"callerId=weight[,callerId=weight...]" with weights > 0', 'caller', (item) => {
      const at = item.lastIndexOf('=');
      const id = at > 0 ? item.slice(0, at).trim() : '';
      const weight = at > 0 ? item.slice(at + 1).trim() : '';
      return id === '' || !/^\d+(?:\.\d+)?$/.test(weight) || Number(weight) <= 0 ? undefined : [id, Number(weight)];
    });
  }

  /** `Name=number,Name=number` (whitespace tolerated; numbers > 0). */
  rateMap(name: string): Record<string, number> {
    return this.numberMap(name, '"Action=callsPerSecond[,Action=callsPerSecond...]"', 'action', (item) => {
      const m = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(\d+(?:\.\d+)?)$/.exec(item);
      return m === null || Number(m[2]) <= 0 ? undefined : [m[1], Number(m[2])];
    });
  }
}

/** Hides userinfo of a URL (e.g. a Redis password) before it appears in a message. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/[^/@]*@/, '//***@');
}

const REDACTED = '[redacted]';

function makeCredentials(secretId: string, secretKey: string, sessionToken: string | undefined): Credentials {
  const creds: Credentials = sessionToken === undefined ? { secretId, secretKey } : { secretId, secretKey, sessionToken };
  const safe = (): Record<string, string> =>
    sessionToken === undefined ? { secretId, secretKey: REDACTED } : { secretId, secretKey: REDACTED, sessionToken: REDACTED };
  Object.defineProperty(creds, 'toJSON', { value: safe, enumerable: false });
  Object.defineProperty(creds, Symbol.for('nodejs.util.inspect.custom'), { value: safe, enumerable: false });
  return creds;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const GATEWAY_ENVS: readonly GatewayEnv[] = ['development', 'test', 'staging', 'production'];

export function loadConfig(env: Env = process.env): Config {
  const r = new EnvReader(env);

  const nodeEnv = r.string('NODE_ENV') ?? 'development';
  const gatewayEnv: GatewayEnv =
    r.oneOf('GATEWAY_ENV', GATEWAY_ENVS) ?? (nodeEnv === 'production' ? 'production' : nodeEnv === 'test' ? 'test' : 'development');

  const secretId = r.secret('TENCENTCLOUD_SECRET_ID');
  const secretKey = r.secret('TENCENTCLOUD_SECRET_KEY');
  const sessionToken = r.secret('TENCENTCLOUD_SESSION_TOKEN');
  let credentials: Credentials | undefined;
  if (secretId !== undefined && secretKey !== undefined) {
    credentials = makeCredentials(secretId, secretKey, sessionToken);
  } else if (secretId !== undefined && env.TENCENTCLOUD_SECRET_KEY === undefined) {
    r.problems.push({ variable: 'TENCENTCLOUD_SECRET_KEY', problem: 'is required when TENCENTCLOUD_SECRET_ID is set' });
  } else if (secretKey !== undefined && env.TENCENTCLOUD_SECRET_ID === undefined) {
    r.problems.push({ variable: 'TENCENTCLOUD_SECRET_ID', problem: 'is required when TENCENTCLOUD_SECRET_KEY is set' });
  }

  const region = r.string('TENCENTCLOUD_REGION');
  if (region !== undefined && !/^[a-z]{2,}(-[a-z0-9]+)+$/.test(region)) {
    r.problems.push({ variable: 'TENCENTCLOUD_REGION', problem: `must look like "ap-guangzhou", got "${region}"` });
  }

  const endpoint = (r.url('TENCENTCLOUD_SSL_ENDPOINT', DEFAULT_SSL_ENDPOINT, ['https:', 'http:']) ?? DEFAULT_SSL_ENDPOINT).replace(/\/+$/, '');

  const requestTimeoutMs = r.int('UPSTREAM_REQUEST_TIMEOUT_MS', 10_000, 1, 600_000);
  const retryBaseDelayMs = r.int('UPSTREAM_RETRY_BASE_DELAY_MS', 100, 0, 60_000);
  const retryMaxDelayMs = r.int('UPSTREAM_RETRY_MAX_DELAY_MS', 2_000, 0, 600_000);
  if (retryMaxDelayMs < retryBaseDelayMs) {
    r.problems.push({ variable: 'UPSTREAM_RETRY_MAX_DELAY_MS', problem: 'must be >= UPSTREAM_RETRY_BASE_DELAY_MS' });
  }

  const upstream: UpstreamConfig = {
    credentials,
    region,
    endpoint,
    language: r.oneOf('TENCENTCLOUD_LANGUAGE', ['zh-CN', 'en-US'] as const),
    connectTimeoutMs: r.int('UPSTREAM_CONNECT_TIMEOUT_MS', 3_000, 1, 600_000),
    requestTimeoutMs,
    maxAttempts: r.int('UPSTREAM_MAX_ATTEMPTS', 3, 1, 10),
    retryBaseDelayMs,
    retryMaxDelayMs,
    maxConnections: r.int('UPSTREAM_MAX_CONNECTIONS', 16, 1, 1024),
    keepAliveTimeoutMs: r.int('UPSTREAM_KEEPALIVE_TIMEOUT_MS', 4_000, 1, 600_000),
    rateLimitMaxWaitMs: r.int('RATE_LIMIT_MAX_WAIT_MS', 2_000, 0, 600_000),
    rateLimitOverrides: r.rateMap('RATE_LIMIT_OVERRIDES'),
    rateLimitRedisFallback: r.oneOf('RATE_LIMIT_REDIS_FALLBACK', ['memory', 'reject'] as const) ?? 'memory',
    rateLimitFallbackPercent: r.int('RATE_LIMIT_FALLBACK_PERCENT', 50, 1, 100),
    rateLimitWindowGuardMs: r.int('RATE_LIMIT_WINDOW_GUARD_MS', 100, 0, 1000),
    rateLimitFairShare: {
      callerWeights: r.weightMap('RATE_LIMIT_CALLER_WEIGHTS'),
      maxQueuedPerCaller: r.int('RATE_LIMIT_CALLER_MAX_QUEUED', 20, 1, 100_000),
      ...(r.raw('RATE_LIMIT_CALLER_RATE') === undefined ? {} : { callerRatePerSecond: r.int('RATE_LIMIT_CALLER_RATE', 1, 1, 100_000) }),
    },
  };

  const graphqlLimits = readGraphQLLimitsConfig(r, gatewayEnv);
  const corsRaw = r.raw('CORS_ALLOWED_ORIGINS');
  const corsAllowedOrigins =
    corsRaw !== undefined
      ? corsRaw.split(',').map((o) => o.trim()).filter(Boolean)
      : gatewayEnv === 'development'
        ? DEV_CORS_ORIGINS
        : [];
  const lockTtlMs = r.int('IDEMPOTENCY_LOCK_TTL_MS', 60_000, 1_000, 3_600_000);
  if (lockTtlMs < upstream.rateLimitMaxWaitMs + upstream.requestTimeoutMs) {
    r.problems.push({
      variable: 'IDEMPOTENCY_LOCK_TTL_MS',
      problem: 'must be at least RATE_LIMIT_MAX_WAIT_MS + UPSTREAM_REQUEST_TIMEOUT_MS (a first call must not be taken for lost while it runs)',
    });
  }

  const functionTimeoutMs = r.int('FUNCTION_TIMEOUT_MS', 28_000, 1_000, 900_000);
  const deadlineMarginMs = r.int('DEADLINE_MARGIN_MS', 1_000, 0, 60_000);
  if (deadlineMarginMs >= functionTimeoutMs) {
    r.problems.push({ variable: 'DEADLINE_MARGIN_MS', problem: 'must be less than FUNCTION_TIMEOUT_MS' });
  }

  const config: Config = {
    env: gatewayEnv,
    nodeEnv,
    port: r.int('PORT', 4000, 0, 65_535),
    simulatorPort: r.int('SIMULATOR_PORT', 4010, 0, 65_535),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS) ?? (gatewayEnv === 'test' ? 'silent' : 'info'),
    redisUrl: r.url('REDIS_URL', undefined, ['redis:', 'rediss:']),
    redisKeyPrefix: r.string('REDIS_KEY_PREFIX') ?? 'ssl-gateway:',
    redisCommandTimeoutMs: r.int('REDIS_COMMAND_TIMEOUT_MS', 2_000, 1, 60_000),
    upstream,
    auth: readAuthConfig(r),
    graphqlLimits,
    graphqlIntrospection: graphqlLimits.introspection,
    graphqlPlayground: r.bool('GRAPHQL_PLAYGROUND', gatewayEnv !== 'production'),
    publicDocs: r.bool('PUBLIC_DOCS', true),
    corsAllowedOrigins,
    maxBodyBytes: r.int('MAX_BODY_BYTES', 1_048_576, 1_024, 6 * 1_048_576),
    functionTimeoutMs,
    deadlineMarginMs,
    idempotency: {
      ttlSeconds: r.int('IDEMPOTENCY_TTL_SECONDS', 86_400, 1, 30 * 86_400),
      lockTtlMs,
      waitTimeoutMs: r.int('IDEMPOTENCY_WAIT_MS', 10_000, 0, 600_000),
      maxEntries: r.int('IDEMPOTENCY_MAX_ENTRIES', 10_000, 10, 10_000_000),
      maxEntriesPerCaller: r.int('IDEMPOTENCY_MAX_ENTRIES_PER_CALLER', 1_000, 1, 10_000_000),
      maxBytesPerCaller: r.int('IDEMPOTENCY_MAX_BYTES_PER_CALLER', 1_048_576, 1_024, 1_073_741_824),
      maxOutcomeBytes: r.int('IDEMPOTENCY_MAX_OUTCOME_BYTES', 65_536, 256, 16_777_216),
    },
    cache: readCacheConfig(r),
  };

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

let cached: Config | undefined;

/** `loadConfig(process.env)`, memoized for the life of the process (Lambda container). */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
