/**
 * The one factory that builds the GraphQL server from configuration. The local server, the Lambda
 * handlers and the tests all call it, so they run the same schema, resolvers and error policy.
 */
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import { attachResolvers, loadSchema, type ResolverMap } from './executable';
import { createScopePlugin, scopeGuard } from './scope-guard';
import type { Identity } from '../auth/identity';
import type { IdempotencyService } from '../idempotency/service';
import { scrub } from '../observability/log';
import { isGatewayError, isUpstreamError, retryAfterSeconds } from '../upstream/errors';
import { createGraphQLGuards, type GraphQLLimits } from './limits/config';
import { createSpecArgumentsPlugin } from './limits/spec-args';
import { CallerScopedApqCache } from './apq';
import { createContext, type GatewayContext } from './context';
import { UpstreamContractError, withContractChecks } from './contract';
import { createFieldResolver } from './convert';
import type { UpstreamCaller } from './loaders';
import { model as defaultModel, type GraphQLModel } from './model';
import { buildResolvers } from './resolvers';
import type { RequestDeadline } from '../http/deadline';
import type { WaitClock, WaitPolicy } from '../tasks/wait';

export interface GraphQLServerOptions {
  upstream: UpstreamCaller;
  /** Allow schema introspection (the config turns it off in production). @default true */
  introspection?: boolean;
  /** Include stack traces in errors. @default false */
  includeStackTrace?: boolean;
  waitPolicy?: WaitPolicy;
  waitClock?: WaitClock;
  plugins?: ApolloServerPlugin<GatewayContext>[];
  model?: GraphQLModel;
  /** Depth, alias, directive, token and cost limits. @default DEFAULT_GRAPHQL_LIMITS */
  limits?: Partial<GraphQLLimits>;
  /**
   * Identity of contexts built without one. Tests and local tools only: the gateway passes the
   * authenticated identity of each request, and none means 401.
   */
  defaultIdentity?: Identity;
  /** Mutation idempotency; @default a process-wide in-memory service */
  idempotency?: IdempotencyService;
}

let cachedSchema: GraphQLSchema | undefined;
let cachedGuardedSchema: GraphQLSchema | undefined;

/**
 * A new executable schema without scope guards: the build-time document (see ./executable.ts)
 * with the resolvers of `model`. Each call builds its own type instances.
 */
export function createSchema(model: GraphQLModel = defaultModel()): GraphQLSchema {
  return attachResolvers(loadSchema(), buildResolvers(model) as ResolverMap);
}

/** The executable schema without scope guards (built once per process for the default model). */
export function buildSchema(model: GraphQLModel = defaultModel()): GraphQLSchema {
  if (model !== defaultModel()) return createSchema(model);
  return (cachedSchema ??= createSchema(model));
}

/**
 * The executable schema with per-field scope checks (what the server runs): resolvers and
 * guards are set in one walk over the fields, on a schema of its own.
 */
export function buildGuardedSchema(model: GraphQLModel = defaultModel()): GraphQLSchema {
  if (model === defaultModel() && cachedGuardedSchema) return cachedGuardedSchema;
  const schema = loadSchema();
  attachResolvers(schema, buildResolvers(model) as ResolverMap, scopeGuard<GatewayContext>(schema, { fieldResolver: withContractChecks(createFieldResolver(model)) as never }));
  if (model === defaultModel()) cachedGuardedSchema = schema;
  return schema;
}

/**
 * Errors the client may see: gateway errors keep their code, message and upstream details under
 * `extensions.upstream` (messages scrubbed like log lines); GraphQL's own errors (syntax,
 * validation, bad input) pass through with echoed input values masked; any other error is
 * masked, since its message could carry internals.
 */

const MASK = '(not shown)';

/**
 * The reason part of a graphql-js coercion message, with the value it quotes masked:
 * "String cannot represent a non string value: {…}" → "String cannot represent a non string
 * value (not shown)"; "Value "…" does not exist in "E" enum." → "Value (not shown) does not …".
 */
function maskReason(reason: string): string {
  return reason
    .replace(/(cannot represent[^:]*): [\s\S]*$/, `$1 ${MASK}`)
    .replace(/^Value ("[\s\S]*") does not exist in ("[^"]+") enum\./, (_all, value: string, type: string) =>
      // A short word (a mistyped enum value such as "desc") is shown; anything that could be
      // generated (digits, punctuation, length) is not.
      `Value ${/^"[_A-Za-z]{1,32}"$/.test(value) ? value : MASK} does not exist in ${type} enum.`,
    );
}

const VARIABLE_ECHO = /^(Variable "\$[^"]+" got invalid value) /;
const LITERAL_ECHO = /^(Expected value of type "[^"]+", found) /;

/**
 * graphql-js quotes the offending value twice in coercion errors: `Variable "$key" got invalid
 * value { pem: "<PEM key text>" }; String cannot represent a non string value: { pem: … }` (and
 * `Expected value of type "String", found {…}; …` for literals). The value is the client's own
 * input, but it may be key material and must not travel back in an error or into a log. Both
 * quotes are masked; which variable, where inside it (` at "v.a[0]"`) and which type was
 * expected stay. `reason` is the coercion error's own message (graphql-js keeps it as
 * `originalError`), which tells exactly where the echoed value ends.
 */
export function withoutEchoedValues(message: string, reason?: string): string {
  const variable = VARIABLE_ECHO.exec(message);
  const echo = variable ?? LITERAL_ECHO.exec(message);
  if (!echo) return scrub(maskReason(message));
  if (reason !== undefined && reason !== message && message.endsWith(`; ${reason}`)) {
    const head = message.slice(0, message.length - reason.length - 2);
    const at = variable ? / at "([^"\\]*)"$/.exec(head) : null;
    return scrub(`${echo[1]} ${MASK}${at ? ` at "${at[1]}"` : ''}; ${maskReason(reason)}`);
  }
  // Without the reason the end of the value is unknown: nothing after the marker is kept.
  return `${echo[1]} ${MASK}.`;
}

/** "Did you mean …?" suggestions list schema names; without introspection they are not shown. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}

export interface FormatErrorOptions {
  /** Drop "Did you mean" suggestions (production with introspection off). @default false */
  hideSuggestions?: boolean;
}

function coercionReason(error: unknown): string | undefined {
  const original = (error as { originalError?: unknown } | undefined)?.originalError;
  return original instanceof Error ? original.message : undefined;
}

export function formatError(formatted: GraphQLFormattedError, error: unknown, includeStackTrace = false, options: FormatErrorOptions = {}): GraphQLFormattedError {
  const message = withoutEchoedValues(formatted.message, coercionReason(error));
  formatted = { ...formatted, message: options.hideSuggestions ? withoutSuggestions(message) : message };
  const original = unwrapResolverError(error);
  if (isGatewayError(original)) {
    const extensions: Record<string, unknown> = { code: original.code, httpStatus: original.httpStatus };
    // The same retry hint REST sends as Retry-After.
    if (original.httpStatus === 429) extensions.retryAfterSeconds = retryAfterSeconds(original);
    if (isUpstreamError(original)) {
      extensions.upstream = {
        action: original.action,
        code: original.upstreamCode,
        message: scrub(original.message),
        requestId: original.requestId ?? null,
        outcomeUnknown: original.outcomeUnknown,
      };
    } else if (original.details) {
      extensions.details = original.details;
    }
    if (original instanceof UpstreamContractError) extensions.field = original.field;
    return { message: scrub(original.message), locations: formatted.locations, path: formatted.path, extensions };
  }
  // A hand-written resolver that passed on a null from an upstream answer for a non-null field:
  // graphql-js's own error, typed instead of masked (the default resolver throws the richer
  // UpstreamContractError itself, see contract.ts).
  const nonNull = /^Cannot return null for non-nullable field (\w+\.\w+)\.$/.exec(formatted.message);
  if (nonNull && original instanceof GraphQLError && !original.originalError) {
    return {
      message: `The SSL API answered null for ${nonNull[1]}, which breaks its documented contract; the field is left out.`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.UPSTREAM_CONTRACT, httpStatus: ERROR_HTTP_STATUS.UPSTREAM_CONTRACT, field: nonNull[1] },
    };
  }
  // Apollo's own request errors (e.g. persisted-query problems) come without a code but with a
  // 4xx HTTP status: client errors, not internals, so they keep their message.
  const httpStatus = (original as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http?.status;
  const clientRequestError = original instanceof GraphQLError && !original.originalError && httpStatus !== undefined && httpStatus < 500;
  const code = formatted.extensions?.code ?? (clientRequestError ? ErrorCode.BAD_REQUEST : undefined);
  if (clientRequestError && (!formatted.extensions?.code || formatted.extensions.code === ErrorCode.INTERNAL_SERVER_ERROR)) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.BAD_REQUEST } };
  }
  if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    if (includeStackTrace) return formatted;
    const { stacktrace: _drop, ...rest } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, extensions: rest };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/**
 * A mutation answered from an idempotency replay says so: `extensions.idempotentReplayed` lists the
 * response keys of the replayed mutation fields (nothing was executed again for them).
 */
const replayPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        const replayed = contextValue.replayed;
        if (!replayed?.length || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = { ...(result.extensions ?? {}), idempotentReplayed: [...replayed] };
      },
    };
  },
};

export interface GatewayGraphQL {
  server: ApolloServer<GatewayContext>;
  schema: GraphQLSchema;
  /**
   * Builds the per-request context (fresh loaders) for the caller `identity`, within the
   * invocation's `deadline` (none: unbounded, for tests and tools).
   */
  context(deadline?: RequestDeadline, identity?: Identity | null): GatewayContext;
}

export function createGraphQLServer(options: GraphQLServerOptions): GatewayGraphQL {
  const model = options.model ?? defaultModel();
  const schema = buildGuardedSchema(model);
  const includeStackTrace = options.includeStackTrace ?? false;
  const introspection = options.introspection ?? options.limits?.introspection ?? true;
  const guards = createGraphQLGuards<GatewayContext>({ ...options.limits, introspection }, { waitPolicy: options.waitPolicy });
  const server = new ApolloServer<GatewayContext>({
    schema,
    fieldResolver: withContractChecks(createFieldResolver(model)),
    introspection: guards.introspection,
    validationRules: guards.validationRules,
    parseOptions: guards.parseOptions,
    csrfPrevention: guards.csrfPrevention,
    // Automatic persisted queries: frontends may send a query's sha256 instead of its text. One
    // cache per caller (`apq.ts`): a hash registered by one caller is unknown to every other.
    persistedQueries: { ttl: 3600, cache: new CallerScopedApqCache() },
    includeStacktraceInErrorResponses: includeStackTrace,
    // Without introspection the schema is not public: no "Did you mean …" in any error.
    hideSchemaDetailsFromClientErrors: !guards.introspection,
    formatError: (formatted, error) => formatError(formatted, error, includeStackTrace, { hideSuggestions: !guards.introspection }),
    plugins: [
      createScopePlugin<GatewayContext>(),
      createSpecArgumentsPlugin<GatewayContext>(model),
      replayPlugin,
      ...guards.plugins,
      // A self-hosted gateway reports nothing to Apollo's cloud, whatever APOLLO_KEY says (and the
      // Lambda bundles leave those plugins out: scripts/lambda-shims/apollo-reporting.mjs).
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ...(options.plugins ?? []),
    ],
  });
  return {
    server,
    schema,
    context: (deadline, identity) =>
      createContext({
        upstream: options.upstream,
        waitPolicy: options.waitPolicy,
        waitClock: options.waitClock,
        deadline,
        identity: identity === undefined ? (options.defaultIdentity ?? null) : identity,
        idempotency: options.idempotency,
      }),
  };
}

export type { BaseContext };
