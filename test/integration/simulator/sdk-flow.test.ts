import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClient, startSimulator, type Simulator, type SslClient } from '../../helpers/simulator';

describe('official SDK against the simulator', () => {
  let sim: Simulator;
  let client: SslClient;

  beforeAll(async () => {
    sim = await startSimulator();
    client = sdkClient(sim);
  });
  afterAll(() => sim.close());

  it('apply → issue → bind-resource task → delete task, without errors', async () => {
    const applied = await client.ApplyCertificate({ DvAuthMethod: 'DNS_AUTO', DomainName: 'flow.example.test', Alias: 'flow' });
    const certId = applied.CertificateId as string;
    expect(certId).toMatch(/^[A-Za-z0-9]{8}$/);

    const pending = await client.DescribeCertificateDetail({ CertificateId: certId });
    expect(pending.Status).toBe(0);
    expect(pending.CertificatePublicKey).toBeNull();
    expect(pending.DvAuthDetail?.DvAuths?.length).toBe(1);

    const check = await client.CheckCertificateDomainVerification({ CertificateId: certId });
    expect(check.VerificationResults?.[0]).toMatchObject({ Domain: 'flow.example.test', Issued: false, LocalCheck: -1 });

    sim.advance(sim.state.durations.dvIssue);

    const issued = await client.DescribeCertificateDetail({ CertificateId: certId });
    expect(issued.Status).toBe(1);
    expect(issued.CertificatePublicKey).toContain('BEGIN CERTIFICATE');
    expect(issued.CertificatePrivateKey).toContain('PRIVATE KEY');
    expect(issued.CertBeginTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const verified = await client.CheckCertificateDomainVerification({ CertificateId: certId });
    expect(verified.VerificationResults?.[0]).toMatchObject({ Issued: true, LocalCheck: 1, CaCheck: 2 });

    const created = await client.CreateCertificateBindResourceSyncTask({ CertificateIds: [certId], IsCache: 0 });
    const taskId = created.CertTaskIds?.[0]?.TaskId as string;
    expect(created.CertTaskIds?.[0]?.CertId).toBe(certId);

    let result = await client.DescribeCertificateBindResourceTaskResult({ TaskIds: [taskId] });
    expect(result.SyncTaskBindResourceResult?.[0]?.Status).toBe(0);
    for (let i = 0; i < 10 && result.SyncTaskBindResourceResult?.[0]?.Status === 0; i++) {
      sim.advance(1000);
      result = await client.DescribeCertificateBindResourceTaskResult({ TaskIds: [taskId] });
    }
    const task = result.SyncTaskBindResourceResult?.[0];
    expect(task?.Status).toBe(1);
    expect(task?.Error).toBeNull();
    expect(task?.BindResourceResult?.map((r) => r.ResourceType)).toContain('clb');

    const detail = await client.DescribeCertificateBindResourceTaskDetail({ TaskId: taskId });
    expect(detail.Status).toBe(1);
    expect(detail.CLB).toEqual([]);

    const deleted = await client.DeleteCertificates({ CertificateIds: [certId], IsSync: true });
    expect(deleted.Fail).toEqual([]);
    const deleteTaskId = deleted.CertTaskIds?.[0]?.TaskId as string;
    let del = await client.DescribeDeleteCertificatesTaskResult({ TaskIds: [deleteTaskId] });
    expect(del.DeleteTaskResult?.[0]?.Status).toBe(0);
    sim.advance(sim.state.durations.deleteTask);
    del = await client.DescribeDeleteCertificatesTaskResult({ TaskIds: [deleteTaskId] });
    expect(del.DeleteTaskResult?.[0]).toMatchObject({ CertId: certId, Status: 1, Domains: ['flow.example.test'] });

    await expect(client.DescribeCertificate({ CertificateId: certId })).rejects.toMatchObject({ code: 'FailedOperation.CertificateNotFound' });
    expect(sim.calls.count('ApplyCertificate')).toBe(1);
    expect(sim.calls.log({ action: 'CreateCertificateBindResourceSyncTask' })[0].params).toEqual({ CertificateIds: [certId], IsCache: 0 });
  });

  it('lists seeded certificates through the SDK', async () => {
    const list = await client.DescribeCertificates({ Limit: 5, SearchKey: 'example.test' });
    expect(list.TotalCount).toBeGreaterThan(5);
    expect(list.Certificates).toHaveLength(5);
  });

  it('surfaces business errors with their documented code and a RequestId', async () => {
    const err = await client.DescribeCertificateDetail({ CertificateId: 'NOPE0000' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FailedOperation.CertificateNotFound' });
    expect((err as { requestId: string }).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects an SDK client with the wrong secret key', async () => {
    const bad = sdkClient(sim, { secretId: sim.credentials[0].secretId, secretKey: 'wrong-key' });
    await expect(bad.DescribeCertificates({})).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
  });

  it('accepts temporary credentials only with the matching token', async () => {
    const tmp = await startSimulator({ credentials: [{ secretId: 'tmp-id', secretKey: 'tmp-key', token: 'tok-123' }], demoData: false });
    try {
      await expect(sdkClient(tmp).DescribeCertificates({})).resolves.toMatchObject({ TotalCount: 0 });
      await expect(sdkClient(tmp, { secretId: 'tmp-id', secretKey: 'tmp-key', token: 'other' }).DescribeCertificates({})).rejects.toMatchObject({
        code: 'AuthFailure.TokenFailure',
      });
      await expect(sdkClient(tmp, { secretId: 'tmp-id', secretKey: 'tmp-key' }).DescribeCertificates({})).rejects.toMatchObject({
        code: 'AuthFailure.TokenFailure',
      });
    } finally {
      await tmp.close();
    }
  });
});
