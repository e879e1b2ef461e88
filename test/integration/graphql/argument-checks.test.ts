/**
 * Arguments the spec forbids are refused before any upstream call, wherever they sit:
 * - nested navigation fields are held to the documented caps like root fields
 *   (`deploymentRecord { details(limit: 100000, offset: -5) }` used to go upstream unchanged);
 * - `ID` arguments of Integer members accept canonical decimal integers only (`Number()` read
 *   "" as 0, "0x3E8" as 1000, " 1e0 " as 1).
 * Each refusal is 400 BAD_USER_INPUT naming the argument path, with zero upstream calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { firstError, ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway(ISOLATED);
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

async function refusal(query: string, variables?: Record<string, unknown>) {
  return firstError(await gw.graphql(query, variables));
}

describe('nested field arguments are validated against the spec caps like root ones', () => {
  it('deploymentRecord.details(limit: 100000, offset: -5) is refused naming both arguments, zero upstream calls', async () => {
    const r = await refusal('{ deploymentRecord(id: "123", kind: DEPLOY) { details(limit: 100000, offset: -5) { totalCount } } }');
    expect(r.status).toBe(400);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.paths.sort()).toEqual(['deploymentRecord.details.limit', 'deploymentRecord.details.offset']);
    expect(r.message).toMatch(/deploymentRecord\.details\.limit: must be <= 200, got 100000/);
    expect(r.message).toMatch(/deploymentRecord\.details\.offset: must be >= 0, got -5/);
    expect(gw.calls()).toEqual({});
  });

  it('the same through variables, an alias and a fragment', async () => {
    const r = await refusal(
      'query($l: Int, $o: Int) { rec: deploymentRecord(id: "123", kind: UPLOAD_UPDATE) { ...D } } fragment D on DeploymentRecord { page: details(limit: $l, offset: $o) { totalCount } }',
      { l: 201, o: 0 },
    );
    expect(r.status).toBe(400);
    expect(r.paths).toEqual(['rec.page.limit']);
    expect(gw.calls()).toEqual({});
  });

  it('bindResourceTask.detail(limit: 101) is refused (cap 100), zero upstream calls', async () => {
    const r = await refusal('{ bindResourceTask(id: "task-1") { detail(limit: 101) { requestId } } }');
    expect(r.status).toBe(400);
    expect(r.paths).toEqual(['bindResourceTask.detail.limit']);
    expect(gw.calls()).toEqual({});
  });

  it('nested arguments under a root list are checked too (bindResourceTasks → detail)', async () => {
    const r = await refusal('query($o: Int) { bindResourceTasks(ids: ["t1", "t2"]) { detail(offset: $o) { requestId } } }', { o: -1 });
    expect(r.status).toBe(400);
    expect(r.paths).toEqual(['bindResourceTasks.detail.offset']);
    expect(gw.calls()).toEqual({});
  });

  it('nested arguments within the caps still reach the upstream', async () => {
    const res = await gw.graphql('{ certificates(limit: 2) { certificates { certificateId deployedResources(resourceType: CLB) { type } } } }');
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(gw.calls()).toEqual({ DescribeCertificates: 1, DescribeDeployedResources: 1 });
  });
});

describe('ID arguments of Integer members accept canonical decimal integers only', () => {
  // 18000 is the simulator's first manager id; 0x4650 = 18000, 1.8e4 = 18000.
  const LOOSE = ['', '0x4650', ' 18000 ', '1.8e4', '018000', '+18000', '18000.0', '-0', '-18000', '9007199254740993', 'Infinity'];

  it.each(LOOSE)('managerDetail(managerId: %j) is refused naming the argument, zero upstream calls', async (id) => {
    const r = await refusal('query($id: ID!) { managerDetail(managerId: $id) { managerId } }', { id });
    expect(r.status).toBe(400);
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.paths).toEqual(['managerDetail.managerId']);
    expect(r.message).toMatch(/managerDetail\.managerId: expected a non-negative decimal integer id/);
    expect(gw.calls()).toEqual({});
  });

  it('a literal hexadecimal id and a loose record id of a mutation are refused the same way', async () => {
    const lit = await refusal('{ certificates(projectId: "0x3E8") { totalCount } }');
    expect(lit.status).toBe(400);
    expect(lit.paths).toEqual(['certificates.projectId']);
    const retry = await refusal('mutation { retryDeployRecord(deployRecordId: " 1e0 ") { id } }');
    expect(retry.status).toBe(400);
    expect(retry.paths).toEqual(['retryDeployRecord.deployRecordId']);
    expect(gw.calls()).toEqual({});
  });

  it('a canonical decimal id reaches the upstream as that integer', async () => {
    const res = await gw.graphql('query($id: ID!) { managerDetail(managerId: $id) { managerId } }', { id: '18000' });
    expect(res.errors).toBeUndefined();
    expect(res.data.managerDetail.managerId).toBe('18000');
    expect(gw.sim.calls.log({ action: 'DescribeManagerDetail' }).map((c) => c.params?.ManagerId)).toEqual([18000]);
    gw.resetCalls();
    const zero = await gw.graphql('{ certificates(projectId: "0", limit: 1) { totalCount } }');
    expect(zero.errors).toBeUndefined();
    expect(gw.sim.calls.log({ action: 'DescribeCertificates' }).map((c) => c.params?.ProjectId)).toEqual([0]);
  });
});
