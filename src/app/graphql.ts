/**
 * The GraphQL surface: `/graphql` (GET, POST) through Apollo Server and
 * @as-integrations/aws-lambda, and the playground (`/graphql`, `/graphql/assets/*`). Only the
 * GraphQL function (and the local server) bundles this file.
 */
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { Context as LambdaContext } from 'aws-lambda';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import { createIdentity } from '../auth';
import { runAsApqCaller } from '../graphql/apq';
import { cacheExtensionPlugin } from '../graphql/cache-extension';
import { gatewayRequestHandler } from '../graphql/http';
import { createGraphQLServer } from '../graphql/server';
import { createDeadline, type RequestDeadline } from '../http/deadline';
import { jsonResult, notFound } from '../http/results';
import { isAssetPath, isGraphQLPath } from '../http/routes';
import type { GatewayRequest, GatewayResult, SurfaceHandler } from '../http/types';
import { credentialHint } from '../auth/credential-hint';
import type { AuthConfig } from '../auth';
import { createPlayground, type PlaygroundPageOptions } from '../playground';
import type { SurfaceFactory } from './compose';

export const graphqlSurface: SurfaceFactory = async ({ config, settings, options, cache, idempotency, logger, authConfig, authGuard, guard, deadlineOptions }) => {
  const graphql = createGraphQLServer({
    upstream: cache.caller,
    introspection: settings.introspection,
    limits: config.graphqlLimits,
    idempotency,
    waitClock: options.waitClock,
    waitPolicy: options.waitPolicy,
    // Apollo's default landing pages load from a CDN; the playground below replaces them.
    plugins: [ApolloServerPluginLandingPageDisabled(), cacheExtensionPlugin()],
  });
  /** The deadline of each GraphQL request in flight (read by the context factory). */
  const deadlines = new WeakMap<GatewayRequest, RequestDeadline>();
  const runGraphQL = startServerAndCreateLambdaHandler(graphql.server, gatewayRequestHandler(config.graphqlLimits.maxTokens, logger), {
    context: async ({ event }) => graphql.context(deadlines.get(event as GatewayRequest), authGuard.identityOf(event as GatewayRequest) ?? null),
  });
  const close = () => graphql.server.stop().catch(() => {});
  try {
    // Fails here, not on the first client request, when the server cannot start; also warms the
    // schema and validation caches.
    const probe = await graphql.server.executeOperation(
      { query: '{ __typename }' },
      { contextValue: graphql.context(undefined, createIdentity('startup-probe', 'anonymous', [])) },
    );
    if (probe.body.kind !== 'single' || probe.body.singleResult.errors) throw new Error('GraphQL server failed its start-up probe');
  } catch (err) {
    await close();
    throw err;
  }

  const playground = settings.playground ? createPlayground(playgroundPageOptions(options.playground, authConfig)) : undefined;
  const handler: SurfaceHandler = async (req, invocation) => {
    if (isAssetPath(req.path)) {
      return playground?.handle(req) ?? notFound(req, 'The playground is disabled');
    }
    if (!isGraphQLPath(req.path)) return notFound(req, `No GraphQL route for ${req.path}`);
    const page = playground?.handle(req);
    if (page) return page;
    if (req.body && req.body.length > config.maxBodyBytes) {
      return jsonResult(ERROR_HTTP_STATUS.PAYLOAD_TOO_LARGE, { errors: [{ message: `The request body exceeds ${config.maxBodyBytes} bytes`, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } }] });
    }
    const refused = await guard(req, 'graphql');
    if (refused) return refused;
    const deadline = options.deadline?.(invocation) ?? createDeadline(invocation, deadlineOptions);
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
  return { handler, graphql, close };
};

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
