/**
 * Batch lookups keep what they found: unknown ids are a null at their index with one NOT_FOUND
 * error naming the id, whatever fields were selected; the known tasks are answered. "Not found"
 * is the same code for bind-resource and delete tasks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
let bindTask: string;
let deleteTask: string;
const FIELDS = 'id state statusCode done cacheTime';

beforeAll(async () => {
  gw = await startGateway(ISOLATED);
  const certs = await gw.graphql('{ certificates(limit: 1000) { certificates { certificateId domain } } }');
  const id = (domain: string) => certs.data.certificates.certificates.find((c: any) => c.domain === domain).certificateId;
  const bind = await gw.graphql('mutation($id: ID!) { createCertificateBindResourceTask(certificateIds: [$id]) { id } }', { id: id('www.example.test') });
  bindTask = bind.data.createCertificateBindResourceTask[0].id;
  const del = await gw.graphql('mutation($id: ID!) { deleteCertificates(ids: [$id], checkBoundResources: true) { tasks { id } } }', { id: id('legacy.example.test') });
  deleteTask = del.data.deleteCertificates.tasks[0].id;
});
afterAll(() => gw.close());
beforeEach(() => {
  gw.sim.faults.clear();
  gw.resetCalls();
});

describe('batch lookups with unknown ids', () => {
  it('bindResourceTasks answers the known tasks and one NOT_FOUND per unknown id', async () => {
    const res = await gw.graphql(`query($ids: [ID!]!) { bindResourceTasks(ids: $ids) { ${FIELDS} } }`, { ids: [bindTask, 'nosuchtask', bindTask] });
    expect(res.data.bindResourceTasks[0]).toMatchObject({ id: bindTask });
    expect(res.data.bindResourceTasks[1]).toBeNull();
    expect(res.data.bindResourceTasks[2]).toMatchObject({ id: bindTask });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['bindResourceTasks', 1], extensions: { code: 'NOT_FOUND', details: { id: 'nosuchtask' } } });
    expect(res.errors![0].message).toContain('nosuchtask');
    // The batch is refused as a whole upstream, then isolated: one call per distinct id.
    expect(gw.calls()).toEqual({ DescribeCertificateBindResourceTaskResult: 3 });
  });

  it('deleteTasks answers the known tasks and one NOT_FOUND per unknown id', async () => {
    const res = await gw.graphql(`query($ids: [ID!]!) { deleteTasks(ids: $ids) { ${FIELDS} domains } }`, { ids: ['nosuchtask', deleteTask] });
    expect(res.data.deleteTasks[0]).toBeNull();
    expect(res.data.deleteTasks[1]).toMatchObject({ id: deleteTask });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['deleteTasks', 0], extensions: { code: 'NOT_FOUND', details: { id: 'nosuchtask' } } });
    expect(gw.calls()).toEqual({ DescribeDeleteCertificatesTaskResult: 1 });
  });

  it('an unknown single task is NOT_FOUND for both kinds, once however many fields are selected', async () => {
    const res = await gw.graphql(`{ b: bindResourceTask(id: "nosuchtask") { ${FIELDS} } d: deleteTask(id: "nosuchtask") { ${FIELDS} } }`);
    expect(res.data).toEqual({ b: null, d: null });
    expect(res.errors!.map((e: any) => [e.path[0], e.extensions.code])).toEqual(expect.arrayContaining([['b', 'NOT_FOUND'], ['d', 'NOT_FOUND']]));
    expect(res.errors).toHaveLength(2);
  });

  it('a failing lookup fails the list once, not once per id', async () => {
    gw.sim.faults.next(20, 'internalError', { actions: ['DescribeDeleteCertificatesTaskResult'] });
    const res = await gw.graphql(`query($ids: [ID!]!) { deleteTasks(ids: $ids) { ${FIELDS} } }`, { ids: [deleteTask, 'other'] });
    expect(res.data.deleteTasks).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions.code).toBe('UPSTREAM_INTERNAL');
  });
});

describe('unknown deployment records', () => {
  it.each(['DEPLOY', 'UPDATE', 'UPLOAD_UPDATE'])('an unknown %s record is NOT_FOUND naming the id (the upload-update action answers InvalidParam for it)', async (kind) => {
    const res = await gw.graphql(`query { deploymentRecord(id: "987654", kind: ${kind}) { id state } }`);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(res.errors![0].message).toContain('987654');
  });
});
