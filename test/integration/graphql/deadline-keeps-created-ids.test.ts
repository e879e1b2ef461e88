/**
 * A created id always reaches the caller, even when the request's deadline cuts what follows the
 * write. The case: the write finishes with almost none of the request's time left (its answer
 * arrives at deadline - 100 ms), and the single poll of the wait (or the state read) that follows
 * is cut at the deadline. Every field that ran keeps its result (certificate, task and record ids),
 * the state that could not be read is null with a typed DEADLINE_EXCEEDED error at its own path,
 * and the simulator shows exactly one creation.
 *
 * Time is virtual (test/helpers/gateway.ts): upstream answers take the virtual time given to
 * `delayAnswers`, and the request's deadline aborts when the virtual clock passes it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../src/simulator';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

const BUDGET_MS = 5_000;
/** The write's answer arrives this long before the deadline. */
const EPSILON_MS = 100;
/** The read after it takes longer than what is left: the deadline cuts it in flight. */
const CUT_READ_MS = 200;

let gw: GatewayFixture;

beforeAll(async () => {
  gw = await startGateway({ ...ISOLATED, sim: { durations: { dvIssue: 600_000, dvVerify: 600_000 } }, deadline: { budgetMs: BUDGET_MS } });
});
afterAll(() => gw.close());
beforeEach(() => gw.resetCalls());

/** The write answers at deadline - EPSILON_MS, the next `read` is cut by the deadline. */
function lateWriteThenCutRead(write: string, read: string) {
  gw.delayAnswers(write, BUDGET_MS - EPSILON_MS);
  gw.delayAnswers(read, CUT_READ_MS);
}

/**
 * The errors are exactly one typed deadline error per unread state field below `object` (never a
 * masked internal error, never on an id): `stage` NOT_STARTED when the wait's poll was cut and
 * the fields found no time left, IN_FLIGHT when the field's own read was cut.
 */
function expectDeadlineErrors(errors: any[] | undefined, object: (string | number)[], fields: string[], operation: string, stage: string) {
  expect(errors?.map((e) => e.path)).toEqual(expect.arrayContaining(fields.map((f) => [...object, f])));
  expect(errors).toHaveLength(fields.length);
  for (const e of errors!) {
    expect(e.extensions).toEqual({ code: 'DEADLINE_EXCEEDED', httpStatus: 504, details: { operation, stage, outcomeUnknown: false } });
  }
}

async function issuedCertificateId(domain: string): Promise<string> {
  const res = await gw.graphql('query($d: String) { certificates(searchKey: $d, limit: 50) { certificates { certificateId domain status } } }', { d: domain });
  const hit = res.data.certificates.certificates.find((c: any) => c.domain === domain && c.status === 'ISSUED');
  if (!hit) throw new Error(`no issued demo certificate for ${domain}`);
  return hit.certificateId;
}

describe('a write that finishes at the deadline keeps its created id when the poll after it is cut', () => {
  it('applyCertificate: the certificate id is in data, awaitCompletion keeps it, the unread state is a typed DEADLINE_EXCEEDED, one certificate is created', async () => {
    lateWriteThenCutRead('ApplyCertificate', 'DescribeCertificates');
    const res = await gw.graphql(`mutation { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "late.ids.test") {
      certificateId awaitCompletion(timeoutSeconds: 20) { certificateId done issued status wait { cappedBy deadlineReached } } } }`);

    const created = [...gw.sim.state.certificates.values()].filter((c) => c.domain === 'late.ids.test');
    expect(created).toHaveLength(1);
    expect(gw.calls().ApplyCertificate).toBe(1);
    expect(res.data.applyCertificate).toEqual({
      certificateId: created[0].id,
      awaitCompletion: { certificateId: created[0].id, done: null, issued: null, status: null, wait: { cappedBy: 'DEADLINE', deadlineReached: true } },
    });
    expectDeadlineErrors(res.errors, ['applyCertificate', 'awaitCompletion'], ['done', 'issued', 'status'], 'DescribeCertificates', 'NOT_STARTED');
  });

  it('createCertificateBindResourceTask: the task id is in data, its unread state is a typed DEADLINE_EXCEEDED, one task is created', async () => {
    const certId = await issuedCertificateId('www.example.test');
    const before = new Set(gw.sim.state.bindTasks.keys());
    gw.resetCalls();
    lateWriteThenCutRead('CreateCertificateBindResourceSyncTask', 'DescribeCertificateBindResourceTaskResult');
    const res = await gw.graphql(
      `mutation($ids: [ID!]!) { createCertificateBindResourceTask(certificateIds: $ids, useCache: false) {
        id certificateId awaitCompletion(timeoutSeconds: 20) { id done state wait { deadlineReached } } } }`,
      { ids: [certId] },
    );

    const created = [...gw.sim.state.bindTasks.keys()].filter((id) => !before.has(id));
    expect(created).toHaveLength(1);
    expect(gw.calls().CreateCertificateBindResourceSyncTask).toBe(1);
    expect(res.data.createCertificateBindResourceTask).toEqual([
      { id: created[0], certificateId: certId, awaitCompletion: { id: created[0], done: null, state: null, wait: { deadlineReached: true } } },
    ]);
    expectDeadlineErrors(res.errors, ['createCertificateBindResourceTask', 0, 'awaitCompletion'], ['done', 'state'], 'DescribeCertificateBindResourceTaskResult', 'NOT_STARTED');
  });

  it('deleteCertificates: the delete task id is in data when its state read is cut (no wait), one deletion task is created', async () => {
    const pem = issueCertificate({ commonName: 'late-delete.example.test', notBefore: Date.now() - 86_400_000, notAfter: Date.now() + 90 * 86_400_000 });
    const uploaded = await gw.client.call('UploadCertificate', { CertificatePublicKey: pem.certificatePem, CertificatePrivateKey: pem.privateKeyPem });
    const certId = String(uploaded.CertificateId);
    const before = new Set(gw.sim.state.deleteTasks.keys());
    gw.resetCalls();
    lateWriteThenCutRead('DeleteCertificates', 'DescribeDeleteCertificatesTaskResult');
    const res = await gw.graphql(`mutation($ids: [ID!]!) { deleteCertificates(ids: $ids, checkBoundResources: true) { succeeded tasks { id certificateId done state } } }`, {
      ids: [certId],
    });

    const created = [...gw.sim.state.deleteTasks.keys()].filter((id) => !before.has(id));
    expect(created).toHaveLength(1);
    expect(gw.calls().DeleteCertificates).toBe(1);
    expect(res.data.deleteCertificates).toEqual({ succeeded: [], tasks: [{ id: created[0], certificateId: certId, done: null, state: null }] });
    // The fields share one batched status read, cut in flight.
    expectDeadlineErrors(res.errors, ['deleteCertificates', 'tasks', 0], ['done', 'state'], 'DescribeDeleteCertificatesTaskResult', 'IN_FLIGHT');
  });

  it('deployCertificate: the deployment record id is in data, awaitCompletion keeps it, its unread progress is a typed DEADLINE_EXCEEDED, one record is created', async () => {
    const certId = await issuedCertificateId('*.example.test');
    const inst = gw.sim.state.instancesOfType('clb').find((i: any) => i.instanceName === 'web-lb' && i.domains.includes('api.example.test')) as any;
    const before = new Set(gw.sim.state.deployRecords.keys());
    gw.resetCalls();
    lateWriteThenCutRead('DeployCertificateInstance', 'DescribeHostDeployRecordDetail');
    const res = await gw.graphql(
      `mutation($id: ID!, $t: [String!]!) { deployCertificate(certificateId: $id, instanceIdList: $t, resourceType: CLB) {
        __typename ... on DeploymentStarted { record { id kind awaitCompletion(timeoutSeconds: 20) { id done state progress { total } wait { deadlineReached } } } } } }`,
      { id: certId, t: [inst.deployId] },
    );

    const created = [...gw.sim.state.deployRecords.keys()].filter((id) => !before.has(id));
    expect(created).toHaveLength(1);
    expect(gw.calls().DeployCertificateInstance).toBe(1);
    expect(res.data.deployCertificate).toEqual({
      __typename: 'DeploymentStarted',
      record: { id: String(created[0]), kind: 'DEPLOY', awaitCompletion: { id: String(created[0]), done: null, state: null, progress: null, wait: { deadlineReached: true } } },
    });
    expectDeadlineErrors(res.errors, ['deployCertificate', 'record', 'awaitCompletion'], ['done', 'state', 'progress'], 'DescribeHostDeployRecordDetail', 'NOT_STARTED');
  });
});

describe('a wait that fails keeps the created id on its parent', () => {
  it('a wait whose polls fail upstream (InternalError) is null with the typed upstream error; the created certificate id stays', async () => {
    gw.sim.faults.add({ kind: 'internalError', actions: ['DescribeCertificates'], count: 10 });
    try {
      const res = await gw.graphql(`mutation { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "failing-poll.ids.test") {
        certificateId awaitCompletion(timeoutSeconds: 5) { certificateId done } } }`);
      const created = [...gw.sim.state.certificates.values()].filter((c) => c.domain === 'failing-poll.ids.test');
      expect(created).toHaveLength(1);
      expect(res.data.applyCertificate).toEqual({ certificateId: created[0].id, awaitCompletion: null });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({ path: ['applyCertificate', 'awaitCompletion'], extensions: { code: 'UPSTREAM_INTERNAL' } });
      expect(gw.calls().ApplyCertificate).toBe(1);
    } finally {
      gw.sim.faults.clear();
    }
  });
});
