/**
 * What widely used GraphQL clients rely on: a replayed mutation says so in `extensions` (nothing
 * ran again), and certificates carry a stable `id` so Apollo Client and urql caches normalise them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
let certId: string;
beforeAll(async () => {
  gw = await startGateway(ISOLATED);
  const res = await gw.graphql('{ certificates(limit: 1) { certificates { certificateId } } }');
  certId = res.data.certificates.certificates[0].certificateId;
});
afterAll(() => gw.close());
beforeEach(() => gw.resetCalls());

describe('replayed mutations', () => {
  it('a replayed GraphQL mutation says so in extensions', async () => {
    const mutation = 'mutation($id: ID!, $key: String) { renamed: setCertificateAlias(certificateId: $id, alias: "cache-test", idempotencyKey: $key) { requestId } }';
    const key = `replay-${Date.now()}`;
    const first = await gw.graphql(mutation, { id: certId, key });
    expect(first.errors).toBeUndefined();
    expect((first as any).extensions?.idempotentReplayed).toBeUndefined();
    const second = await gw.graphql(mutation, { id: certId, key });
    expect(second.errors).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect((second as any).extensions.idempotentReplayed).toEqual(['renamed']);
    expect(gw.calls()).toEqual({ ModifyCertificateAlias: 1 });
  });
});

describe('cache normalisation', () => {
  it('certificates have a stable id equal to their certificate id', async () => {
    const res = await gw.graphql('query($id: ID!) { certificate(id: $id) { id certificateId } certificateDetail(certificateId: $id) { id certificateId } }', { id: certId });
    expect(res.errors).toBeUndefined();
    expect(res.data.certificate).toEqual({ id: certId, certificateId: certId });
    expect(res.data.certificateDetail).toEqual({ id: certId, certificateId: certId });
  });
});
