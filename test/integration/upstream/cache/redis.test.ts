/**
 * The read cache shared by two gateway instances (two upstream clients and caching callers) on a
 * real Redis and one simulator: coalescing across instances, invalidation after each kind of
 * write, no key material in any store, and the fallback to each instance's own store while Redis
 * is down. Exact upstream call counts come from the simulator; ages from an injected clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { issueCertificate } from '../../../../src/simulator/index';
import { startRedis, type TestRedis } from '../../../helpers/redis';
import { startSimulator, type Simulator } from '../../../helpers/simulator';
import { startCacheRig, uses, type CacheRig, type Clock } from './rig';

let sim: Simulator;
let redis: TestRedis;
let a: CacheRig;
let b: CacheRig;
const clock: Clock = { t: 5_000_000 };
const PREFIX = 'cache-test:';
/** PEM blocks and the members that hold keys or their passwords (not e.g. KeyPasswordCustomFlag). */
const KEY_MATERIAL = /-----BEGIN|PRIVATE KEY|"(Certificate|Encrypt)PrivateKey"|"(Csr)?[Kk]ey[Pp]ass(word)?"/;

const cert = (domain: string, issued = true): string => {
  const c = [...sim.state.certificates.values()].find((x) => x.domain === domain && (!issued || x.status === 1));
  if (!c) throw new Error(`no seeded certificate ${domain}`);
  return c.id;
};
const managerRecord = (firstName: string) => [...sim.state.managers.values()].find((m) => m.firstName === firstName)!;
const count = (action: string) => sim.calls.count(action);

/** Private keys and archives that went through the instances during the run. */
const secrets: string[] = [];

beforeAll(async () => {
  [sim, redis] = await Promise.all([startSimulator({ rateLimits: false }), startRedis()]);
  a = startCacheRig(sim, { redisUrl: redis.url, keyPrefix: PREFIX, clock });
  b = startCacheRig(sim, { redisUrl: redis.url, keyPrefix: PREFIX, clock });
  await Promise.all([a.cache.redis!.ready(), b.cache.redis!.ready()]);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await sim?.close();
  await redis?.stop();
});
beforeEach(() => {
  sim.calls.reset();
  sim.faults.clear();
  // Every test starts with nothing fresh: answers of earlier tests are past their max stale age.
  clock.t += 1_000_000;
});

describe('read cache shared through Redis by two instances', () => {
  it('coalesces identical reads across instances into one upstream call', async () => {
    sim.faults.add({ kind: 'latency', ms: 300, actions: ['DescribeCertificates'], count: 1 });
    const params = { Limit: 7, Offset: 0 };
    const runs = await Promise.all([
      ...Array.from({ length: 10 }, () => a.request(() => a.call('DescribeCertificates', params))),
      ...Array.from({ length: 10 }, () => b.request(() => b.call('DescribeCertificates', params))),
    ]);
    expect(count('DescribeCertificates')).toBe(1);
    const all = runs.flatMap((r) => uses(r.scope)).sort();
    expect(all.filter((u) => u.endsWith(':sent'))).toHaveLength(1);
    expect(all.filter((u) => u.endsWith(':coalesced'))).toHaveLength(19);
    for (const r of runs) expect(r.result).toEqual(runs[0].result);
  });

  it('an answer cached by one instance is a hit in the other, until it expires', async () => {
    await a.call('DescribePackages', { Limit: 10, Offset: 0 });
    clock.t += 3_000;
    const hit = await b.request(() => b.call('DescribePackages', { Limit: 10, Offset: 0 }));
    expect(uses(hit.scope)).toEqual(['DescribePackages:hit']);
    expect(hit.scope.upstream[0].ageMs).toBe(3_000);
    clock.t += 2_000;
    const expired = await b.request(() => b.call('DescribePackages', { Limit: 10, Offset: 0 }));
    expect(uses(expired.scope)).toEqual(['DescribePackages:sent']);
    expect(count('DescribePackages')).toBe(2);
  });

  /**
   * Each kind of write, made through instance B, must make instance A's next read of what it
   * affects go upstream (exactly one more call), after which A caches again.
   */
  const writeKinds: { kind: string; read: () => [string, Record<string, unknown>]; write: () => Promise<[string, Record<string, unknown>]>; check?: (before: Record<string, unknown>, after: Record<string, unknown>) => void }[] = [
    {
      kind: 'certificate attribute (ModifyCertificateAlias)',
      read: () => ['DescribeCertificates', { CertIds: [cert('www.example.test')], Limit: 1, Offset: 0 }],
      write: async () => ['ModifyCertificateAlias', { CertificateId: cert('www.example.test'), Alias: 'renamed-by-b' }],
      check: (_before, after) => expect((after.Certificates as { Alias: string }[])[0].Alias).toBe('renamed-by-b'),
    },
    {
      kind: 'certificate creation (UploadCertificate)',
      read: () => ['DescribeCertificates', { Limit: 1000, Offset: 0 }],
      write: async () => {
        const pem = issueCertificate({ commonName: 'cache-upload.example.test', notBefore: Date.now() - 86_400_000, notAfter: Date.now() + 90 * 86_400_000 });
        secrets.push(pem.privateKeyPem);
        return ['UploadCertificate', { CertificatePublicKey: pem.chainPem, CertificatePrivateKey: pem.privateKeyPem, Alias: 'cache-upload' }];
      },
      check: (before, after) => expect(Number(after.TotalCount)).toBe(Number(before.TotalCount) + 1),
    },
    {
      kind: 'certificate per-id entry (domain verification of the certificate written)',
      read: () => ['CheckCertificateDomainVerification', { CertificateId: cert('shop.example.test', false) }],
      write: async () => ['ModifyCertificateAlias', { CertificateId: cert('shop.example.test', false), Alias: 'shop' }],
    },
    {
      kind: 'deployment start (DeployCertificateInstance)',
      read: () => ['DescribeHostDeployRecord', { CertificateId: cert('*.example.test'), Limit: 10, Offset: 0 }],
      write: async () => ['DeployCertificateInstance', { CertificateId: cert('*.example.test'), InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' }],
      check: (before, after) => expect(Number(after.TotalCount)).toBe(Number(before.TotalCount) + 1),
    },
    {
      kind: 'deployment rollback (DeployCertificateRecordRollback)',
      read: () => ['DescribeHostDeployRecordDetail', { DeployRecordId: String(lastRecord), Limit: 10, Offset: 0 }],
      write: async () => ['DeployCertificateRecordRollback', { DeployRecordId: lastRecord }],
    },
    {
      kind: 'task start (DeleteCertificates with IsSync)',
      read: () => ['DescribeCertificates', { Limit: 1000, Offset: 0 }],
      write: async () => ['DeleteCertificates', { CertificateIds: [cert('legacy.example.test', false)], IsSync: true }],
    },
    {
      kind: 'manager (SubmitAuditManager)',
      read: () => ['DescribeManagerDetail', { ManagerId: managerRecord('Cai').id }],
      write: async () => ['SubmitAuditManager', { ManagerId: managerRecord('Cai').id }],
      check: (before, after) => expect(after.StatusInfo ?? after).not.toEqual(before.StatusInfo ?? before),
    },
    {
      kind: 'manager deletion (DeleteManager) reaches the manager and company lists',
      read: () => ['DescribeManagers', { CompanyId: managerRecord('Bob').companyId, Limit: 100, Offset: 0 }],
      write: async () => ['DeleteManager', { ManagerId: managerRecord('Bob').id }],
      check: (before, after) => expect(Number(after.TotalCount)).toBe(Number(before.TotalCount) - 1),
    },
  ];
  let lastRecord = 0;

  for (const w of writeKinds) {
    it(`invalidates across instances after a write: ${w.kind}`, async () => {
      if (w.kind.includes('rollback')) {
        const r = await a.client.call('DeployCertificateInstance', { CertificateId: cert('*.example.test'), InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' });
        lastRecord = Number(r.DeployRecordId);
        sim.advance(60_000);
      }
      const [readAction, readParams] = w.read();
      const before = await a.call(readAction, readParams);
      await a.call(readAction, readParams);
      expect(count(readAction)).toBe(1);
      const [writeAction, writeParams] = await w.write();
      await b.call(writeAction, writeParams);
      const after = await a.request(() => a.call(readAction, readParams));
      expect(uses(after.scope)).toEqual([`${readAction}:sent`]);
      expect(count(readAction)).toBe(2);
      w.check?.(before, after.result);
      await a.call(readAction, readParams);
      await b.call(readAction, readParams);
      expect(count(readAction)).toBe(2);
    });
  }

  it('never stores key material: after a full run, no Redis key or value and no in-process entry holds any', async () => {
    const id = cert('www.example.test');
    const detail = await a.call('DescribeCertificateDetail', { CertificateId: id });
    const download = await b.call('DownloadCertificate', { CertificateId: id });
    const url = await a.call('DescribeDownloadCertificateUrl', { CertificateId: id, ServiceType: 'nginx' });
    await b.call('DescribeCertificate', { CertificateId: id });
    if (typeof detail.CertificatePrivateKey === 'string') secrets.push(detail.CertificatePrivateKey);
    secrets.push(String(download.Content), String(url.DownloadCertificateUrl));
    expect(secrets.length).toBeGreaterThan(2);

    const scan = new Redis(redis.url);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await scan.scan(cursor, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      const cacheKeys = keys.filter((k) => k.startsWith(PREFIX));
      expect(cacheKeys.some((k) => k.startsWith(`${PREFIX}cache:e:`))).toBe(true); // the scan is not vacuous
      for (const k of cacheKeys) {
        expect(k).not.toMatch(/DescribeCertificateDetail|DownloadCertificate|DescribeDownloadCertificateUrl|:DescribeCertificate:/);
        expect(await scan.pttl(k), `${k} has a TTL`).toBeGreaterThan(0);
        const v = (await scan.get(k)) ?? '';
        expect(v, k).not.toMatch(KEY_MATERIAL);
        for (const s of secrets) expect(v.includes(s.slice(40, 120)), k).toBe(false);
      }
    } finally {
      scan.disconnect();
    }
    for (const v of [...a.cache.memory.values(), ...b.cache.memory.values()]) {
      expect(v).not.toMatch(KEY_MATERIAL);
    }
  });
});

describe('Redis down: each instance falls back to its own store', () => {
  let own: TestRedis;
  let x: CacheRig;
  let y: CacheRig;
  beforeAll(async () => {
    own = await startRedis();
    x = startCacheRig(sim, { redisUrl: own.url, keyPrefix: PREFIX, clock });
    y = startCacheRig(sim, { redisUrl: own.url, keyPrefix: PREFIX, clock });
    await Promise.all([x.cache.redis!.ready(), y.cache.redis!.ready()]);
  });
  afterAll(async () => {
    await x?.close();
    await y?.close();
    await own?.stop();
  });

  it('answers without error from its own store while Redis is down, and uses Redis again (with every shared answer invalidated) once it is back', async () => {
    const params = { Limit: 3, Offset: 0 };
    await y.call('DescribePackages', params);
    expect(count('DescribePackages')).toBe(1);
    await own.stop();

    // Down: x answers (first from upstream, then from its own store), never an error.
    const first = await x.request(() => x.call('DescribePackages', params));
    expect(uses(first.scope)).toEqual(['DescribePackages:sent']);
    expect(x.cache.redis!.state).toBe('fallback');
    const second = await x.request(() => x.call('DescribePackages', params));
    expect(uses(second.scope)).toEqual(['DescribePackages:hit']);
    expect(count('DescribePackages')).toBe(2);
    // A write while down invalidates x's own store (and is remembered for Redis).
    await x.call('ModifyCertificateAlias', { CertificateId: cert('www.example.test'), Alias: 'while-down' });
    await x.call('DescribePackages', params);
    expect(count('DescribePackages')).toBe(3);

    // Back: the next operation after the retry delay replays the missed invalidation.
    const back = await startRedis({ port: own.port });
    own = back;
    await x.cache.redis!.ready(5_000);
    await new Promise((r) => setTimeout(r, 1_100)); // the store leaves Redis alone for retryAfterMs after a failure
    const again = await x.request(() => x.call('DescribePackages', params));
    expect(x.cache.redis!.state).toBe('redis');
    expect(uses(again.scope)).toEqual(['DescribePackages:sent']); // its own store was cleared
    expect(count('DescribePackages')).toBe(4);
    await y.cache.redis!.ready(5_000);
    await new Promise((r) => setTimeout(r, 1_100));
    const shared = await y.request(() => y.call('DescribePackages', params));
    expect(uses(shared.scope)).toEqual(['DescribePackages:hit']);
    expect(count('DescribePackages')).toBe(4);
  });
});
