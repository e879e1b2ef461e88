/**
 * Deploying without guesswork (issue 11, item 6): the host instance queries expose the exact
 * `instanceIdList` entries that `deployCertificate` expects, resource types are enums, and the
 * per-instance deployment status is an enum beside its raw code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../src/simulator';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
/** A certificate that covers every demo instance and is bound to none of them. */
let certId: string;
let pem: { certificatePem: string; privateKeyPem: string };

const DAY = 86_400_000;

beforeAll(async () => {
  gw = await startGateway(ISOLATED);
  pem = issueCertificate({
    commonName: 'example.test',
    altNames: ['*.example.test', '*.api.example.test', 'demo.test', '*.demo.test', '*.acme.test'],
    notBefore: Date.now() - DAY,
    notAfter: Date.now() + 90 * DAY,
  });
  const uploaded = await gw.client.call('UploadCertificate', { CertificatePublicKey: pem.certificatePem, CertificatePrivateKey: pem.privateKeyPem, Alias: 'targets' });
  certId = String(uploaded.CertificateId);
});
afterAll(() => gw.close());

/** Host instance query and the targets it exposes, per resource type with a host instance list. */
const HOST_QUERIES: Record<string, { field: string; paged: boolean; selection: string; targets: (list: any[]) => string[] }> = {
  CLB: {
    field: 'hostClbInstances',
    paged: true,
    selection: 'deployTargets listeners { sniSwitch deployTarget rules { deployTarget } }',
    targets: (list) => list.flatMap((i) => i.deployTargets),
  },
  CDN: { field: 'hostCdnInstances', paged: true, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  DDOS: { field: 'hostDdosInstances', paged: true, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  LIVE: { field: 'hostLiveInstances', paged: false, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  VOD: { field: 'hostVodInstances', paged: false, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  WAF: { field: 'hostWafInstances', paged: false, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  TEO: { field: 'hostTeoInstances', paged: true, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  API_GATEWAY: { field: 'hostApiGatewayInstances', paged: true, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  COS: { field: 'hostCosInstances', paged: true, selection: 'deployTarget', targets: (list) => list.map((i) => i.deployTarget) },
  TKE: {
    field: 'hostTkeInstances',
    paged: true,
    selection: 'deployTargets namespaceList { secretList { deployTarget } }',
    targets: (list) => list.flatMap((i) => i.deployTargets),
  },
  // The Lighthouse answer has no region: the client names the one it deploys in (the demo's).
  LIGHTHOUSE: { field: 'hostLighthouseInstances', paged: false, selection: 'deployTargets(region: "ap-shanghai")', targets: (list) => list.flatMap((i) => i.deployTargets) },
};

async function hostInstances(type: string): Promise<any[]> {
  const q = HOST_QUERIES[type];
  const res = await gw.graphql(`query($id: ID!) { ${q.field}(certificateId: $id${q.paged ? ', limit: 200' : ''}) { instanceList { ${q.selection} } } }`, { id: certId });
  expect(res.errors, type).toBeUndefined();
  return res.data[q.field].instanceList;
}

describe('deploy targets', () => {
  it.each(Object.keys(HOST_QUERIES))('the %s targets exposed by the host instance query are accepted by deployCertificate', async (type) => {
    const targets = HOST_QUERIES[type].targets(await hostInstances(type));
    expect(targets.length, type).toBeGreaterThan(0);
    expect(targets.every((t) => typeof t === 'string' && t.length > 0), type).toBe(true);
    const started = await gw.graphql(
      `mutation($id: ID!, $t: [String!]!, $type: ResourceType) { deployCertificate(certificateId: $id, instanceIdList: $t, resourceType: $type) {
        __typename ... on DeploymentStarted { record { progress { total } } } } }`,
      { id: certId, t: targets, type },
    );
    expect(started.errors, `${type}: ${JSON.stringify(started.errors)}`).toBeUndefined();
    expect(started.data.deployCertificate.__typename).toBe('DeploymentStarted');
    expect(started.data.deployCertificate.record.progress.total).toBe(targets.length);
  });

  it('CLB targets: a listener with SNI off is one target, each rule of a listener with SNI on is one', async () => {
    const lbs = await hostInstances('CLB');
    for (const lb of lbs) {
      const fromParts = lb.listeners.flatMap((l: any) => (l.sniSwitch === 1 ? l.rules.map((r: any) => r.deployTarget) : [l.deployTarget]));
      expect(lb.deployTargets).toEqual([...new Set(fromParts)]);
      for (const l of lb.listeners) {
        if (l.sniSwitch === 1) {
          expect(l.deployTarget).toBeNull();
          for (const r of l.rules) expect(r.deployTarget.split('|')).toHaveLength(3);
        } else {
          expect(l.deployTarget.split('|')).toHaveLength(2);
        }
      }
    }
    const sni = lbs.flatMap((lb: any) => lb.listeners).filter((l: any) => l.sniSwitch === 1);
    expect(sni.length).toBeGreaterThan(0);
  });

  it('TKE targets: one per secret, ClusterId|NameSpace|SecretName', async () => {
    const clusters = await hostInstances('TKE');
    for (const c of clusters) {
      const secrets = c.namespaceList.flatMap((ns: any) => ns.secretList.map((s: any) => s.deployTarget));
      expect(c.deployTargets).toEqual(secrets);
      for (const t of secrets) expect(t.split('|')).toHaveLength(3);
    }
  });

  it('a hand-built domain target for a listener with SNI off is refused with the documented form in the message', async () => {
    const lbs = await hostInstances('CLB');
    const listenerTarget = lbs.flatMap((lb: any) => lb.listeners).find((l: any) => l.sniSwitch === 0).deployTarget as string;
    const res = await gw.graphql(
      `mutation($id: ID!, $t: [String!]!) { deployCertificate(certificateId: $id, instanceIdList: $t, resourceType: CLB) { __typename } }`,
      { id: certId, t: [`${listenerTarget}|guess.example.test`] },
    );
    expect(res.errors?.[0].message).toContain(`SNI off: name the listener only, as ${listenerTarget}.`);
  });
});

describe('resource types are an enum', () => {
  it('an undocumented resource type is a validation error with zero upstream calls', async () => {
    gw.resetCalls();
    const literal = await gw.graphql(`mutation { deployCertificate(certificateId: "x", instanceIdList: ["a"], resourceType: S3) { __typename } }`);
    expect(literal.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variable = await gw.graphql(`mutation($t: ResourceType) { deployCertificate(certificateId: "x", instanceIdList: ["a"], resourceType: $t) { __typename } }`, { t: 'clb' });
    expect(variable.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(gw.calls()).toEqual({});
  });

  it('a resource type that the action does not document is refused before any upstream call', async () => {
    gw.resetCalls();
    const res = await gw.graphql(
      `mutation($pub: String!, $key: String!) { uploadUpdateCertificateInstances(oldCertificateId: "x", resourceTypes: [CDN], certificatePublicKey: $pub, certificatePrivateKey: $key) { __typename } }`,
      { pub: pem.certificatePem, key: pem.privateKeyPem },
    );
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain('accepted: CLB');
    expect(gw.calls()).toEqual({});
  });

  it('Anti-DDoS is ANTIDDOS for deployedResources and reaches the upstream as antiddos', async () => {
    gw.resetCalls();
    const res = await gw.graphql(`query($id: ID!) { certificate(id: $id) { deployedResources(resourceType: ANTIDDOS) { type } } }`, { id: certId });
    expect(res.errors).toBeUndefined();
    expect(res.data.certificate.deployedResources.type).toBe('antiddos');
    expect(gw.calls().DescribeDeployedResources).toBe(1);
  });
});

describe('per-instance deployment status is an enum', () => {
  it('deploy details answer the DeploymentStatus name beside the raw code', async () => {
    const lbs = await hostInstances('CLB');
    const targets: string[] = lbs.flatMap((lb: any) => lb.deployTargets);
    gw.sim.state.setInstanceFailure(targets[0], true);
    // A certificate of its own: the one above already has a CLB deployment (one at a time).
    const second = issueCertificate({ commonName: 'example.test', altNames: ['*.example.test', '*.api.example.test'], notBefore: Date.now() - DAY, notAfter: Date.now() + 30 * DAY });
    const uploaded = await gw.client.call('UploadCertificate', { CertificatePublicKey: second.certificatePem, CertificatePrivateKey: second.privateKeyPem, Alias: 'status' });
    const started = await gw.graphql(
      `mutation($id: ID!, $t: [String!]!) { deployCertificate(certificateId: $id, instanceIdList: $t, resourceType: CLB) { ... on DeploymentStarted { record { id } } } }`,
      { id: String(uploaded.CertificateId), t: targets },
    );
    expect(started.errors).toBeUndefined();
    const waited = await gw.graphql(
      `query($id: ID!) { deploymentRecord(id: $id, kind: DEPLOY) { awaitCompletion(timeoutSeconds: 20) { done details(limit: 50) { deploy { status statusCode } } } } }`,
      { id: started.data.deployCertificate.record.id },
    );
    expect(waited.errors).toBeUndefined();
    const details = waited.data.deploymentRecord.awaitCompletion.details.deploy;
    const NAMES: Record<number, string> = { 0: 'PENDING', 1: 'SUCCEEDED', 2: 'FAILED', 3: 'DEPLOYING', 4: 'ROLLED_BACK', 5: 'ROLLBACK_FAILED', 6: 'NO_RESOURCE' };
    for (const d of details) expect(d.status).toBe(NAMES[d.statusCode]);
    expect(details.map((d: any) => d.status)).toContain('FAILED');
    expect(details.map((d: any) => d.status)).toContain('SUCCEEDED');
  });
});

describe('REST keeps the documented strings', () => {
  let rest: GatewayFixture;
  beforeAll(async () => {
    rest = await startGateway(ISOLATED);
  });
  afterAll(() => rest.close());

  it('an undocumented ResourceType is a 400 naming the documented values, with zero upstream calls', async () => {
    const before = rest.calls();
    const res = await rest.request('POST', '/v1/actions/DeployCertificateInstance', { CertificateId: 'x', InstanceIdList: ['a'], ResourceType: 's3' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('apigateway');
    expect(rest.calls()).toEqual(before);
  });

  it('a documented lower-case ResourceType still reaches the upstream', async () => {
    const res = await rest.request('POST', '/v1/actions/DescribeHostDeployRecord', { CertificateId: 'x', ResourceType: 'apigateway' });
    expect(res.status).not.toBe(400);
  });
});
