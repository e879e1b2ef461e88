/**
 * The read cache through both surfaces of the deployed gateway (loadConfig + local server):
 * REST `Age` / `Cache-Control`, GraphQL `extensions.cache`, `Cache-Control: no-cache` on
 * requests, writes invalidating, authorization before any cached answer, key material never
 * stored, and the request log line saying how each upstream read was answered.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayFixture, type KeyName } from '../helpers/fixture';

let gw: GatewayFixture;
let certId: string;

beforeAll(async () => {
  gw = await startGateway();
  certId = [...gw.sim.state.certificates.values()].find((c) => c.domain === 'www.example.test' && c.status === 1)!.id;
});
afterAll(async () => {
  await gw?.close();
});
beforeEach(() => {
  // Nothing of an earlier test may still be fresh: every test starts from an invalidated cache.
  void gw.server.gateway.cache.store.invalidate(['all']);
  gw.sim.calls.reset();
});

const count = (action: string) => gw.sim.calls.count(action);
/** The `upstream` entries of the last request log line. */
function lastUpstream(): { action: string; cache: string; ageMs?: number }[] {
  const line = gw.logs.filter((l) => l.msg === 'request').at(-1)!;
  return line.upstream as { action: string; cache: string; ageMs?: number }[];
}
const rest = (path: string, init: RequestInit & { key?: KeyName; json?: unknown } = {}) => gw.fetch(path, init);
const CERTS = '{ certificates(limit: 3) { totalCount certificates { certificateId alias } } }';

describe('read cache on the REST surface', () => {
  it('answers carry Cache-Control private, max-age and Age; a repeat is a cache hit with its age', async () => {
    const first = await rest('/v1/certificates?limit=3');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, max-age=5');
    expect(first.headers.get('age')).toBe('0');
    expect(lastUpstream().map((u) => u.cache)).toEqual(['sent']);
    const second = await rest('/v1/certificates?limit=3');
    expect(await second.json()).toEqual(await first.json());
    const [u] = lastUpstream();
    expect(u).toMatchObject({ action: 'DescribeCertificates', cache: 'hit' });
    expect(second.headers.get('age')).toBe(String(Math.floor(u.ageMs! / 1000)));
    expect(second.headers.get('cache-control')).toMatch(/^private, max-age=[0-5]$/);
    expect(count('DescribeCertificates')).toBe(1);
  });

  it('Cache-Control: no-cache on the request forces an upstream read', async () => {
    await rest('/v1/certificates?limit=3');
    await rest('/v1/certificates?limit=3', { headers: { 'cache-control': 'no-cache' } });
    expect(lastUpstream().map((u) => u.cache)).toEqual(['sent']);
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('a write answers no-store and the next read goes upstream and shows it', async () => {
    await rest(`/v1/actions/DescribeCertificates`, { method: 'POST', json: { CertIds: [certId], Limit: 1, Offset: 0 } });
    const write = await rest('/v1/actions/ModifyCertificateAlias', { method: 'POST', json: { CertificateId: certId, Alias: 'via-rest' }, headers: { 'idempotency-key': 'alias-1' } });
    expect(write.status).toBe(200);
    expect(write.headers.get('cache-control')).toBe('no-store');
    const read = await rest(`/v1/actions/DescribeCertificates`, { method: 'POST', json: { CertIds: [certId], Limit: 1, Offset: 0 } });
    expect(((await read.json()) as { Certificates: { Alias: string }[] }).Certificates[0].Alias).toBe('via-rest');
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('authorization runs before a cached answer is used: a caller without read gets 403 and nothing', async () => {
    await rest('/v1/certificates?limit=3', { key: 'read' });
    const refused = await rest('/v1/certificates?limit=3', { key: 'write' });
    expect(refused.status).toBe(403);
    expect(lastUpstream()).toEqual([]);
    expect(count('DescribeCertificates')).toBe(1);
  });

  it('key material is redacted for callers without keys, never cached, and never in the in-process store', async () => {
    const byRead = await rest('/v1/actions/DescribeCertificateDetail', { method: 'POST', json: { CertificateId: certId }, key: 'read' });
    const byKeys = await rest('/v1/actions/DescribeCertificateDetail', { method: 'POST', json: { CertificateId: certId }, key: 'keys' });
    expect(((await byRead.json()) as { CertificatePrivateKey: unknown }).CertificatePrivateKey).toBeNull();
    expect(byKeys.headers.get('cache-control')).toBe('no-store');
    await rest(`/v1/actions/DownloadCertificate`, { method: 'POST', json: { CertificateId: certId }, key: 'keys' });
    expect(count('DescribeCertificateDetail')).toBe(2);
    for (const v of gw.server.gateway.cache.memory.values()) expect(v).not.toMatch(/-----BEGIN|PRIVATE KEY|"(Certificate|Encrypt)PrivateKey"/);
  });
});

describe('read cache on the GraphQL surface', () => {
  it('extensions.cache says how old the oldest answer is, how long it stays fresh and whether any was stale', async () => {
    const first = (await gw.graphql(CERTS)) as { extensions?: { cache?: unknown } };
    expect(first.extensions?.cache).toEqual({ ageSeconds: 0, maxAgeSeconds: 5, stale: false });
    const second = (await gw.graphql(CERTS)) as { extensions?: { cache?: { ageSeconds: number; maxAgeSeconds: number; stale: boolean } } };
    const [u] = lastUpstream();
    expect(u).toMatchObject({ action: 'DescribeCertificates', cache: 'hit' });
    expect(second.extensions?.cache).toEqual({ ageSeconds: Math.floor(u.ageMs! / 1000), maxAgeSeconds: expect.any(Number), stale: false });
    expect(count('DescribeCertificates')).toBe(1);
  });

  it('Cache-Control: no-cache on the request forces upstream reads', async () => {
    await gw.graphql(CERTS);
    const res = await gw.fetch('/graphql', { method: 'POST', json: { query: CERTS }, headers: { 'cache-control': 'no-cache' } });
    expect(res.status).toBe(200);
    expect(lastUpstream().map((u) => u.cache)).toEqual(['sent']);
    expect(count('DescribeCertificates')).toBe(2);
  });

  it('coalesces identical concurrent queries of many users into one upstream call', async () => {
    gw.sim.faults.add({ kind: 'latency', ms: 100, actions: ['DescribeCertificates'], count: 1 });
    const all = await Promise.all(Array.from({ length: 30 }, () => gw.graphql(CERTS)));
    for (const r of all) expect(r.errors).toBeUndefined();
    expect(count('DescribeCertificates')).toBe(1);
    const lines = gw.logs.filter((l) => l.msg === 'request').slice(-30);
    const kinds = lines.flatMap((l) => (l.upstream as { cache: string }[]).map((u) => u.cache)).sort();
    expect(kinds.filter((k) => k === 'sent')).toHaveLength(1);
    // The others joined the call in flight, or (arriving after it) found its answer cached.
    expect(kinds.filter((k) => k === 'coalesced' || k === 'hit')).toHaveLength(29);
    expect(kinds).toContain('coalesced');
  });

  it('scope checks run before the cache: a caller without read gets 403 for a cached query', async () => {
    await gw.graphql(CERTS, undefined, 'read');
    const refused = await gw.graphql(CERTS, undefined, 'write');
    expect(refused.status).toBe(403);
    expect(count('DescribeCertificates')).toBe(1);
  });
});
