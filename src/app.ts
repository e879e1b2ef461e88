/**
 * The gateway, composed once per process (Lambda container or local server): the upstream client,
 * the GraphQL server (started), the REST facade and the playground, behind two transport-neutral
 * surfaces:
 *
 *   graphqlHandler  `/graphql` (GET, POST) and the playground (`/graphql`, `/graphql/assets/*`)
 *   restHandler     `/v1/...` and `GET /healthz`
 *
 * Both take a `GatewayRequest` (plus the Lambda context when there is one) and answer a
 * `GatewayResult`. The Lambda entry points (`handlers/`) convert API Gateway v1/v2 and ALB events
 * to and from these and apply CORS; the local server (`src/dev/`) converts node:http requests to
 * API Gateway v2 events and calls those same Lambda handlers. So one request follows one path:
 * `handlers/lib/lambda.ts` → here → `src/graphql` or `src/rest` → `src/upstream` → the SSL API.
 *
 * Nothing here runs at import time: `createGateway` is called on the first invocation, through
 * `memoizeGateway`, and its result is reused by every later invocation of the container.
 */
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { Context as LambdaContext } from 'aws-lambda';
import { DEFAULT_SSL_ENDPOINT, type Config, type Credentials } from './config';
import { gatewayRequestHandler } from './graphql/http';
import { createGraphQLServer, type GatewayGraphQL } from './graphql/server';
import { createDeadline, type RequestDeadline } from './http/deadline';
import { jsonResult, methodNotAllowed, notFound } from './http/results';
import { isAssetPath, isDocsPath, isGraphQLPath, isHealthPath, isRestPath } from './http/routes';
import type { GatewayRequest, GatewayResponse, GatewayResult, InvocationContext, Surface, SurfaceHandler } from './http/types';
import { createPlayground, type PlaygroundPageOptions } from './playground';
import { createRestHandler } from './rest';
import { createUpstreamClient, type UpstreamClient } from './upstream';
import { credentialHint } from './auth/credential-hint';
import { assertProductionAuth, createAuthGuard, createAuthenticator, createIdentity, createScopedUpstream, type AuthConfig } from './auth';
import { createIdempotencyService, memoryStoreFor, RedisIdempotencyStore, type IdempotencyService } from './idempotency';
import { runAsApqCaller } from './graphql/apq';
import { createLogger, currentScope, recordUpstreamCall, type Logger } from './observability/log';
import { cacheExtensionPlugin } from './graphql/cache-extension';
import { createUpstreamCache, restCacheHeaders, type UpstreamCache } from './upstream/cache';
import { withRequestLog } from './observability/request-log';
import { createRedisRateLimiter, type RedisRateLimiter } from './upstream/redis-ratelimit';
import { specPolicyLookup } from './upstream/spec-policy';
import { DEFAULT_HTTP_STATUS } from './upstream/errors';

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
 * playground's page and assets, nor on `/healthz`, nor on the documentation while `publicDocs`): answer a response to refuse the request,
 * undefined to let it through. This is where client authentication plugs in.
 */
export type GatewayGuard = (req: GatewayRequest, surface: Surface) => Promise<GatewayResponse | undefined> | GatewayResponse | undefined;

export interface GatewayOptions {
  /**
   * Upstream endpoint and credentials replacing `config.upstream`'s: the local server passes the
   * embedded simulator's here when no TENCENTCLOUD_SECRET_ID is set.
   */
  upstream?: { endpoint: string; credentials: Credentials };
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

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
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

  // With REDIS_URL, every gateway instance shares one per-action budget and one idempotency store.
  let sharedLimiter: RedisRateLimiter | undefined;
  let idempotency: IdempotencyService;
  if (config.redisUrl) {
    const prefix = config.redisKeyPrefix;
    sharedLimiter = createRedisRateLimiter({
      url: config.redisUrl,
      policies: specPolicyLookup(config.upstream.rateLimitOverrides),
      maxWaitMs: config.upstream.rateLimitMaxWaitMs,
      keyPrefix: `${prefix}ratelimit:`,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      fallback: config.upstream.rateLimitRedisFallback,
      fallbackRateFactor: config.upstream.rateLimitFallbackPercent / 100,
      windowGuardMs: config.upstream.rateLimitWindowGuardMs,
      logger,
    });
    const store = new RedisIdempotencyStore({
      url: config.redisUrl,
      keyPrefix: `${prefix}idem:`,
      maxEntriesPerCaller: config.idempotency.maxEntriesPerCaller,
      maxBytesPerCaller: config.idempotency.maxBytesPerCaller,
    });
    idempotency = createIdempotencyService(store, config.idempotency, { onClose: () => store.close(), logger });
  } else {
    idempotency = createIdempotencyService(memoryStoreFor(config.idempotency), config.idempotency, { logger });
  }

  const upstream = createUpstreamClient(config.upstream, {
    ...(options.upstream ?? {}),
    ...(sharedLimiter ? { limiter: sharedLimiter } : {}),
    onCall: recordUpstreamCall,
  });
  // Beneath both surfaces and beneath the per-caller scope guard (REST wraps it per request,
  // GraphQL checks scopes per field before executing): authorization runs before any answer is
  // taken from the cache, and key material is redacted from cached answers as from fresh ones.
  const cache = createUpstreamCache(upstream, {
    config: config.cache,
    endpoint: options.upstream?.endpoint ?? config.upstream.endpoint,
    secretId: credentials?.secretId ?? '',
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    logger,
  });
  if (cache.redis) await cache.redis.ready(Math.max(1_000, config.cache.redisTimeoutMs));

  const servesGraphQL = (options.surfaces ?? ['graphql', 'rest']).includes('graphql');
  const graphql = !servesGraphQL ? undefined : createGraphQLServer({
    upstream: cache.caller,
    introspection: settings.introspection,
    limits: config.graphqlLimits,
    idempotency,
    // Apollo's default landing pages load from a CDN; the playground below replaces them.
    plugins: [ApolloServerPluginLandingPageDisabled(), cacheExtensionPlugin()],
  });
  /** The deadline of each GraphQL request in flight (read by the context factory). */
  const deadlines = new WeakMap<GatewayRequest, RequestDeadline>();
  /** One deadline per invocation: its remaining time (or the configured budget) minus the margin. */
  const deadlineOptions = { defaultMs: config.functionTimeoutMs, marginMs: config.deadlineMarginMs };
  const authenticator = createAuthenticator(authConfig);
  const authGuard = createAuthGuard(authenticator);
  const runGraphQL =
    graphql &&
    startServerAndCreateLambdaHandler(graphql.server, gatewayRequestHandler(config.graphqlLimits.maxTokens, logger), {
      context: async ({ event }) => graphql.context(deadlines.get(event as GatewayRequest), authGuard.identityOf(event as GatewayRequest) ?? null),
    });
  try {
    // Fails here, not on the first client request, when the server cannot start; also warms the
    // schema and validation caches.
    if (graphql) {
      const probe = await graphql.server.executeOperation(
        { query: '{ __typename }' },
        { contextValue: graphql.context(undefined, createIdentity('startup-probe', 'anonymous', [])) },
      );
      if (probe.body.kind !== 'single' || probe.body.singleResult.errors) throw new Error('GraphQL server failed its start-up probe');
    }
  } catch (err) {
    await graphql?.server.stop().catch(() => {});
    await upstream.close().catch(() => {});
    await cache.close().catch(() => {});
    await sharedLimiter?.close().catch(() => {});
    await idempotency.close().catch(() => {});
    throw err;
  }

  const playground = settings.playground ? createPlayground(playgroundPageOptions(options.playground, authConfig)) : undefined;
  const rest = createRestHandler({
    upstream,
    maxBodyBytes: config.maxBodyBytes,
    // Every REST call runs with the caller's scopes checked per action, and key material
    // redacted from answers for callers without the `keys` scope.
    upstreamFor: (req) => {
      const identity = authGuard.identityOf(req);
      return identity ? createScopedUpstream(cache.caller, identity) : cache.caller;
    },
    identityOf: (req) => authGuard.identityOf(req),
    idempotency,
    onUnexpectedError: (error) => logger.error({ err: error instanceof Error ? error.message : String(error) }, 'unexpected REST error'),
  });
  const guard: GatewayGuard = options.guard ?? ((req, surface) => authGuard.guard(req, surface));

  const graphqlCore: SurfaceHandler = async (req, invocation) => {
    if (isAssetPath(req.path)) {
      return playground?.handle(req) ?? notFound(req, 'The playground is disabled');
    }
    if (!isGraphQLPath(req.path) || !runGraphQL) return notFound(req, `No GraphQL route for ${req.path}`);
    const page = playground?.handle(req);
    if (page) return page;
    if (req.body && req.body.length > config.maxBodyBytes) {
      return jsonResult(413, { errors: [{ message: `The request body exceeds ${config.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    }
    const refused = await guard(req, 'graphql');
    if (refused) return refused;
    const deadline = createDeadline(invocation, deadlineOptions);
    deadlines.set(req, deadline);
    try {
      // The integration's handler type allows a callback-style void; ours always returns a result.
      // Persisted queries are looked up and registered for this caller only (graphql/apq.ts).
      const caller = authGuard.identityOf(req)?.id ?? 'anonymous';
      return (await runAsApqCaller(caller, () => runGraphQL(req, (invocation ?? {}) as LambdaContext, () => {}))) as GatewayResult;
    } finally {
      // The timer goes with the request: nothing of it stays reachable once answered.
      deadline.dispose();
    }
  };

  const restCore: SurfaceHandler = async (req, invocation) => {
    if (isHealthPath(req.path)) {
      const method = req.method.toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(req, 'GET, HEAD');
      return jsonResult(200, { status: 'ok', upstream: { mode } }, { 'cache-control': 'no-store' });
    }
    if (!isRestPath(req.path)) return notFound(req, `No route for ${req.path}`);
    // The documentation is for people without a key yet (unless PUBLIC_DOCS=false).
    if (!(settings.publicDocs && isDocsPath(req.path))) {
      const refused = await guard(req, 'rest');
      if (refused) return refused;
    }
    const deadline = createDeadline(invocation, deadlineOptions);
    let res: GatewayResult;
    try {
      res = await rest(req, deadline);
    } finally {
      deadline.dispose();
    }
    // How old the answers used are and how long the answer stays fresh (see restCacheHeaders);
    // this replaces the routes' default no-store on answers built from upstream reads.
    const cacheHeaders = res.status < 400 ? restCacheHeaders(currentScope()?.cache) : undefined;
    return cacheHeaders ? { ...res, headers: { ...res.headers, ...cacheHeaders } } : res;
  };

  /** One JSON log line per request, with the upstream calls it made. */
  const logOptions = {
    logger,
    callerOf: (req: GatewayRequest) => authGuard.identityOf(req)?.id,
    statusOfCode: (code: string) => DEFAULT_HTTP_STATUS[code as keyof typeof DEFAULT_HTTP_STATUS],
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
    graphql,
    graphqlHandler,
    restHandler,
    logger,
    close: () =>
      (closing ??= (async () => {
        await graphql?.server.stop().catch(() => {});
        await upstream.close();
        await cache.close().catch(() => {});
        await sharedLimiter?.close().catch(() => {});
        await idempotency.close().catch(() => {});
      })()),
  };
}

/**
 * The playground's page options. Headers given by the caller (the local server's demo key) are
 * kept; otherwise, when a credential is needed, the headers editor opens with a template such as
 * `{"x-api-key": "<your key>"}` and one line above the IDE says where the key goes.
 */
export function playgroundPageOptions(given: PlaygroundPageOptions | undefined, auth: AuthConfig): PlaygroundPageOptions {
  if (given?.defaultHeaders && Object.keys(given.defaultHeaders).length > 0) return given;
  const hint = credentialHint(auth);
  if (!hint) return given ?? {};
  return { ...given, defaultHeaders: hint.headers, credentialHint: hint.line, placeholders: hint.placeholders };
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
