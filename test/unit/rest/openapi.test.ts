import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES, buildOpenApiDocument, createRestHandler } from '../../../src/rest';
import { actionNames, getAction, structureNames } from '../../../src/spec';
import { ScriptedUpstream, parse, request } from './helpers';

type Doc = Record<string, any>;

function collectRefs(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

function resolve(doc: Doc, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<any>((node, key) => (node === undefined ? undefined : node[key.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
}

describe('OpenAPI document', () => {
  let doc: Doc;
  beforeAll(() => {
    doc = buildOpenApiDocument(REST_ROUTES);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('resolves every $ref', () => {
    const refs = [...collectRefs(doc)];
    expect(refs.length).toBeGreaterThan(100);
    const dangling = refs.filter((r) => resolve(doc, r) === undefined);
    expect(dangling).toEqual([]);
  });

  it('has one POST operation per action, with request and response schemas from the spec', () => {
    const actionPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/actions/'));
    expect(actionPaths.sort()).toEqual(actionNames.map((n) => `/v1/actions/${n}`).sort());
    for (const name of actionNames) {
      const op = doc.paths[`/v1/actions/${name}`].post;
      expect(op.operationId).toBe(`action${name}`);
      expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${name}Request` });
      expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${name}Response` });
      const req = doc.components.schemas[`${name}Request`];
      expect(Object.keys(req.properties)).toEqual(getAction(name)!.inputs.map((m) => m.name));
      expect(req.required ?? []).toEqual(getAction(name)!.inputs.filter((m) => m.required).map((m) => m.name));
      expect(req.additionalProperties).toBe(false);
      const res = doc.components.schemas[`${name}Response`];
      expect(Object.keys(res.properties)).toEqual([...getAction(name)!.outputs.map((m) => m.name), 'RequestId']);
      expect(op.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    }
  });

  it('documents every resource route with its method', () => {
    for (const r of REST_ROUTES) {
      if (r.path === '/v1/actions/{Action}') continue;
      expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    expect(doc.paths['/v1/actions/{Action}']).toBeUndefined();
  });

  it('carries the validator’s constraints into the request schemas', () => {
    const s = doc.components.schemas;
    expect(s.DescribeCertificatesRequest.properties.Limit).toMatchObject({ type: 'integer', minimum: 0, maximum: 1000 });
    expect(s.DeleteCertificatesRequest.properties.CertificateIds).toMatchObject({ type: 'array', maxItems: 100, items: { type: 'string' } });
    expect(s.DescribeCertificatesRequest.properties.CertificateStatus.items.enum).toEqual([...Array(16).keys()]);
    expect(s.ApplyCertificateRequest.properties.DvAuthMethod.enum).toEqual(['DNS_AUTO', 'DNS', 'FILE']);
    expect(s.DescribeCertificateBindResourceTaskDetailRequest.properties.Limit).toMatchObject({ type: 'string', pattern: '^\\d+$' });
    expect(s.DeployCertificateInstanceRequest.properties.InstanceIdList.items.enum).toBeUndefined();
    expect(s.DescribeCertificatesRequest.properties.Tags.items).toEqual({ $ref: '#/components/schemas/TagsInput' });
    expect(s.TagsInput.additionalProperties).toBe(false);
  });

  it('marks nullable outputs and has a schema for every structure', () => {
    for (const name of structureNames) expect(doc.components.schemas[name], name).toBeDefined();
    const detail = doc.components.schemas.DescribeCertificateDetailResponse.properties;
    const nullable = getAction('DescribeCertificateDetail')!.outputs.filter((m) => m.nullable);
    expect(nullable.length).toBeGreaterThan(0);
    for (const m of nullable) {
      const p = detail[m.name];
      const allowsNull = (Array.isArray(p.type) && p.type.includes('null')) || (p.anyOf ?? []).some((x: { type?: string }) => x.type === 'null');
      expect(allowsNull, m.name).toBe(true);
    }
  });

  it('is written in English (no text from the Chinese seed)', () => {
    const cjk = JSON.stringify(doc).match(/[\u3400-\u9fff]+/g) ?? [];
    expect(cjk).toEqual([]);
  });

  it('describes actions with the English summaries and the documented rate limit', () => {
    const op = doc.paths['/v1/actions/ApplyCertificate'].post;
    expect(op.summary).toBe('Applies for a free DV certificate.');
    expect(op['x-rate-limit-per-second']).toBe(getAction('ApplyCertificate')!.rateLimit);
    expect(doc.components.schemas.ApplyCertificateRequest.properties.DomainName.description).toContain('Domain the certificate is issued for');
  });

  it('has the error body schema, shared error responses and the enforced security schemes', () => {
    expect(doc.components.schemas.GatewayError.properties.error.required).toEqual(['code', 'message', 'requestId']);
    expect(doc.components.responses.RateLimited.headers['Retry-After']).toBeDefined();
    expect(doc.components.responses.MethodNotAllowed.headers.Allow).toBeDefined();
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['ApiKeyAuth', 'BearerAuth']);
    expect(doc.components.securitySchemes.BearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.security).toEqual([{ ApiKeyAuth: [] }, { BearerAuth: [] }]);
  });

  it('documents 202 + Location + Retry-After on the async routes', () => {
    const post = doc.paths['/v1/certificates/{id}/bind-resource-tasks'].post;
    expect(Object.keys(post.responses['202'].headers)).toEqual(['Location', 'Retry-After', 'X-Request-Id', 'Idempotent-Replayed']);
    expect(Object.keys(doc.paths['/v1/bind-resource-tasks/{id}'].get.responses)).toEqual(expect.arrayContaining(['200', '202', '404']));
    expect(doc.paths['/v1/certificates/{id}/deployments'].post.responses['409']).toBeDefined();
  });
});

describe('GET /v1/openapi.json', () => {
  const handler = createRestHandler({ upstream: new ScriptedUpstream() });

  it('serves the document as JSON, built once', async () => {
    const a = await handler(request('GET', '/v1/openapi.json'));
    const b = await handler(request('GET', '/v1/openapi.json'));
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(a.body).toBe(b.body);
    expect(parse(a).openapi).toBe('3.1.0');
  });
});
