/**
 * The status-code table end to end: what the simulator answers (or fails to answer) becomes the
 * one error body with the status of the shared error table; the facade's own refusals happen
 * before any upstream call.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CertRecord } from '../../../src/simulator/state';
import type { Simulator } from '../../helpers/simulator';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

const cert = (sim: Simulator, domain: string, pred: (c: CertRecord) => boolean = () => true): string => {
  const found = [...sim.state.certificates.values()].find((c) => c.domain === domain && pred(c));
  if (!found) throw new Error(`no seeded certificate ${domain}`);
  return found.id;
};

function expectErrorBody(res: { status: number; headers: Headers; json: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.json.error.code).toBe(code);
  expect(typeof res.json.error.message).toBe('string');
  expect(res.json.error.requestId).toBe(res.headers.get('x-request-id'));
}

describe('refused by the facade before any upstream call', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway({ ...ISOLATED, env: { MAX_BODY_BYTES: '4096' } });
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => gw.sim.reset());
  afterEach(() => {
    expect(gw.sim.calls.log()).toEqual([]);
  });

  it('400 with field paths for a body that does not match the spec', async () => {
    const res = await gw.request('POST', '/v1/actions/DeleteCertificates', { CertificateIds: ['a', 'b', 'c', 4], IsSync: 'yes', Force: true });
    expectErrorBody(res, 400, 'BAD_REQUEST');
    expect(res.json.error.details.fields).toEqual([
      { path: 'Force', reason: 'unknown', message: 'unknown member' },
      { path: 'CertificateIds[3]', reason: 'type', message: 'expected String, got integer', expected: 'String' },
      { path: 'IsSync', reason: 'type', message: 'expected Boolean, got string', expected: 'Boolean' },
    ]);
  });

  it('400 for nested structure members, missing required members, caps and enums', async () => {
    const nested = await gw.request('POST', '/v1/actions/DescribeCertificates', { Tags: [{ TagKey: 'env' }, { TagKey: 5 }], Limit: 1001, ExpirationSort: 'NEWEST' });
    expect(nested.json.error.details.fields.map((f: { path: string; reason: string }) => `${f.path}:${f.reason}`)).toEqual([
      'Limit:maximum',
      'ExpirationSort:enum',
      'Tags[1].TagKey:type',
    ]);
    const missing = await gw.request('POST', '/v1/actions/UpdateCertificateInstance', { CertificateId: 'x' });
    expect(missing.json.error.details.fields.map((f: { path: string }) => f.path)).toEqual(['OldCertificateId', 'ResourceTypes']);
    const tooMany = await gw.request('POST', '/v1/actions/DescribeDeployedResources', {
      CertificateIds: Array.from({ length: 51 }, (_, i) => `c${i}`),
      ResourceType: 'clb',
    });
    expect(tooMany.json.error.details.fields[0]).toMatchObject({ path: 'CertificateIds', reason: 'maxItems', max: 50 });
  });

  it('400 for JSON that is not an object and for malformed JSON', async () => {
    expectErrorBody(await gw.request('POST', '/v1/actions/DescribeCertificates', '"text"'), 400, 'BAD_REQUEST');
    const malformed = await gw.request('POST', '/v1/actions/DescribeCertificates', '{"Limit":', { 'content-type': 'application/json' });
    expectErrorBody(malformed, 400, 'BAD_REQUEST');
    expect(malformed.json.error.details.reason).toBe('malformedJson');
  });

  it('400 for odd ids in paths', async () => {
    const res = await gw.request('GET', '/v1/certificates/a%2Fb');
    expectErrorBody(res, 400, 'BAD_REQUEST');
    expect(res.json.error.details.fields[0].path).toBe('id');
    expectErrorBody(await gw.request('GET', '/v1/deployments/update/x1'), 400, 'BAD_REQUEST');
  });

  it('404 for an unknown action and an unknown route', async () => {
    const action = await gw.request('POST', '/v1/actions/CertGetList', {});
    expectErrorBody(action, 404, 'NOT_FOUND');
    expect(action.json.error.message).toContain('Unknown action "CertGetList"');
    expectErrorBody(await gw.request('GET', '/v1/certificate'), 404, 'NOT_FOUND');
  });

  it('405 with Allow for a wrong method', async () => {
    const res = await gw.request('PUT', '/v1/certificates');
    expectErrorBody(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
  });

  it('413 for a body above the configured limit', async () => {
    const res = await gw.request('POST', '/v1/actions/DescribeCertificates', { SearchKey: 'x'.repeat(5000) });
    expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.json.error.details.maxBodyBytes).toBe(4096);
  });

  it('415 for a body that is not JSON', async () => {
    const res = await gw.request('POST', '/v1/actions/DescribeCertificates', 'Limit=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('upstream answers mapped through the shared error table', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway({ ...ISOLATED, upstream: { maxAttempts: 3, requestTimeoutMs: 1_500 } });
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => gw.sim.reset({ state: true }));

  it('404 for an unknown certificate, with the upstream code, message and RequestId', async () => {
    const res = await gw.request('POST', '/v1/actions/DescribeCertificateDetail', { CertificateId: 'missing1' });
    expectErrorBody(res, 404, 'NOT_FOUND');
    const log = gw.sim.calls.log({ action: 'DescribeCertificateDetail' });
    expect(res.json.error.upstream).toEqual({
      action: 'DescribeCertificateDetail',
      code: 'FailedOperation.CertificateNotFound',
      message: expect.stringContaining('missing1'),
      requestId: log[0].requestId,
    });
  });

  it('409 when the state does not allow the operation', async () => {
    // A certificate being revoked cannot be deleted.
    const res = await gw.request('DELETE', `/v1/certificates/${cert(gw.sim, 'revoking.example.test')}`);
    expectErrorBody(res, 409, 'FAILED_PRECONDITION');
    expect(res.json.error.upstream.code).toBe('FailedOperation.InvalidCertificateStatusCode');
  });

  it('409 CONFLICT when a deployment of the certificate is already running', async () => {
    const body = { InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' };
    const id = cert(gw.sim, '*.example.test');
    const first = await gw.request('POST', `/v1/certificates/${id}/deployments`, body);
    const second = await gw.request('POST', `/v1/certificates/${id}/deployments`, body);
    expectErrorBody(second, 409, 'CONFLICT');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
  });

  it('429 with Retry-After when RequestLimitExceeded outlasts the retry budget', async () => {
    gw.sim.faults.add({ kind: 'rateLimit', actions: ['DescribeCertificates'], count: 5 });
    const res = await gw.request('GET', '/v1/certificates');
    expectErrorBody(res, 429, 'RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.json.error.upstream.code).toBe('RequestLimitExceeded');
    // maxAttempts = 3: the rejections prove non-execution, so the client retried up to its budget.
    expect(gw.sim.calls.counts().DescribeCertificates).toBe(3);
  });

  it('200 when the rate limit clears within the retry budget', async () => {
    gw.sim.faults.add({ kind: 'rateLimit', actions: ['DescribeCertificates'], count: 2 });
    expect((await gw.request('GET', '/v1/certificates')).status).toBe(200);
  });

  it('502 for InternalError on a write, not retried, marked outcomeUnknown', async () => {
    gw.sim.faults.add({ kind: 'internalError', actions: ['ModifyCertificateAlias'], count: 1 });
    const res = await gw.request('POST', '/v1/actions/ModifyCertificateAlias', { CertificateId: cert(gw.sim, 'www.example.test'), Alias: 'x' });
    expectErrorBody(res, 502, 'UPSTREAM_INTERNAL');
    expect(res.json.error.upstream.code).toBe('InternalError');
    expect(res.json.error.details).toEqual({ outcomeUnknown: true });
    expect(gw.sim.calls.counts().ModifyCertificateAlias).toBe(1);
  });

  it('502 for an HTTP 503 from a proxy in front of the API', async () => {
    gw.sim.faults.add({ kind: 'http', status: 503, actions: ['RevokeCertificate'], count: 1 });
    const res = await gw.request('POST', '/v1/actions/RevokeCertificate', { CertificateId: cert(gw.sim, 'api.example.test') });
    expectErrorBody(res, 502, 'UPSTREAM_UNAVAILABLE');
    expect(res.json.error.upstream).toMatchObject({ action: 'RevokeCertificate', code: 'Gateway.HttpServerError', requestId: null });
  });

  it('504 when the upstream does not answer in time', async () => {
    gw.sim.faults.add({ kind: 'latency', ms: 6_000, actions: ['ModifyCertificateAlias'], count: 1 });
    const res = await gw.request('POST', '/v1/actions/ModifyCertificateAlias', { CertificateId: cert(gw.sim, 'www.example.test'), Alias: 'slow' });
    expectErrorBody(res, 504, 'UPSTREAM_TIMEOUT');
    expect(res.json.error.upstream.code).toBe('Gateway.Timeout');
    expect(res.json.error.details).toEqual({ outcomeUnknown: true });
  });
});

describe('gateway credentials refused upstream', () => {
  it('502 UPSTREAM_AUTH, without any secret in the body', async () => {
    const gw = await startGateway({ ...ISOLATED, upstream: { credentials: { secretId: 'wrong-id', secretKey: 'wrong-secret-key' } } });
    try {
      const res = await gw.request('GET', '/v1/certificates');
      expectErrorBody(res, 502, 'UPSTREAM_AUTH');
      expect(res.json.error.upstream.code).toMatch(/^AuthFailure\./);
      expect(res.text).not.toContain('wrong-secret-key');
    } finally {
      await gw.close();
    }
  });
});
