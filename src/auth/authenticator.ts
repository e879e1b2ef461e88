/**
 * Client authentication and authorization, transport-neutral: takes request headers, answers an
 * `Identity`, and checks scopes. REST and GraphQL call the same functions.
 *
 * Credentials (exactly one per request):
 * - `x-api-key: <key>`;
 * - `Authorization: Bearer <token>`: verified as a JWT when it has three dot-separated parts
 *   and JWT is configured, otherwise as an API key (so API keys must not contain two dots).
 * Both headers at once, another Authorization scheme, or an unknown key/invalid token → 401.
 *
 * Modes: `required` (default) or `disabled`. Disabled means every caller is the anonymous
 * identity with every scope: for local development only (`assertProductionAuth` refuses it in
 * production unless it was set explicitly, and the caller should log a warning).
 */
import { ApiKeyStore, type ApiKeyEntry } from './api-keys';
import { insufficientScope, invalidCredentials, missingCredentials } from './errors';
import { ANONYMOUS, createIdentity, type Identity } from './identity';
import { JwtVerifier, looksLikeJwt, type JwtOptions } from './jwt';
import { missingScopes, normalizeScopes, requiredScopes, type Scope } from './scopes';

export type AuthMode = 'required' | 'disabled';

export interface AuthOptions {
  /** @default 'required' */
  mode?: AuthMode;
  /** Configured API keys (hashes). @default [] */
  apiKeys?: readonly ApiKeyEntry[];
  /** JWT verification; undefined when JWTs are not accepted. */
  jwt?: JwtOptions;
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Header value by case-insensitive name; repeated headers are refused (ambiguous credentials). */
function header(headers: HeaderBag, name: string): string | undefined {
  let found: string | readonly string[] | undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name || v === undefined) continue;
    if (found !== undefined) throw invalidCredentials(`the ${name} header was sent more than once`);
    found = v;
  }
  if (found === undefined) return undefined;
  if (typeof found !== 'string') {
    if (found.length > 1) throw invalidCredentials(`the ${name} header was sent more than once`);
    found = found[0];
  }
  const v = (found ?? '').trim();
  return v === '' ? undefined : v;
}

export interface Authenticator {
  readonly mode: AuthMode;
  /**
   * The caller's identity; null when no credential was presented (auth required), the anonymous
   * identity when auth is disabled. Throws `AuthError` 401 for an invalid credential.
   */
  authenticate(headers: HeaderBag): Promise<Identity | null>;
  /** As `authenticate`, but a missing credential is a 401 too. */
  requireIdentity(headers: HeaderBag): Promise<Identity>;
}

export function createAuthenticator(options: AuthOptions = {}): Authenticator {
  const mode = options.mode ?? 'required';
  const keys = new ApiKeyStore(options.apiKeys ?? []);
  const jwt = options.jwt ? new JwtVerifier(options.jwt) : undefined;

  const verifyKey = (key: string): Identity => {
    const entry = keys.verify(key);
    if (!entry) throw invalidCredentials('unknown API key');
    return createIdentity(entry.id, 'api-key', entry.scopes);
  };

  const authenticate = async (headers: HeaderBag): Promise<Identity | null> => {
    if (mode === 'disabled') return ANONYMOUS;
    const apiKey = header(headers, 'x-api-key');
    const authorization = header(headers, 'authorization');
    if (apiKey !== undefined && authorization !== undefined) {
      throw invalidCredentials('send either x-api-key or Authorization, not both');
    }
    if (apiKey !== undefined) return verifyKey(apiKey);
    if (authorization === undefined) return null;
    const m = /^Bearer[ \t]+(\S+)$/i.exec(authorization);
    if (!m) throw invalidCredentials('the Authorization header must be "Bearer <token>"');
    const token = m[1];
    // Without JWT configuration every bearer token is an API key (keys never look like JWTs).
    if (jwt && looksLikeJwt(token)) return jwt.verify(token);
    return verifyKey(token);
  };

  return {
    mode,
    authenticate,
    async requireIdentity(headers) {
      const identity = await authenticate(headers);
      if (!identity) throw missingCredentials();
      return identity;
    },
  };
}

/** Throws `AuthError` 403 naming the missing scopes when `identity` lacks any of `required`. */
export function assertScopes(identity: Identity, required: Iterable<Scope>, target?: string): void {
  const need = normalizeScopes(required);
  const missing = missingScopes(identity.scopes, need);
  if (missing.length > 0) throw insufficientScope(missing, need, target);
}

/** REST: checks the scopes for calling `action` with the request body `params`. */
export function authorizeAction(identity: Identity, action: string, params?: Readonly<Record<string, unknown>> | null): void {
  assertScopes(identity, requiredScopes(action, params), action);
}

/**
 * REST routes that call several actions (a write, then reads of its task): check all of them
 * before the first call, so a caller never gets a write executed and its follow-up refused.
 */
export function authorizeActions(identity: Identity, actions: readonly string[], params?: Readonly<Record<string, unknown>> | null, target?: string): void {
  assertScopes(identity, actions.flatMap((a) => requiredScopes(a, params)), target ?? actions.join(', '));
}
