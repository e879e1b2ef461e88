/**
 * The caching caller in one process (in-process store): coalescing, expiry, invalidation,
 * stale answers under upstream faults and a spent budget, no-cache, and what is never cached.
 * Exact upstream call counts come from the simulator; time is an injected clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../helpers/simulator';
import { graphqlCacheExtension, restCacheHeaders } from '../../../../src/upstream/cache';
import { startCacheRig, uses, type CacheRig } from './rig';

let sim: Simulator;
let rig: CacheRig;
let certId: string;

const LIST = { Limit: 5, Offset: 0 };

beforeAll(async () => {
  sim = await startSimulator({ rateLimits: false });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await rig?.close();
  sim.reset({ state: true });
  rig = startCacheRig(sim);
  const list = await rig.client.call('DescribeCertificates', { Limit: 100, Offset: 0 });
  // An issued certificate: it can be downloaded, deployed and renamed.
  certId = String((list.Certificates as { CertificateId: string; Status: number }[]).find((c) => c.Status === 1)?.CertificateId);
  sim.calls.reset();
});

const count = (action: string) => sim.calls.count(action);

describe('in-process cache', () => {
  it('coalesces identical reads in flight within a process into one upstream call', async () => {
    sim.faults.add({ kind: 'latency', ms: 100, actions: ['DescribeCertificates'], count: 1 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => rig.call('DescribeCertificates', LIST)));
    expect(count('DescribeCertificates')).toBe(1);
    for (const a of answers) expect(a).toEqual(answers[0]);
    // Each caller got its own copy: changing one answer changes no other.
    (answers[1].Certificates as unknown[]).length = 0;
    expect((answers[2].Certificates as unknown[]).length).toBeGreaterThan(0);
  });

  it('treats parameters that differ only in member order as the same read, other parameters as another', async () => {
    await rig.call('DescribeCertificates', { Limit: 5, Offset: 0 });
    await rig.call('DescribeCertificates', { Offset: 0, Limit: 5 });
    expect(count('DescribeCertificates')).toBe(1);
    await rig.call('DescribeCertificates', { Offset: 0, Limit: 6 });
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('serves a fresh answer until its TTL expires, then reads upstream again', async () => {
    const first = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(uses(first.scope)).toEqual(['DescribeCertificates:sent']);
    rig.clock.t += 4_999;
    const hit = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(uses(hit.scope)).toEqual(['DescribeCertificates:hit']);
    expect(hit.scope.upstream[0].ageMs).toBe(4_999);
    expect(count('DescribeCertificates')).toBe(1);
    rig.clock.t += 1;
    const again = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(uses(again.scope)).toEqual(['DescribeCertificates:sent']);
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('never caches nor coalesces answers that can carry key material', async () => {
    await Promise.all(Array.from({ length: 5 }, () => rig.call('DescribeCertificateDetail', { CertificateId: certId })));
    expect(count('DescribeCertificateDetail')).toBe(5);
    await rig.call('DownloadCertificate', { CertificateId: certId });
    await rig.call('DownloadCertificate', { CertificateId: certId });
    expect(count('DownloadCertificate')).toBe(2);
    await rig.call('DescribeCertificate', { CertificateId: certId });
    await rig.call('DescribeCertificate', { CertificateId: certId });
    expect(count('DescribeCertificate')).toBe(2);
    expect(rig.cache.memory.size).toBe(0);
  });

  it('a write invalidates the reads it affects: the next read shows the new value', async () => {
    const before = await rig.call('DescribeCertificates', { CertIds: [certId], Limit: 1, Offset: 0 });
    expect((before.Certificates as { Alias: string }[])[0].Alias).not.toBe('renamed');
    await rig.call('ModifyCertificateAlias', { CertificateId: certId, Alias: 'renamed' });
    const after = await rig.call('DescribeCertificates', { CertIds: [certId], Limit: 1, Offset: 0 });
    expect((after.Certificates as { Alias: string }[])[0].Alias).toBe('renamed');
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('a write whose outcome is unknown invalidates too', async () => {
    await rig.call('DescribeCertificates', { CertIds: [certId], Limit: 1, Offset: 0 });
    // The alias changes upstream, then the connection drops: the gateway cannot know.
    sim.faults.add({ kind: 'reset', phase: 'after', actions: ['ModifyCertificateAlias'], count: 1 });
    await expect(rig.call('ModifyCertificateAlias', { CertificateId: certId, Alias: 'maybe' })).rejects.toMatchObject({ outcomeUnknown: true });
    const after = await rig.call('DescribeCertificates', { CertIds: [certId], Limit: 1, Offset: 0 });
    expect((after.Certificates as { Alias: string }[])[0].Alias).toBe('maybe');
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('an answer fetched while a write ran is not served after the write', async () => {
    // The read is answered upstream before the write and delivered after it (phase "after").
    sim.faults.add({ kind: 'latency', ms: 150, phase: 'after', actions: ['DescribeCertificates'], count: 1 });
    const slow = rig.call('DescribeCertificates', { CertIds: [certId], Limit: 1, Offset: 0 });
    await new Promise((r) => setTimeout(r, 50));
    await rig.call('ModifyCertificateAlias', { CertificateId: certId, Alias: 'during' });
    expect(((await slow).Certificates as { Alias: string }[])[0].Alias).not.toBe('during');
    const next = await rig.call('DescribeCertificates', { CertIds: [certId], Limit: 1, Offset: 0 });
    expect((next.Certificates as { Alias: string }[])[0].Alias).toBe('during');
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('serves a stale answer, marked stale, when the upstream fails transiently; the error beyond the max stale age', async () => {
    const fresh = await rig.call('DescribeCertificates', LIST);
    rig.clock.t += 5_000 + 10_000; // 10 s past freshness, within the 30 s max stale age
    sim.faults.add({ kind: 'http', status: 503, actions: ['DescribeCertificates'] });
    const stale = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(stale.result).toEqual(fresh);
    expect(uses(stale.scope)).toEqual(['DescribeCertificates:sent', 'DescribeCertificates:sent', 'DescribeCertificates:stale']);
    expect(graphqlCacheExtension(stale.scope.cache)).toEqual({ ageSeconds: 15, maxAgeSeconds: 0, stale: true });
    expect(count('DescribeCertificates')).toBe(3); // the first read + 2 failed attempts
    rig.clock.t += 21_000; // now 36 s past freshness
    await expect(rig.call('DescribeCertificates', LIST)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('serves a stale answer when the budget is spent (RATE_LIMITED) instead of failing', async () => {
    const fresh = await rig.call('DescribeCertificates', LIST);
    rig.clock.t += 6_000;
    rig.budgetSpent.value = true;
    const stale = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(stale.result).toEqual(fresh);
    expect(uses(stale.scope)).toEqual(['DescribeCertificates:stale']);
    expect(count('DescribeCertificates')).toBe(1);
    // A read never cached has nothing to fall back on.
    await expect(rig.call('DescribeCertificates', { Limit: 9, Offset: 0 })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('serves the stale answer at once to other callers while one refresh is in flight', async () => {
    await rig.call('DescribeCertificates', LIST);
    rig.clock.t += 6_000;
    sim.faults.add({ kind: 'latency', ms: 150, actions: ['DescribeCertificates'], count: 1 });
    const refreshing = rig.request(() => rig.call('DescribeCertificates', LIST));
    await new Promise((r) => setTimeout(r, 20));
    const other = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(uses(other.scope)).toEqual(['DescribeCertificates:stale']);
    expect(uses((await refreshing).scope)).toEqual(['DescribeCertificates:sent']);
    expect(count('DescribeCertificates')).toBe(2);
    const after = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(uses(after.scope)).toEqual(['DescribeCertificates:hit']);
  });

  it('no-cache (call option or the request\'s Cache-Control) forces upstream reads, and refreshes the cache', async () => {
    await rig.call('DescribeCertificates', LIST);
    await rig.call('DescribeCertificates', LIST, { cache: 'no-cache' });
    expect(count('DescribeCertificates')).toBe(2);
    const viaHeader = await rig.request(() => rig.call('DescribeCertificates', LIST), true);
    expect(uses(viaHeader.scope)).toEqual(['DescribeCertificates:sent']);
    expect(count('DescribeCertificates')).toBe(3);
    rig.clock.t += 4_000; // fresh since the last (no-cache) read
    const hit = await rig.request(() => rig.call('DescribeCertificates', LIST));
    expect(uses(hit.scope)).toEqual(['DescribeCertificates:hit']);
    expect(restCacheHeaders(hit.scope.cache)).toEqual({ age: '4', 'cache-control': 'private, max-age=1' });
  });

  it('keeps a running task state fresh briefly and a final one long', async () => {
    const created = await rig.call('CreateCertificateBindResourceSyncTask', { CertificateIds: [certId], IsCache: 0 });
    const taskId = String((created.CertTaskIds as { TaskId: string }[])[0].TaskId);
    const read = () => rig.call('DescribeCertificateBindResourceTaskResult', { TaskIds: [taskId] });
    const status = (r: Record<string, unknown>) => Number((r.SyncTaskBindResourceResult as { Status: number }[])[0].Status);
    expect(status(await read())).toBe(0);
    rig.clock.t += 999;
    await read();
    expect(count('DescribeCertificateBindResourceTaskResult')).toBe(1);
    rig.clock.t += 1;
    sim.advance(60_000);
    expect(status(await read())).not.toBe(0);
    expect(count('DescribeCertificateBindResourceTaskResult')).toBe(2);
    rig.clock.t += 299_000;
    await read();
    expect(count('DescribeCertificateBindResourceTaskResult')).toBe(2);
  });

  it('CACHE_TTL_SECONDS=0 turns caching and coalescing off', async () => {
    const off = startCacheRig(sim, { env: { CACHE_TTL_SECONDS: '0' } });
    try {
      sim.faults.add({ kind: 'latency', ms: 50, actions: ['DescribeCertificates'], count: 3 });
      await Promise.all([0, 1, 2].map(() => off.call('DescribeCertificates', LIST)));
      await off.call('DescribeCertificates', LIST);
      expect(count('DescribeCertificates')).toBe(4);
    } finally {
      await off.close();
    }
  });
});
