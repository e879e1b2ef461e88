import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCanonicalRequest } from '../../../src/simulator/tc3';
import { rawRequest, startSimulator, type Simulator } from '../../helpers/simulator';

const code = (r: { json: any }): string | undefined => r.json?.Response?.Error?.Code;

describe('signature v3 verification', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ credentials: [{ secretId: 'key-a', secretKey: 'secret-a' }, { secretId: 'key-b', secretKey: 'secret-b' }] });
  });
  afterAll(() => sim.close());

  it('reproduces the documented canonical request of the worked example', () => {
    const payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
    expect(createHash('sha256').update(payload).digest('hex')).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064');
    const canonical = buildCanonicalRequest(
      {
        method: 'POST',
        path: '/',
        query: '',
        rawHeaders: ['Content-Type', 'application/json; charset=utf-8', 'Host', 'cvm.tencentcloudapi.com', 'X-TC-Action', 'DescribeInstances'],
        body: Buffer.from(payload),
      },
      ['content-type', 'host', 'x-tc-action'],
    );
    expect(createHash('sha256').update(canonical).digest('hex')).toBe('7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84');
  });

  it('accepts a correctly signed request from any configured key pair, with a Date header', async () => {
    for (const [secretId, secretKey] of [['key-a', 'secret-a'], ['key-b', 'secret-b']]) {
      const r = await rawRequest(sim, { action: 'DescribeCompanies', secretId, secretKey });
      expect(r.status).toBe(200);
      expect(r.json.Response.Error).toBeUndefined();
      expect(r.json.Response.RequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(Number.isNaN(Date.parse(String(r.headers.date)))).toBe(false);
    }
  });

  it('rejects a wrong secret key with AuthFailure.SignatureFailure', async () => {
    const r = await rawRequest(sim, { action: 'DescribeCompanies', secretId: 'key-a', secretKey: 'secret-b' });
    expect(r.status).toBe(200);
    expect(code(r)).toBe('AuthFailure.SignatureFailure');
    expect(r.headers.date).toBeDefined();
  });

  it('rejects an unknown SecretId with AuthFailure.SecretIdNotFound', async () => {
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies', secretId: 'nobody', secretKey: 'x' }))).toBe('AuthFailure.SecretIdNotFound');
  });

  it('rejects timestamps more than 300 s away with AuthFailure.SignatureExpire', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies', timestamp: now - 400, secretId: 'key-a', secretKey: 'secret-a' }))).toBe('AuthFailure.SignatureExpire');
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies', timestamp: now + 400, secretId: 'key-a', secretKey: 'secret-a' }))).toBe('AuthFailure.SignatureExpire');
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies', timestamp: now - 200, secretId: 'key-a', secretKey: 'secret-a' }))).toBeUndefined();
  });

  it('checks the 300 s window exactly against an injected clock', async () => {
    const t = 1_750_000_000;
    const fixed = await startSimulator({ clock: () => t * 1000, demoData: false });
    try {
      expect(code(await rawRequest(fixed, { action: 'DescribeCompanies', timestamp: t - 300 }))).toBeUndefined();
      expect(code(await rawRequest(fixed, { action: 'DescribeCompanies', timestamp: t + 300 }))).toBeUndefined();
      expect(code(await rawRequest(fixed, { action: 'DescribeCompanies', timestamp: t - 301 }))).toBe('AuthFailure.SignatureExpire');
      expect(code(await rawRequest(fixed, { action: 'DescribeCompanies', timestamp: t + 301 }))).toBe('AuthFailure.SignatureExpire');
    } finally {
      await fixed.close();
    }
  });

  it('rejects a body changed after signing', async () => {
    const r = await rawRequest(sim, {
      action: 'DescribeCertificates',
      body: { Limit: 1 },
      secretId: 'key-a',
      secretKey: 'secret-a',
      tamper: (b) => Buffer.from(b.toString().replace('1', '2')),
    });
    expect(code(r)).toBe('AuthFailure.SignatureFailure');
  });

  it('rejects a signed header changed after signing, and checks host as it arrived', async () => {
    const base = { secretId: 'key-a', secretKey: 'secret-a' };
    const changedAction = await rawRequest(sim, { ...base, action: 'DescribeCompanies', afterSign: (h) => (h['X-TC-Action'] = 'DescribePackages') });
    expect(code(changedAction)).toBe('AuthFailure.SignatureFailure');
    // Unsigned headers may change (X-TC-Version is not in SignedHeaders here).
    expect(code(await rawRequest(sim, { ...base, action: 'DescribeCompanies', afterSign: (h) => (h['X-TC-Language'] = 'en-US') }))).toBeUndefined();
    // Sign for one host, send another.
    const moved = await rawRequest(sim, { ...base, action: 'DescribeCompanies', afterSign: (h) => (h.Host = 'ssl.ap-guangzhou.tencentcloudapi.com') });
    expect(code(moved)).toBe('AuthFailure.SignatureFailure');
    // Host with a port (e.g. TENCENTCLOUD_SSL_ENDPOINT=http://127.0.0.1:4010) is fine when signed as sent.
    expect(code(await rawRequest(sim, { ...base, action: 'DescribeCompanies', host: `127.0.0.1:${sim.port}` }))).toBeUndefined();
    // Canonical header values are lower-cased, as the documentation prescribes.
    expect(code(await rawRequest(sim, { ...base, action: 'DescribeCompanies', host: 'SSL.TencentCloudAPI.com' }))).toBeUndefined();
    // A changed content type (e.g. a library appending a charset) breaks the signature.
    const ct = await rawRequest(sim, { ...base, action: 'DescribeCompanies', contentType: 'application/json', afterSign: (h) => (h['Content-Type'] = 'application/json; charset=utf-8') });
    expect(code(ct)).toBe('AuthFailure.SignatureFailure');
  });

  it('rejects a missing or garbled Authorization header', async () => {
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies', authorization: null }))).toBe('AuthFailure.SignatureFailure');
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies', authorization: 'garbage' }))).toBe('AuthFailure.InvalidAuthorization');
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies', authorization: 'HMAC-SHA1 Credential=key-a/2024-01-01/ssl/tc3_request, SignedHeaders=content-type;host, Signature=' + 'a'.repeat(64) }))).toBe(
      'AuthFailure.InvalidAuthorization',
    );
    expect(
      code(await rawRequest(sim, { action: 'DescribeCompanies', authorization: 'TC3-HMAC-SHA256 Credential=key-a/2024-01-01/ssl/tc4_request, SignedHeaders=content-type;host, Signature=' + 'a'.repeat(64) })),
    ).toBe('AuthFailure.InvalidAuthorization');
  });

  it('requires content-type and host in SignedHeaders, lower-case and sorted', async () => {
    const base = { action: 'DescribeCompanies', secretId: 'key-a', secretKey: 'secret-a' };
    expect(code(await rawRequest(sim, { ...base, signedHeaders: ['host'] }))).toBe('AuthFailure.InvalidAuthorization');
    expect(code(await rawRequest(sim, { ...base, signedHeaders: ['content-type'] }))).toBe('AuthFailure.InvalidAuthorization');
    expect(code(await rawRequest(sim, { ...base, signedHeaders: ['host', 'content-type'] }))).toBe('AuthFailure.InvalidAuthorization');
    expect(code(await rawRequest(sim, { ...base, signedHeaders: ['content-type', 'host', 'x-tc-missing'] }))).toBe('AuthFailure.InvalidAuthorization');
    expect(code(await rawRequest(sim, { ...base, signedHeaders: ['content-type', 'host', 'x-tc-action', 'x-tc-timestamp', 'x-tc-version'] }))).toBeUndefined();
  });

  it('requires the credential scope service ssl and the date of X-TC-Timestamp', async () => {
    const base = { action: 'DescribeCompanies', secretId: 'key-a', secretKey: 'secret-a' };
    expect(code(await rawRequest(sim, { ...base, service: '127' }))).toBe('AuthFailure.SignatureFailure');
    expect(code(await rawRequest(sim, { ...base, service: 'cvm' }))).toBe('AuthFailure.SignatureFailure');
    expect(code(await rawRequest(sim, { ...base, scopeDate: '2001-01-01' }))).toBe('AuthFailure.SignatureFailure');
  });

  it('checks version, action and method after authentication', async () => {
    const base = { secretId: 'key-a', secretKey: 'secret-a' };
    expect(code(await rawRequest(sim, { ...base, action: 'DescribeCompanies', version: '2017-03-12' }))).toBe('NoSuchVersion');
    expect(code(await rawRequest(sim, { ...base, action: 'DescribeCompanies', version: null }))).toBe('MissingParameter');
    expect(code(await rawRequest(sim, { ...base }))).toBe('MissingParameter');
    expect(code(await rawRequest(sim, { ...base, action: 'CertGetList' }))).toBe('InvalidAction');
    const put = await rawRequest(sim, { ...base, action: 'DescribeCompanies', method: 'PUT' });
    expect(put.status).toBe(200);
    expect(code(put)).toBe('UnsupportedProtocol');
  });

  it('applies the clock-skew setting to the expiry check and the Date header', async () => {
    sim.faults.setClockSkew(600);
    try {
      const r = await rawRequest(sim, { action: 'DescribeCompanies', secretId: 'key-a', secretKey: 'secret-a' });
      expect(code(r)).toBe('AuthFailure.SignatureExpire');
      const serverDate = Date.parse(String(r.headers.date)) / 1000;
      const ok = await rawRequest(sim, { action: 'DescribeCompanies', secretId: 'key-a', secretKey: 'secret-a', timestamp: Math.floor(serverDate) });
      expect(code(ok)).toBeUndefined();
    } finally {
      sim.faults.setClockSkew(0);
    }
  });
});

describe('parameter validation from the spec', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());
  const req = (action: string, body: unknown, extra = {}) => rawRequest(sim, { action, body, ...extra });

  it('MissingParameter names the missing member', async () => {
    const r = await req('DescribeCertificateDetail', {});
    expect(code(r)).toBe('MissingParameter');
    expect(r.json.Response.Error.Message).toContain('CertificateId');
  });

  it('InvalidParameter names the field path', async () => {
    let r = await req('DescribeCertificates', { Limit: '10' });
    expect(code(r)).toBe('InvalidParameter');
    expect(r.json.Response.Error.Message).toContain('`Limit`');
    r = await req('DescribeCertificates', { Tags: [{ TagKey: 'env', TagValue: 1 }] });
    expect(code(r)).toBe('InvalidParameter');
    expect(r.json.Response.Error.Message).toContain('`Tags.0.TagValue`');
    r = await req('DescribeCertificates', { CertIds: 'abc' });
    expect(code(r)).toBe('InvalidParameter');
    expect(r.json.Response.Error.Message).toContain('`CertIds`');
    r = await req('DeleteCertificates', { CertificateIds: ['a'], IsSync: 'true' });
    expect(code(r)).toBe('InvalidParameter');
    // Limit typed as String for this action.
    expect(code(await req('DescribeHostUpdateRecordDetail', { DeployRecordId: 1 }))).toBe('InvalidParameter');
  });

  it('UnknownParameter names the unknown member, also inside structures', async () => {
    let r = await req('DescribeCertificates', { Foo: 1 });
    expect(code(r)).toBe('UnknownParameter');
    expect(r.json.Response.Error.Message).toContain('`Foo`');
    r = await req('DescribeCertificates', { Tags: [{ TagKey: 'a', Nope: 'x' }] });
    expect(code(r)).toBe('UnknownParameter');
    expect(r.json.Response.Error.Message).toContain('`Tags.0.Nope`');
  });

  it('treats null as absent, and rejects bodies that are not JSON objects', async () => {
    expect(code(await req('DescribeCertificates', { Limit: null }))).toBeUndefined();
    expect(code(await req('DescribeCertificates', '{"Limit": 1'))).toBe('InvalidParameter');
    expect(code(await req('DescribeCertificates', '[1,2]'))).toBe('InvalidParameter');
  });

  it('accepts an empty body as {} and checks the region and content type', async () => {
    expect(code(await req('DescribeCompanies', ''))).toBeUndefined();
    expect(code(await req('DescribeCompanies', {}, { region: 'ap-guangzhou' }))).toBeUndefined();
    expect(code(await req('DescribeCompanies', {}, { region: 'mars-north-1' }))).toBe('UnsupportedRegion');
    expect(code(await req('DescribeCompanies', {}, { contentType: 'text/plain' }))).toBe('InvalidParameter');
  });
});
