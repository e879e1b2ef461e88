/**
 * The GraphQL schema keeps its promises at run time:
 * - answers the simulator really gives (SNI listeners and rules without a certificate) resolve
 *   without errors through the CLB target picker and the bind-resource detail;
 * - an upstream answer that breaks the schema is a typed UPSTREAM_CONTRACT error naming the field
 *   and the upstream RequestId, recorded on the request's log scope, and the rest of the response
 *   is answered; never a masked INTERNAL_SERVER_ERROR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../../src/auth/identity';
import { createGraphQLServer } from '../../../src/graphql/server';
import type { Json, UpstreamCaller } from '../../../src/graphql/loaders';
import { withRequestScope, type RequestScope } from '../../../src/observability/log';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway(ISOLATED);
});
afterAll(() => gw.close());

const LISTENERS = `instanceList { loadBalancerId listeners { listenerId sniSwitch certificate { certId } rules { domain certificate { certId } } } }`;

describe('answers the simulator gives fit the schema', () => {
  it('hostClbInstances answers SNI listeners and rules without a certificate with null certificates', async () => {
    const res = await gw.graphql(`{ hostClbInstances { totalCount ${LISTENERS} } }`);
    expect(res.errors).toBeUndefined();
    const listeners = res.data.hostClbInstances.instanceList.flatMap((lb: any) => lb.listeners);
    expect(listeners.some((l: any) => l.certificate === null)).toBe(true);
    expect(listeners.flatMap((l: any) => l.rules ?? []).some((r: any) => r.certificate === null)).toBe(true);
  });

  it('bindResourceTask.detail answers CLB listeners without a certificate', async () => {
    // A certificate bound to a rule of an SNI listener (whose own certificate is null).
    const hosts = await gw.graphql(`{ hostClbInstances { ${LISTENERS} } }`);
    const sni = hosts.data.hostClbInstances.instanceList.flatMap((lb: any) => lb.listeners).find((l: any) => l.sniSwitch === 1 && l.certificate === null);
    const certId = sni.rules.find((r: any) => r.certificate).certificate.certId;
    const created = await gw.graphql('mutation($id: ID!) { createCertificateBindResourceTask(certificateIds: [$id], useCache: false) { id } }', { id: certId });
    const [task] = created.data.createCertificateBindResourceTask;
    const res = await gw.graphql(
      `query($id: ID!) { bindResourceTask(id: $id) { awaitCompletion(timeoutSeconds: 10) { state detail(limit: 100) { clb { ${LISTENERS} } } } } }`,
      { id: task.id },
    );
    expect(res.errors).toBeUndefined();
    const detail = res.data.bindResourceTask.awaitCompletion.detail;
    const listeners = detail.clb.flatMap((c: any) => c.instanceList).flatMap((lb: any) => lb.listeners);
    expect(listeners.find((l: any) => l.listenerId === sni.listenerId).certificate).toBeNull();
  });
});

/** An upstream that answers from a table (as a misbehaving real service might). */
function scripted(answers: Record<string, Json>): UpstreamCaller {
  return { call: async (action) => structuredClone(answers[action] ?? { RequestId: 'unused' }) };
}

describe('an upstream answer that breaks the schema', () => {
  const upstream = scripted({
    DescribeCertificates: { TotalCount: 1, Certificates: [{ CertificateId: null, Domain: 'a.example.test' }], RequestId: 'req-certs' },
    DescribeHostClbInstanceList: {
      TotalCount: 1,
      InstanceList: [{ LoadBalancerId: 'lb-1', LoadBalancerName: 'x', Listeners: [{ ListenerId: 'l-1', ListenerName: null, SniSwitch: 0, Protocol: 'HTTPS', NoMatchDomains: null, Rules: null, Certificate: null }] }],
      AsyncTotalNum: null,
      AsyncOffset: null,
      AsyncCacheTime: null,
      RequestId: 'req-clb',
    },
    DescribePackages: { TotalCount: 2, Packages: null, TotalBalance: null, RequestId: 'req-pkg' },
  });
  const { server, context } = createGraphQLServer({ upstream, defaultIdentity: ANONYMOUS });
  const run = async (query: string) => {
    const scope: RequestScope = { requestId: 'gw-1', upstream: [] };
    const res = await withRequestScope(scope, () => server.executeOperation({ query }, { contextValue: context() }));
    const body = res.body.kind === 'single' ? res.body.singleResult : undefined;
    return { body: body as any, scope };
  };

  it('is a typed UPSTREAM_CONTRACT error naming the field and the upstream RequestId, logged on the request', async () => {
    const { body, scope } = await run('{ certificates(limit: 5) { totalCount certificates { certificateId domain } } packages { totalCount } }');
    expect(body.errors).toHaveLength(1);
    const [err] = body.errors;
    expect(err.extensions.code).toBe('UPSTREAM_CONTRACT');
    expect(err.extensions.field).toBe('Certificates.certificateId');
    expect(err.extensions.upstream).toMatchObject({ action: 'DescribeCertificates', requestId: 'req-certs' });
    expect(err.message).toContain('Certificates.certificateId');
    expect(err.path).toEqual(['certificates', 'certificates', 0, 'certificateId']);
    // Only the action's own root field is lost; the other root field is answered.
    expect(body.data.packages).toEqual({ totalCount: 2 });
    expect(scope.contractViolations).toEqual([{ field: 'Certificates.certificateId', problem: 'null', action: 'DescribeCertificates', requestId: 'req-certs' }]);
  });

  it('a null certificate on a listener is an answer, not an error', async () => {
    const { body, scope } = await run('{ hostClbInstances { instanceList { listeners { listenerId certificate { certId } } } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.hostClbInstances.instanceList[0].listeners[0]).toEqual({ listenerId: 'l-1', certificate: null });
    expect(scope.contractViolations).toBeUndefined();
  });

  it('a member of the wrong type names the field too', async () => {
    const wrong = scripted({ DescribePackages: { TotalCount: 'many', Packages: null, TotalBalance: null, RequestId: 'req-pkg' } });
    const gql = createGraphQLServer({ upstream: wrong, defaultIdentity: ANONYMOUS });
    const res = await gql.server.executeOperation({ query: '{ packages { totalCount } }' }, { contextValue: gql.context() });
    const body = (res.body as any).singleResult;
    expect(body.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_CONTRACT', field: 'DescribePackagesResponse.totalCount', upstream: { requestId: 'req-pkg' } });
    expect(body.data).toEqual({ packages: null });
  });
});
