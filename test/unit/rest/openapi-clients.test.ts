/**
 * The OpenAPI document is true to the product, the way third-party clients meet it:
 * - security as src/auth enforces it (no anonymous access, scopes per operation);
 * - error responses on every operation, idempotency on every write operation;
 * - response members required where the documentation says they are always present;
 * - two validators: @seriousme/openapi-schema-validator (in openapi.test.ts) and Redocly's
 *   recommended lint rules, with every remaining warning explained below;
 * - openapi-typescript with its default options generates types that compile with tsc.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { requiredScopes } from '../../../src/auth/scopes';
import { REST_ROUTES, buildOpenApiDocument } from '../../../src/rest';
import { actionNames, getAction, outputNullable } from '../../../src/spec';

type Doc = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

let doc: Doc;
beforeAll(() => {
  doc = buildOpenApiDocument(REST_ROUTES);
});

function operations(): { path: string; method: string; op: Doc }[] {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );
}

const isWrite = (path: string, method: string): boolean =>
  path.startsWith('/v1/actions/') ? getAction(path.slice('/v1/actions/'.length))!.kind === 'write' : method !== 'get';

/** The routes that answer without a credential while PUBLIC_DOCS is on (the default). */
const DOCS_PATHS = new Set(['/v1/openapi.json', '/v1/docs']);

describe('OpenAPI security as enforced', () => {
  it('allows no anonymous access and labels nothing a placeholder', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/placeholder|not enforced/i);
    expect(doc.security).toEqual([{ ApiKeyAuth: [] }, { BearerAuth: [] }]);
    expect(doc.components.securitySchemes.ApiKeyAuth).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(doc.components.securitySchemes.BearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const { path, method, op } of operations()) {
      if (DOCS_PATHS.has(path)) continue;
      expect(op.security, `${method} ${path}`).toHaveLength(2);
      expect(op.security.some((r: Doc) => Object.keys(r).length === 0), `${method} ${path}`).toBe(false);
    }
  });

  it('says the documentation itself is public (PUBLIC_DOCS), with the schemes that apply when it is not', () => {
    for (const path of DOCS_PATHS) {
      const op = doc.paths[path].get;
      expect(op.security, path).toEqual([{}, { ApiKeyAuth: [] }, { BearerAuth: [] }]);
      expect(op.description, path).toContain('PUBLIC_DOCS=false');
    }
  });

  it('lists the scopes each action needs, as the gateway checks them', () => {
    for (const name of actionNames) {
      const op = doc.paths[`/v1/actions/${name}`].post;
      expect(op.security, name).toEqual([{ ApiKeyAuth: requiredScopes(name) }, { BearerAuth: requiredScopes(name) }]);
    }
    expect(doc.paths['/v1/actions/DeleteCertificate'].post.security[0].ApiKeyAuth).toContain('write');
    expect(doc.paths['/v1/actions/DescribeCertificates'].post.security[0].ApiKeyAuth).toEqual(['read']);
  });
});

describe('OpenAPI error responses and idempotency', () => {
  it('declares 400, 401, 403, 429, 500, 502 and 504 on every operation, all with the one error schema', () => {
    for (const { path, method, op } of operations()) {
      for (const status of ['400', '401', '403', '429', '500', '502', '504']) {
        expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
      }
      for (const [status, r] of Object.entries(op.responses) as [string, Doc][]) {
        if (Number(status) < 400) continue;
        const name = r.$ref.replace('#/components/responses/', '');
        expect(doc.components.responses[name].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/GatewayError' });
      }
    }
  });

  it('gives every write operation an Idempotency-Key header, Idempotent-Replayed, 409, 422 and 503; reads none', () => {
    let writes = 0;
    for (const { path, method, op } of operations()) {
      const key = (op.parameters ?? []).find((p: Doc) => p.name === 'Idempotency-Key');
      if (!isWrite(path, method)) {
        expect(key, `${method} ${path}`).toBeUndefined();
        continue;
      }
      writes++;
      expect(key, `${method} ${path}`).toMatchObject({ in: 'header', required: false, schema: { type: 'string', maxLength: 255 } });
      for (const status of ['409', '422', '503']) expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
      for (const [status, r] of Object.entries(op.responses) as [string, Doc][]) {
        if (status.startsWith('2')) expect(r.headers?.['Idempotent-Replayed'], `${method} ${path} ${status}`).toBeDefined();
      }
    }
    expect(writes).toBeGreaterThan(40);
    expect(doc.components.responses.IdempotencyKeyReused.description).toContain('IDEMPOTENCY_KEY_REUSED');
    expect(doc.components.responses.Conflict.description).toContain('IDEMPOTENCY_IN_PROGRESS');
  });

  it('lists the error codes as an enum', () => {
    const code = doc.components.schemas.GatewayError.properties.error.properties.code;
    expect(code.enum).toEqual(expect.arrayContaining(['BAD_REQUEST', 'UNAUTHENTICATED', 'NOT_FOUND', 'RATE_LIMITED', 'UPSTREAM_CONTRACT', 'METHOD_NOT_ALLOWED']));
  });
});

describe('OpenAPI response members', () => {
  it('requires every documented response member that may not be null', () => {
    for (const name of actionNames) {
      const schema = doc.components.schemas[`${name}Response`];
      const a = getAction(name)!;
      const expected = [...a.outputs.filter((m) => !outputNullable(`${name}.out`, m)).map((m) => m.name), 'RequestId'];
      expect(schema.required, name).toEqual(expected);
    }
  });

  it('describes the upstream time format of /v1/actions answers', () => {
    const begin = doc.components.schemas.Certificates.properties.CertBeginTime;
    expect(begin.description).toContain('YYYY-MM-DD hh:mm:ss');
    expect(begin.description).toContain('UTC+08:00');
    expect(doc.info.description).toContain('ISO 8601');
  });
});

/**
 * Redocly's recommended rules, with the warnings that stay and why:
 * - no-unused-components: `Filter` and `ResourceTypeRegions` are documented structures used only
 *   as inputs (their `…Input` forms are used); they keep an output schema like every structure.
 *   `MethodNotAllowed` (405) is answered for methods a path does not define, which OpenAPI cannot
 *   attach to an operation.
 */
const EXPLAINED_WARNINGS = new Set(['no-unused-components Filter', 'no-unused-components ResourceTypeRegions', 'no-unused-components MethodNotAllowed']);

describe('second validator: Redocly lint', () => {
  it('finds no error and only the explained warnings', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: '/openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`);
    expect(errors).toEqual([]);
    const warnings = problems
      .filter((p) => p.severity === 'warn')
      .map((p) => `${p.ruleId} ${p.ruleId === 'no-unused-components' ? (/"(\w+)"/.exec(p.message)?.[1] ?? p.message) : p.message}`);
    expect(warnings.filter((w) => !EXPLAINED_WARNINGS.has(w))).toEqual([]);
  });
});

describe('openapi-typescript clients compile', () => {
  it('generates types with the default options that a typed usage compiles against', async () => {
    const ts = astToString(await openapiTS(structuredClone(doc) as never));
    const dir = mkdtempSync(join(tmpdir(), 'openapi-ts-'));
    try {
      writeFileSync(join(dir, 'api.d.ts'), ts);
      writeFileSync(
        join(dir, 'usage.ts'),
        `import type { components, paths } from './api';
type Certs = paths['/v1/actions/DescribeCertificates']['post']['responses']['200']['content']['application/json'];
type Listener = components['schemas']['ClbListener'];
type Err = components['schemas']['GatewayError'];
export function firstId(res: Certs): string | undefined {
  // Required members need no checks; nullable ones do.
  const list = res.Certificates ?? [];
  return list.length ? list[0].CertificateId : undefined;
}
export function certOf(l: Listener): string | null {
  return l.Certificate == null ? null : l.Certificate.CertId;
}
export function codeOf(e: Err): Err['error']['code'] {
  return e.error.code;
}
type DeleteBody = paths['/v1/actions/DeleteCertificate']['post']['requestBody'];
type Key = NonNullable<paths['/v1/actions/DeleteCertificate']['post']['parameters']['header']>['Idempotency-Key'];
export const key: Key = 'a-uuid';
export const body: NonNullable<DeleteBody>['content']['application/json'] = { CertificateId: 'abc' };
const code: Err['error']['code'] = 'UPSTREAM_CONTRACT';
export { code };
`,
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', skipLibCheck: false }, files: ['usage.ts', 'api.d.ts'] }),
      );
      const tsc = resolve('node_modules/typescript/bin/tsc');
      let out = '';
      try {
        execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
      } catch (e) {
        out = String((e as { stdout?: string }).stdout ?? e);
      }
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
