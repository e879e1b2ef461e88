/**
 * The default wiring with the real extracted spec (`spec/ssl-2019-12-05.json`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { createUpstreamClient, specPolicies, specPolicyLookup, type UpstreamClient } from '../../../src/upstream';
import { SECRET_ID, SECRET_KEY, fail, ok, startServer, verified, type TestServer } from './helpers';

describe('specPolicyLookup', () => {
  it('covers all 68 actions with the documented limits, region use and kind', () => {
    const table = specPolicies();
    expect(Object.keys(table)).toHaveLength(68);
    const lookup = specPolicyLookup();
    expect(lookup('DescribeCertificates')).toEqual({ rateLimit: 10, region: 'none', kind: 'read' });
    expect(lookup('ApplyCertificate')).toEqual({ rateLimit: 10, region: 'none', kind: 'write' });
    expect(lookup('CheckCertificateChain')).toEqual({ rateLimit: 20, region: 'none', kind: 'read' });
    expect(lookup('UploadUpdateCertificateInstance')?.rateLimit).toBe(20);
    expect(lookup('DeployCertificateInstance')?.region).toBe('optional');
    expect(lookup('CertGetList')).toBeUndefined(); // retired 2017 API is out of scope
    for (const p of Object.values(table)) {
      expect(p.rateLimit).toBeGreaterThan(0);
      expect(['read', 'write']).toContain(p.kind);
    }
    // Describe*/Check*/Download* read, everything else writes
    for (const [name, p] of Object.entries(table)) {
      expect(p.kind, name).toBe(/^(Describe|Check|Download)/.test(name) ? 'read' : 'write');
    }
  });

  it('applies RATE_LIMIT_OVERRIDES and rejects unknown action names', () => {
    const config = loadConfig({ RATE_LIMIT_OVERRIDES: 'DescribeCertificates=5,ApplyCertificate=2' });
    const lookup = specPolicyLookup(config.upstream.rateLimitOverrides);
    expect(lookup('DescribeCertificates')?.rateLimit).toBe(5);
    expect(lookup('ApplyCertificate')?.rateLimit).toBe(2);
    expect(() => specPolicyLookup({ DescribeCertificatez: 1 })).toThrow(/DescribeCertificatez/);
  });
});

describe('createUpstreamClient (config + spec)', () => {
  let server: TestServer;
  let client: UpstreamClient | undefined;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await client?.close();
    await server.close();
  });

  it('refuses to build a client without credentials', () => {
    expect(() => createUpstreamClient(loadConfig({}).upstream)).toThrow(/TENCENTCLOUD_SECRET_ID/);
  });

  it('calls the configured endpoint with the spec policies (region only where the spec uses one)', async () => {
    server.respond(verified(ok({ Ok: true })));
    client = createUpstreamClient(
      loadConfig({
        TENCENTCLOUD_SECRET_ID: SECRET_ID,
        TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
        TENCENTCLOUD_REGION: 'ap-guangzhou',
        TENCENTCLOUD_SSL_ENDPOINT: server.endpoint,
      }).upstream,
    );
    await client.call('DescribeCertificates', { Limit: 10 });
    await client.call('DeployCertificateInstance', { CertificateId: 'c', InstanceIdList: ['i'] });
    expect(server.requests.map((r) => [r.headers['x-tc-action'], r.headers['x-tc-region']])).toEqual([
      ['DescribeCertificates', undefined],
      ['DeployCertificateInstance', 'ap-guangzhou'],
    ]);
    expect(server.requests.every((r) => r.verify.ok)).toBe(true);
  });

  it('uses the spec kind to decide retries: read retried, write not', async () => {
    server.respond(fail('InternalError'), ok(), fail('InternalError'), ok());
    client = createUpstreamClient(
      loadConfig({ TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY, TENCENTCLOUD_SSL_ENDPOINT: server.endpoint }).upstream,
      { sleep: async () => undefined },
    );
    await client.call('DescribeCertificateDetail', { CertificateId: 'c' });
    expect(server.requests).toHaveLength(2);
    await expect(client.call('DeleteCertificate', { CertificateId: 'c' })).rejects.toMatchObject({ code: 'UPSTREAM_INTERNAL', outcomeUnknown: true });
    expect(server.requests).toHaveLength(3);
  });
});
