/**
 * Error mapping through HTTP: upstream failures carry the gateway code and the upstream Code,
 * Message and RequestId under `extensions.upstream`; other fields still resolve; unexpected errors
 * are masked; writes whose outcome is unknown are not replayed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { formatError } from '../../../src/graphql/server';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway(ISOLATED);
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

describe('GraphQL errors', () => {
  it('maps an upstream business error to the gateway code with the upstream details', async () => {
    const res = await gw.graphql('{ certificateDetail(certificateId: "nope1234") { domain } }');
    expect(res.data).toEqual({ certificateDetail: null });
    const [err] = res.errors!;
    expect(err.path).toEqual(['certificateDetail']);
    expect(err.extensions.code).toBe('NOT_FOUND');
    expect(err.extensions.upstream).toMatchObject({ action: 'DescribeCertificateDetail', code: 'FailedOperation.CertificateNotFound' });
    expect(err.extensions.upstream.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.extensions.upstream.message).toBeTruthy();
  });

  it('returns partial results: the failing field errors, the others resolve', async () => {
    const res = await gw.graphql('{ bad: certificateDetail(certificateId: "nope1234") { domain } good: certificates(limit: 2) { totalCount certificates { certificateId } } }');
    expect(res.data.bad).toBeNull();
    expect(res.data.good.certificates).toHaveLength(2);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].path).toEqual(['bad']);
  });

  it('a nested navigation failure nulls only that field', async () => {
    gw.sim.faults.add({ kind: 'error', code: 'FailedOperation.CertificateNotFound', actions: ['DescribeCertificateDetail'], count: 1 });
    const res = await gw.graphql('{ certificates(limit: 2) { certificates { certificateId detail { domain } } } }');
    expect(res.data.certificates.certificates).toHaveLength(2);
    const nulls = res.data.certificates.certificates.filter((c: any) => c.detail === null);
    expect(nulls).toHaveLength(1);
    expect(res.errors![0].extensions.code).toBe('NOT_FOUND');
  });

  it('rejects invalid arguments before calling upstream', async () => {
    const res = await gw.graphql('mutation { applyCertificate(dvAuthMethod: NOT_A_METHOD, domainName: "x.example.test") { certificateId } }');
    expect(res.status).toBe(400);
    expect(res.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(gw.calls()).toEqual({});
  });

  it('reads recover from transient upstream faults within the retry budget', async () => {
    gw.sim.faults.next(2, 'internalError', { actions: ['DescribeCertificates'] });
    const res = await gw.graphql('{ certificates(limit: 1) { totalCount } }');
    expect(res.errors).toBeUndefined();
    expect(gw.calls().DescribeCertificates).toBe(3);
  });

  it('a write whose answer was lost is reported as outcome-unknown and not replayed', async () => {
    gw.sim.faults.add({ kind: 'reset', phase: 'after', actions: ['ModifyCertificateAlias'], count: 1 });
    const list = await gw.client.call('DescribeCertificates', { Limit: 1 });
    const id = (list.Certificates as any[])[0].CertificateId;
    gw.resetCalls();
    const res = await gw.graphql('mutation($id: ID!) { setCertificateAlias(certificateId: $id, alias: "after-reset") { certificateId } }', { id });
    expect(res.errors![0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.errors![0].extensions.upstream.outcomeUnknown).toBe(true);
    expect(gw.calls().ModifyCertificateAlias).toBe(1);
    // The mutation did apply upstream exactly once.
    const after = await gw.client.call('DescribeCertificateDetail', { CertificateId: id });
    expect(after.Alias).toBe('after-reset');
  });

  it('masks unexpected errors', () => {
    const masked = formatError({ message: 'secret internals at /srv/x.ts:10', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new GraphQLError('boom', { originalError: new TypeError('secret internals') }));
    expect(masked).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, locations: undefined, path: undefined });
  });
});
