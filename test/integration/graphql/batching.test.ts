/**
 * No N+1: nested lookups go through per-request DataLoaders. Assertions read the simulator's
 * per-action call counters: N items cost ⌈N / batch⌉ upstream calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
let ids: string[];

beforeAll(async () => {
  // 101 aliases in one test: above the default alias limit (30), which is configurable.
  gw = await startGateway({ ...ISOLATED, sim: { freeCertLimit: 10_000 }, env: { GRAPHQL_MAX_ALIASES: '200', GRAPHQL_MAX_COST: '1000' } });
  // Bring the account to well over 100 certificates (the demo data has 34).
  await Promise.all(
    Array.from({ length: 90 }, (_, i) => gw.client.call('ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: `batch${i}.example.test` })),
  );
  const all = await gw.client.call('DescribeCertificates', { Limit: 1000 });
  ids = (all.Certificates as { CertificateId: string }[]).map((c) => c.CertificateId);
  expect(ids.length).toBeGreaterThanOrEqual(120);
});

afterAll(() => gw.close());
beforeEach(() => gw.resetCalls());

describe('batching', () => {
  it('100 certificates by id cost one DescribeCertificates call', async () => {
    const res = await gw.graphql('query($ids: [ID!]!) { certificatesByIds(ids: $ids) { certificateId domain } }', { ids: ids.slice(0, 100) });
    expect(res.errors).toBeUndefined();
    expect(res.data.certificatesByIds).toHaveLength(100);
    expect(res.data.certificatesByIds.map((c: any) => c.certificateId)).toEqual(ids.slice(0, 100));
    expect(gw.calls()).toEqual({ DescribeCertificates: 1 });
    expect(gw.sim.calls.params('DescribeCertificates')[0].CertIds).toHaveLength(100);
  });

  it('100 aliased certificate(id) fields are coalesced into one call, duplicates included', async () => {
    const fields = ids.slice(0, 100).map((id, i) => `c${i}: certificate(id: "${id}") { certificateId status }`);
    fields.push(`dup: certificate(id: "${ids[0]}") { certificateId }`);
    const res = await gw.graphql(`{ ${fields.join('\n')} }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.c99.certificateId).toBe(ids[99]);
    expect(res.data.dup.certificateId).toBe(ids[0]);
    expect(gw.calls()).toEqual({ DescribeCertificates: 1 });
  });

  it('deployed resources of 100 certificates cost ⌈100/50⌉ calls per resource type', async () => {
    const res = await gw.graphql(`{
      certificates(limit: 100) { certificates { certificateId
        clb: deployedResources(resourceType: CLB) { count resourceIds }
        cdn: deployedResources(resourceType: CDN) { count } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.certificates.certificates).toHaveLength(100);
    expect(gw.calls()).toEqual({ DescribeCertificates: 1, DescribeDeployedResources: 4 });
    const batches = gw.sim.calls.params('DescribeDeployedResources');
    expect(batches.map((p) => (p.CertificateIds as string[]).length).sort()).toEqual([50, 50, 50, 50]);
  });

  it('operation logs of 100 certificates cost one call', async () => {
    const res = await gw.graphql('{ certificates(limit: 100) { certificates { certificateId operateLogs { action createdOn } } } }');
    expect(res.errors).toBeUndefined();
    expect(gw.calls()).toEqual({ DescribeCertificates: 1, DescribeCertificateOperateLogs: 1 });
  });

  it('task states of more than 100 bind-resource tasks cost ⌈n/100⌉ calls', async () => {
    const created: { id: string }[] = [];
    for (const part of [ids.slice(0, 100), ids.slice(100, 150)]) {
      const res = await gw.graphql('mutation($ids: [ID!]!) { createCertificateBindResourceTask(certificateIds: $ids) { id } }', { ids: part });
      expect(res.errors).toBeUndefined();
      created.push(...res.data.createCertificateBindResourceTask);
    }
    // The upstream makes tasks only for certificates that can have bound resources.
    expect(created.length).toBeGreaterThan(100);
    gw.resetCalls();
    const taskIds = created.map((t) => t.id);
    const res = await gw.graphql('query($ids: [ID!]!) { bindResourceTasks(ids: $ids) { id state statusCode done } }', { ids: taskIds });
    expect(res.errors).toBeUndefined();
    expect(res.data.bindResourceTasks).toHaveLength(taskIds.length);
    expect(res.data.bindResourceTasks.every((t: any) => t.state === 'RUNNING' || t.state === 'SUCCEEDED')).toBe(true);
    expect(gw.calls()).toEqual({ DescribeCertificateBindResourceTaskResult: Math.ceil(taskIds.length / 100) });
  });

  it('a certificate detail asked twice in one request is fetched once', async () => {
    const res = await gw.graphql(`{ a: certificate(id: "${ids[0]}") { detail { domain } } b: certificate(id: "${ids[0]}") { detail { alias } } }`);
    expect(res.errors).toBeUndefined();
    expect(gw.calls()).toEqual({ DescribeCertificates: 1, DescribeCertificateDetail: 1 });
  });

  it('waits of several tasks in one request share their polls', async () => {
    const created = await gw.graphql('mutation($ids: [ID!]!) { createCertificateBindResourceTask(certificateIds: $ids) { id } }', { ids: ids.slice(0, 5) });
    const taskIds = created.data.createCertificateBindResourceTask.map((t: any) => t.id);
    gw.resetCalls();
    const res = await gw.graphql('query($ids: [ID!]!) { bindResourceTasks(ids: $ids) { awaitCompletion(timeoutSeconds: 15) { id state done } } }', { ids: taskIds });
    expect(res.errors).toBeUndefined();
    expect(res.data.bindResourceTasks.every((t: any) => t.awaitCompletion.done)).toBe(true);
    const polls = gw.sim.calls.params('DescribeCertificateBindResourceTaskResult');
    // Every poll round asked for all five tasks at once.
    expect(polls.length).toBeGreaterThanOrEqual(2);
    for (const p of polls) expect((p.TaskIds as string[]).length).toBe(5);
  });
});
