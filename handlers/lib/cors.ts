/**
 * CORS for browser frontends, from the allowlist in `GatewaySettings.corsAllowedOrigins`
 * (`CORS_ALLOWED_ORIGINS`). Applied where requests enter (the Lambda handlers, and so the local
 * server too) rather than by API Gateway's built-in CORS, so one allowlist governs every way in
 * and `OPTIONS` routes reach the function.
 *
 * Rules:
 * - `Access-Control-Allow-Origin` echoes the request's Origin only when it is allowed; never `*`
 *   and never `Access-Control-Allow-Credentials` (clients authenticate with headers, not cookies).
 * - Every answer carries `Vary: Origin`, since it depends on the Origin.
 * - A preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`) is answered here: 204 with
 *   the allowed methods and the requested headers when the origin is allowed, 403 otherwise.
 *   A plain `OPTIONS` (no preflight) goes to the surface, which answers its `Allow`.
 * - Cross-origin requests from other origins are still processed (CORS is not authentication);
 *   the browser withholds the answer from the page.
 * - An answer that declares itself same-origin only (`Cross-Origin-Resource-Policy: same-origin`:
 *   the playground page and its assets) never gets CORS headers, whatever the allowlist: the page
 *   carries the local demo API key, and an allowed origin (in development any `http://localhost:*`
 *   page) must not be able to fetch it and read the key.
 */
import { ERROR_HTTP_STATUS, ErrorCode } from '../../src/errors';
import type { GatewayResult, Surface } from '../../src/http/types';
import type { GatewayRequest } from '../../src/http/types';

export const CORS_METHODS: Readonly<Record<Surface, string>> = {
  graphql: 'GET, POST, OPTIONS',
  rest: 'GET, POST, PUT, DELETE, OPTIONS',
};

/**
 * Response headers a browser page may read besides the CORS-safelisted ones: the REST async
 * answers' Location and Retry-After, X-Request-Id, and WWW-Authenticate (why a 401/403 happened:
 * missing or invalid token, insufficient scope), and Idempotent-Replayed (the answer is the stored
 * answer of an earlier request with the same Idempotency-Key).
 */
export const CORS_EXPOSED_HEADERS = 'Location, Retry-After, X-Request-Id, WWW-Authenticate, Idempotent-Replayed';

/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * Whether `origin` matches one of `patterns`: an exact origin (`https://app.example.com`),
 * `scheme://host:*` (any port of that host, or none), or `*`.
 */
export function isOriginAllowed(origin: string | undefined, patterns: readonly string[]): boolean {
  if (!origin || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // A well-formed Origin is exactly scheme://host[:port].
  if (url.origin !== origin.toLowerCase()) return false;
  for (const raw of patterns) {
    const pattern = raw.trim().toLowerCase().replace(/\/+$/, '');
    if (pattern === '*') return true;
    if (pattern.endsWith(':*')) {
      const prefix = pattern.slice(0, -2);
      if (`${url.protocol}//${url.hostname}` === prefix) return true;
      continue;
    }
    if (pattern === url.origin) return true;
  }
  return false;
}

const appendVary = (headers: Record<string, string>, ...names: string[]): void => {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'vary');
  const present = key ? headers[key].split(',').map((s) => s.trim().toLowerCase()) : [];
  const add = names.filter((n) => !present.includes(n.toLowerCase()) && !present.includes('*'));
  if (add.length === 0) return;
  const value = [key ? headers[key] : '', ...add].filter(Boolean).join(', ');
  if (key) delete headers[key];
  headers.vary = value;
};

/** The answer to a CORS preflight, or undefined for any other request (plain `OPTIONS` included). */
export function handlePreflight(req: GatewayRequest, surface: Surface, allowed: readonly string[]): GatewayResult | undefined {
  if (req.method.toUpperCase() !== 'OPTIONS') return undefined;
  const origin = req.headers.origin;
  const requestedMethod = req.headers['access-control-request-method'];
  if (origin === undefined || requestedMethod === undefined) return undefined;
  const headers: Record<string, string> = {};
  appendVary(headers, 'Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers');
  const methodOk = CORS_METHODS[surface].split(', ').includes(requestedMethod.trim().toUpperCase());
  if (!isOriginAllowed(origin, allowed) || !methodOk) {
    const body = JSON.stringify({
      error: {
        code: ErrorCode.CORS_NOT_ALLOWED,
        message: methodOk ? 'This origin is not allowed to call the gateway' : `Method ${requestedMethod} is not allowed here`,
        requestId: req.requestId,
      },
    });
    return { status: ERROR_HTTP_STATUS.CORS_NOT_ALLOWED, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body };
  }
  headers['access-control-allow-origin'] = origin;
  headers['access-control-allow-methods'] = CORS_METHODS[surface];
  // The origin is trusted, so whatever headers its page wants to send are allowed (an API key
  // header, Apollo's preflight headers, ...); only well-formed header names are echoed.
  const requestedHeaders = (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(h));
  if (requestedHeaders.length > 0) headers['access-control-allow-headers'] = requestedHeaders.join(', ');
  headers['access-control-max-age'] = String(CORS_MAX_AGE_SECONDS);
  return { status: 204, headers, body: '' };
}

/** Whether an answer is for its own origin only (see the rules above). */
export function isSameOriginOnly(res: GatewayResult): boolean {
  const key = Object.keys(res.headers).find((k) => k.toLowerCase() === 'cross-origin-resource-policy');
  return key !== undefined && res.headers[key].trim().toLowerCase() === 'same-origin';
}

/**
 * Adds `Vary: Origin` to every answer, and the allow/expose headers for an allowed origin unless
 * the answer is same-origin only.
 */
export function withCorsHeaders(res: GatewayResult, req: GatewayRequest, allowed: readonly string[]): GatewayResult {
  const headers = { ...res.headers };
  appendVary(headers, 'Origin');
  const origin = req.headers.origin;
  if (req.method.toUpperCase() !== 'OPTIONS' && !isSameOriginOnly(res) && isOriginAllowed(origin, allowed)) {
    headers['access-control-allow-origin'] = origin!;
    headers['access-control-expose-headers'] = CORS_EXPOSED_HEADERS;
  }
  return { ...res, headers };
}
