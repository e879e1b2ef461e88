import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFaultEnv } from '../../../src/simulator/index';
import { admin, rawRequest, sdkClient, startSimulator, type Simulator } from '../../helpers/simulator';

const code = (r: { json: any }): string | undefined => r.json?.Response?.Error?.Code;

describe('fault injection', () => {
  let sim: Simulator;
  let certId: string;
  const alias = (): string => sim.state.getCertificate(certId)!.alias;
  const rename = (to: string, extra = {}) => rawRequest(sim, { action: 'ModifyCertificateAlias', body: { CertificateId: certId, Alias: to }, ...extra });

  beforeAll(async () => {
    sim = await startSimulator();
    certId = [...sim.state.certificates.values()].find((c) => c.domain === 'www.example.test' && c.status === 1)!.id;
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('reset before processing: connection dropped, no state change, call counted', async () => {
    sim.faults.next(1, 'reset', { actions: ['ModifyCertificateAlias'] });
    const before = alias();
    await expect(rename('reset-before')).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE|socket hang up/) });
    expect(alias()).toBe(before);
    expect(sim.calls.count('ModifyCertificateAlias')).toBe(1);
    expect(sim.calls.log({ action: 'ModifyCertificateAlias' })[0].outcome).toBe('fault:reset');
    expect(code(await rename('after-reset'))).toBeUndefined();
    expect(alias()).toBe('after-reset');
  });

  it('reset after processing: connection dropped but the mutation is applied', async () => {
    sim.faults.add({ kind: 'reset', phase: 'after', count: 1, actions: ['ModifyCertificateAlias'] });
    await expect(rename('reset-after')).rejects.toBeDefined();
    expect(alias()).toBe('reset-after');
    expect(sim.calls.log({ action: 'ModifyCertificateAlias' })[0].outcome).toBe('fault:reset:after');
  });

  it('HTTP 5xx with an HTML body, before processing', async () => {
    sim.faults.add({ kind: 'http', status: 502, count: 1 });
    const before = alias();
    const r = await rename('http-502');
    expect(r.status).toBe(502);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.text).toContain('502 Bad Gateway');
    expect(alias()).toBe(before);
    const sdkErr = await (async () => {
      sim.faults.add({ kind: 'http', count: 1 });
      return sdkClient(sim).DescribeCompanies({}).catch((e: unknown) => e);
    })();
    expect(sdkErr).toMatchObject({ httpCode: 503 });
  });

  it('InternalError envelope before (no change) and after (change applied) processing', async () => {
    const before = alias();
    sim.faults.add({ kind: 'internalError', count: 1 });
    const r1 = await rename('internal-before');
    expect(r1.status).toBe(200);
    expect(code(r1)).toBe('InternalError');
    expect(r1.json.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(alias()).toBe(before);
    sim.faults.add({ kind: 'internalError', phase: 'after', count: 1 });
    expect(code(await rename('internal-after'))).toBe('InternalError');
    expect(alias()).toBe('internal-after');
  });

  it('RequestLimitExceeded envelope, with an optional sub-code', async () => {
    sim.faults.add({ kind: 'rateLimit', count: 1 });
    expect(code(await rename('x'))).toBe('RequestLimitExceeded');
    sim.faults.add({ kind: 'rateLimit', code: 'RequestLimitExceeded.UinLimitExceeded', count: 1 });
    expect(code(await rename('y'))).toBe('RequestLimitExceeded.UinLimitExceeded');
    expect(alias()).not.toBe('y');
  });

  it('arbitrary error envelopes', async () => {
    sim.faults.add({ kind: 'error', code: 'ResourceUnavailable', message: 'maintenance', count: 1 });
    const r = await rename('z');
    expect(r.json.Response.Error).toEqual({ Code: 'ResourceUnavailable', Message: 'maintenance' });
  });

  it('malformed bodies (after processing by default)', async () => {
    sim.faults.add({ kind: 'malformed', count: 1 });
    const truncated = await rename('malformed-1');
    expect(truncated.status).toBe(200);
    expect(truncated.json).toBeUndefined();
    expect(truncated.text.startsWith('{"Response":')).toBe(true);
    expect(alias()).toBe('malformed-1');
    for (const body of ['html', 'empty', 'not-json'] as const) {
      sim.faults.add({ kind: 'malformed', body, count: 1 });
      const r = await rawRequest(sim, { action: 'DescribeCompanies' });
      expect(r.status).toBe(200);
      expect(r.json).toBeUndefined();
    }
    sim.faults.add({ kind: 'malformed', phase: 'before', count: 1 });
    await rename('malformed-before');
    expect(alias()).toBe('malformed-1');
  });

  it('latency before processing fires and then answers normally; latency after keeps the change when the client gives up', async () => {
    const id = sim.faults.add({ kind: 'latency', ms: 30, actions: ['DescribeCompanies'] });
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies' }))).toBeUndefined();
    expect(sim.faults.list().find((f) => f.id === id)?.fired).toBe(1);
    sim.faults.remove(id);

    sim.faults.add({ kind: 'latency', ms: 2_000, phase: 'after', actions: ['ModifyCertificateAlias'] });
    let answered = false;
    const attempt = rename('slow-write').then(
      () => (answered = true),
      () => undefined,
    );
    for (let i = 0; i < 200 && alias() !== 'slow-write'; i++) await new Promise((r) => setTimeout(r, 5));
    // The state changed while the response is still held back: a client timeout here must not replay blindly.
    expect(alias()).toBe('slow-write');
    expect(answered).toBe(false);
    sim.faults.clear();
    void attempt;
  });

  it('targets actions and counts', async () => {
    sim.faults.next(2, 'internalError', { actions: ['DescribeCertificates'] });
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies' }))).toBeUndefined();
    expect(code(await rawRequest(sim, { action: 'DescribeCertificates' }))).toBe('InternalError');
    expect(code(await rawRequest(sim, { action: 'DescribeCertificates' }))).toBe('InternalError');
    expect(code(await rawRequest(sim, { action: 'DescribeCertificates' }))).toBeUndefined();
    expect(sim.faults.list()).toEqual([]);
  });

  it('probabilistic faults are reproducible from the seed', async () => {
    const pattern = async (s: Simulator): Promise<string> => {
      s.faults.seed(42);
      s.faults.add({ kind: 'internalError', probability: 0.5 });
      let out = '';
      for (let i = 0; i < 16; i++) out += code(await rawRequest(s, { action: 'DescribeCompanies' })) ? 'x' : '.';
      s.faults.clear();
      return out;
    };
    const other = await startSimulator({ demoData: false });
    try {
      const a = await pattern(sim);
      const b = await pattern(other);
      expect(a).toBe(b);
      expect(a).toContain('x');
      expect(a).toContain('.');
    } finally {
      await other.close();
    }
  });

  it('is configurable through POST /__simulator/faults and cleared by POST /__simulator/reset', async () => {
    const added = await admin(sim, 'POST', '/faults', { faults: [{ kind: 'internalError', actions: ['DescribeCompanies'], count: 1 }], clockSkewSeconds: 5 });
    expect(added.status).toBe(200);
    expect(added.json.ids).toHaveLength(1);
    expect(added.json.clockSkewSeconds).toBe(5);
    expect((await admin(sim, 'GET', '/faults')).json.faults).toHaveLength(1);
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies' }))).toBe('InternalError');
    await admin(sim, 'POST', '/faults', { env: 'ratelimit=x1@DescribeCompanies' });
    expect(code(await rawRequest(sim, { action: 'DescribeCompanies' }))).toBe('RequestLimitExceeded');
    await admin(sim, 'POST', '/faults', { kind: 'http', status: 504 });
    expect((await rawRequest(sim, { action: 'DescribeCompanies' })).status).toBe(504);
    expect((await admin(sim, 'DELETE', '/faults')).status).toBe(200);
    expect((await rawRequest(sim, { action: 'DescribeCompanies' })).status).toBe(200);
    await admin(sim, 'POST', '/faults', { kind: 'reset' });
    expect((await admin(sim, 'POST', '/reset', {})).json.ok).toBe(true);
    expect(sim.faults.list()).toEqual([]);
    expect(sim.faults.clockSkewSeconds).toBe(0);
    expect((await admin(sim, 'POST', '/faults', { kind: 'nope' })).status).toBe(400);
  });

  it('parses SIMULATOR_FAULTS', async () => {
    const parsed = parseFaultEnv('latency=200,reset=0.1,reset-after=x2@ApplyCertificate|DeleteCertificates,http502=0.2,internal=1,ratelimit=0.05,malformed=0.1,skew=-90,seed=7');
    expect(parsed.seed).toBe(7);
    expect(parsed.clockSkewSeconds).toBe(-90);
    expect(parsed.faults).toEqual([
      { kind: 'latency', ms: 200, actions: undefined, phase: 'before' },
      { kind: 'reset', probability: 0.1, actions: undefined, phase: 'before' },
      { kind: 'reset', count: 2, actions: ['ApplyCertificate', 'DeleteCertificates'], phase: 'after' },
      { kind: 'http', status: 502, probability: 0.2, actions: undefined },
      { kind: 'internalError', actions: undefined, phase: 'before' },
      { kind: 'rateLimit', probability: 0.05, actions: undefined },
      { kind: 'malformed', probability: 0.1, actions: undefined },
    ]);
    expect(() => parseFaultEnv('explode=1')).toThrow(/unknown fault/);
    const envSim = await startSimulator({ demoData: false, faults: 'internal=x2@DescribeCompanies,skew=1' });
    try {
      expect(envSim.faults.clockSkewSeconds).toBe(1);
      expect(code(await rawRequest(envSim, { action: 'DescribeCompanies' }))).toBe('InternalError');
      expect(code(await rawRequest(envSim, { action: 'DescribeCompanies' }))).toBe('InternalError');
      expect(code(await rawRequest(envSim, { action: 'DescribeCompanies' }))).toBeUndefined();
    } finally {
      await envSim.close();
    }
  });
});
