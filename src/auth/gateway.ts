/**
 * Wiring helpers for the HTTP surfaces (`src/app.ts`):
 *
 * - `createAuthGuard(authenticator)`: a `GatewayGuard` (`(req, surface) → response | undefined`)
 *   that authenticates every GraphQL operation and REST call, answers 401/503 in the surface's
 *   error shape (REST `{error:{code,message,requestId}}`, GraphQL `{errors:[…]}`) with
 *   `WWW-Authenticate`, and remembers the identity of the request (`identityOf(req)`) so the
 *   GraphQL context and the REST routes can check scopes.
 * - `createScopedUpstream(upstream, identity)`: REST: an `UpstreamCaller` that checks the scopes
 *   of every action before calling it (403 naming the missing scope) and redacts private-key
 *   material from answers when the caller lacks `keys` (`redactKeyMaterial`). Not for GraphQL,
 *   which checks per field (`applyScopeGuards`).
 */
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import type { UpstreamCaller } from '../upstream/caller';
import type { GatewayRequest, GatewayResponse } from '../http/types';
import { isGatewayError } from '../upstream/errors';
import { authorizeAction, type Authenticator } from './authenticator';
import { isAuthError } from './errors';
import type { Identity } from './identity';
import { redactKeyMaterial } from './scopes';

export type GuardSurface = 'graphql' | 'rest';

export interface AuthGuard {
  /** Authenticates `req`; a response refuses it (401/503), undefined lets it through. */
  guard(req: GatewayRequest, surface: GuardSurface): Promise<GatewayResponse | undefined>;
  /** The identity established by `guard` for this request object. */
  identityOf(req: GatewayRequest): Identity | undefined;
}

/** Renders an auth (or other gateway) error in the surface's error shape. */
export function authErrorResponse(err: unknown, surface: GuardSurface, requestId: string): GatewayResponse {
  const status = isGatewayError(err) ? err.httpStatus : ERROR_HTTP_STATUS.INTERNAL_SERVER_ERROR;
  const code = isGatewayError(err) ? err.code : ErrorCode.INTERNAL_SERVER_ERROR;
  const message = isGatewayError(err) ? err.message : 'Internal server error';
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-request-id': requestId,
    ...(isAuthError(err) ? err.headers : {}),
  };
  const details = isGatewayError(err) && err.details ? { details: err.details } : {};
  const body =
    surface === 'graphql'
      ? { errors: [{ message, extensions: { code, ...details } }] }
      : { error: { code, message, requestId, ...details } };
  return { status, headers, body: JSON.stringify(body) };
}

export function createAuthGuard(authenticator: Authenticator): AuthGuard {
  const identities = new WeakMap<GatewayRequest, Identity>();
  return {
    async guard(req, surface) {
      // CORS preflights carry no credentials and execute nothing.
      if (req.method.toUpperCase() === 'OPTIONS') return undefined;
      try {
        identities.set(req, await authenticator.requireIdentity(req.headers));
        return undefined;
      } catch (err) {
        return authErrorResponse(err, surface, req.requestId);
      }
    },
    identityOf: (req) => identities.get(req),
  };
}

/** REST: checks each action's scopes before the call and redacts key material from the answer. */
export function createScopedUpstream(upstream: UpstreamCaller, identity: Identity): UpstreamCaller {
  return {
    async call(action, params, options) {
      authorizeAction(identity, action, params);
      const res = await upstream.call(action, params, options);
      return redactKeyMaterial(action, res, identity.scopes).value;
    },
  };
}
