/**
 * The one Lambda HTTP handler factory behind `handlers/graphql.ts` and `handlers/rest.ts` (and,
 * through API Gateway v2 events, the local server): event → `GatewayRequest` → CORS → the
 * gateway's surface → CORS headers → the result shape of the event.
 *
 * The gateway itself is built on the first invocation (see `memoizeGateway`), not at import.
 */
import type { Context } from 'aws-lambda';
import type { Gateway } from '../../src/app';
import { ERROR_HTTP_STATUS, ErrorCode } from '../../src/errors';
import { catalogueErrorResult } from '../../src/http/results';
import type { GatewayResult, Surface } from '../../src/http/types';
import type { GatewayRequest } from '../../src/http/types';
import { fallbackLogger } from '../../src/observability/log';
import { handlePreflight, withCorsHeaders } from './cors';
import { detectEventShape, toGatewayRequest, toLambdaResult, UnsupportedEventError, type LambdaHttpEvent, type LambdaHttpResult } from './events';

export type LambdaHttpHandler = (event: LambdaHttpEvent, context?: Partial<Context>) => Promise<LambdaHttpResult>;

export function createLambdaHandler(surface: Surface, getGateway: () => Promise<Gateway>): LambdaHttpHandler {
  return async (event, context) => {
    let shape;
    let req: GatewayRequest;
    try {
      shape = detectEventShape(event);
      req = toGatewayRequest(event, shape);
    } catch (err) {
      if (err instanceof UnsupportedEventError) {
        // Not an HTTP event (e.g. a direct invoke): there is no shape to answer in, so say why.
        return { statusCode: ERROR_HTTP_STATUS.UNSUPPORTED_EVENT, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error: { code: ErrorCode.UNSUPPORTED_EVENT, message: err.message } }) };
      }
      throw err;
    }

    let gateway: Gateway;
    try {
      gateway = await getGateway();
    } catch (err) {
      // Configuration problems name the variable (never a secret value), so they are safe to log.
      fallbackLogger().error({ requestId: req.requestId, err: err instanceof Error ? err.message : String(err) }, 'initialisation failed');
      return toLambdaResult(catalogueErrorResult(ErrorCode.SERVICE_UNAVAILABLE, 'The gateway is not configured correctly; see its logs', req.requestId), shape, event);
    }

    const allowed = gateway.settings.corsAllowedOrigins;
    let res: GatewayResult;
    try {
      res = handlePreflight(req, surface, allowed) ?? (await (surface === 'graphql' ? gateway.graphqlHandler : gateway.restHandler)(req, context));
    } catch (err) {
      gateway.logger.error({ requestId: req.requestId, surface, err: err instanceof Error ? err.message : String(err) }, 'unhandled error in handler');
      res = catalogueErrorResult(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', req.requestId);
    }
    return toLambdaResult(withCorsHeaders(res, req, allowed), shape, event);
  };
}
