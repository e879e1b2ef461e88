/**
 * Bearer JWTs, verified with `jose`: signature against a JWKS (remote URL with caching, or a
 * local key set / PEM public key), allowed algorithms (asymmetric only), issuer, audience,
 * expiry with clock tolerance. `sub` is the caller id; scopes come from the `scope` claim
 * (space-separated, OAuth 2) or `scp` (array or string), optionally namespaced with a prefix
 * (`scopePrefix: "ssl:"` maps `ssl:read` to `read`); unknown scopes are ignored.
 *
 * Tokens must carry `sub` and `exp`. Failures are 401 with a fixed reason; an unreachable JWKS
 * endpoint is a 503 (the caller is not at fault), never a 401. A token whose allowed `alg` does
 * not fit the configured key (an ES256 token against an RSA PEM, with the default
 * `RS256,ES256`) names no key the gateway has: a 401, as it is with a JWKS, not an outage.
 */
import { createPublicKey } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { ErrorCode } from '../errors';
import { GatewayError } from '../upstream/errors';
import { invalidCredentials } from './errors';
import { createIdentity, type Identity } from './identity';
import { isScope, normalizeScopes, type Scope } from './scopes';

/** Asymmetric JWS algorithms accepted in configuration (never `none`, never HMAC). */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;
export const DEFAULT_JWT_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export interface JwtOptions {
  /** Accepted `iss` value(s). Required. */
  issuer: string | readonly string[];
  /** Accepted `aud` value(s). Required. */
  audience: string | readonly string[];
  /** JWKS endpoint (`createRemoteJWKSet`: cached, refetched on unknown `kid`). */
  jwksUrl?: string;
  /** A key set given inline (`createLocalJWKSet`), e.g. for tests or offline deployments. */
  jwks?: JSONWebKeySet;
  /** A PEM (SPKI) public key. */
  publicKey?: string;
  /** Allowed `alg` values. @default ['RS256', 'ES256'] */
  algorithms?: readonly string[];
  /** Seconds of leeway for `exp`/`nbf`/`iat`. @default 30 */
  clockToleranceSeconds?: number;
  /** Prefix of the gateway's scopes inside the token's scope claim. @default '' */
  scopePrefix?: string;
  /** Reject tokens issued (`iat`) longer ago than this. @default undefined (no limit) */
  maxTokenAgeSeconds?: number;
  /** Remote JWKS: request timeout. @default 5000 */
  jwksTimeoutMs?: number;
  /** Remote JWKS: how long fetched keys are trusted before refetching. @default 600000 */
  jwksCacheMaxAgeMs?: number;
  /** Clock override (tests). */
  currentDate?: () => Date;
}

/** Problems with the options (empty when valid); used by config validation and the constructor. */
export function jwtOptionsProblems(options: Partial<JwtOptions>): string[] {
  const problems: string[] = [];
  const list = (v: string | readonly string[] | undefined) => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]).filter((s) => s !== '');
  if (list(options.issuer).length === 0) problems.push('an issuer is required');
  if (list(options.audience).length === 0) problems.push('an audience is required');
  const sources = [options.jwksUrl, options.jwks, options.publicKey].filter((s) => s !== undefined).length;
  if (sources !== 1) problems.push('exactly one key source is required: a JWKS URL, an inline JWKS or a PEM public key');
  if (options.jwksUrl !== undefined) {
    try {
      const u = new URL(options.jwksUrl);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') problems.push('the JWKS URL must use https (or http for local testing)');
    } catch {
      problems.push('the JWKS URL is not an absolute URL');
    }
  }
  const algs = options.algorithms ?? DEFAULT_JWT_ALGORITHMS;
  if (algs.length === 0) problems.push('at least one algorithm is required');
  const bad = algs.filter((a) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a));
  if (bad.length) problems.push(`unsupported algorithm(s) ${bad.join(', ')} (allowed: ${ASYMMETRIC_ALGORITHMS.join(', ')})`);
  const tol = options.clockToleranceSeconds;
  if (tol !== undefined && (!Number.isFinite(tol) || tol < 0 || tol > 300)) problems.push('clock tolerance must be 0-300 seconds');
  return problems;
}

/** Three dot-separated base64url parts: verified as a JWT; anything else is an API key. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

function claimScopes(payload: JWTPayload, prefix: string): Scope[] {
  const raw: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') raw.push(...v.split(/\s+/));
    else if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') raw.push(s);
  };
  add(payload.scope);
  add(payload.scp);
  const names: string[] = [];
  for (const s of raw) {
    if (s === '' || !s.startsWith(prefix)) continue;
    const name = s.slice(prefix.length);
    if (isScope(name)) names.push(name);
  }
  return normalizeScopes(names);
}

/**
 * The JWS algorithms a PEM public key can verify, from its key type (and curve), or undefined
 * when the PEM cannot be read (then every verification fails as "keys unavailable": the key
 * source itself is broken, which is the operator's problem, not the caller's).
 */
export function algorithmsForPublicKey(pem: string): ReadonlySet<string> | undefined {
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey(pem);
  } catch {
    return undefined;
  }
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    case 'rsa-pss':
      return new Set(['PS256', 'PS384', 'PS512']);
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const alg = curve === 'prime256v1' ? 'ES256' : curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : undefined;
      return new Set(alg ? [alg] : []);
    }
    case 'ed25519':
      return new Set(['EdDSA', 'Ed25519']);
    case 'ed448':
      return new Set(['EdDSA']);
    default:
      return new Set();
  }
}

function reasonFor(err: unknown): string | undefined {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return 'token issuer not accepted';
      case 'aud':
        return 'token audience not accepted';
      case 'nbf':
        return 'token not yet valid';
      case 'iat':
        return 'token issued-at time not accepted';
      case 'sub':
        return 'token has no subject';
      case 'exp':
        return 'token has no expiry';
      default:
        return 'token claims not accepted';
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'token signing key not recognised';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) return 'malformed token';
  if (err instanceof errors.JWKInvalid) return 'token signing key not usable';
  return undefined;
}

export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly options: JwtOptions;
  private readonly algorithms: string[];

  constructor(options: JwtOptions) {
    const problems = jwtOptionsProblems(options);
    if (problems.length) throw new Error(`Invalid JWT configuration: ${problems.join('; ')}`);
    this.options = options;
    this.algorithms = [...(options.algorithms ?? DEFAULT_JWT_ALGORITHMS)];
    if (options.jwksUrl !== undefined) {
      this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
        timeoutDuration: options.jwksTimeoutMs ?? 5_000,
        cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      });
    } else if (options.jwks !== undefined) {
      this.keys = createLocalJWKSet(options.jwks);
    } else {
      const pem = options.publicKey!;
      const fitting = algorithmsForPublicKey(pem);
      const imported = new Map<string, ReturnType<typeof importSPKI>>();
      this.keys = async (header) => {
        const alg = header.alg ?? '';
        // jwtVerify checks `alg` against the allowed list before the key is used.
        if (!this.algorithms.includes(alg)) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
        // An allowed algorithm the key cannot verify: the token names a key we do not have (401),
        // exactly as a JWKS without a matching key answers. Importing would fail as an outage.
        if (fitting !== undefined && !fitting.has(alg)) throw new errors.JWKSNoMatchingKey('no configured key fits the token algorithm');
        let key = imported.get(alg);
        if (!key) {
          key = importSPKI(pem, alg);
          imported.set(alg, key);
        }
        return key;
      };
    }
  }

  /** Verifies a compact JWS; throws AuthError 401 (invalid) or GatewayError 503 (keys unavailable). */
  async verify(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      const now = this.options.currentDate?.();
      const result = await jwtVerify(token, this.keys, {
        issuer: typeof this.options.issuer === 'string' ? this.options.issuer : [...this.options.issuer],
        audience: typeof this.options.audience === 'string' ? this.options.audience : [...this.options.audience],
        algorithms: this.algorithms,
        clockTolerance: this.options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
        ...(this.options.maxTokenAgeSeconds !== undefined ? { maxTokenAge: this.options.maxTokenAgeSeconds } : {}),
        ...(now ? { currentDate: now } : {}),
      });
      payload = result.payload;
    } catch (err) {
      const reason = reasonFor(err);
      if (reason !== undefined) throw invalidCredentials(reason);
      // JWKS endpoint unreachable, timed out or answered garbage: not the caller's fault.
      throw new GatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The identity provider signing keys are unavailable; try again later', {
        httpStatus: 503,
        cause: err,
      });
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw invalidCredentials('token has no subject');
    return createIdentity(payload.sub, 'jwt', claimScopes(payload, this.options.scopePrefix ?? ''), { issuer: typeof payload.iss === 'string' ? payload.iss : '' });
  }
}
