/**
 * Minimal valid parameters for each of the 68 actions against a freshly seeded simulator (some
 * prepare state first, e.g. a finished deployment to retry). Shared by the simulator coverage test
 * and the answer contract tests.
 */
import { expect } from 'vitest';
import { issueCertificate } from '../../src/simulator/index';
import type { CertRecord } from '../../src/simulator/state';
import { ok, type Simulator } from './simulator';

export type Builder = (sim: Simulator) => Promise<Record<string, unknown>> | Record<string, unknown>;

export const cert = (sim: Simulator, domain: string, pred: (c: CertRecord) => boolean = () => true): string => {
  const found = [...sim.state.certificates.values()].find((c) => c.domain === domain && pred(c));
  if (!found) throw new Error(`no seeded certificate ${domain}`);
  return found.id;
};
export const issuedCert = (sim: Simulator, domain: string): string => cert(sim, domain, (c) => c.status === 1);
const manager = (sim: Simulator, status: string): number => [...sim.state.managers.values()].find((m) => m.status === status)!.id;
const company = (sim: Simulator): number => [...sim.state.companies.keys()][0];
const usablePackage = (sim: Simulator): string => [...sim.state.packages.values()].find((p) => p.status === 'usable')!.id;
const letter = (magic: number[]): string => Buffer.concat([Buffer.from(magic), Buffer.alloc(2048, 7)]).toString('base64');

export function newPem(commonName: string): { pub: string; key: string } {
  const now = Date.now();
  const c = issueCertificate({ commonName, notBefore: now - 86_400_000, notAfter: now + 200 * 86_400_000 });
  return { pub: c.chainPem, key: c.privateKeyPem };
}

async function finishUpdate(sim: Simulator, action: string, params: Record<string, unknown>): Promise<number> {
  let r = await ok(sim, action, params);
  for (let i = 0; i < 5 && r.DeployRecordId === 0; i++) {
    sim.advance(sim.state.durations.updateCreate);
    r = await ok(sim, action, params);
  }
  expect(r.DeployRecordId).toBeGreaterThan(0);
  return r.DeployRecordId;
}

export const settle = (sim: Simulator): void => {
  sim.advance(60_000);
};

async function submittedOv(sim: Simulator): Promise<string> {
  const id = cert(sim, 'ov.example.test');
  await ok(sim, 'CertificateInfoSubmit', { CertId: id, GenCsrType: 'online', CertCommonName: 'ov.example.test', CompanyType: 2, CompanyId: String(company(sim)) });
  return id;
}

export const builders: Record<string, Builder> = {
  ApplyCertificate: () => ({ DvAuthMethod: 'DNS', DomainName: 'new.example.test' }),
  CancelAuditCertificate: (sim) => ({ CertificateId: cert(sim, 'shop.example.test') }),
  CancelCertificateOrder: (sim) => ({ CertificateId: cert(sim, 'shop.example.test') }),
  CertificateInfoSubmit: (sim) => ({ CertId: cert(sim, 'ov.example.test'), GenCsrType: 'online', CertCommonName: 'ov.example.test', CompanyType: 2, CompanyId: String(company(sim)) }),
  CertificateOrderSubmit: async (sim) => ({ CertId: await submittedOv(sim) }),
  CheckCertificateChain: (sim) => ({ CertificateChain: sim.state.publicKeyPem(sim.state.getCertificate(issuedCert(sim, 'www.example.test'))!) }),
  CheckCertificateDomainVerification: (sim) => ({ CertificateId: cert(sim, 'shop.example.test') }),
  CheckCertificateExist: (sim) => ({ CertificatePublicKey: sim.state.publicKeyPem(sim.state.getCertificate(cert(sim, 'upload.example.test'))!) }),
  CommitCertificateInformation: async (sim) => ({ CertificateId: await submittedOv(sim) }),
  CompleteCertificate: (sim) => ({ CertificateId: cert(sim, 'shop.example.test') }),
  CreateCertificate: () => ({ ProductId: 6, DomainNum: 1, TimeSpan: 1 }),
  CreateCertificateBindResourceSyncTask: (sim) => ({ CertificateIds: [issuedCert(sim, 'www.example.test')], IsCache: 1 }),
  CreateCertificateByPackage: (sim) => ({ ProductPid: 1022447, PackageIds: [usablePackage(sim)], DomainCount: '1', Period: 1 }),
  DeleteCertificate: (sim) => ({ CertificateId: cert(sim, 'legacy.example.test') }),
  DeleteCertificates: (sim) => ({ CertificateIds: [cert(sim, 'legacy.example.test')] }),
  DeleteManager: (sim) => ({ ManagerId: manager(sim, 'none') }),
  DeployCertificateInstance: (sim) => ({ CertificateId: cert(sim, '*.example.test'), InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' }),
  DeployCertificateRecordRetry: async (sim) => {
    sim.state.setInstanceFailure('img.example.test');
    const r = await ok(sim, 'DeployCertificateInstance', { CertificateId: cert(sim, '*.example.test'), InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' });
    settle(sim);
    return { DeployRecordId: r.DeployRecordId };
  },
  DeployCertificateRecordRollback: async (sim) => {
    const r = await ok(sim, 'DeployCertificateInstance', { CertificateId: cert(sim, '*.example.test'), InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' });
    settle(sim);
    return { DeployRecordId: r.DeployRecordId };
  },
  DescribeCertificate: (sim) => ({ CertificateId: issuedCert(sim, 'www.example.test') }),
  DescribeCertificateBindResourceTaskDetail: async (sim) => {
    const r = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [cert(sim, '*.example.test')], IsCache: 0 });
    settle(sim);
    return { TaskId: r.CertTaskIds[0].TaskId };
  },
  DescribeCertificateBindResourceTaskResult: async (sim) => {
    const r = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [cert(sim, '*.example.test')], IsCache: 0 });
    settle(sim);
    return { TaskIds: [r.CertTaskIds[0].TaskId] };
  },
  DescribeCertificateDetail: (sim) => ({ CertificateId: issuedCert(sim, 'www.example.test') }),
  DescribeCertificateOperateLogs: () => ({}),
  DescribeCertificates: () => ({}),
  DescribeCompanies: () => ({}),
  DescribeDeleteCertificatesTaskResult: async (sim) => {
    const r = await ok(sim, 'DeleteCertificates', { CertificateIds: [cert(sim, 'legacy.example.test')], IsSync: true });
    return { TaskIds: [r.CertTaskIds[0].TaskId] };
  },
  DescribeDeployedResources: (sim) => ({ CertificateIds: [issuedCert(sim, 'www.example.test')], ResourceType: 'clb' }),
  DescribeDownloadCertificateUrl: (sim) => ({ CertificateId: issuedCert(sim, 'www.example.test'), ServiceType: 'nginx' }),
  DescribeHostApiGatewayInstanceList: () => ({}),
  DescribeHostCdnInstanceList: () => ({}),
  DescribeHostClbInstanceList: () => ({}),
  DescribeHostCosInstanceList: () => ({}),
  DescribeHostDdosInstanceList: () => ({}),
  DescribeHostDeployRecord: (sim) => ({ CertificateId: issuedCert(sim, 'www.example.test') }),
  DescribeHostDeployRecordDetail: (sim) => ({ DeployRecordId: String([...sim.state.deployRecords.keys()][0]) }),
  DescribeHostLighthouseInstanceList: () => ({}),
  DescribeHostLiveInstanceList: () => ({}),
  DescribeHostTeoInstanceList: (sim) => ({ CertificateId: cert(sim, '*.example.test') }),
  DescribeHostTkeInstanceList: () => ({}),
  DescribeHostUpdateRecord: () => ({}),
  DescribeHostUpdateRecordDetail: async (sim) => {
    const id = await finishUpdate(sim, 'UpdateCertificateInstance', { OldCertificateId: issuedCert(sim, 'api.example.test'), CertificateId: cert(sim, '*.example.test'), ResourceTypes: ['clb'] });
    return { DeployRecordId: String(id) };
  },
  DescribeHostUploadUpdateRecord: () => ({}),
  DescribeHostUploadUpdateRecordDetail: async (sim) => {
    const pem = newPem('upload.example.test');
    const id = await finishUpdate(sim, 'UploadUpdateCertificateInstance', {
      OldCertificateId: cert(sim, 'upload.example.test'),
      ResourceTypes: ['clb'],
      CertificatePublicKey: pem.pub,
      CertificatePrivateKey: pem.key,
    });
    return { DeployRecordId: id };
  },
  DescribeHostVodInstanceList: () => ({}),
  DescribeHostWafInstanceList: () => ({}),
  DescribeManagerDetail: (sim) => ({ ManagerId: manager(sim, 'ok') }),
  DescribeManagers: (sim) => ({ CompanyId: company(sim) }),
  DescribePackages: () => ({}),
  DownloadCertificate: (sim) => ({ CertificateId: issuedCert(sim, 'www.example.test') }),
  ModifyCertificateAlias: (sim) => ({ CertificateId: issuedCert(sim, 'www.example.test'), Alias: 'renamed' }),
  ModifyCertificateProject: (sim) => ({ CertificateIdList: [issuedCert(sim, 'www.example.test')], ProjectId: 1 }),
  ModifyCertificateResubmit: (sim) => ({ CertificateId: cert(sim, 'cancelled.example.test') }),
  ModifyCertificatesExpiringNotificationSwitch: (sim) => ({ CertificateIds: [issuedCert(sim, 'www.example.test')], SwitchStatus: 1 }),
  ReplaceCertificate: (sim) => ({ CertificateId: issuedCert(sim, 'api.example.test'), ValidType: 'DNS' }),
  RevokeCertificate: (sim) => ({ CertificateId: issuedCert(sim, 'api.example.test') }),
  SubmitAuditManager: (sim) => ({ ManagerId: manager(sim, 'none') }),
  SubmitCertificateInformation: (sim) => ({ CertificateId: cert(sim, 'ov.example.test'), CertificateDomain: 'ov.example.test' }),
  UpdateCertificateInstance: (sim) => ({ OldCertificateId: issuedCert(sim, 'api.example.test'), CertificateId: cert(sim, '*.example.test'), ResourceTypes: ['clb'] }),
  UpdateCertificateRecordRetry: async (sim) => {
    const id = await finishUpdate(sim, 'UpdateCertificateInstance', {
      OldCertificateId: cert(sim, '*.example.test'),
      CertificateId: cert(sim, 'ev.example.test'),
      ResourceTypes: ['clb'],
      ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-beijing'] }],
    });
    settle(sim);
    return { DeployRecordId: id };
  },
  UpdateCertificateRecordRollback: async (sim) => {
    const id = await finishUpdate(sim, 'UpdateCertificateInstance', { OldCertificateId: issuedCert(sim, 'api.example.test'), CertificateId: cert(sim, '*.example.test'), ResourceTypes: ['clb'] });
    settle(sim);
    return { DeployRecordId: id };
  },
  UploadCertificate: () => {
    const pem = newPem('fresh-upload.example.test');
    return { CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key };
  },
  UploadConfirmLetter: (sim) => ({ CertificateId: cert(sim, 'ov2.example.test'), ConfirmLetter: letter([0x89, 0x50, 0x4e, 0x47]) }),
  UploadRevokeLetter: (sim) => ({ CertificateId: cert(sim, 'revoke-letter.example.test'), RevokeLetter: letter([0x25, 0x50, 0x44, 0x46]) }),
  UploadUpdateCertificateInstance: (sim) => {
    const pem = newPem('upload.example.test');
    return { OldCertificateId: cert(sim, 'upload.example.test'), ResourceTypes: ['clb'], CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key };
  },
  UploadUpdateCertificateRecordRetry: async (sim) => {
    const lb = [...sim.state.instances.values()].find((i) => i.instanceName === 'upload-lb')!;
    sim.state.setInstanceFailure(lb.key);
    const pem = newPem('upload.example.test');
    const id = await finishUpdate(sim, 'UploadUpdateCertificateInstance', {
      OldCertificateId: cert(sim, 'upload.example.test'),
      ResourceTypes: ['clb'],
      CertificatePublicKey: pem.pub,
      CertificatePrivateKey: pem.key,
    });
    settle(sim);
    return { DeployRecordId: id };
  },
  UploadUpdateCertificateRecordRollback: async (sim) => {
    const pem = newPem('upload.example.test');
    const id = await finishUpdate(sim, 'UploadUpdateCertificateInstance', {
      OldCertificateId: cert(sim, 'upload.example.test'),
      ResourceTypes: ['clb'],
      CertificatePublicKey: pem.pub,
      CertificatePrivateKey: pem.key,
    });
    settle(sim);
    return { DeployRecordId: id };
  },
  VerifyManager: (sim) => ({ ManagerId: manager(sim, 'ok') }),
};

