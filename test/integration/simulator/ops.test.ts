import { afterEach, describe, expect, it } from 'vitest';
import { spec } from '../../../src/spec/index';
import { admin, ok, rawRequest, startSimulator, type Simulator } from '../../helpers/simulator';

const code = (r: { json: any }): string | undefined => r.json?.Response?.Error?.Code;

describe('rate limits from the spec', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('uses the documented per-action limits', async () => {
    sim = await startSimulator({ demoData: false });
    for (const [name, action] of Object.entries(spec.actions)) expect(sim.rateLimit(name)).toBe(action.rateLimit);
    expect(sim.rateLimit('DescribeCertificates')).toBe(10);
    expect(sim.rateLimit('CheckCertificateChain')).toBe(20);
  });

  it('token bucket per action and account: limit/s, refilled by the clock', async () => {
    let now = 1_750_000_000_000;
    sim = await startSimulator({
      clock: () => now,
      demoData: false,
      credentials: [
        { secretId: 'a1', secretKey: 'ka1', uin: '1001' },
        { secretId: 'a2', secretKey: 'ka2', uin: '1001' },
        { secretId: 'b1', secretKey: 'kb1', uin: '2002' },
      ],
    });
    const ts = (): number => Math.floor(now / 1000);
    const callAs = (secretId: string, action = 'DescribeCompanies') =>
      rawRequest(sim!, { action, secretId, secretKey: `k${secretId}`, timestamp: ts() }).then(code);

    const results: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) results.push(await callAs('a1'));
    for (let i = 0; i < 6; i++) results.push(await callAs('a2'));
    expect(results.filter((c) => c === undefined)).toHaveLength(10);
    expect(results.slice(10)).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded']);
    // Another account and another action have their own buckets.
    expect(await callAs('b1')).toBeUndefined();
    expect(await callAs('a1', 'DescribePackages')).toBeUndefined();
    // Throttled calls are counted and logged with their outcome.
    expect(sim.calls.log({ outcome: 'RequestLimitExceeded' })).toHaveLength(2);
    // 100 ms refills one token at 10/s.
    now += 100;
    expect(await callAs('a1')).toBeUndefined();
    expect(await callAs('a1')).toBe('RequestLimitExceeded');
    now += 1_000;
    for (let i = 0; i < 10; i++) expect(await callAs('a1')).toBeUndefined();
    expect(await callAs('a1')).toBe('RequestLimitExceeded');
  });

  it('20/s actions allow 20 calls', async () => {
    const now = 1_750_000_000_000;
    sim = await startSimulator({ clock: () => now, demoData: false });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 21; i++) codes.push(code(await rawRequest(sim, { action: 'DescribeHostUploadUpdateRecord', timestamp: now / 1000 })));
    expect(codes.filter((c) => c === undefined)).toHaveLength(20);
    expect(codes[20]).toBe('RequestLimitExceeded');
  });

  it('can be overridden or disabled', async () => {
    const now = 1_750_000_000_000;
    sim = await startSimulator({ clock: () => now, demoData: false, rateLimits: { DescribeCompanies: 2 } });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) codes.push(code(await rawRequest(sim, { action: 'DescribeCompanies', timestamp: now / 1000 })));
    expect(codes).toEqual([undefined, undefined, 'RequestLimitExceeded']);
    await sim.close();
    sim = await startSimulator({ clock: () => now, demoData: false, rateLimits: false });
    for (let i = 0; i < 30; i++) expect(code(await rawRequest(sim, { action: 'DescribeCompanies', timestamp: now / 1000 }))).toBeUndefined();
  });
});

describe('call counters, call log and admin endpoints', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('counts authenticated calls per action and records their params', async () => {
    sim = await startSimulator();
    const ids = [...sim.state.certificates.keys()].slice(0, 3);
    await ok(sim, 'DescribeCertificates', { CertIds: ids.slice(0, 2), Limit: 2 });
    await ok(sim, 'DescribeCertificates', { CertIds: ids.slice(2) });
    await ok(sim, 'DescribeCompanies', {});
    await rawRequest(sim, { action: 'DescribeCompanies', secretKey: 'wrong' });
    await rawRequest(sim, { action: 'NoSuchAction' });
    await rawRequest(sim, { action: 'DescribeCertificates', body: { Nope: 1 } });

    const counts = { DescribeCertificates: 3, DescribeCompanies: 1 };
    expect(sim.calls.counts()).toEqual(counts);
    expect((await admin(sim, 'GET', '/calls')).json).toEqual(counts);
    const requested = sim.calls.params('DescribeCertificates').flatMap((p) => (p.CertIds as string[] | undefined) ?? []);
    expect(requested).toEqual(ids);
    const log = (await admin(sim, 'GET', '/log?action=DescribeCertificates')).json;
    expect(log.map((r: { outcome: string }) => r.outcome)).toEqual(['ok', 'ok', 'UnknownParameter']);
    expect(log[0]).toMatchObject({ action: 'DescribeCertificates', secretId: 'sim-demo-secret-id', params: { CertIds: ids.slice(0, 2), Limit: 2 } });

    expect((await admin(sim, 'POST', '/reset', {})).status).toBe(200);
    expect((await admin(sim, 'GET', '/calls')).json).toEqual({});
  });

  it('POST /__simulator/reset with state: true re-seeds the demo data', async () => {
    sim = await startSimulator();
    const before = [...sim.state.certificates.keys()].sort();
    const applied = await ok(sim, 'ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'temp.example.test' });
    expect(sim.state.getCertificate(applied.CertificateId)).toBeDefined();
    await admin(sim, 'POST', '/reset', { state: false });
    expect(sim.state.getCertificate(applied.CertificateId)).toBeDefined();
    await admin(sim, 'POST', '/reset', { state: true });
    expect(sim.state.getCertificate(applied.CertificateId)).toBeUndefined();
    expect([...sim.state.certificates.keys()].sort()).toEqual(before);
  });

  it('moves business time with POST /__simulator/clock', async () => {
    sim = await startSimulator({ durations: { dvIssue: 60_000, dvVerify: 30_000 } });
    const applied = await ok(sim, 'ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'clock.example.test' });
    const before = (await admin(sim, 'GET', '/clock')).json;
    const after = (await admin(sim, 'POST', '/clock', { advanceSeconds: 61 })).json;
    expect(after.now - before.now).toBeGreaterThanOrEqual(61_000);
    expect(after.advancedMs).toBe(61_000);
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: applied.CertificateId })).Status).toBe(1);
  });

  it('marks instances as failing through POST /__simulator/instances/failure', async () => {
    sim = await startSimulator();
    expect((await admin(sim, 'POST', '/instances/failure', { instance: 'img.example.test', fail: true })).status).toBe(200);
    expect([...sim.state.instances.values()].find((i) => i.deployId === 'img.example.test')?.failDeploy).toBe(true);
    expect((await admin(sim, 'POST', '/instances/failure', { instance: 'nope' })).status).toBe(400);
    expect((await admin(sim, 'GET', '/health')).json).toMatchObject({ ok: true, actions: 68 });
    expect((await admin(sim, 'GET', '/nope')).status).toBe(404);
  });

  it('serves the link of DescribeDownloadCertificateUrl', async () => {
    sim = await startSimulator();
    const www = [...sim.state.certificates.values()].find((c) => c.domain === 'www.example.test' && c.status === 1)!;
    const r = await ok(sim, 'DescribeDownloadCertificateUrl', { CertificateId: www.id, ServiceType: 'nginx' });
    expect(r.DownloadFilename).toBe('www.example.test_nginx.zip');
    expect(r.DownloadCertificateUrl.startsWith(`${sim.url}/__simulator/download/`)).toBe(true);
    const res = await fetch(r.DownloadCertificateUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await res.arrayBuffer());
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  });

  it('rejects oversized bodies', async () => {
    sim = await startSimulator({ demoData: false });
    const big = JSON.stringify({ SearchKey: 'x'.repeat(10 * 1024 * 1024) });
    const r = await rawRequest(sim, { action: 'DescribeCertificates', body: big });
    expect(code(r)).toBe('RequestSizeLimitExceeded');
  });
});
