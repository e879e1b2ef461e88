/**
 * One JSON log line per request, with the upstream calls it made: wraps a surface handler in a
 * request scope (AsyncLocalStorage, see log.ts) and writes the line when the answer is known.
 */
import type { GatewayRequest, GatewayResult, SurfaceHandler } from '../http/types';
import { logRequest, withRequestScope, type Logger, type RequestLogLine } from './log';
import { newRequestCacheState, wantsNoCache } from './request-cache';

export interface RequestLogOptions {
  logger: Logger;
  /** The caller's namespaced identity, once authenticated. */
  callerOf: (req: GatewayRequest) => string | undefined;
  /** HTTP status of an error code (GraphQL answers field errors with 200). */
  statusOfCode: (code: string) => number | undefined;
  /** Paths logged as `health` rather than as their surface. */
  isHealthPath: (path: string) => boolean;
}

export function withRequestLog(surface: RequestLogLine['surface'], core: SurfaceHandler, options: RequestLogOptions): SurfaceHandler {
  const { logger, callerOf, statusOfCode, isHealthPath } = options;
  return (req, invocation) => {
    const started = process.hrtime.bigint();
    const scope = { requestId: req.requestId, upstream: [] as never[], cache: newRequestCacheState(wantsNoCache(req.headers)) };
    return withRequestScope(scope, async () => {
      let res: GatewayResult | undefined;
      try {
        res = await core(req, invocation);
        return res;
      } finally {
        const status = res?.status ?? 500;
        // GraphQL answers field errors with HTTP 200: the outcome comes from the first error code.
        const errorCode = errorCodeOf(res);
        const errorStatus = errorCode ? (statusOfCode(errorCode) ?? 400) : status;
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
        logRequest(logger, { ...scope, callerId: callerOf(req), operation: operationOf(req, surface) }, line);
        if (res && !res.headers['x-request-id']) res.headers['x-request-id'] = req.requestId;
      }
    });
  };
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
