/**
 * Scopes in GraphQL through Apollo: whole-operation 403 before execution for root and
 * navigation fields (nothing runs half-way), per-field null + FORBIDDEN for key material, 401
 * without an identity, the execution-time guard on its own, @skip and fragments.
 */
import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { applyScopeGuards, createScopePlugin } from '../../../src/graphql/scope-guard';
import { ANONYMOUS, createIdentity, type Identity } from '../../../src/auth/identity';
import type { Scope } from '../../../src/auth/scopes';
import { createContext, type GatewayContext } from '../../../src/graphql/context';
import { createFieldResolver } from '../../../src/graphql/convert';
import type { Json } from '../../../src/upstream/caller';
import { model } from '../../../src/graphql/model';
import { createSchema, formatError } from '../../../src/graphql/server';

type Ctx = GatewayContext & { identity?: Identity | null };

const CANNED: Record<string, Json> = {
  DescribeCertificateDetail: {
    CertificateId: 'c1',
    Domain: 'a.example.com',
    CertificatePrivateKey: '-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----',
    EncryptPrivateKey: null,
    SubmittedData: { KeyPassword: 'pfx-password', CertificateDomain: 'a.example.com' },
  },
  DownloadCertificate: { Content: 'UEsDBA==', ContentType: 'application/zip' },
  ModifyCertificateAlias: { CertificateId: 'c1' },
  DeleteCertificates: { Success: [], Fail: [], CertTaskIds: [{ TaskId: 't1', CertId: 'a' }] },
  DeleteManager: { ManagerId: 1 },
  UpdateCertificateInstance: { DeployRecordId: 7, DeployStatus: 1 },
  DescribeManagers: { Managers: [], TotalCount: 0 },
  DescribeCertificates: { TotalCount: 1, Certificates: [{ CertificateId: 'a' }] },
};

function setup(options: { plugin?: boolean } = {}) {
  const calls: string[] = [];
  const upstream = {
    call: async (action: string): Promise<Json> => {
      calls.push(action);
      return { ...(CANNED[action] ?? {}), RequestId: `req-${calls.length}` };
    },
  };
  const fieldResolver = createFieldResolver(model());
  const server = new ApolloServer<Ctx>({
    schema: applyScopeGuards<Ctx>(createSchema(), { fieldResolver }),
    fieldResolver,
    plugins: options.plugin === false ? [] : [createScopePlugin<Ctx>()],
    formatError: (f, e) => formatError(f, e),
  });
  const run = async (query: string, identity: Identity | null, variables?: Record<string, unknown>) => {
    const res = await server.executeOperation<Record<string, any>>({ query, variables }, { contextValue: { ...createContext({ upstream }), identity } });
    if (res.body.kind !== 'single') throw new Error('not single');
    return { status: res.http.status ?? 200, headers: res.http.headers, data: res.body.singleResult.data, errors: res.body.singleResult.errors };
  };
  return { run, calls };
}

const who = (...scopes: Scope[]) => createIdentity(`client-${scopes.join('-') || 'none'}`, 'api-key', scopes);

describe('key-material fields: null + FORBIDDEN for that field only', () => {
  const q = '{ certificateDetail(certificateId: "c1") { certificateId domain certificatePrivateKey encryptPrivateKey submittedData { certificateDomain keyPassword } } }';

  it('a read-only caller gets everything but the key material', async () => {
    const { run, calls } = setup();
    const r = await run(q, who('read'));
    expect(r.status).toBe(200);
    expect(r.data?.certificateDetail).toEqual({
      certificateId: 'c1',
      domain: 'a.example.com',
      certificatePrivateKey: null,
      encryptPrivateKey: null,
      submittedData: { certificateDomain: 'a.example.com', keyPassword: null },
    });
    expect(r.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['certificateDetail.certificatePrivateKey', 'FORBIDDEN'],
      ['certificateDetail.encryptPrivateKey', 'FORBIDDEN'],
      ['certificateDetail.submittedData.keyPassword', 'FORBIDDEN'],
    ]);
    expect(r.errors?.[0].message).toBe('Missing scope keys for DescribeCertificateDetailResponse.certificatePrivateKey (required: keys)');
    expect(JSON.stringify(r)).not.toContain('SECRET');
    expect(JSON.stringify(r)).not.toContain('pfx-password');
    expect(calls).toEqual(['DescribeCertificateDetail']);
  });

  it('a caller with keys gets the key', async () => {
    const { run } = setup();
    const r = await run(q, who('read', 'keys'));
    expect(r.errors).toBeUndefined();
    expect(r.data?.certificateDetail.certificatePrivateKey).toContain('SECRET');
    expect(r.data?.certificateDetail.submittedData.keyPassword).toBe('pfx-password');
  });

  it('also through navigation (certificates → detail)', async () => {
    const { run } = setup();
    const r = await run('{ certificates { certificates { certificateId detail { domain certificatePrivateKey } } } }', who('read'));
    expect(r.data?.certificates.certificates[0].detail).toEqual({ domain: 'a.example.com', certificatePrivateKey: null });
    expect(r.errors?.map((e) => e.path?.join('.'))).toEqual(['certificates.certificates.0.detail.certificatePrivateKey']);
  });
});

describe('root and navigation fields: the whole operation is refused before execution', () => {
  it('downloadCertificate needs keys: 403 naming the scope, no upstream call', async () => {
    const { run, calls } = setup();
    const r = await run('{ certificateDetail(certificateId: "c1") { domain } downloadCertificate(certificateId: "c1") { contentType } }', who('read'));
    expect(r.status).toBe(403);
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0].message).toBe('Missing scope keys for Query.downloadCertificate (required: read, keys)');
    expect(r.errors?.[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      missingScopes: ['keys'],
      fields: [{ field: 'Query.downloadCertificate', requiredScopes: ['read', 'keys'], missingScopes: ['keys'] }],
    });
    expect(r.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(calls).toEqual([]);
    const ok = await run('{ downloadCertificate(certificateId: "c1") { contentType content } }', who('read', 'keys'));
    expect(ok.data?.downloadCertificate).toEqual({ contentType: 'application/zip', content: 'UEsDBA==' });
  });

  it('a mutation is not run half-way when a later field is forbidden', async () => {
    const { run, calls } = setup();
    const r = await run('mutation { setCertificateAlias(certificateId: "c1", alias: "x") { certificateId } deleteManager(managerId: "1") { requestId } }', who('read', 'write'));
    expect(r.status).toBe(403);
    expect(r.errors?.[0].extensions?.missingScopes).toEqual(['admin']);
    expect(calls).toEqual([]);
  });

  it('admin actions need admin', async () => {
    const { run } = setup();
    const r = await run('{ managers(companyId: "1") { totalCount } }', who('read'));
    expect(r.status).toBe(403);
    expect(r.errors?.[0].message).toMatch(/Missing scope admin for Query.managers/);
    expect(r.errors?.[0].extensions?.missingScopes).toEqual(['admin']);
  });

  it('a write-only caller may mutate but not read task state through the result', async () => {
    const { run, calls } = setup();
    const refused = await run('mutation { deleteCertificates(ids: ["a"]) { tasks { id state } } }', who('write'));
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0].extensions?.fields).toEqual([{ field: 'DeleteTask.state', requiredScopes: ['read'], missingScopes: ['read'] }]);
    expect(calls).toEqual([]);
    const ok = await run('mutation { deleteCertificates(ids: ["a"]) { tasks { id } } }', who('write'));
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.deleteCertificates.tasks).toEqual([{ id: 't1' }]);
    expect(calls).toEqual(['DeleteCertificates']);
  });

  it('uploading a private key needs keys (decided from the arguments, variables included)', async () => {
    const { run, calls } = setup();
    const q = 'mutation U($k: String) { updateCertificateInstances(oldCertificateId: "a", resourceTypes: [CLB], certificatePublicKey: "pub", certificatePrivateKey: $k) { __typename } }';
    const refused = await run(q, who('write'), { k: '-----BEGIN PRIVATE KEY-----' });
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0].extensions?.missingScopes).toEqual(['keys']);
    expect(calls).toEqual([]);
    const ok = await run(q, who('write'), { k: null });
    expect(ok.errors).toBeUndefined();
    expect(calls).toEqual(['UpdateCertificateInstance']);
    const literal = await run('mutation { uploadCertificate(certificatePublicKey: "pub") { requestId } }', who('write'));
    expect(literal.errors?.[0].extensions?.missingScopes).toEqual(['keys']);
  });

  it('follows fragments and honours @skip/@include', async () => {
    const { run } = setup();
    const viaFragment = await run('query { ...F } fragment F on Query { downloadCertificate(certificateId: "c1") { contentType } }', who('read'));
    expect(viaFragment.status).toBe(403);
    const skipped = await run(
      'query Q($no: Boolean = false) { certificate(id: "a") { certificateId } downloadCertificate(certificateId: "c1") @include(if: $no) { contentType } }',
      who('read'),
    );
    expect(skipped.errors).toBeUndefined();
    expect(skipped.data).toEqual({ certificate: { certificateId: 'a' } });
  });

  it('introspection and __typename need no scope', async () => {
    const { run } = setup();
    const r = await run('{ __typename __type(name: "Query") { name } }', who());
    expect(r.errors).toBeUndefined();
  });
});

describe('no identity', () => {
  it('the plugin answers 401 with WWW-Authenticate', async () => {
    const { run, calls } = setup();
    const r = await run('{ certificate(id: "a") { certificateId } }', null);
    expect(r.status).toBe(401);
    expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="ssl-gateway"');
    expect(calls).toEqual([]);
  });

  it('the anonymous identity of disabled mode may do everything', async () => {
    const { run } = setup();
    const r = await run('{ downloadCertificate(certificateId: "c1") { content } managers(companyId: "1") { totalCount } }', ANONYMOUS);
    expect(r.errors).toBeUndefined();
  });
});

describe('applyScopeGuards alone (execution-time check, no plugin)', () => {
  it('refuses a forbidden root field at its path and never calls upstream for it', async () => {
    const { run, calls } = setup({ plugin: false });
    const r = await run('mutation { setCertificateAlias(certificateId: "c1", alias: "x") { certificateId } }', who('read'));
    expect(r.data?.setCertificateAlias ?? null).toBeNull();
    expect(r.errors?.[0]).toMatchObject({ path: ['setCertificateAlias'], extensions: { code: 'FORBIDDEN', details: { missingScopes: ['write'] } } });
    expect(calls).toEqual([]);
    const anon = await run('{ certificate(id: "a") { certificateId } }', null);
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('checks navigation fields too', async () => {
    const { run, calls } = setup({ plugin: false });
    const r = await run('mutation { deleteCertificates(ids: ["a"]) { requestId tasks { id done } } }', who('write'));
    expect(r.errors?.[0]).toMatchObject({ path: ['deleteCertificates', 'tasks', 0, 'done'], extensions: { code: 'FORBIDDEN' } });
    expect(calls).toEqual(['DeleteCertificates']);
  });
});
