/**
 * The documentation for people without a key yet: with API keys configured, `/v1/openapi.json`,
 * `/v1/docs` and the docs page's files answer without a credential, while every API route still
 * asks for one; `PUBLIC_DOCS=false` puts the documentation behind authentication too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayFixture } from '../../helpers/fixture';

const DOCS_PATHS = ['/v1/openapi.json', '/v1/docs', '/v1/docs/', '/v1/docs/assets/redoc.standalone.js', '/v1/docs/assets/docs.js'];

describe('public documentation (PUBLIC_DOCS, default true)', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers the OpenAPI document, the docs page and its files without a credential', async () => {
    for (const path of DOCS_PATHS) {
      const res = await gw.fetch(path, { key: null });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('www-authenticate'), path).toBeNull();
    }
  });

  it('still asks for a credential on every API route', async () => {
    const res = await gw.fetch('/v1/certificates', { key: null });
    expect(res.status).toBe(401);
    const action = await gw.fetch('/v1/actions/DescribeCertificates', { method: 'POST', json: {}, key: null });
    expect(action.status).toBe(401);
  });

  it('does not make a path that merely starts like the docs public', async () => {
    for (const path of ['/v1/docs/assets/../certificates', '/v1/docsx', '/v1/openapi.jsonx', '/v1/docs/other']) {
      const res = await gw.fetch(path, { key: null });
      expect(res.status, path).toBe(401);
    }
  });

  it('serves the page with a CSP that names no other origin and loads the reference from the gateway', async () => {
    const res = await gw.fetch('/v1/docs', { key: null });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await res.text();
    expect(html).toContain('<script src="docs/assets/redoc.standalone.js"></script>');
    expect(html).toContain('data-spec-url="openapi.json"');
    expect(html).not.toMatch(/(?:href|src)="(?:https?:)?\/\//);
    // The old hand-written reference is gone.
    expect(html).not.toContain('id="schema-Error"');
  });

  it('serves the Redoc bundle compressed and cacheable, with its vendor CDN logo made local', async () => {
    const res = await gw.fetch('/v1/docs/assets/redoc.standalone.js', { key: null, headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    const source = await res.text(); // fetch decompresses
    expect(source).toContain('Redoc');
    expect(source).not.toContain('cdn.redoc.ly');
    const again = await gw.fetch('/v1/docs/assets/redoc.standalone.js', { key: null, headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const missing = await gw.fetch('/v1/docs/assets/nope.js', { key: null });
    expect(missing.status).toBe(404);
  });
});

describe('PUBLIC_DOCS=false', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway({ env: { PUBLIC_DOCS: 'false' } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('puts the OpenAPI document, the docs page and its files behind authentication', async () => {
    for (const path of DOCS_PATHS) {
      const anonymous = await gw.fetch(path, { key: null });
      expect(anonymous.status, path).toBe(401);
      const withKey = await gw.fetch(path, { key: 'read' });
      expect(withKey.status, path).toBe(200);
    }
  });
});
