/**
 * The gateway's composition, shared by every way of serving it: the upstream client (with the
 * shared limiter and idempotency store when REDIS_URL is set), authentication, request logging,
 * and the surfaces it is given. Each surface is a factory (./graphql.ts, ./rest.ts) passed in by
 * the caller, so a Lambda function bundles only its own: the REST function has no graphql and no
 * Apollo in it (src/app.ts composes both for the local server and the tests).
 *
 * Nothing here runs at import time: the gateway is built on the first invocation, through
 * `memoizeGateway`, and reused by every later invocation of the container.
 */
import { DEFAULT_SSL_ENDPOINT, type Config, type Credentials } from '../config';
import { jsonResult, methodNotAllowed, notFound } from '../http/results';
import { isHealthPath } from '../http/routes';
import type { GatewayRequest, GatewayResponse, GatewayResult, InvocationContext, Surface, SurfaceHandler } from '../http/types';
import type { PlaygroundPageOptions } from '../playground';
import { createUpstreamClient, type UpstreamClient, type UpstreamClientOptions } from '../upstream';
import type { RequestDeadline } from '../http/deadline';
import type { WaitClock, WaitPolicy } from '../tasks/wait';
import { createUpstreamCache, type InnerCaller, type UpstreamCache } from '../upstream/cache';
import { assertProductionAuth, createAuthGuard, createAuthenticator, type AuthConfig } from '../auth';
import { createIdempotencyService, fingerprintKey, memoryStoreFor, type IdempotencyService } from '../idempotency';
import { createLogger, currentScope, recordUpstreamCall, type Logger } from '../observability/log';
import { withRequestLog } from '../observability/request-log';
import { httpStatusOf } from '../errors';
import type { GatewayGraphQL } from '../graphql/server';

export type { GatewayResult, InvocationContext, Surface, SurfaceHandler };


/** Where upstream calls go: the embedded/standalone simulator or the real Tencent Cloud API. */
export type UpstreamMode = 'simulator' | 'tencent';

/** Settings of the HTTP surfaces: `Config`'s, unless `createGateway`'s options replace them. */
export interface GatewaySettings {
  /**
   * `GRAPHQL_PLAYGROUND` (`config.graphqlPlayground`): serve the GraphiQL page on a browser's
   * `GET /graphql`. @default true, except when env is `production`
   */
  playground: boolean;
  /**
   * `GRAPHQL_INTROSPECTION` (`config.graphqlIntrospection`): allow schema introspection.
   * @default true, except when env is `production`
   */
  introspection: boolean;
  /**
   * `CORS_ALLOWED_ORIGINS` (`config.corsAllowedOrigins`): browser origins allowed to call the
   * gateway, comma-separated: exact origins (`https://app.example.com`), `scheme://host:*` for any
   * port of a host, or `*` for any origin (never for production).
   * @default none; in env `development`: `http://localhost:*`, `http://127.0.0.1:*`
   */
  corsAllowedOrigins: readonly string[];
  /**
   * `PUBLIC_DOCS` (`config.publicDocs`): `/v1/openapi.json`, `/v1/docs` and its files need no
   * credential. @default true
   */
  publicDocs: boolean;
}

export function gatewaySettings(config: Config, overrides: Partial<GatewaySettings> = {}): GatewaySettings {
  return {
    playground: overrides.playground ?? config.graphqlPlayground,
    introspection: overrides.introspection ?? config.graphqlIntrospection,
    corsAllowedOrigins: overrides.corsAllowedOrigins ?? config.corsAllowedOrigins,
    publicDocs: overrides.publicDocs ?? config.publicDocs,
  };
}

/**
 * A check run on every GraphQL operation and REST call before it is handled (not on the
 * playground's page and assets, nor on `/healthz`): answer a response to refuse the request,
 * undefined to let it through. This is where client authentication plugs in.
 */
export type GatewayGuard = (req: GatewayRequest, surface: Surface) => Promise<GatewayResponse | undefined> | GatewayResponse | undefined;

export interface GatewayOptions {
  /**
   * Upstream endpoint and credentials replacing `config.upstream`'s: the local server passes the
   * embedded simulator's here when no TENCENTCLOUD_SECRET_ID is set.
   */
  upstream?: { endpoint: string; credentials: Credentials } & Partial<Omit<UpstreamClientOptions, 'endpoint' | 'credentials'>>;
  /** Reported by `/healthz`. @default 'tencent' for a `*.tencentcloudapi.com` endpoint, else 'simulator' */
  mode?: UpstreamMode;
  settings?: Partial<GatewaySettings>;
  /** Page options of the playground (e.g. headers to pre-fill such as a demo API key). */
  playground?: PlaygroundPageOptions;
  /** Replaces the authentication check (tests); @default the authenticator built from `auth` */
  guard?: GatewayGuard;
  /** Authentication settings replacing `config.auth` (the local server adds its demo key). */
  auth?: AuthConfig;
  /** Where request log lines go. @default a pino logger on stdout at `config.logLevel` */
  logger?: Logger;
  /**
   * The surfaces this process serves. Each Lambda function serves one: the REST function then
   * never builds the GraphQL schema (most of a cold start). @default ['graphql', 'rest']
   */
  surfaces?: readonly Surface[];
  /**
   * The clock of bounded waits (GraphQL `awaitCompletion`, REST `?wait=`) and their policy. Tests
   * pass a virtual clock whose sleeps advance the simulator's business time. @default real time
   */
  waitClock?: WaitClock;
  waitPolicy?: WaitPolicy;
  /**
   * Builds each request's deadline. @default the invocation's remaining time (or
   * `config.functionTimeoutMs`) minus `config.deadlineMarginMs`, on the system clock
   */
  deadline?: (invocation: InvocationContext | undefined) => RequestDeadline;
  /** Wraps the upstream client beneath the cache and both surfaces (tests: answers with virtual latency). */
  wrapUpstream?: (client: UpstreamClient) => InnerCaller;
}

export interface Gateway {
  readonly mode: UpstreamMode;
  readonly config: Config;
  readonly settings: GatewaySettings;
  readonly upstream: UpstreamClient;
  /** The read cache and coalescing in front of `upstream` (both surfaces call through it). */
  readonly cache: UpstreamCache;
  /** Undefined when this process does not serve the GraphQL surface. */
  readonly graphql?: GatewayGraphQL;
  readonly graphqlHandler: SurfaceHandler;
  readonly restHandler: SurfaceHandler;
  readonly logger: Logger;
  /** Stops the GraphQL server and closes the upstream connection pool. */
  close(): Promise<void>;
}

export function upstreamModeOf(endpoint: string): UpstreamMode {
  try {
    const host = new URL(endpoint).hostname;
    return host === new URL(DEFAULT_SSL_ENDPOINT).hostname || host.endsWith('.tencentcloudapi.com') ? 'tencent' : 'simulator';
  } catch {
    return 'simulator';
  }
}

/** What a surface factory gets: the shared parts, composed once. */
export interface SurfaceDeps {
  config: Config;
  settings: GatewaySettings;
  options: GatewayOptions;
  mode: UpstreamMode;
  upstream: UpstreamClient;
  /** The read cache in front of `upstream`: what both surfaces call. */
  cache: UpstreamCache;
  idempotency: IdempotencyService;
  logger: Logger;
  authGuard: ReturnType<typeof createAuthGuard>;
  /** Authentication settings in force (`options.auth` or `config.auth`). */
  authConfig: AuthConfig;
  /** Authentication (or the test's replacement): run before every operation and REST call. */
  guard: GatewayGuard;
  /** One deadline per invocation: its remaining time (or the configured budget) minus the margin. */
  deadlineOptions: { defaultMs: number; marginMs: number };
}

export interface BuiltSurface {
  handler: SurfaceHandler;
  graphql?: GatewayGraphQL;
  close?: () => Promise<void>;
}

/** Builds one surface; may fail (the composition then releases what it opened). */
export type SurfaceFactory = (deps: SurfaceDeps) => Promise<BuiltSurface> | BuiltSurface;

export async function composeGateway(config: Config, options: GatewayOptions, surfaces: { graphql?: SurfaceFactory; rest?: SurfaceFactory }): Promise<Gateway> {
  const settings = gatewaySettings(config, options.settings);
  const endpoint = options.upstream?.endpoint ?? config.upstream.endpoint;
  const mode = options.mode ?? upstreamModeOf(endpoint);
  const authConfig = options.auth ?? config.auth;
  // A production deployment without any client credentials refuses to start (unless disabled).
  const { warnings } = assertProductionAuth({ env: config.env, auth: authConfig });

  const credentials = options.upstream?.credentials ?? config.upstream.credentials;
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      secrets: [credentials?.secretKey, credentials?.sessionToken].filter((s): s is string => typeof s === 'string'),
    });
  for (const w of warnings) logger.warn({ warning: w }, 'configuration');

  // Idempotency fingerprints are keyed by the deployment's SecretKey (src/idempotency/fingerprint.ts).
  const fpKey = credentials?.secretKey ? fingerprintKey(credentials.secretKey) : undefined;
  // With REDIS_URL, every gateway instance shares one per-action budget, one idempotency store
  // and one read cache. What talks to Redis is loaded only here: in the Lambda bundle a chunk
  // (with ioredis behind it) that a start without Redis never reads.
  const redisUrl = config.redisUrl;
  const redis = redisUrl ? await (await import('./redis-backends')).openRedisBackends({ ...config, redisUrl }, logger) : undefined;
  const sharedLimiter = redis?.limiter;
  const idempotency: IdempotencyService = redis
    ? createIdempotencyService(redis.idempotencyStore, config.idempotency, { onClose: () => redis.idempotencyStore.close(), logger, fingerprintKey: fpKey })
    : createIdempotencyService(memoryStoreFor(config.idempotency), config.idempotency, { logger, fingerprintKey: fpKey });

  const upstream = createUpstreamClient(config.upstream, {
    ...(options.upstream ?? {}),
    ...(sharedLimiter ? { limiter: sharedLimiter } : {}),
    onCall: recordUpstreamCall,
    // Fair shares and quotas are per caller: the identity the request authenticated as.
    callerOf: () => currentScope()?.callerId,
  });
  // Beneath both surfaces and beneath the per-caller scope guard (REST wraps it per request,
  // GraphQL checks scopes per field before executing): authorization runs before any answer is
  // taken from the cache, and key material is redacted from cached answers as from fresh ones.
  const cache = createUpstreamCache(options.wrapUpstream ? options.wrapUpstream(upstream) : upstream, {
    config: config.cache,
    endpoint: options.upstream?.endpoint ?? config.upstream.endpoint,
    secretId: credentials?.secretId ?? '',
    redisStore: redis?.cacheStore,
    logger,
  });
  if (cache.redis) await cache.redis.ready(Math.max(1_000, config.cache.redisTimeoutMs));

  const authenticator = createAuthenticator(authConfig);
  const authGuard = createAuthGuard(authenticator);
  const authenticate: GatewayGuard = options.guard ?? ((req, surface) => authGuard.guard(req, surface));
  const guard: GatewayGuard = async (req, surface) => {
    const refused = await authenticate(req, surface);
    // The request scope carries the caller to the upstream client (fair shares, quotas).
    const scope = currentScope();
    if (refused === undefined && scope !== undefined) scope.callerId = authGuard.identityOf(req)?.id;
    return refused;
  };
  const deadlineOptions = { defaultMs: config.functionTimeoutMs, marginMs: config.deadlineMarginMs };
  const deps: SurfaceDeps = { config, settings, options, mode, upstream, cache, idempotency, logger, authConfig, authGuard, guard, deadlineOptions };

  const releaseShared = async () => {
    await upstream.close().catch(() => {});
    await cache.close().catch(() => {});
    await sharedLimiter?.close().catch(() => {});
    await idempotency.close().catch(() => {});
  };
  let graphqlSurface: BuiltSurface | undefined;
  let restSurface: BuiltSurface | undefined;
  try {
    // The GraphQL surface fails here, not on the first client request, when its server cannot start.
    graphqlSurface = surfaces.graphql ? await surfaces.graphql(deps) : undefined;
    restSurface = surfaces.rest ? await surfaces.rest(deps) : undefined;
  } catch (err) {
    await graphqlSurface?.close?.().catch(() => {});
    await releaseShared();
    throw err;
  }

  const absent = (what: string): SurfaceHandler => async (req) => notFound(req, `This function does not serve the ${what} surface`);
  const graphqlCore: SurfaceHandler = graphqlSurface?.handler ?? (async (req) => notFound(req, `No GraphQL route for ${req.path}`));
  const restCore: SurfaceHandler = async (req, invocation) => {
    if (isHealthPath(req.path)) {
      const method = req.method.toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(req, 'GET, HEAD');
      return jsonResult(200, { status: 'ok', upstream: { mode } }, { 'cache-control': 'no-store' });
    }
    return (restSurface?.handler ?? absent('REST'))(req, invocation);
  };

  /** One JSON log line per request, with the upstream calls it made. */
  const logOptions = {
    logger,
    callerOf: (req: GatewayRequest) => authGuard.identityOf(req)?.id,
    // Codes answered with 200 (persisted-query misses) count as client errors (the log's 400 fallback).
    statusOfCode: (code: string) => {
      const status = httpStatusOf(code);
      return status !== undefined && status >= 400 ? status : undefined;
    },
    isHealthPath,
  };
  const logged = (surface: 'graphql' | 'rest', core: SurfaceHandler): SurfaceHandler => withRequestLog(surface, core, logOptions);

  const graphqlHandler = logged('graphql', graphqlCore);
  const restHandler = logged('rest', restCore);

  let closing: Promise<void> | undefined;
  return {
    mode,
    config,
    settings,
    upstream,
    cache,
    graphql: graphqlSurface?.graphql,
    graphqlHandler,
    restHandler,
    logger,
    close: () =>
      (closing ??= (async () => {
        await graphqlSurface?.close?.().catch(() => {});
        await upstream.close();
        await cache.close().catch(() => {});
        await sharedLimiter?.close().catch(() => {});
        await idempotency.close().catch(() => {});
      })()),
  };
}

/**
 * Memoizes the gateway of a process: built on the first call, shared by every later one. A failed
 * build is not kept, so the next invocation tries again (e.g. after a secret was fixed).
 */
export function memoizeGateway(build: () => Promise<Gateway>): () => Promise<Gateway> {
  let pending: Promise<Gateway> | undefined;
  return () => {
    pending ??= build().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
