import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueCertificate, readZip } from '../../../src/simulator/index';
import type { CertRecord } from '../../../src/simulator/state';
import { call, ok, startSimulator, type Simulator } from '../../helpers/simulator';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ rateLimits: false });
});
afterEach(() => sim.close());

const find = (domain: string, pred: (c: CertRecord) => boolean = () => true): CertRecord => {
  const c = [...sim.state.certificates.values()].find((x) => x.domain === domain && pred(x));
  if (!c) throw new Error(`no certificate ${domain}`);
  return c;
};
const issued = (domain: string): CertRecord => find(domain, (c) => c.status === 1);
const errCode = async (action: string, params: unknown): Promise<string | undefined> => (await call(sim, action, params)).Error?.Code;
const pem = (cn: string, alt?: string[]) => {
  const now = Date.now();
  return issueCertificate({ commonName: cn, altNames: alt, notBefore: now - 86_400_000, notAfter: now + 100 * 86_400_000 });
};
async function untilRecord(action: string, params: Record<string, unknown>): Promise<number> {
  let r = await ok(sim, action, params);
  expect(r.DeployRecordId).toBe(0);
  expect(r.UpdateSyncProgress.length).toBeGreaterThan(0);
  sim.advance(sim.state.durations.updateCreate);
  r = await ok(sim, action, params);
  expect(r.DeployRecordId).toBeGreaterThan(0);
  expect(r.DeployStatus).toBe(1);
  return r.DeployRecordId;
}

describe('demo data', () => {
  it('is varied: ≥30 certificates, every status 0..15, SVR/CA, DV/OV/EV, uploaded/bought, SM', () => {
    const certs = [...sim.state.certificates.values()];
    expect(certs.length).toBeGreaterThanOrEqual(30);
    expect(new Set(certs.map((c) => c.status))).toEqual(new Set(Array.from({ length: 16 }, (_, i) => i)));
    expect(new Set(certs.map((c) => c.certificateType))).toEqual(new Set(['SVR', 'CA']));
    expect(new Set(certs.map((c) => c.certLevel))).toEqual(new Set(['DV', 'OV', 'EV']));
    expect(certs.some((c) => c.from === 'upload') && certs.some((c) => c.isPaid) && certs.some((c) => c.isSM)).toBe(true);
    const types = new Set([...sim.state.instances.values()].map((i) => i.resourceType));
    for (const t of ['clb', 'cdn', 'cos', 'ddos', 'lighthouse', 'live', 'teo', 'tke', 'vod', 'waf', 'apigateway', 'tcb', 'tse']) expect(types.has(t as never)).toBe(true);
    expect(sim.state.managers.size).toBeGreaterThanOrEqual(3);
    expect(sim.state.companies.size).toBeGreaterThanOrEqual(2);
    expect(sim.state.packages.size).toBeGreaterThanOrEqual(2);
  });

  it('is deterministic for a seed', async () => {
    const same = await startSimulator();
    const other = await startSimulator({ seed: 7 });
    try {
      const ids = (s: Simulator) => [...s.state.certificates.values()].map((c) => `${c.id}:${c.domain}:${c.status}`);
      expect(ids(same)).toEqual(ids(sim));
      expect(ids(other)).not.toEqual(ids(sim));
      expect([...same.state.instances.keys()]).toEqual([...sim.state.instances.keys()]);
    } finally {
      await same.close();
      await other.close();
    }
  });
});

describe('DescribeCertificates', () => {
  it('filters and pages', async () => {
    const all = await ok(sim, 'DescribeCertificates', { Limit: 1000 });
    expect(all.Certificates).toHaveLength(all.TotalCount);
    const first = await ok(sim, 'DescribeCertificates', { Offset: 0, Limit: 5 });
    const second = await ok(sim, 'DescribeCertificates', { Offset: 5, Limit: 5 });
    expect([...first.Certificates, ...second.Certificates].map((c: any) => c.CertificateId)).toEqual(all.Certificates.slice(0, 10).map((c: any) => c.CertificateId));
    expect((await ok(sim, 'DescribeCertificates', {})).Certificates).toHaveLength(10);
    expect((await ok(sim, 'DescribeCertificates', { Limit: 5000 })).Certificates).toHaveLength(all.TotalCount);

    const byStatus = await ok(sim, 'DescribeCertificates', { CertificateStatus: [9, 10], Limit: 100 });
    expect(byStatus.Certificates.map((c: any) => c.Status).sort()).toEqual([10, 9]);
    const uploads = await ok(sim, 'DescribeCertificates', { FilterSource: 'upload', Limit: 100 });
    expect(uploads.Certificates.every((c: any) => c.From === 'upload')).toBe(true);
    const ca = await ok(sim, 'DescribeCertificates', { CertificateType: 'CA' });
    expect(ca.Certificates.map((c: any) => c.Domain)).toEqual(['Example Test Client CA']);
    expect(ca.Certificates[0].CACommonNames).toEqual(['Example Test Client CA']);
    expect((await ok(sim, 'DescribeCertificates', { IsSM: 1 })).Certificates.map((c: any) => c.Domain)).toEqual(['sm.example.test']);
    const expiring = await ok(sim, 'DescribeCertificates', { FilterExpiring: 1, Limit: 100 });
    expect(expiring.Certificates.map((c: any) => c.Domain)).toContain('soon.example.test');
    expect(expiring.Certificates.every((c: any) => c.IsExpiring)).toBe(true);
    const ids = [issued('www.example.test').id, issued('api.example.test').id];
    expect((await ok(sim, 'DescribeCertificates', { CertIds: ids })).Certificates.map((c: any) => c.CertificateId).sort()).toEqual(ids.sort());
    expect((await ok(sim, 'DescribeCertificates', { Tags: [{ TagKey: 'team', TagValue: 'payments' }] })).Certificates.map((c: any) => c.Domain)).toEqual(['proj.example.test']);
    expect((await ok(sim, 'DescribeCertificates', { ProjectId: 1001 })).TotalCount).toBe(1);
    const pendingIssue = await ok(sim, 'DescribeCertificates', { IsPendingIssue: 1, Limit: 100 });
    expect(pendingIssue.Certificates.every((c: any) => c.Status === 0 || c.Status === 4)).toBe(true);
    const asc = await ok(sim, 'DescribeCertificates', { ExpirationSort: 'ASC', CertificateStatus: [1], Limit: 100 });
    const ends = asc.Certificates.map((c: any) => c.CertEndTime);
    expect([...ends].sort()).toEqual(ends);
    expect(await errCode('DescribeCertificates', { ExpirationSort: 'UP' })).toBe('FailedOperation.InvalidParam');
    const bound = (await ok(sim, 'DescribeCertificates', { SearchKey: 'wildcard-prod' })).Certificates[0];
    expect(bound.BoundResource).toEqual(expect.arrayContaining(['clb', 'cdn', 'tke']));
  });
});

describe('certificate lifecycle', () => {
  it('revokes a DV certificate (1 → 9 → 10)', async () => {
    const api = issued('api.example.test');
    const r = await ok(sim, 'RevokeCertificate', { CertificateId: api.id, Reason: 'test' });
    expect(r.RevokeDomainValidateAuths[0].DomainValidateAuthDomain).toBe('api.example.test');
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: api.id })).Status).toBe(9);
    expect(await errCode('RevokeCertificate', { CertificateId: api.id })).toBe('FailedOperation.InvalidCertificateStatusCode');
    sim.advance(sim.state.durations.revoke);
    const after = await ok(sim, 'DescribeCertificateDetail', { CertificateId: api.id });
    expect(after.Status).toBe(10);
    expect(after.DvRevokeAuthDetail).toHaveLength(1);
    expect(await errCode('RevokeCertificate', { CertificateId: find('upload.example.test').id })).toBe('FailedOperation.InvalidCertificateSource');
  });

  it('reissues once (new id, 11 → 1, ReplacedBy/ReplacedFor)', async () => {
    const api = issued('api.example.test');
    const r = await ok(sim, 'ReplaceCertificate', { CertificateId: api.id, ValidType: 'DNS', CsrType: 'Original' });
    expect(r.CertificateId).not.toBe(api.id);
    const fresh = await ok(sim, 'DescribeCertificate', { CertificateId: r.CertificateId });
    expect(fresh.Status).toBe(11);
    expect(fresh.CertificateExtra.ReplacedBy).toBe(api.id);
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: api.id })).CertificateExtra.ReplacedFor).toBe(r.CertificateId);
    expect(await errCode('ReplaceCertificate', { CertificateId: api.id, ValidType: 'DNS' })).toBe('FailedOperation.OrderAlreadyReplaced');
    sim.advance(sim.state.durations.reissue);
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: r.CertificateId })).Status).toBe(1);
  });

  it('uploads, detects duplicates and checks keys and chains', async () => {
    const c = pem('uploaded.example.test', ['uploaded.example.test', 'www.uploaded.example.test']);
    const up = await ok(sim, 'UploadCertificate', { CertificatePublicKey: c.chainPem, CertificatePrivateKey: c.privateKeyPem, Alias: 'mine' });
    expect(up.RepeatCertId).toBe('');
    const detail = await ok(sim, 'DescribeCertificateDetail', { CertificateId: up.CertificateId });
    expect(detail).toMatchObject({ From: 'upload', Domain: 'uploaded.example.test', Status: 1, Alias: 'mine', CertFingerprint: c.fingerprintSha1 });
    expect(detail.SubjectAltName).toEqual(['www.uploaded.example.test']);
    expect((await ok(sim, 'CheckCertificateExist', { CertificatePublicKey: c.certificatePem })).RepeatCertId).toBe(up.CertificateId);
    expect((await ok(sim, 'CheckCertificateExist', { CertificatePublicKey: pem('other.example.test').certificatePem })).RepeatCertId).toBe('');
    const again = await ok(sim, 'UploadCertificate', { CertificatePublicKey: c.chainPem, CertificatePrivateKey: c.privateKeyPem, Repeatable: false });
    expect(again.RepeatCertId).toBe(up.CertificateId);
    expect(await errCode('UploadCertificate', { CertificatePublicKey: c.chainPem, CertificatePrivateKey: pem('x.example.test').privateKeyPem })).toBe(
      'InvalidParameter.MissMatchPrivateKey',
    );
    expect(await errCode('UploadCertificate', { CertificatePublicKey: 'garbage', CertificatePrivateKey: c.privateKeyPem })).toBe('FailedOperation.CertificateParseError');
    const chain = await ok(sim, 'CheckCertificateChain', { CertificateChain: c.chainPem });
    expect(chain).toMatchObject({ IsValid: true, IsTrustedCA: true, Chains: ['uploaded.example.test', 'SSL Simulator DV TLS CA'] });
    const broken = await ok(sim, 'CheckCertificateChain', { CertificateChain: c.certificatePem + pem('y.example.test').certificatePem });
    expect(broken.IsValid).toBe(false);
  });

  it('downloads a ZIP with a certificate and the matching private key', async () => {
    const www = issued('www.example.test');
    const r = await ok(sim, 'DownloadCertificate', { CertificateId: www.id });
    expect(r.ContentType).toBe('application/zip');
    const entries = readZip(Buffer.from(r.Content, 'base64'));
    const bundle = entries.find((e) => e.name.endsWith('_nginx/www.example.test_bundle.crt'))!;
    const key = entries.find((e) => e.name.endsWith('_nginx/www.example.test.key'))!;
    const x509 = new X509Certificate(bundle.data.toString());
    expect(x509.subject).toContain('CN=www.example.test');
    expect(x509.checkPrivateKey(createPrivateKey(key.data.toString()))).toBe(true);
    expect(await errCode('DownloadCertificate', { CertificateId: find('shop.example.test').id })).toBe('FailedOperation.InvalidCertificateStatusCode');
    expect(sim.state.operationLogs.some((l) => l.type === 'download' && l.certId === www.id)).toBe(true);
  });

  it('cancels free and paid orders', async () => {
    const shop = find('shop.example.test');
    expect((await ok(sim, 'CancelCertificateOrder', { CertificateId: shop.id })).CertificateId).toBe(shop.id);
    expect(sim.state.getCertificate(shop.id)!.status).toBe(7);
    const ov = find('ov.example.test');
    await ok(sim, 'CancelCertificateOrder', { CertificateId: ov.id });
    expect(sim.state.getCertificate(ov.id)!.status).toBe(6);
    sim.advance(sim.state.durations.cancel);
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: ov.id })).Status).toBe(7);
    expect(await errCode('CancelCertificateOrder', { CertificateId: issued('www.example.test').id })).toBe('FailedOperation.InvalidCertificateStatusCode');
  });

  it('buys, submits information and order, uploads the confirmation letter, then issues', async () => {
    const bought = await ok(sim, 'CreateCertificate', { ProductId: 6, DomainNum: 1, TimeSpan: 1 });
    const id = bought.CertificateIds[0];
    expect(bought.DealIds).toHaveLength(1);
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: id })).Status).toBe(5);
    expect(await errCode('CertificateOrderSubmit', { CertId: id })).toBe('FailedOperation.CertificateInfoSubmitStatusInvalid');
    const companyId = [...sim.state.companies.keys()][0];
    await ok(sim, 'CertificateInfoSubmit', { CertId: id, GenCsrType: 'online', CertCommonName: 'paid.example.test', CompanyType: 2, CompanyId: String(companyId), CsrEncryptAlgo: 'RSA', CsrKeyParameter: '2048' });
    const order = await ok(sim, 'CertificateOrderSubmit', { CertId: id, VerifyType: 'DNS' });
    expect(order).toMatchObject({ Status: 8, IsAudited: false });
    expect(order.OrderId).not.toBe('');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(4096)]).toString('base64');
    expect(await errCode('UploadConfirmLetter', { CertificateId: id, ConfirmLetter: Buffer.from('tiny').toString('base64') })).toBe('FailedOperation.ConfirmLetterTooSmall');
    expect(await errCode('UploadConfirmLetter', { CertificateId: id, ConfirmLetter: Buffer.alloc(4096, 1).toString('base64') })).toBe('FailedOperation.InvalidConfirmLetterFormat');
    await ok(sim, 'UploadConfirmLetter', { CertificateId: id, ConfirmLetter: png });
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: id })).Status).toBe(0);
    sim.advance(sim.state.durations.paidIssue);
    const detail = await ok(sim, 'DescribeCertificateDetail', { CertificateId: id });
    expect(detail).toMatchObject({ Status: 1, Domain: 'paid.example.test', CertType: 'OV', IsVip: true });
    expect(detail.SubmittedData.CertificateDomain).toBe('paid.example.test');
  });

  it('expires issued certificates when business time passes their end', async () => {
    const soon = issued('soon.example.test');
    sim.advance(soon.certEnd! - sim.state.now() + 1);
    expect((await ok(sim, 'DescribeCertificate', { CertificateId: soon.id })).Status).toBe(3);
  });

  it('enforces ApplyCertificate rules', async () => {
    expect(await errCode('ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: '*.wild.example.test' })).toBe('FailedOperation.InvalidParam');
    expect(await errCode('ApplyCertificate', { DvAuthMethod: 'EMAIL', DomainName: 'a.example.test' })).toBe('FailedOperation.InvalidParam');
    expect(await errCode('ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'not a domain' })).toBe('FailedOperation.InvalidParam');
    const limited = await startSimulator({ freeCertLimit: 1, demoData: false, rateLimits: false });
    try {
      await ok(limited, 'ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'a.example.test' });
      expect((await call(limited, 'ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'b.example.test' })).Error.Code).toBe('FailedOperation.ExceedsFreeLimit');
    } finally {
      await limited.close();
    }
  });
});

describe('bind-resource and delete tasks', () => {
  it('reuses cached tasks, reports failures and rejects unknown ids', async () => {
    const wildcard = find('*.example.test');
    const a = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [wildcard.id], IsCache: 1 });
    const b = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [wildcard.id], IsCache: 1 });
    expect(b.CertTaskIds[0].TaskId).toBe(a.CertTaskIds[0].TaskId);
    sim.advance(sim.state.durations.bindTask);
    const c = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [wildcard.id], IsCache: 1 });
    expect(c.CertTaskIds[0].TaskId).toBe(a.CertTaskIds[0].TaskId);
    const d = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [wildcard.id], IsCache: 0 });
    expect(d.CertTaskIds[0].TaskId).not.toBe(a.CertTaskIds[0].TaskId);

    const result = await ok(sim, 'DescribeCertificateBindResourceTaskResult', { TaskIds: [a.CertTaskIds[0].TaskId] });
    const clb = result.SyncTaskBindResourceResult[0].BindResourceResult.find((r: any) => r.ResourceType === 'clb');
    expect(clb.BindResourceRegionResult.map((r: any) => r.Region).sort()).toEqual(['ap-beijing', 'ap-guangzhou', 'ap-shanghai']);
    const detail = await ok(sim, 'DescribeCertificateBindResourceTaskDetail', { TaskId: a.CertTaskIds[0].TaskId, ResourceTypes: ['clb'], Regions: ['ap-shanghai'], Limit: '10', Offset: '0' });
    expect(detail.CLB).toHaveLength(1);
    expect(detail.CLB[0].InstanceList[0].Listeners[0].Certificate.SSLMode).toBe('MUTUAL');
    expect(detail.CDN).toEqual([]);

    const broken = find('broken-bind.example.test');
    const e = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [broken.id], IsCache: 0 });
    sim.advance(sim.state.durations.bindTask);
    const failed = await ok(sim, 'DescribeCertificateBindResourceTaskResult', { TaskIds: [e.CertTaskIds[0].TaskId] });
    expect(failed.SyncTaskBindResourceResult[0]).toMatchObject({ Status: 2, Error: { Code: 'FailedOperation.RoleNotFoundAuthorization' } });
    expect(await errCode('DescribeCertificateBindResourceTaskResult', { TaskIds: ['999999999'] })).toBe('FailedOperation.CertificateSyncTaskIdInvalid');
    expect(await errCode('CreateCertificateBindResourceSyncTask', { CertificateIds: ['NOPE0000'], IsCache: 1 })).toBe('FailedOperation.CertificateNotFound');
  });

  it('async deletion fails for bound certificates and without the service role', async () => {
    const www = issued('www.example.test');
    const legacy = find('legacy.example.test');
    const r = await ok(sim, 'DeleteCertificates', { CertificateIds: [www.id, legacy.id, 'NOPE0000'], IsSync: true });
    expect(r.Fail).toEqual([{ CertId: 'NOPE0000', Msg: expect.any(String) }]);
    sim.advance(sim.state.durations.deleteTask);
    const res = await ok(sim, 'DescribeDeleteCertificatesTaskResult', { TaskIds: r.CertTaskIds.map((t: any) => t.TaskId) });
    const byCert = Object.fromEntries(res.DeleteTaskResult.map((t: any) => [t.CertId, t]));
    expect(byCert[www.id]).toMatchObject({ Status: 4, Error: '有未解绑的云资源' });
    expect(byCert[legacy.id].Status).toBe(1);
    expect(sim.state.getCertificate(legacy.id)).toBeUndefined();
    expect(sim.state.getCertificate(www.id)).toBeDefined();

    sim.state.linkedRoleAuthorized = false;
    const noRole = await ok(sim, 'DeleteCertificate', { CertificateId: find('noisy.example.test').id, IsCheckResource: true });
    expect(noRole.TaskId).toBeTruthy();
    sim.advance(sim.state.durations.deleteTask);
    expect((await ok(sim, 'DescribeDeleteCertificatesTaskResult', { TaskIds: [noRole.TaskId] })).DeleteTaskResult[0].Status).toBe(3);
  });

  it('synchronous deletion reports per-certificate results', async () => {
    const applied = await ok(sim, 'ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'young.example.test' });
    const legacy = find('legacy.example.test');
    const r = await ok(sim, 'DeleteCertificates', { CertificateIds: [legacy.id, applied.CertificateId] });
    expect(r.Success).toEqual([legacy.id]);
    expect(r.Fail).toEqual([{ CertId: applied.CertificateId, Msg: expect.stringContaining('1小时') }]);
    expect(await errCode('DeleteCertificate', { CertificateId: applied.CertificateId })).toBe('FailedOperation.CannotBeDeletedWithinHour');
    sim.advance(3_600_000);
    expect((await ok(sim, 'DeleteCertificate', { CertificateId: applied.CertificateId })).DeleteResult).toBe(true);
  });
});

describe('deployments', () => {
  it('deploys per instance over time, one running deployment per certificate and type, retry and rollback', async () => {
    const wildcard = find('*.example.test');
    const img = [...sim.state.instances.values()].find((i) => i.deployId === 'img.example.test')!;
    const waf = [...sim.state.instances.values()].find((i) => i.deployId === 'waf.example.test')!;
    sim.state.setInstanceFailure(img.key);
    const dep = await ok(sim, 'DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' });
    expect(dep.DeployStatus).toBe(1);
    const again = await ok(sim, 'DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' });
    expect(again).toMatchObject({ DeployRecordId: dep.DeployRecordId, DeployStatus: 0 });
    const running = await ok(sim, 'DescribeHostDeployRecordDetail', { DeployRecordId: String(dep.DeployRecordId) });
    expect(running).toMatchObject({ TotalCount: 1, RunningTotalCount: 1, SuccessTotalCount: 0 });
    expect(running.DeployRecordDetailList[0].Domains).toEqual(['img.example.test|off']);
    expect(await errCode('DeployCertificateRecordRetry', { DeployRecordId: dep.DeployRecordId })).toBe('FailedOperation.CertificateDeployHasPendingRecord');
    sim.advance(sim.state.durations.deployStep);
    const failed = await ok(sim, 'DescribeHostDeployRecordDetail', { DeployRecordId: String(dep.DeployRecordId) });
    expect(failed).toMatchObject({ FailedTotalCount: 1, RunningTotalCount: 0 });
    expect(failed.DeployRecordDetailList[0].ErrorMsg).not.toBe('');
    expect((await ok(sim, 'DescribeHostDeployRecord', { CertificateId: wildcard.id, ResourceType: 'cdn' })).DeployRecordList[0].Status).toBe(2);

    sim.state.setInstanceFailure(img.key, false);
    await ok(sim, 'DeployCertificateRecordRetry', { DeployRecordDetailId: failed.DeployRecordDetailList[0].Id });
    sim.advance(sim.state.durations.deployStep);
    const done = await ok(sim, 'DescribeHostDeployRecordDetail', { DeployRecordId: String(dep.DeployRecordId) });
    expect(done).toMatchObject({ SuccessTotalCount: 1, FailedTotalCount: 0 });
    expect(img.certId).toBe(wildcard.id);
    expect(await errCode('DeployCertificateRecordRetry', { DeployRecordId: dep.DeployRecordId })).toBe('FailedOperation.CertificateDeployRetryStatusInvalid');

    // Two instances: staggered progress.
    const multi = await ok(sim, 'DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: ['waf.example.test'], ResourceType: 'waf' });
    expect(multi.DeployStatus).toBe(1);
    sim.advance(sim.state.durations.deployStep);
    expect(waf.certId).toBe(wildcard.id);

    const rb = await ok(sim, 'DeployCertificateRecordRollback', { DeployRecordId: dep.DeployRecordId });
    expect(rb.DeployRecordId).toBeGreaterThan(dep.DeployRecordId);
    sim.advance(sim.state.durations.deployStep);
    expect(img.certId).toBe('');
    const original = await ok(sim, 'DescribeHostDeployRecordDetail', { DeployRecordId: String(dep.DeployRecordId) });
    expect(original.DeployRecordDetailList[0].Status).toBe(4);

    expect(await errCode('DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: ['nope.example.test|on'], ResourceType: 'cdn' })).toBe(
      'FailedOperation.CertificateNotDeployInstance',
    );
    expect(await errCode('DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: ['a|b|c|d'], ResourceType: 'cdn' })).toBe(
      'FailedOperation.CertificateDeployInstanceFormatError',
    );
    expect(await errCode('DeployCertificateInstance', { CertificateId: issued('www.example.test').id, InstanceIdList: ['img.example.test|on'], ResourceType: 'cdn' })).toBe(
      'FailedOperation.CertificateNotDeployInstance',
    );
    expect(await errCode('DeployCertificateInstance', { CertificateId: find('shop.example.test').id, InstanceIdList: ['img.example.test|on'], ResourceType: 'cdn' })).toBe(
      'FailedOperation.CertificateNotAvailable',
    );
  });

  it('DeployCertificateInstance takes cdn entries only as documented, Domain|on or Domain|off', async () => {
    const wildcard = find('*.example.test');
    for (const entry of ['img.example.test', 'img.example.test|yes']) {
      expect(await errCode('DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: [entry], ResourceType: 'cdn' }), entry).toBe(
        'FailedOperation.CertificateDeployInstanceFormatError',
      );
    }
  });

  it('DeployCertificateInstance says which CLB form a listener takes when an entry misses it', async () => {
    const wildcard = find('*.example.test');
    const clb = sim.state.instancesOfType('clb');
    const sniOff = clb.find((i) => i.sniSwitch !== 1)!;
    const sniOn = clb.find((i) => i.sniSwitch === 1)!;
    const offRes = await call(sim, 'DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: [`${sniOff.deployId}|x.example.test`], ResourceType: 'clb' });
    expect(offRes.Error?.Code).toBe('FailedOperation.CertificateNotDeployInstance');
    expect(offRes.Error?.Message).toContain(`SNI off: name the listener only, as ${sniOff.deployId}.`);
    const onRes = await call(sim, 'DeployCertificateInstance', { CertificateId: wildcard.id, InstanceIdList: [`${sniOn.instanceId}|${sniOn.listenerId}`], ResourceType: 'clb' });
    expect(onRes.Error?.Message).toContain('SNI on: name a domain');
  });

  it('UpdateCertificateInstance: DeployRecordId 0 while being created, DeployStatus 0 for the running record, rollback', async () => {
    const api = issued('api.example.test');
    const wildcard = find('*.example.test');
    const params = { OldCertificateId: api.id, CertificateId: wildcard.id, ResourceTypes: ['clb', 'apigateway', 'cos'] };
    const first = await ok(sim, 'UpdateCertificateInstance', params);
    expect(first).toMatchObject({ DeployRecordId: 0 });
    expect(first.UpdateSyncProgress.map((p: any) => p.ResourceType)).toEqual(['clb', 'apigateway', 'cos']);
    sim.advance(sim.state.durations.updateCreate);
    const created = await ok(sim, 'UpdateCertificateInstance', params);
    expect(created.DeployRecordId).toBeGreaterThan(0);
    expect(created.DeployStatus).toBe(1);
    const existing = await ok(sim, 'UpdateCertificateInstance', params);
    expect(existing).toMatchObject({ DeployRecordId: created.DeployRecordId, DeployStatus: 0 });

    sim.advance(60_000);
    const detail = await ok(sim, 'DescribeHostUpdateRecordDetail', { DeployRecordId: String(created.DeployRecordId), Limit: '10', Offset: '0' });
    expect(detail).toMatchObject({ TotalCount: 3, SuccessTotalCount: 3, RunningTotalCount: 0 });
    expect(detail.RecordDetailList.map((r: any) => r.ResourceType).sort()).toEqual(['apigateway', 'clb', 'cos']);
    expect(sim.state.boundInstances(api.id)).toHaveLength(0);
    const list = await ok(sim, 'DescribeHostUpdateRecord', { OldCertificateId: api.id });
    expect(list.DeployRecordList[0]).toMatchObject({ Id: created.DeployRecordId, CertId: wildcard.id, OldCertId: api.id, Status: 1 });

    const rb = await ok(sim, 'UpdateCertificateRecordRollback', { DeployRecordId: created.DeployRecordId });
    sim.advance(60_000);
    expect(sim.state.boundInstances(api.id)).toHaveLength(3);
    expect((await ok(sim, 'DescribeHostUpdateRecordDetail', { DeployRecordId: String(rb.DeployRecordId) })).SuccessTotalCount).toBe(3);
    expect(await errCode('UpdateCertificateInstance', { OldCertificateId: issued('www.example.test').id, CertificateId: wildcard.id, ResourceTypes: ['vod'] })).toBe(
      'FailedOperation.CertificateDeployInstanceEmpty',
    );
  });

  it('UpdateCertificateInstance with certificate content uploads the new certificate once', async () => {
    const api = issued('api.example.test');
    const c = pem('api.example.test');
    const params = { OldCertificateId: api.id, CertificatePublicKey: c.chainPem, CertificatePrivateKey: c.privateKeyPem, ResourceTypes: ['cos'], Repeatable: false };
    const id = await untilRecord('UpdateCertificateInstance', params);
    const uploads = [...sim.state.certificates.values()].filter((x) => x.fingerprint === c.fingerprintSha1);
    expect(uploads).toHaveLength(1);
    expect(sim.state.deployRecords.get(id)!.certId).toBe(uploads[0].id);
  });

  it('UploadUpdateCertificateInstance keeps the certificate id, changes its content, and rolls back', async () => {
    const uploaded = find('upload.example.test');
    const oldFingerprint = sim.state.fingerprintOf(uploaded);
    const c = pem('upload.example.test');
    const params = { OldCertificateId: uploaded.id, ResourceTypes: ['clb'], CertificatePublicKey: c.chainPem, CertificatePrivateKey: c.privateKeyPem };
    const id = await untilRecord('UploadUpdateCertificateInstance', params);
    expect(sim.state.fingerprintOf(uploaded)).toBe(c.fingerprintSha1);
    sim.advance(60_000);
    const detail = await ok(sim, 'DescribeHostUploadUpdateRecordDetail', { DeployRecordId: id });
    expect(detail.DeployRecordDetail).toHaveLength(1);
    expect(detail.DeployRecordDetail[0]).toMatchObject({ Type: 0, Status: 1, SuccessTotalCount: 1 });
    expect((await ok(sim, 'DescribeHostUploadUpdateRecord', { OldCertificateId: uploaded.id })).DeployRecordList[0].Id).toBe(id);
    await ok(sim, 'UploadUpdateCertificateRecordRollback', { DeployRecordId: id });
    expect(sim.state.fingerprintOf(uploaded)).toBe(oldFingerprint);
    sim.advance(60_000);
    const after = await ok(sim, 'DescribeHostUploadUpdateRecordDetail', { DeployRecordId: id });
    expect(after.DeployRecordDetail.map((r: any) => [r.Type, r.Status])).toEqual([
      [0, 4],
      [1, 1],
    ]);
    expect(await errCode('UploadUpdateCertificateInstance', { ...params, ResourceTypes: ['cdn'] })).toBe('FailedOperation.CertificateHostResourceTypeInvalid');
    const other = pem('other.example.test');
    expect(await errCode('UploadUpdateCertificateInstance', { ...params, CertificatePublicKey: other.chainPem, CertificatePrivateKey: other.privateKeyPem })).toBe(
      'FailedOperation.CertificateMatchError',
    );
  });
});

describe('cloud resource lists', () => {
  it('filters by domain match and by the certificate already deployed', async () => {
    const wildcard = find('*.example.test');
    const match = await ok(sim, 'DescribeHostCdnInstanceList', { CertificateId: wildcard.id });
    expect(match.InstanceList.map((i: any) => i.Domain).sort()).toEqual(['cdn.example.test', 'img.example.test', 'static.example.test', 'www.example.test']);
    const nomatch = await ok(sim, 'DescribeHostCdnInstanceList', { CertificateId: issued('www.example.test').id, Filters: [{ FilterKey: 'domainMatch', FilterValue: '0' }] });
    expect(nomatch.InstanceList.map((i: any) => i.Domain)).not.toContain('www.example.test');
    const deployed = await ok(sim, 'DescribeHostCdnInstanceList', { OldCertificateId: wildcard.id });
    expect(deployed.InstanceList.map((i: any) => i.Domain)).toEqual(['static.example.test']);
    expect((await ok(sim, 'DescribeHostCdnInstanceList', { Limit: 2 })).InstanceList).toHaveLength(2);
    expect(await errCode('DescribeHostTeoInstanceList', {})).toBe('MissingParameter');
    expect(await errCode('DescribeHostCdnInstanceList', { CertificateId: find('shop.example.test').id })).toBe('FailedOperation.CertificateNotAvailable');
    const tke = await ok(sim, 'DescribeHostTkeInstanceList', { CertificateId: wildcard.id });
    expect(tke.InstanceList[0].NamespaceList.map((n: any) => n.Name).sort()).toEqual(['default', 'payments']);
    const deployedRes = await ok(sim, 'DescribeDeployedResources', { CertificateIds: [wildcard.id], ResourceType: 'clb' });
    expect(deployedRes.DeployedResources[0].Count).toBe(3);
    expect(await errCode('DescribeDeployedResources', { CertificateIds: ['NOPE0000'], ResourceType: 'clb' })).toBe('InvalidParameter.ContainsInvalidCertificateId');
  });
});

describe('managers and companies', () => {
  it('audits, verifies and deletes managers', async () => {
    const none = [...sim.state.managers.values()].find((m) => m.status === 'none')!;
    const ok1 = [...sim.state.managers.values()].find((m) => m.status === 'ok')!;
    await ok(sim, 'SubmitAuditManager', { ManagerId: none.id });
    expect((await ok(sim, 'DescribeManagerDetail', { ManagerId: none.id })).StatusInfo[0].Status).toBe('pending');
    expect(await errCode('SubmitAuditManager', { ManagerId: none.id })).toBe('FailedOperation.IllegalManagerStatus');
    sim.advance(sim.state.durations.managerAudit);
    const list = await ok(sim, 'DescribeManagers', { CompanyId: none.companyId });
    expect(list.Managers.find((m: any) => m.ManagerId === none.id).Status).toBe('ok');
    expect(await errCode('DeleteManager', { ManagerId: ok1.id })).toBe('FailedOperation.ManagerCanNotDeleteCert');
    expect(await errCode('DescribeManagerDetail', { ManagerId: 1 })).toBe('ResourceNotFound.Manager');
    await ok(sim, 'DeleteManager', { ManagerId: none.id });
    expect(await errCode('VerifyManager', { ManagerId: none.id })).toBe('ResourceNotFound.Manager');
    const companies = await ok(sim, 'DescribeCompanies', { CompanyId: none.companyId });
    expect(companies.TotalCount).toBe(1);
  });
});
