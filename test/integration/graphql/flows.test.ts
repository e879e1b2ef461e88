/**
 * Asynchronous operations end to end through HTTP: create → poll → wait → result, for
 * bind-resource tasks, deletes, deploy, update, upload-update, retry/rollback and issuance.
 * Waits run on a virtual clock that advances the simulator's business time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../src/simulator';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;

async function certId(domain: string): Promise<string> {
  const res = await gw.graphql('query($d: String) { certificates(searchKey: $d, limit: 50) { certificates { certificateId domain status } } }', { d: domain });
  const hit = res.data.certificates.certificates.find((c: any) => c.domain === domain && c.status === 'ISSUED');
  if (!hit) throw new Error(`no issued demo certificate for ${domain}`);
  return hit.certificateId;
}

/** The deploy id ("lb|listener[|domain]") of a demo CLB instance, as DeployCertificateInstance wants it. */
function clbTarget(instanceName: string, domain: string): string {
  const inst = gw.sim.state.instancesOfType('clb').find((i: any) => i.instanceName === instanceName && i.domains.includes(domain));
  if (!inst) throw new Error(`no demo clb instance ${instanceName} for ${domain}`);
  return (inst as any).deployId;
}

const RECORD = `id kind state done progress { total succeeded failed running pending }`;

beforeAll(async () => {
  gw = await startGateway({ ...ISOLATED, sim: { durations: { dvIssue: 8_000, dvVerify: 2_000 } } });
});
afterAll(() => gw.close());

describe('bind-resource tasks', () => {
  it('create → poll → wait → result and detail', async () => {
    const id = await certId('www.example.test');
    const created = await gw.graphql(
      `mutation($ids: [ID!]!) { createCertificateBindResourceTask(certificateIds: $ids, useCache: false) { id certificateId state done } }`,
      { ids: [id] },
    );
    expect(created.errors).toBeUndefined();
    const [task] = created.data.createCertificateBindResourceTask;
    expect(task).toMatchObject({ certificateId: id, state: 'RUNNING', done: false });

    const polled = await gw.graphql('query($id: ID!) { bindResourceTask(id: $id) { state statusCode } }', { id: task.id });
    expect(polled.data.bindResourceTask).toEqual({ state: 'RUNNING', statusCode: 0 });

    const waited = await gw.graphql(
      `query($id: ID!) { bindResourceTask(id: $id) { awaitCompletion(timeoutSeconds: 10) {
        state done result { resourceType bindResourceRegionResult { region totalCount } }
        detail(resourceTypes: [CLB], limit: 10) { clb { region totalCount instanceList { loadBalancerId } } } } } }`,
      { id: task.id },
    );
    expect(waited.errors).toBeUndefined();
    const done = waited.data.bindResourceTask.awaitCompletion;
    expect(done).toMatchObject({ state: 'SUCCEEDED', done: true });
    const clb = done.result.find((r: any) => r.resourceType === 'clb');
    expect(clb.bindResourceRegionResult.reduce((n: number, r: any) => n + r.totalCount, 0)).toBeGreaterThan(0);
    expect(done.detail.clb.some((r: any) => r.instanceList.length > 0)).toBe(true);
    expect(gw.slept()).toBeGreaterThan(0);
  });
});

describe('delete tasks', () => {
  it('batch delete with bound-resource checking returns tasks that finish', async () => {
    const pem = issueCertificate({ commonName: 'del.example.test', notBefore: Date.now() - 86_400_000, notAfter: Date.now() + 90 * 86_400_000 });
    const uploaded = await gw.client.call('UploadCertificate', { CertificatePublicKey: pem.certificatePem, CertificatePrivateKey: pem.privateKeyPem, Alias: 'to-delete' });
    const id = String(uploaded.CertificateId);
    const res = await gw.graphql(
      `mutation($ids: [ID!]!) { deleteCertificates(ids: $ids, checkBoundResources: true) {
        succeeded failed { certId msg } requestId
        tasks { id certificateId state awaitCompletion(timeoutSeconds: 10) { state statusCode done } } } }`,
      { ids: [id] },
    );
    expect(res.errors).toBeUndefined();
    const out = res.data.deleteCertificates;
    expect(out.requestId).toBeTruthy();
    expect(out.tasks).toHaveLength(1);
    expect(out.tasks[0]).toMatchObject({ certificateId: id, awaitCompletion: { state: 'SUCCEEDED', done: true } });
    const gone = await gw.graphql('query($id: ID!) { certificate(id: $id) { certificateId } }', { id });
    expect(gone.data.certificate).toBeNull();
  });

  it('a certificate with bound resources fails its delete task with the documented code', async () => {
    const id = await certId('api.example.test');
    const res = await gw.graphql(
      `mutation($ids: [ID!]!) { deleteCertificates(ids: $ids, checkBoundResources: true) { tasks { id awaitCompletion(timeoutSeconds: 10) { state statusCode } } } }`,
      { ids: [id] },
    );
    expect(res.errors).toBeUndefined();
    const [t] = res.data.deleteCertificates.tasks;
    expect(t.awaitCompletion).toEqual({ state: 'FAILED', statusCode: 4 });
    const later = await gw.graphql('query($id: ID!) { deleteTask(id: $id) { state certificateId } }', { id: t.id });
    expect(later.data.deleteTask).toEqual({ state: 'FAILED', certificateId: id });
  });
});

describe('deployments', () => {
  it('deploy → wait → succeeded, and a second deploy while running reports the running record', async () => {
    const id = await certId('*.example.test');
    const target = clbTarget('web-lb', 'api.example.test');
    const started = await gw.graphql(
      `mutation($id: ID!, $t: [String!]!) { deployCertificate(certificateId: $id, instanceIdList: $t, resourceType: CLB) {
        __typename ... on DeploymentStarted { requestId record { ${RECORD} } } } }`,
      { id, t: [target] },
    );
    expect(started.errors).toBeUndefined();
    expect(started.data.deployCertificate.__typename).toBe('DeploymentStarted');
    const record = started.data.deployCertificate.record;
    expect(record).toMatchObject({ kind: 'DEPLOY', done: false });

    const again = await gw.graphql(
      `mutation($id: ID!, $t: [String!]!) { deployCertificate(certificateId: $id, instanceIdList: $t, resourceType: CLB) {
        __typename ... on DeploymentAlreadyRunning { message record { id } } } }`,
      { id, t: [target] },
    );
    expect(again.errors).toBeUndefined();
    expect(again.data.deployCertificate).toMatchObject({ __typename: 'DeploymentAlreadyRunning', record: { id: record.id } });

    const waited = await gw.graphql(
      `query($id: ID!) { deploymentRecord(id: $id, kind: DEPLOY) { awaitCompletion(timeoutSeconds: 15) { ${RECORD} details { totalCount deploy { instanceId status } } } } }`,
      { id: record.id },
    );
    expect(waited.errors).toBeUndefined();
    const final = waited.data.deploymentRecord.awaitCompletion;
    expect(final).toMatchObject({ state: 'SUCCEEDED', done: true, progress: { failed: 0, running: 0, pending: 0 } });
    expect(final.details.deploy.length).toBe(final.progress.total);
  });

  it('a failed deployment is retried and succeeds, then rolled back', async () => {
    const pem = issueCertificate({ commonName: 'flaky.example.test', notBefore: Date.now() - 86_400_000, notAfter: Date.now() + 90 * 86_400_000 });
    const uploaded = await gw.client.call('UploadCertificate', { CertificatePublicKey: pem.certificatePem, CertificatePrivateKey: pem.privateKeyPem, Alias: 'flaky' });
    const id = String(uploaded.CertificateId);
    const target = clbTarget('flaky-lb', 'flaky.example.test');
    gw.sim.state.setInstanceFailure(target, true);
    const started = await gw.graphql(
      `mutation($id: ID!, $t: [String!]!) { deployCertificate(certificateId: $id, instanceIdList: $t, resourceType: CLB) {
        ... on DeploymentStarted { record { id awaitCompletion(timeoutSeconds: 15) { state done progress { failed } } } } } }`,
      { id, t: [target] },
    );
    expect(started.errors).toBeUndefined();
    const rec = started.data.deployCertificate.record;
    expect(rec.awaitCompletion).toMatchObject({ state: 'FAILED', done: true });

    gw.sim.state.setInstanceFailure(target, false);
    const retried = await gw.graphql(
      `mutation($id: ID!) { retryDeployRecord(deployRecordId: $id) { id kind awaitCompletion(timeoutSeconds: 15) { state } } }`,
      { id: rec.id },
    );
    expect(retried.errors).toBeUndefined();
    expect(retried.data.retryDeployRecord).toMatchObject({ id: rec.id, kind: 'DEPLOY', awaitCompletion: { state: 'SUCCEEDED' } });

    const rolledBack = await gw.graphql(
      `mutation($id: ID!) { rollbackDeployRecord(deployRecordId: $id) { id kind awaitCompletion(timeoutSeconds: 15) { done } } }`,
      { id: rec.id },
    );
    expect(rolledBack.errors).toBeUndefined();
    expect(rolledBack.data.rollbackDeployRecord.kind).toBe('DEPLOY');
    expect(rolledBack.data.rollbackDeployRecord.awaitCompletion.done).toBe(true);
  });

  it('update: the gateway re-calls while the record is being created, then waits for it', async () => {
    const oldId = await certId('www.example.test');
    const newId = await certId('api.example.test');
    gw.resetCalls();
    const res = await gw.graphql(
      `mutation($old: ID!, $new: ID) { updateCertificateInstances(oldCertificateId: $old, certificateId: $new, resourceTypes: [CDN]) {
        __typename ... on DeploymentStarted { record { id kind updateSyncProgress { resourceType } awaitCompletion(timeoutSeconds: 15) { state done details { update { resourceType totalCount } } } } } } }`,
      { old: oldId, new: newId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.updateCertificateInstances.__typename).toBe('DeploymentStarted');
    // DeployRecordId = 0 at first ("call again"): the gateway called more than once.
    expect(gw.calls().UpdateCertificateInstance).toBeGreaterThan(1);
    const rec = res.data.updateCertificateInstances.record;
    expect(rec.kind).toBe('UPDATE');
    expect(rec.awaitCompletion.done).toBe(true);

    const rollback = await gw.graphql(`mutation($id: ID!) { rollbackUpdateRecord(deployRecordId: $id) { id kind } }`, { id: rec.id });
    expect(rollback.errors).toBeUndefined();
    expect(rollback.data.rollbackUpdateRecord.kind).toBe('UPDATE');
  });

  it('upload-update swaps content in place and its record completes; retry and rollback answer records', async () => {
    const oldId = await certId('upload.example.test').catch(async () => {
      const list = await gw.client.call('DescribeCertificates', { FilterSource: 'upload', Limit: 10 });
      return String((list.Certificates as any[])[0].CertificateId);
    });
    const fresh = issueCertificate({ commonName: 'upload.example.test', notBefore: Date.now() - 86_400_000, notAfter: Date.now() + 90 * 86_400_000 });
    const res = await gw.graphql(
      `mutation($old: ID!, $pub: String!, $key: String!) { uploadUpdateCertificateInstances(oldCertificateId: $old, resourceTypes: [CLB], certificatePublicKey: $pub, certificatePrivateKey: $key) {
        __typename ... on DeploymentStarted { record { id kind awaitCompletion(timeoutSeconds: 15) { state done details { totalCount uploadUpdate { totalCount } } } } } } }`,
      { old: oldId, pub: fresh.certificatePem, key: fresh.privateKeyPem },
    );
    expect(res.errors).toBeUndefined();
    const rec = res.data.uploadUpdateCertificateInstances.record;
    expect(rec.kind).toBe('UPLOAD_UPDATE');
    expect(rec.awaitCompletion.done).toBe(true);
    const rb = await gw.graphql(`mutation($id: ID!) { rollbackUploadUpdateRecord(deployRecordId: $id) { id kind } }`, { id: rec.id });
    expect(rb.errors).toBeUndefined();
    expect(rb.data.rollbackUploadUpdateRecord).toEqual({ id: rec.id, kind: 'UPLOAD_UPDATE' });
    // Regression: after a rollback the record's state is that of its latest entry (the
    // rollback), not a sum that keeps the rolled-back instances pending forever.
    const after = await gw.graphql('query($id: ID!) { deploymentRecord(id: $id, kind: UPLOAD_UPDATE) { awaitCompletion(timeoutSeconds: 15) { done state } } }', { id: rec.id });
    expect(after.errors).toBeUndefined();
    expect(after.data.deploymentRecord.awaitCompletion.done).toBe(true);
  });
});

describe('issuance', () => {
  it('apply → pending with per-domain verification → wait returns the latest state when time is up → issued', async () => {
    const applied = await gw.graphql(
      `mutation { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "issue.example.test") {
        certificateId status done verification { domain verifyType } } }`,
    );
    expect(applied.errors).toBeUndefined();
    const issuance = applied.data.applyCertificate;
    expect(issuance).toMatchObject({ status: 'PENDING_REVIEW', done: false });
    expect(issuance.verification[0].domain).toBe('issue.example.test');

    // Regression: a pending certificate has no validity yet (the upstream answers ""): the list
    // still resolves, with null date-times.
    const list = await gw.graphql('query($id: ID!) { certificate(id: $id) { certBeginTime certEndTime } certificates(limit: 1000) { certificates { certBeginTime } } }', { id: issuance.certificateId });
    expect(list.errors).toBeUndefined();
    expect(list.data.certificate).toEqual({ certBeginTime: null, certEndTime: null });

    const short = await gw.graphql('query($id: ID!) { certificateIssuance(id: $id) { awaitCompletion(timeoutSeconds: 1) { done status } } }', { id: issuance.certificateId });
    expect(short.data.certificateIssuance.awaitCompletion.done).toBe(false);

    const long = await gw.graphql(
      'query($id: ID!) { certificateIssuance(id: $id) { awaitCompletion(timeoutSeconds: 20) { done issued status verification { domain } certificate { certEndTime } } } }',
      { id: issuance.certificateId },
    );
    expect(long.errors).toBeUndefined();
    expect(long.data.certificateIssuance.awaitCompletion).toMatchObject({ done: true, issued: true, status: 'ISSUED', verification: null });
    expect(long.data.certificateIssuance.awaitCompletion.certificate.certEndTime).toMatch(/\+08:00$/);
  });

  it('refuses a negative wait and caps a long one', async () => {
    const id = await certId('www.example.test');
    const neg = await gw.graphql('query($id: ID!) { certificateIssuance(id: $id) { awaitCompletion(timeoutSeconds: -1) { done } } }', { id });
    expect(neg.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    const before = gw.slept();
    const capped = await gw.graphql('query($id: ID!) { certificateIssuance(id: $id) { awaitCompletion(timeoutSeconds: 3600) { done } } }', { id });
    expect(capped.data.certificateIssuance.awaitCompletion.done).toBe(true);
    expect(gw.slept() - before).toBeLessThanOrEqual(20_000);
  });
});
