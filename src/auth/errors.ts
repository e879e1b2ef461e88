/**
 * Authentication and authorization errors. They are `GatewayError`s (codes UNAUTHENTICATED 401
 * and FORBIDDEN 403) carrying the `WWW-Authenticate` header to send (RFC 6750 style):
 *
 * - no credential:          401, `WWW-Authenticate: Bearer realm="ssl-gateway"`
 * - invalid credential:     401, `… error="invalid_token", error_description="…"`
 * - insufficient scope:     403, `… error="insufficient_scope", scope="keys"`
 *
 * Messages never contain the presented key or token.
 */
import { ErrorCode } from '../errors';
import { GatewayError } from '../upstream/errors';
import type { Scope } from './scopes';

export const AUTH_REALM = 'ssl-gateway';

function quoted(value: string): string {
  return `"${value.replace(/["\\\r\n]/g, '')}"`;
}

export function wwwAuthenticate(params: { error?: string; description?: string; scope?: string } = {}): string {
  const parts = [`Bearer realm=${quoted(AUTH_REALM)}`];
  if (params.error) parts.push(`error=${quoted(params.error)}`);
  if (params.description) parts.push(`error_description=${quoted(params.description)}`);
  if (params.scope) parts.push(`scope=${quoted(params.scope)}`);
  return parts.join(', ');
}

export type AuthFailure = 'missing' | 'invalid' | 'insufficient_scope';

export class AuthError extends GatewayError {
  /** Headers to add to the HTTP answer (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  readonly failure: AuthFailure;

  constructor(failure: AuthFailure, message: string, headers: Record<string, string>, details?: Record<string, unknown>) {
    super(failure === 'insufficient_scope' ? ErrorCode.FORBIDDEN : ErrorCode.UNAUTHENTICATED, message, details ? { details } : {});
    this.name = 'AuthError';
    this.failure = failure;
    this.headers = Object.freeze({ ...headers });
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}

export function missingCredentials(): AuthError {
  return new AuthError(
    'missing',
    'Authentication required: send an API key in the x-api-key header (or as "Authorization: Bearer <key>") or a bearer JWT',
    { 'www-authenticate': wwwAuthenticate() },
  );
}

/** `reason` must be a fixed, credential-free text. */
export function invalidCredentials(reason: string): AuthError {
  return new AuthError('invalid', `Invalid credentials: ${reason}`, {
    'www-authenticate': wwwAuthenticate({ error: 'invalid_token', description: reason }),
  });
}

export function insufficientScope(missing: readonly Scope[], required: readonly Scope[], target?: string): AuthError {
  const on = target ? ` for ${target}` : '';
  const message = `Missing scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${on} (required: ${required.join(', ')})`;
  const details: Record<string, unknown> = { missingScopes: [...missing], requiredScopes: [...required] };
  if (target) details.target = target;
  return new AuthError(
    'insufficient_scope',
    message,
    { 'www-authenticate': wwwAuthenticate({ error: 'insufficient_scope', description: message, scope: required.join(' ') }) },
    details,
  );
}
