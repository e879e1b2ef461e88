/**
 * Authentication settings, read through the config module's `EnvReader` (this file never reads
 * `process.env`). Variables:
 *
 * | variable                              | meaning                                                    | default      |
 * |---------------------------------------|------------------------------------------------------------|--------------|
 * | `GATEWAY_AUTH`                        | `required` or `disabled` (local development only)          | `required`   |
 * | `GATEWAY_API_KEYS`                    | `id:sha256hex:scope+scope,…` or JSON `[{id,sha256,scopes}]` | none         |
 * | `GATEWAY_JWT_ISSUER`                  | accepted `iss`, comma-separated                            | none         |
 * | `GATEWAY_JWT_AUDIENCE`                | accepted `aud`, comma-separated                            | none         |
 * | `GATEWAY_JWT_JWKS_URL`                | JWKS endpoint (https)                                      | none         |
 * | `GATEWAY_JWT_JWKS`                    | inline JWKS JSON (instead of the URL)                      | none         |
 * | `GATEWAY_JWT_PUBLIC_KEY`              | PEM SPKI public key (instead of a JWKS; `\n` escapes ok)   | none         |
 * | `GATEWAY_JWT_ALGORITHMS`              | allowed `alg`, comma-separated (asymmetric only)           | `RS256,ES256`|
 * | `GATEWAY_JWT_CLOCK_TOLERANCE_SECONDS` | leeway for exp/nbf                                         | `30`         |
 * | `GATEWAY_JWT_SCOPE_PREFIX`            | prefix of the gateway scopes in `scope`/`scp`              | empty        |
 *
 * JWT verification is on when `GATEWAY_JWT_ISSUER` or any key source is set; then issuer,
 * audience and exactly one key source are required.
 */
import type { ApiKeyEntry } from './api-keys';
import { parseApiKeys } from './api-keys';
import type { AuthMode } from './authenticator';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, DEFAULT_JWT_ALGORITHMS, jwtOptionsProblems, type JwtOptions } from './jwt';

export interface AuthConfig {
  /** `GATEWAY_AUTH`. @default 'required' */
  readonly mode: AuthMode;
  /** `GATEWAY_API_KEYS`. @default [] */
  readonly apiKeys: readonly ApiKeyEntry[];
  /** `GATEWAY_JWT_*`; undefined when JWTs are not configured. */
  readonly jwt?: JwtOptions;
}

/** The subset of `EnvReader` (src/config.ts) used here. */
export interface AuthEnvReader {
  raw(name: string): string | undefined;
  readonly problems: { variable: string; problem: string }[];
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

export function readAuthConfig(r: AuthEnvReader): AuthConfig {
  const fail = (variable: string, problem: string) => r.problems.push({ variable, problem });

  let mode: AuthMode = 'required';
  const modeRaw = r.raw('GATEWAY_AUTH');
  if (modeRaw !== undefined) {
    const m = modeRaw.toLowerCase();
    if (m === 'required' || m === 'disabled') mode = m;
    else fail('GATEWAY_AUTH', `must be "required" or "disabled", got "${modeRaw}"`);
  }

  const keys = parseApiKeys(r.raw('GATEWAY_API_KEYS'));
  for (const p of keys.problems) fail('GATEWAY_API_KEYS', p);

  const issuer = list(r.raw('GATEWAY_JWT_ISSUER'));
  const audience = list(r.raw('GATEWAY_JWT_AUDIENCE'));
  const jwksUrl = r.raw('GATEWAY_JWT_JWKS_URL');
  const jwksRaw = r.raw('GATEWAY_JWT_JWKS');
  const publicKeyRaw = r.raw('GATEWAY_JWT_PUBLIC_KEY');
  let jwt: JwtOptions | undefined;
  if (issuer.length > 0 || audience.length > 0 || jwksUrl !== undefined || jwksRaw !== undefined || publicKeyRaw !== undefined) {
    let jwks: JwtOptions['jwks'];
    if (jwksRaw !== undefined) {
      try {
        const parsed = JSON.parse(jwksRaw) as unknown;
        if (parsed === null || typeof parsed !== 'object' || !Array.isArray((parsed as { keys?: unknown }).keys)) {
          fail('GATEWAY_JWT_JWKS', 'must be a JSON Web Key Set {"keys":[...]}');
        } else jwks = parsed as JwtOptions['jwks'];
      } catch {
        fail('GATEWAY_JWT_JWKS', 'is not valid JSON');
      }
    }
    const publicKey = publicKeyRaw?.replace(/\\n/g, '\n');
    if (publicKey !== undefined && !publicKey.includes('-----BEGIN PUBLIC KEY-----')) {
      fail('GATEWAY_JWT_PUBLIC_KEY', 'must be a PEM "BEGIN PUBLIC KEY" (SPKI) block');
    }
    const algorithms = list(r.raw('GATEWAY_JWT_ALGORITHMS'));
    const tolRaw = r.raw('GATEWAY_JWT_CLOCK_TOLERANCE_SECONDS');
    let clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS;
    if (tolRaw !== undefined) {
      if (/^\d+$/.test(tolRaw) && Number(tolRaw) <= 300) clockToleranceSeconds = Number(tolRaw);
      else fail('GATEWAY_JWT_CLOCK_TOLERANCE_SECONDS', `must be an integer between 0 and 300, got "${tolRaw}"`);
    }
    const candidate: JwtOptions = {
      issuer,
      audience,
      ...(jwksUrl !== undefined ? { jwksUrl } : {}),
      ...(jwksRaw !== undefined ? { jwks: jwks ?? { keys: [] } } : {}),
      ...(publicKey !== undefined ? { publicKey } : {}),
      algorithms: algorithms.length > 0 ? algorithms : [...DEFAULT_JWT_ALGORITHMS],
      clockToleranceSeconds,
      scopePrefix: r.raw('GATEWAY_JWT_SCOPE_PREFIX') ?? '',
    };
    for (const p of jwtOptionsProblems(candidate)) fail('GATEWAY_JWT_*', p);
    jwt = candidate;
  }

  return { mode, apiKeys: keys.entries, ...(jwt ? { jwt } : {}) };
}

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

/**
 * Startup check. In production with auth required, at least one credential source (API keys or
 * JWT) must be configured, otherwise every request would be refused: throw a clear error.
 * Returns warnings to log (auth explicitly disabled in production or staging).
 */
export function assertProductionAuth(config: { env: string; auth: AuthConfig }): { warnings: string[] } {
  const { env, auth } = config;
  const warnings: string[] = [];
  if (auth.mode === 'disabled') {
    if (env === 'production' || env === 'staging') {
      warnings.push(`GATEWAY_AUTH=disabled in ${env}: every caller has every scope, including private-key download`);
    }
    return { warnings };
  }
  if (env === 'production' && auth.apiKeys.length === 0 && auth.jwt === undefined) {
    throw new AuthConfigError(
      'Authentication is required in production but no credentials are configured: set GATEWAY_API_KEYS ' +
        '(id:sha256:scopes) and/or GATEWAY_JWT_ISSUER, GATEWAY_JWT_AUDIENCE and GATEWAY_JWT_JWKS_URL; ' +
        'or set GATEWAY_AUTH=disabled explicitly (not recommended).',
    );
  }
  return { warnings };
}
