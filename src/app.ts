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
import { isUtf8 } from 'node:buffer';
import { HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { parse } from 'graphql';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { handlers as lambdaRequestHandlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { Context as LambdaContext } from 'aws-lambda';
import { DEFAULT_SSL_ENDPOINT, type Config, type Credentials } from './config';
import { createGraphQLServer, type GatewayGraphQL } from './graphql/server';
import type { GatewayRequest, GatewayResponse } from './http/types';
import { createPlayground, type PlaygroundPageOptions } from './playground';
import { createRestHandler } from './rest';
import { createUpstreamClient, type UpstreamClient } from './upstream';
import { assertProductionAuth, createAuthGuard, createAuthenticator, createIdentity, createScopedUpstream, type AuthConfig } from './auth';
import { createIdempotencyService, MemoryIdempotencyStore, RedisIdempotencyStore, type IdempotencyService } from './idempotency';
import { createLogger, logRequest, recordUpstreamCall, withRequestScope, type Logger, type RequestLogLine } from './observability/log';
import { createRedisRateLimiter, type RedisRateLimiter } from './upstream/redis-ratelimit';
import { specPolicyLookup } from './upstream/spec-policy';
import { DEFAULT_HTTP_STATUS } from './upstream/errors';

/** A `GatewayResponse` whose body may be base64 (compressed or binary assets). */
export type GatewayResult = GatewayResponse & { isBase64Encoded?: boolean };

/**
 * One surface of the gateway. `invocation` is the Lambda context when there is one (the local
 * server passes an equivalent); GraphQL derives its upstream deadline from it.
 */
export type SurfaceHandler = (req: GatewayRequest, invocation?: InvocationContext) => Promise<GatewayResult>;

export type InvocationContext = Partial<Pick<LambdaContext, 'awsRequestId' | 'getRemainingTimeInMillis'>>;

export type Surface = 'graphql' | 'rest';

/** Where upstream calls go: the embedded/standalone simulator or the real Tencent Cloud API. */
export type UpstreamMode = 'simulator' | 'tencent';

/**
 * Settings of the HTTP surfaces. `src/config.ts` does not carry them yet; `gatewaySettings` reads
 * them from `Config` under the names below as soon as it does, else uses the defaults.
 */
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
}

/** Origins allowed by default in env `development` (the local server and a frontend dev server). */
export const DEV_CORS_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

export function gatewaySettings(config: Config, overrides: Partial<GatewaySettings> = {}): GatewaySettings {
  const fromConfig = config as Config & Partial<{ graphqlPlayground: boolean; graphqlIntrospection: boolean; corsAllowedOrigins: readonly string[] }>;
  const production = config.env === 'production';
  return {
    playground: overrides.playground ?? fromConfig.graphqlPlayground ?? !production,
    introspection: overrides.introspection ?? fromConfig.graphqlIntrospection ?? !production,
    corsAllowedOrigins: overrides.corsAllowedOrigins ?? fromConfig.corsAllowedOrigins ?? (config.env === 'development' ? DEV_CORS_ORIGINS : []),
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
  /** Undefined when this process does not serve the GraphQL surface. */
  readonly graphql?: GatewayGraphQL;
  readonly graphqlHandler: SurfaceHandler;
  readonly restHandler: SurfaceHandler;
  readonly logger: Logger;
  /** Stops the GraphQL server and closes the upstream connection pool. */
  close(): Promise<void>;
}

/** Time kept back from the Lambda deadline so a timed-out upstream call still gets an answer out. */
const DEADLINE_MARGIN_MS = 1_000;

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
    const store = new RedisIdempotencyStore({ url: config.redisUrl, keyPrefix: `${prefix}idem:` });
    idempotency = createIdempotencyService(store, config.idempotency, { onClose: () => store.close() });
  } else {
    idempotency = createIdempotencyService(new MemoryIdempotencyStore({ maxEntries: config.idempotency.maxEntries }), config.idempotency);
  }

  const upstream = createUpstreamClient(config.upstream, {
    ...(options.upstream ?? {}),
    ...(sharedLimiter ? { limiter: sharedLimiter } : {}),
    onCall: recordUpstreamCall,
  });

  const servesGraphQL = (options.surfaces ?? ['graphql', 'rest']).includes('graphql');
  const graphql = !servesGraphQL ? undefined : createGraphQLServer({
    upstream,
    introspection: settings.introspection,
    limits: config.graphqlLimits,
    idempotency,
    // Apollo's default landing pages load from a CDN; the playground below replaces them.
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  /** The upstream deadline of each GraphQL request in flight (read by the context factory). */
  const deadlines = new WeakMap<GatewayRequest, Deadline>();
  const authenticator = createAuthenticator(authConfig);
  const authGuard = createAuthGuard(authenticator);
  const runGraphQL =
    graphql &&
    startServerAndCreateLambdaHandler(graphql.server, gatewayRequestHandler(config.graphqlLimits.maxTokens), {
      context: async ({ event }) => graphql.context(deadlines.get(event as GatewayRequest)?.signal, authGuard.identityOf(event as GatewayRequest) ?? null),
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
    await sharedLimiter?.close().catch(() => {});
    await idempotency.close().catch(() => {});
    throw err;
  }

  const playground = settings.playground ? createPlayground(options.playground) : undefined;
  const rest = createRestHandler({
    upstream,
    maxBodyBytes: config.maxBodyBytes,
    // Every REST call runs with the caller's scopes checked per action, and key material
    // redacted from answers for callers without the `keys` scope.
    upstreamFor: (req) => {
      const identity = authGuard.identityOf(req);
      return identity ? createScopedUpstream(upstream, identity) : upstream;
    },
    callerOf: (req) => authGuard.identityOf(req)?.id ?? 'anonymous',
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
    const deadline = createDeadline(invocation);
    if (deadline) deadlines.set(req, deadline);
    try {
      // The integration's handler type allows a callback-style void; ours always returns a result.
      return (await runGraphQL(req, (invocation ?? {}) as LambdaContext, () => {})) as GatewayResult;
    } finally {
      // The timer goes with the request: nothing of it stays reachable once answered.
      deadline?.dispose();
    }
  };

  const restCore: SurfaceHandler = async (req) => {
    if (isHealthPath(req.path)) {
      const method = req.method.toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(req, 'GET, HEAD');
      return jsonResult(200, { status: 'ok', upstream: { mode } }, { 'cache-control': 'no-store' });
    }
    if (!/(^|\/)v1(\/|$)/.test(req.path)) return notFound(req, `No route for ${req.path}`);
    const refused = await guard(req, 'rest');
    if (refused) return refused;
    return rest(req);
  };

  /** One JSON log line per request, with the upstream calls it made. */
  const logged =
    (surface: RequestLogLine['surface'], core: SurfaceHandler): SurfaceHandler =>
    (req, invocation) => {
      const started = process.hrtime.bigint();
      const scope = { requestId: req.requestId, upstream: [] as never[] };
      return withRequestScope(scope, async () => {
        let res: GatewayResult | undefined;
        try {
          res = await core(req, invocation);
          return res;
        } finally {
          const status = res?.status ?? 500;
          const identity = authGuard.identityOf(req);
          // GraphQL answers field errors with HTTP 200: the outcome comes from the first error code.
          const errorCode = errorCodeOf(res);
          const errorStatus = errorCode ? (DEFAULT_HTTP_STATUS[errorCode as keyof typeof DEFAULT_HTTP_STATUS] ?? 400) : status;
          const effective = Math.max(status, status < 400 ? errorStatus : 0);
          const line: RequestLogLine = {
            surface: isHealthPath(req.path) ? 'health' : surface,
            method: req.method,
            path: req.path,
            status,
            latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
            outcome: effective >= 500 ? 'server_error' : effective >= 400 ? 'client_error' : 'ok',
            ...(errorCode ? { errorCode } : {}),
          };
          logRequest(logger, { ...scope, callerId: identity?.id, operation: operationOf(req, surface) }, line);
          if (res && !res.headers['x-request-id']) res.headers['x-request-id'] = req.requestId;
        }
      });
    };

  const graphqlHandler = logged('graphql', graphqlCore);
  const restHandler = logged('rest', restCore);

  let closing: Promise<void> | undefined;
  return {
    mode,
    config,
    settings,
    upstream,
    graphql,
    graphqlHandler,
    restHandler,
    logger,
    close: () =>
      (closing ??= (async () => {
        await graphql?.server.stop().catch(() => {});
        await upstream.close();
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

// ---- GraphQL over GatewayRequest --------------------------------------------------------------

/** A request the integration answers with 400 instead of running it (`code`: `extensions.code`). */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly code: string = 'BAD_REQUEST',
  ) {
    super(message);
  }
}

/**
 * The aws-lambda integration's request handler for our transport-neutral request: the Lambda
 * adapter has already turned a v1, v2 or ALB event into a `GatewayRequest` (base64 and
 * multi-value headers included), so one handler serves all three event shapes. The integration's
 * per-shape handlers are not used directly because they ignore ALB multi-value headers,
 * percent-decode API Gateway v1 query values a second time and answer errors as text/plain.
 */
function gatewayRequestHandler(maxTokens: number) {
  return lambdaRequestHandlers.createRequestHandler<GatewayRequest, GatewayResult>(
    (req): HTTPGraphQLRequest => {
      const method = req.method.toUpperCase();
      // `?query=a&query=b`: which one would run is anyone's guess (see handlers/lib/events.ts).
      if (method === 'GET' && req.queryRepeats?.length) {
        throw new BadRequest(`Query parameter ${req.queryRepeats[0]} is repeated; send it once`);
      }
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, value);
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(req.query)) if (value !== undefined) search.append(name, value);
      const body = parseGraphQLBody(req, headers);
      const document = method === 'GET' ? req.query.query : isPlainObject(body) ? body.query : undefined;
      if (typeof document === 'string') refuseDeepNesting(document, maxTokens);
      return { method, headers, search: search.toString(), body };
    },
    {
      success(response: HTTPGraphQLResponse): GatewayResult {
        if (response.body.kind !== 'complete') throw new Error('incremental delivery is not supported');
        return { status: response.status ?? 200, headers: Object.fromEntries(response.headers), body: response.body.string };
      },
      error(error: unknown): GatewayResult {
        if (error instanceof BadRequest) {
          return jsonResult(400, { errors: [{ message: error.message, extensions: { code: error.code } }] });
        }
        console.error('graphql handler failed:', error instanceof Error ? error.message : String(error));
        return jsonResult(500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      },
    },
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * JSON bodies are parsed (Apollo reads an object); any other body is left for Apollo to refuse.
 *
 * A JSON body must be valid UTF-8: a lenient decode turns invalid bytes into U+FFFD, and a
 * variable value mangled that way would be sent upstream as if the client had meant it. When
 * the only replacement characters are in `query` the invalid bytes are provably there (a U+FFFD
 * elsewhere in JSON syntax would not have parsed), so the answer is the document's parse
 * failure; anywhere else it is a bad request.
 */
function parseGraphQLBody(req: GatewayRequest, headers: HeaderMap): unknown {
  if (!req.body || req.body.length === 0) return undefined;
  const contentType = headers.get('content-type') ?? '';
  const text = req.body.toString('utf8');
  if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    const utf8 = isUtf8(req.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BadRequest(utf8 ? 'The request body is not valid JSON' : 'The request body is not valid UTF-8');
    }
    if (!utf8) {
      const inQueryOnly = isPlainObject(parsed) && typeof parsed.query === 'string' && parsed.query.includes('\uFFFD') && !hasReplacementChar({ ...parsed, query: undefined });
      if (inQueryOnly) throw new BadRequest('The GraphQL document (query) is not valid UTF-8', 'GRAPHQL_PARSE_FAILED');
      throw new BadRequest('The request body is not valid UTF-8');
    }
    return parsed;
  }
  return text;
}

/** Whether U+FFFD occurs in any member name or string of `value` (true when too deep to tell). */
function hasReplacementChar(value: unknown): boolean {
  try {
    return JSON.stringify(value).includes('\uFFFD');
  } catch {
    return true; // nested beyond the stack: JSON.parse is iterative, JSON.stringify is not
  }
}

/**
 * Bracket nesting the GraphQL parser may be given. graphql-js parses recursively, so a document
 * nested a couple of thousand levels deep, still inside the token budget, exhausts the stack
 * ("Maximum call stack size exceeded", measured on Node 22 at about 2500 nested selection sets,
 * 2000 nested lists, 1500 nested input objects). The document is scanned before Apollo parses it:
 * - values (everything inside an argument or variable list `(...)`: lists, input objects) never
 *   nest deeply in this schema: at most 128 levels;
 * - selection sets (`{` outside parentheses) up to 1000, well under half the parser's limit, so
 *   that an operation deeper than GRAPHQL_MAX_DEPTH (at most 100) still gets the depth rule's
 *   precise answer ("nested N fields deep") and only absurd nesting is refused here.
 */
export const MAX_VALUE_NESTING = 128;
export const MAX_SELECTION_NESTING = 1000;

/**
 * Refuses (GraphQL-shaped 400) a document that would make the parser nest beyond the limits above.
 * The scan is lexical, so brackets the parser would refuse anyway (`{ a (((( }` is a syntax error
 * at the second `(`) also count; the prefix up to the offending bracket, nested at most one level
 * over a limit and so safe to parse, tells them apart: when the parser stops inside it (a syntax
 * error, the token limit) it never gets deeper, and that error is Apollo's to report as usual.
 */
function refuseDeepNesting(document: string, maxTokens: number): void {
  const deep = findDeepNesting(document);
  if (!deep) return;
  try {
    parse(document.slice(0, deep.end), { maxTokens, noLocation: true });
  } catch (err) {
    const at = (err as { positions?: readonly number[] }).positions?.[0];
    if (typeof at === 'number' && at < deep.end) return;
  }
  throw new BadRequest(deep.message, 'GRAPHQL_VALIDATION_FAILED');
}

/** The first bracket that goes over a nesting limit (`end`: just past it), outside strings and comments. */
function findDeepNesting(document: string): { end: number; message: string } | undefined {
  const kinds: boolean[] = []; // for each open bracket: true when it counts as value nesting
  let selections = 0;
  let values = 0;
  const n = document.length;
  for (let i = 0; i < n; i++) {
    const c = document.charCodeAt(i);
    if (c === 0x23 /* # comment, to the end of the line */) {
      while (i + 1 < n && document.charCodeAt(i + 1) !== 0x0a && document.charCodeAt(i + 1) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (document.startsWith('"""', i)) {
        // Block string: ends at the next """ not escaped as \""".
        i += 3;
        while (i < n && !document.startsWith('"""', i)) i += document.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        // String: ends at the next unescaped " (or the end of the line, where the lexer stops too).
        i++;
        while (i < n && document.charCodeAt(i) !== 0x22 && document.charCodeAt(i) !== 0x0a && document.charCodeAt(i) !== 0x0d) i += document.charCodeAt(i) === 0x5c ? 2 : 1;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */ || c === 0x28 /* ( */) {
      const value = c !== 0x7b || values > 0;
      kinds.push(value);
      if (value && ++values > MAX_VALUE_NESTING) {
        return { end: i + 1, message: `Argument values are nested more than ${MAX_VALUE_NESTING} levels deep (lists, input objects); the document was not parsed` };
      }
      if (!value && ++selections > MAX_SELECTION_NESTING) {
        return { end: i + 1, message: `Selection sets are nested more than ${MAX_SELECTION_NESTING} levels deep; the document was not parsed` };
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */ || c === 0x29 /* ) */) {
      // Unbalanced closers are the parser's to report.
      const value = kinds.pop();
      if (value === true) values--;
      else if (value === false) selections--;
    }
  }
  return undefined;
}

interface Deadline {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Aborts upstream work shortly before the Lambda (or local) deadline. A controller and a timer
 * that is cleared when the request ends (`AbortSignal.timeout` would keep the signal, and what
 * listens to it, alive until it fires, long after the answer).
 */
function createDeadline(context: InvocationContext | undefined): Deadline | undefined {
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  if (remaining === undefined || !Number.isFinite(remaining)) return undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The request deadline passed', 'TimeoutError')), Math.max(1, remaining - DEADLINE_MARGIN_MS));
  timer.unref?.();
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/** The first error code of a JSON error answer (GraphQL `errors[0].extensions.code`, REST `error.code`). */
function errorCodeOf(res: GatewayResult | undefined): string | undefined {
  if (!res || res.isBase64Encoded || !res.body || res.body.length > 1_000_000) return undefined;
  if (!/"errors"\s*:|"error"\s*:/.test(res.body.slice(0, 200)) && res.status < 400) {
    // GraphQL puts `errors` first only when there is no data; look further for partial results.
    if (!res.body.includes('"errors":')) return undefined;
  }
  return /"code"\s*:\s*"([A-Z][A-Z0-9_]{1,60})"/.exec(res.body)?.[1];
}

/** The operation a log line names: the GraphQL operation name, or the REST method and path. */
function operationOf(req: GatewayRequest, surface: RequestLogLine['surface']): string {
  if (surface === 'graphql') {
    const fromQuery = req.query.operationName;
    if (fromQuery) return fromQuery.slice(0, 100);
    if (req.body && req.body.length < 100_000) {
      const m = /"operationName"\s*:\s*"([A-Za-z_][A-Za-z0-9_]{0,99})"/.exec(req.body.toString('utf8'));
      if (m) return m[1];
    }
    return 'anonymous operation';
  }
  return `${req.method.toUpperCase()} ${req.path.slice(0, 200)}`;
}

// ---- routing helpers ----------------------------------------------------------------------------

// Paths may carry an API Gateway stage prefix (`/dev/graphql`), so they are matched on their end.
const isGraphQLPath = (path: string): boolean => /(^|\/)graphql\/?$/.test(path);
const isAssetPath = (path: string): boolean => /(^|\/)graphql\/assets\/[^/]+$/.test(path);
const isHealthPath = (path: string): boolean => /(^|\/)healthz\/?$/.test(path);

export function jsonResult(status: number, body: unknown, headers: Record<string, string> = {}): GatewayResult {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** The REST facade's error body shape: `{ error: { code, message, requestId } }`. */
export function errorResult(status: number, code: string, message: string, requestId: string, headers: Record<string, string> = {}): GatewayResult {
  return jsonResult(status, { error: { code, message, requestId } }, { 'x-request-id': requestId, ...headers });
}

const notFound = (req: GatewayRequest, message: string): GatewayResult => errorResult(404, 'NOT_FOUND', message, req.requestId);
const methodNotAllowed = (req: GatewayRequest, allow: string): GatewayResult =>
  errorResult(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`, req.requestId, { allow });
