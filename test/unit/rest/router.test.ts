import { describe, expect, it } from 'vitest';
import { REST_ROUTES } from '../../../src/rest';
import { Router, type Route } from '../../../src/rest/router';

const route = (method: Route['method'], path: string): Route => ({
  method,
  path,
  doc: { operationId: `${method}${path}`, summary: '', description: '', tags: [], actions: [], responses: {} },
  handle: async () => ({ status: 200, headers: {}, body: '' }),
});

describe('Router', () => {
  const router = new Router([
    route('GET', '/v1/certificates'),
    route('POST', '/v1/certificates'),
    route('GET', '/v1/certificates/{id}'),
    route('DELETE', '/v1/certificates/{id}'),
    route('GET', '/v1/certificates/{id}/download-url'),
    route('POST', '/v1/certificates:batch-delete'),
    route('GET', '/v1/deployments/{kind}/{id}'),
  ]);

  it('matches literal paths and extracts parameters', () => {
    const m = router.match('GET', '/v1/certificates/abc');
    expect(m.kind).toBe('route');
    if (m.kind === 'route') {
      expect(m.route.path).toBe('/v1/certificates/{id}');
      expect(m.params).toEqual({ id: 'abc' });
    }
    const d = router.match('GET', '/v1/deployments/update/42');
    expect(d.kind === 'route' && d.params).toEqual({ kind: 'update', id: '42' });
  });

  it('keeps parameters raw (decoding and checking is the route’s job)', () => {
    const m = router.match('GET', '/v1/certificates/a%2Fb');
    expect(m.kind === 'route' && m.params.id).toBe('a%2Fb');
  });

  it('treats a trailing slash as the same path', () => {
    expect(router.match('GET', '/v1/certificates/').kind).toBe('route');
  });

  it('tells a wrong method (with the allowed ones) from an unknown path', () => {
    expect(router.match('PATCH', '/v1/certificates/abc')).toEqual({ kind: 'method', allow: ['DELETE', 'GET'] });
    expect(router.match('GET', '/v1/certificates:batch-delete')).toEqual({ kind: 'method', allow: ['POST'] });
    expect(router.match('GET', '/v1/nothing')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/v1/certificates/abc/unknown')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/v2/certificates')).toEqual({ kind: 'none' });
  });

  it('does not match an empty parameter segment', () => {
    expect(router.match('GET', '/v1/certificates//download-url').kind).toBe('none');
  });

  it('answers HEAD with the GET route', () => {
    expect(router.match('HEAD', '/v1/certificates').kind).toBe('route');
  });
});

describe('REST_ROUTES (the route table)', () => {
  it('has unique method + path pairs and unique operation ids', () => {
    const keys = REST_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    const ops = REST_ROUTES.map((r) => r.doc.operationId);
    expect(new Set(ops).size).toBe(ops.length);
  });

  it('keeps every route under /v1/', () => {
    for (const r of REST_ROUTES) expect(r.path.startsWith('/v1/')).toBe(true);
  });

  it('is the table documented in src/rest/README.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../../src/rest/README.md', import.meta.url), 'utf8');
    for (const r of REST_ROUTES) expect(readme, `${r.method} ${r.path}`).toContain(`| ${r.method} | \`${r.path}\``);
  });
});
