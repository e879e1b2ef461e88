/**
 * The REST surface: `/v1/...` (the REST facade; `/healthz` is answered by the composition).
 * Only the REST function (and the local server) bundles this file.
 */
import { createScopedUpstream } from '../auth';
import { createDeadline } from '../http/deadline';
import { notFound } from '../http/results';
import { isDocsPath, isRestPath } from '../http/routes';
import type { GatewayResult, SurfaceHandler } from '../http/types';
import { currentScope } from '../observability/log';
import { restCacheHeaders } from '../upstream/cache';
import { createRestHandler } from '../rest';
import type { SurfaceFactory } from './compose';

export const restSurface: SurfaceFactory = ({ config, settings, options, cache, idempotency, logger, authGuard, guard, deadlineOptions }) => {
  const rest = createRestHandler({
    upstream: cache.caller,
    clock: options.waitClock,
    waitPolicy: options.waitPolicy,
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
  const handler: SurfaceHandler = async (req, invocation) => {
    if (!isRestPath(req.path)) return notFound(req, `No route for ${req.path}`);
    // The documentation is for people without a key yet (unless PUBLIC_DOCS=false).
    if (!(settings.publicDocs && isDocsPath(req.path))) {
      const refused = await guard(req, 'rest');
      if (refused) return refused;
    }
    const deadline = options.deadline?.(invocation) ?? createDeadline(invocation, deadlineOptions);
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
  return { handler };
};
