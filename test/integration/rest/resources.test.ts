/**
 * Resource routes end to end against the simulator, including the asynchronous flows:
 * start → 202 + Location + Retry-After → poll Location (202 while running) → 200 when done.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cert, issued, newPem } from '../../helpers/action-inputs';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway(ISOLATED);
});
afterAll(() => gw.close());
beforeEach(() => gw.sim.reset({ state: true }));

describe('certificates', () => {
  it('lists certificates with query filters mapped to DescribeCertificates', async () => {
    const res = await gw.request('GET', '/v1/certificates?limit=5&status=1&searchKey=example.test');
    expect(res.status).toBe(200);
    expect(res.json.Certificates.length).toBeGreaterThan(0);
    expect(res.json.Certificates.length).toBeLessThanOrEqual(5);
    expect(res.json.Certificates.every((c: { Status: number }) => c.Status === 1)).toBe(true);
    expect(gw.sim.calls.params('DescribeCertificates')).toEqual([{ Limit: 5, CertificateStatus: [1], SearchKey: 'example.test' }]);
  });

  it('gets a certificate, and answers 404 for an unknown one', async () => {
    const id = issued(gw.sim, 'www.example.test');
    const found = await gw.request('GET', `/v1/certificates/${id}`);
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ CertificateId: id, Domain: 'www.example.test', RequestId: expect.any(String) });
    const missing = await gw.request('GET', '/v1/certificates/doesNotExist1');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'NOT_FOUND', upstream: { action: 'DescribeCertificateDetail', code: 'FailedOperation.CertificateNotFound' } });
    expect(missing.json.error.requestId).toBe(missing.headers.get('x-request-id'));
  });

  it('uploads a certificate: 201 + Location that resolves; a repeat without Repeatable answers 200 + the same Location', async () => {
    const pem = newPem('rest-upload.example.test');
    const created = await gw.request('POST', '/v1/certificates', { CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key, Alias: 'via-rest' });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    expect(location).toBe(`/v1/certificates/${created.json.CertificateId}`);
    const got = await gw.request('GET', location);
    expect(got.json).toMatchObject({ Domain: 'rest-upload.example.test', Alias: 'via-rest' });
    const repeat = await gw.request('POST', '/v1/certificates', { CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key, Repeatable: false });
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('location')).toBe(location);
  });

  it('returns a download URL', async () => {
    const res = await gw.request('GET', `/v1/certificates/${issued(gw.sim, 'www.example.test')}/download-url?serviceType=nginx`);
    expect(res.status).toBe(200);
    expect(res.json.DownloadCertificateUrl).toMatch(/^http/);
  });

  it('deletes a certificate at once', async () => {
    const id = cert(gw.sim, 'legacy.example.test');
    const res = await gw.request('DELETE', `/v1/certificates/${id}`);
    expect(res.status).toBe(200);
    expect(res.json.DeleteResult).toBe(true);
    expect((await gw.request('GET', `/v1/certificates/${id}`)).status).toBe(404);
  });

  it('deletes through a delete task with checkResources=true: 202 → poll → 200', async () => {
    const id = cert(gw.sim, 'legacy.example.test');
    const started = await gw.request('DELETE', `/v1/certificates/${id}?checkResources=true`);
    expect(started.status).toBe(202);
    const location = started.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/delete-tasks\/[A-Za-z0-9_.-]+$/);
    expect(Number(started.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(gw.sim.calls.params('DeleteCertificate')).toEqual([{ CertificateId: id, IsCheckResource: true }]);
    const done = await gw.poll(location);
    expect(done.polls).toBeGreaterThan(0);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ CertId: id, State: 'SUCCEEDED', Done: true, Status: 1 });
    expect((await gw.request('GET', `/v1/certificates/${id}`)).status).toBe(404);
  });

  it('batch-deletes: 200 immediately, or 202 + Location for delete tasks (IsSync)', async () => {
    const legacy = cert(gw.sim, 'legacy.example.test');
    const now = await gw.request('POST', '/v1/certificates:batch-delete', { CertificateIds: [legacy, 'nope1'] });
    expect(now.status).toBe(200);
    expect(now.json.Success).toEqual([legacy]);
    expect(now.json.Fail.map((f: { CertId: string }) => f.CertId)).toEqual(['nope1']);

    const ids = [cert(gw.sim, 'revoked.example.test'), cert(gw.sim, 'failed.example.test')];
    const started = await gw.request('POST', '/v1/certificates:batch-delete', { CertificateIds: ids, IsSync: true });
    expect(started.status).toBe(202);
    const location = started.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/delete-tasks\?ids=/);
    const done = await gw.poll(location);
    expect(done.status).toBe(200);
    expect(done.json.Done).toBe(true);
    expect(done.json.Tasks.map((t: { CertId: string }) => t.CertId).sort()).toEqual([...ids].sort());
    // Each task is also reachable on its own.
    const one = await gw.request('GET', started.json.CertTaskIds[0].Location);
    expect(one.status).toBe(200);
  });
});

describe('bind-resource tasks', () => {
  it('create → 202 + Location → poll until 200 → detail lists the bound resources', async () => {
    const id = cert(gw.sim, '*.example.test');
    const started = await gw.request('POST', `/v1/certificates/${id}/bind-resource-tasks`, { IsCache: 0 });
    expect(started.status).toBe(202);
    const location = started.headers.get('location')!;
    expect(location).toBe(`/v1/bind-resource-tasks/${started.json.TaskId}`);
    expect(started.json).toMatchObject({ CertificateId: id, Location: location });

    const running = await gw.request('GET', location);
    expect(running.status).toBe(202);
    expect(running.json).toMatchObject({ State: 'RUNNING', Done: false, Status: 0 });

    const done = await gw.poll(location);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ TaskId: started.json.TaskId, State: 'SUCCEEDED', Done: true, Status: 1 });
    expect(done.json.BindResourceResult.length).toBeGreaterThan(0);

    const detail = await gw.request('GET', `${location}/detail?limit=10&resourceTypes=clb`);
    expect(detail.status).toBe(200);
    expect(detail.json.CLB.length).toBeGreaterThan(0);
    expect(gw.sim.calls.params('DescribeCertificateBindResourceTaskDetail').at(-1)).toEqual({ TaskId: started.json.TaskId, Limit: '10', ResourceTypes: ['clb'] });
  });

  it('a failing task ends in 200 with State FAILED and the upstream error', async () => {
    const id = cert(gw.sim, 'broken-bind.example.test');
    const started = await gw.request('POST', `/v1/certificates/${id}/bind-resource-tasks`, { IsCache: 0 });
    const done = await gw.poll(started.headers.get('location')!);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ State: 'FAILED', Done: true, Error: { Code: 'FailedOperation.RoleNotFoundAuthorization' } });
  });

  it('answers 404 for an unknown task and for a task of an unknown certificate', async () => {
    const unknown = await gw.request('GET', '/v1/bind-resource-tasks/999999');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NOT_FOUND');
    const noCert = await gw.request('POST', '/v1/certificates/nope1/bind-resource-tasks');
    expect(noCert.status).toBe(404);
  });
});

describe('deployments', () => {
  const deployBody = { InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' };

  it('deploy → 202 + Location → poll until 200 SUCCEEDED; a second deploy while running → 409 + Location', async () => {
    const id = cert(gw.sim, '*.example.test');
    const started = await gw.request('POST', `/v1/certificates/${id}/deployments`, deployBody);
    expect(started.status).toBe(202);
    const location = started.headers.get('location')!;
    expect(location).toBe(`/v1/deployments/deploy/${started.json.DeployRecordId}`);

    const again = await gw.request('POST', `/v1/certificates/${id}/deployments`, deployBody);
    expect(again.status).toBe(409);
    expect(again.headers.get('location')).toBe(location);
    expect(again.json.error).toMatchObject({ code: 'CONFLICT', details: { deployRecordId: started.json.DeployRecordId, location } });

    const done = await gw.poll(location);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ Kind: 'deploy', State: 'SUCCEEDED', Done: true, Progress: { Total: 1, Succeeded: 1, Failed: 0, Running: 0, Pending: 0 } });
    expect(done.json.DeployRecordDetailList).toHaveLength(1);
  });

  it('a failed instance: FAILED, then retry → 202 → poll → SUCCEEDED', async () => {
    gw.sim.state.setInstanceFailure('img.example.test');
    const started = await gw.request('POST', `/v1/certificates/${cert(gw.sim, '*.example.test')}/deployments`, deployBody);
    const location = started.headers.get('location')!;
    const failed = await gw.poll(location);
    expect(failed.json).toMatchObject({ State: 'FAILED', Done: true });

    gw.sim.state.setInstanceFailure('img.example.test', false);
    const retry = await gw.request('POST', `${location}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.headers.get('location')).toBe(location);
    const done = await gw.poll(location);
    expect(done.json).toMatchObject({ State: 'SUCCEEDED', Progress: { Succeeded: 1, Failed: 0 } });
  });

  it('rollback of a finished deployment → 202 + Location of the rollback record → 200', async () => {
    const started = await gw.request('POST', `/v1/certificates/${cert(gw.sim, '*.example.test')}/deployments`, deployBody);
    const location = started.headers.get('location')!;
    await gw.poll(location);
    const rollback = await gw.request('POST', `${location}/rollback`);
    expect(rollback.status).toBe(202);
    const rbLocation = rollback.headers.get('location')!;
    expect(rbLocation).not.toBe(location);
    expect(rollback.json.RolledBackRecordId).toBe(started.json.DeployRecordId);
    expect((await gw.poll(rbLocation)).json).toMatchObject({ State: 'SUCCEEDED', Done: true });
  });

  it('replacement: repeats UpdateCertificateInstance while DeployRecordId is 0, then 202 → poll → 200', async () => {
    const oldId = issued(gw.sim, 'api.example.test');
    const newId = cert(gw.sim, '*.example.test');
    const started = await gw.request('PUT', `/v1/certificates/${oldId}/replacement`, { CertificateId: newId, ResourceTypes: ['clb'] });
    expect(started.status).toBe(202);
    const location = started.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/deployments\/update\/[1-9]\d*$/);
    // The first answer was "still being created": the facade waited (virtually) and called again.
    const calls = gw.sim.calls.params('UpdateCertificateInstance');
    expect(calls.length).toBeGreaterThan(1);
    expect(new Set(calls.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(calls[0]).toEqual({ OldCertificateId: oldId, CertificateId: newId, ResourceTypes: ['clb'] });
    expect(gw.slept()).toBeGreaterThan(0);

    const done = await gw.poll(location);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ Kind: 'update', State: 'SUCCEEDED', Done: true });
    expect(done.json.RecordDetailList.length).toBeGreaterThan(0);
    expect(gw.sim.calls.params('DescribeHostUpdateRecordDetail')[0]).toEqual({ DeployRecordId: location.split('/').pop(), Limit: '10', Offset: '0' });
  });

  it('content replacement (upload-update): 202 → poll → 200, then rollback within the same record', async () => {
    const oldId = cert(gw.sim, 'upload.example.test');
    const pem = newPem('upload.example.test');
    const started = await gw.request('PUT', `/v1/certificates/${oldId}/content`, { ResourceTypes: ['clb'], CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key });
    expect(started.status).toBe(202);
    const location = started.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/deployments\/upload-update\/\d+$/);
    const done = await gw.poll(location);
    expect(done.json).toMatchObject({ Kind: 'upload-update', State: 'SUCCEEDED', Done: true });
    expect(done.json.DeployRecordDetail).toHaveLength(1);

    const rollback = await gw.request('POST', `${location}/rollback`);
    expect(rollback.status).toBe(202);
    expect(rollback.headers.get('location')).toBe(location);
    const after = await gw.poll(location);
    expect(after.json.DeployRecordDetail).toHaveLength(2);
  });

  it('answers 404 for an unknown record', async () => {
    const res = await gw.request('GET', '/v1/deployments/deploy/987654');
    expect(res.status).toBe(404);
    expect(res.json.error.upstream.code).toBe('FailedOperation.CertificateDeployNotExist');
  });
});
