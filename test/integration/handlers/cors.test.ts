/**
 * CORS from the allowlist: preflights answered by the Lambda handlers, `Access-Control-Allow-Origin`
 * echoed only for allowed origins, `Vary: Origin` on every answer, for every event shape.
 *
 * The gateway requires client authentication (configured from `GATEWAY_API_KEYS`): actual
 * requests carry the client's key in `x-api-key`; preflights carry none, as browsers send them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler, type LambdaHttpHandler } from '../../../handlers/lib/lambda';
import { isOriginAllowed } from '../../../handlers/lib/cors';
import { gatewaySettings } from '../../../src/app';
import { DEV_CORS_ORIGINS } from '../../../src/config';
import { createDemoApiKey, formatApiKeys } from '../../../src/auth';
import { loadConfig } from '../../../src/config';
import { startGateway, type GatewayFixture } from '../../helpers/fixture';
import { EVENT_KINDS, httpEvent, lambdaContext, normalizeResult, type EventKind, type HttpRequestSpec } from '../../helpers/lambda-events';

const ALLOWED = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const OTHER = 'https://evil.example.net';
/** The browser app's API key; the gateway knows only its hash. */
const CLIENT = createDemoApiKey({ id: 'cors-test' });

let fx: GatewayFixture;
let graphql: LambdaHttpHandler;
let rest: LambdaHttpHandler;

beforeAll(async () => {
  fx = await startGateway({ env: { GATEWAY_API_KEYS: formatApiKeys([CLIENT.entry]), CORS_ALLOWED_ORIGINS: `${ALLOWED},http://localhost:*`, LOG_LEVEL: 'silent' } });
  graphql = createLambdaHandler('graphql', async () => fx.gateway);
  rest = createLambdaHandler('rest', async () => fx.gateway);
});

afterAll(() => fx?.close());

const call = async (handler: LambdaHttpHandler, kind: EventKind, spec: HttpRequestSpec) =>
  normalizeResult(await handler(httpEvent(kind, spec), lambdaContext()));

const preflight = (path: string, origin: string, method = 'POST', headers = 'content-type, x-api-key'): HttpRequestSpec => ({
  method: 'OPTIONS',
  path,
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

describe('isOriginAllowed', () => {
  it.each([
    [ALLOWED, [ALLOWED], true],
    [`${ALLOWED}/`, [ALLOWED], false], // an Origin never has a path
    ['https://app.example.com:8443', [ALLOWED], false],
    ['http://app.example.com', [ALLOWED], false],
    ['https://sub.app.example.com', [ALLOWED], false],
    [ALLOWED, [`${ALLOWED}/`], true], // a trailing slash in the allowlist is tolerated
    ['http://localhost:3000', ['http://localhost:*'], true],
    ['http://localhost', ['http://localhost:*'], true],
    ['https://localhost:3000', ['http://localhost:*'], false],
    ['http://localhost.evil.net:3000', ['http://localhost:*'], false],
    [OTHER, ['*'], true],
    ['null', ['*'], false],
    [OTHER, [], false],
  ] as const)('%s with %j → %s', (origin, patterns, expected) => {
    expect(isOriginAllowed(origin, patterns)).toBe(expected);
  });
});

describe('default allowlist', () => {
  it('allows http://localhost:* and http://127.0.0.1:* in development only', () => {
    expect(gatewaySettings(loadConfig({})).corsAllowedOrigins).toEqual(DEV_CORS_ORIGINS);
    expect(gatewaySettings(loadConfig({ NODE_ENV: 'test' })).corsAllowedOrigins).toEqual([]);
    expect(gatewaySettings(loadConfig({ NODE_ENV: 'production' })).corsAllowedOrigins).toEqual([]);
    expect(gatewaySettings(loadConfig({ GATEWAY_ENV: 'staging' })).corsAllowedOrigins).toEqual([]);
  });
});

describe.each(EVENT_KINDS)('CORS, %s events', (kind) => {
  it('answers an allowed preflight for /graphql with the origin, methods and requested headers', async () => {
    const res = await call(graphql, kind, preflight('/graphql', ALLOWED));
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('content-type, x-api-key');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toContain('Origin');
  });

  it('answers an allowed preflight for /v1 with the REST methods', async () => {
    const res = await call(rest, kind, preflight('/v1/certificates/abc', DEV, 'DELETE'));
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(DEV);
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, DELETE, OPTIONS');
  });

  it('refuses a preflight from an origin not on the list, or for a method the surface lacks', async () => {
    for (const [handler, spec] of [
      [graphql, preflight('/graphql', OTHER)],
      [rest, preflight('/v1/certificates', OTHER, 'GET')],
      [graphql, preflight('/graphql', ALLOWED, 'DELETE')],
    ] as const) {
      const res = await call(handler, kind, spec);
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers.vary).toContain('Origin');
      expect(JSON.parse(res.text).error.code).toBe('CORS_NOT_ALLOWED');
    }
  });

  it('echoes an allowed origin on the actual request and exposes the async-work headers', async () => {
    const res = await call(graphql, kind, {
      method: 'POST',
      path: '/graphql',
      headers: { origin: ALLOWED, 'content-type': 'application/json', 'x-api-key': CLIENT.key },
      body: JSON.stringify({ query: '{ certificates(limit: 1) { totalCount } }' }),
    });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text).data.certificates.totalCount).toBeGreaterThan(0);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-expose-headers']).toBe('Location, Retry-After, X-Request-Id, WWW-Authenticate, Idempotent-Replayed');
    expect(res.headers.vary).toContain('Origin');
  });

  it('exposes Idempotent-Replayed, Retry-After and X-Request-Id to browsers', async () => {
    const res = await call(rest, kind, { method: 'GET', path: '/v1/certificates?limit=1', headers: { origin: ALLOWED, 'x-api-key': CLIENT.key } });
    const exposed = String(res.headers['access-control-expose-headers']).split(', ');
    expect(exposed).toEqual(expect.arrayContaining(['Idempotent-Replayed', 'Retry-After', 'X-Request-Id']));
  });

  it('still answers other origins and same-origin calls, without Access-Control-Allow-Origin', async () => {
    for (const headers of [{ origin: OTHER }, {}] as Record<string, string>[]) {
      const res = await call(rest, kind, { method: 'GET', path: '/v1/certificates?limit=1', headers: { ...headers, 'x-api-key': CLIENT.key } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers.vary).toContain('Origin');
    }
  });

  it('answers a request without a key with 401 and WWW-Authenticate, readable by an allowed origin', async () => {
    for (const [handler, spec] of [
      [graphql, { method: 'POST', path: '/graphql', headers: { origin: ALLOWED, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ certificates(limit: 1) { totalCount } }' }) }],
      [rest, { method: 'GET', path: '/v1/certificates?limit=1', headers: { origin: ALLOWED } }],
    ] as const) {
      const res = await call(handler, kind, spec);
      expect(res.status, res.text).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');
      const body = JSON.parse(res.text);
      expect(handler === graphql ? body.errors[0].extensions.code : body.error.code).toBe('UNAUTHENTICATED');
      // The page can read the refusal (and tell its user to sign in) instead of a CORS error,
      // and why (WWW-Authenticate is exposed).
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(String(res.headers['access-control-expose-headers']).split(', ')).toContain('WWW-Authenticate');
      expect(res.headers.vary).toContain('Origin');
    }
  });

  it('serves the playground page and its assets without CORS headers, even to an allowed origin', async () => {
    // The page may carry a pre-filled API key (the local demo key): no other origin may read it.
    for (const spec of [
      { method: 'GET', path: '/graphql', headers: { origin: DEV, accept: 'text/html' } } as HttpRequestSpec,
      { method: 'GET', path: '/graphql/assets/playground.js', headers: { origin: DEV } },
      { method: 'GET', path: '/graphql/assets/nope.js', headers: { origin: DEV } },
    ]) {
      const res = await call(graphql, kind, spec);
      expect(res.status, spec.path).toBe(spec.path.endsWith('nope.js') ? 404 : 200);
      expect(res.headers['cross-origin-resource-policy'], spec.path).toBe('same-origin');
      expect(res.headers['access-control-allow-origin'], spec.path).toBeUndefined();
      expect(res.headers['access-control-expose-headers'], spec.path).toBeUndefined();
      expect(res.headers.vary, spec.path).toContain('Origin');
    }
    // GraphQL itself, from the same origin and path, still gets them.
    const api = await call(graphql, kind, { method: 'GET', path: '/graphql?query=%7B__typename%7D', headers: { origin: DEV, accept: 'application/json', 'apollo-require-preflight': 'true', 'x-api-key': CLIENT.key } });
    expect(api.status, api.text).toBe(200);
    expect(api.headers['access-control-allow-origin']).toBe(DEV);
  });

  it('answers preflights without a key (browsers never send credentials on them)', async () => {
    const res = await call(rest, kind, preflight('/v1/certificates', ALLOWED, 'GET'));
    expect(res.status).toBe(204);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.headers['access-control-allow-headers']).toBe('content-type, x-api-key');
  });

  it('leaves a plain OPTIONS (not a preflight) to the surface', async () => {
    const res = await call(rest, kind, { method: 'OPTIONS', path: '/v1/certificates' });
    expect(res.status).toBe(204);
    expect(res.headers.allow).toContain('GET');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
