/**
 * The shared table of action inputs, for every suite that calls actions:
 *
 * - `ACTION_INPUTS[action](sim)`: a valid input of each of the 68 actions against a simulator
 *   with its seeded demo data. Inputs start from the action's documented request example where it
 *   helps (`example(...)`, with the example's placeholder ids replaced by seeded ids and
 *   undocumented members dropped) and fall back to hand-picked values; preparation (a record to
 *   retry, a task to poll) goes straight to the simulator.
 * - `restBody(action)`: the smallest body that passes the gateway's spec validation (required
 *   members only, type-appropriate dummy values, first documented enum value), so a refusal can
 *   only come from authentication or scopes.
 */
import { issueCertificate } from '../../src/simulator/index';
import type { CertRecord } from '../../src/simulator/state';
import { enforcedEnum } from '../../src/spec/validate';
import { getAction, getStructure, spec, type MemberSpec } from '../../src/spec';
import { ok, type Simulator } from './simulator';

export type Body = Record<string, unknown>;
/** Builds a valid input of one action against a simulator with its seeded demo data. */
export type Builder = (sim: Simulator) => Body | Promise<Body>;

/** The first documented request example of `action`, restricted to documented members, with overrides. */
function example(action: string, overrides: Body = {}): Body {
  const spec = getAction(action)!;
  const input = (spec.examples.find((e) => e.input !== undefined)?.input ?? {}) as Body;
  const documented = new Set(spec.inputs.map((m) => m.name));
  const out: Body = {};
  for (const [k, v] of Object.entries(input)) if (documented.has(k)) out[k] = v;
  return { ...out, ...overrides };
}

/** Id of the seeded certificate of `domain` (matching `pred`). */
export const cert = (sim: Simulator, domain: string, pred: (c: CertRecord) => boolean = () => true): string => {
  const found = [...sim.state.certificates.values()].find((c) => c.domain === domain && pred(c));
  if (!found) throw new Error(`no seeded certificate ${domain}`);
  return found.id;
};
export const issued = (sim: Simulator, domain: string): string => cert(sim, domain, (c) => c.status === 1);
const manager = (sim: Simulator, status: string): number => [...sim.state.managers.values()].find((m) => m.status === status)!.id;
const company = (sim: Simulator): number => [...sim.state.companies.keys()][0];
const usablePackage = (sim: Simulator): string => [...sim.state.packages.values()].find((p) => p.status === 'usable')!.id;
const letter = (magic: number[]): string => Buffer.concat([Buffer.from(magic), Buffer.alloc(2048, 7)]).toString('base64');
/** Lets every running task and deployment of `sim` finish (one business minute). */
export const settle = (sim: Simulator): void => void sim.advance(60_000);

/** A fresh server certificate and its private key (PEM) for `commonName`. */
export function newPem(commonName: string): { pub: string; key: string } {
  const now = Date.now();
  const c = issueCertificate({ commonName, notBefore: now - 86_400_000, notAfter: now + 200 * 86_400_000 });
  return { pub: c.chainPem, key: c.privateKeyPem };
}

/** Starts an update and repeats it until the upstream has created the record. */
async function updateRecord(sim: Simulator, action: string, params: Body): Promise<number> {
  let r = await ok(sim, action, params);
  for (let i = 0; i < 5 && r.DeployRecordId === 0; i++) {
    sim.advance(sim.state.durations.updateCreate);
    r = await ok(sim, action, params);
  }
  if (!(r.DeployRecordId > 0)) throw new Error(`${action}: no deploy record after 5 calls`);
  return r.DeployRecordId;
}

async function submittedOv(sim: Simulator): Promise<string> {
  const id = cert(sim, 'ov.example.test');
  await ok(sim, 'CertificateInfoSubmit', { CertId: id, GenCsrType: 'online', CertCommonName: 'ov.example.test', CompanyType: 2, CompanyId: String(company(sim)) });
  return id;
}

const deployWildcardToCdn = (sim: Simulator) =>
  ok(sim, 'DeployCertificateInstance', { CertificateId: cert(sim, '*.example.test'), InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' });

const uploadUpdate = (sim: Simulator) => {
  const pem = newPem('upload.example.test');
  return { OldCertificateId: cert(sim, 'upload.example.test'), ResourceTypes: ['clb'], CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key };
};

/** A valid input for each of the 68 actions, against the seeded simulator. */
export const ACTION_INPUTS: Readonly<Record<string, Builder>> = {
  ApplyCertificate: () => example('ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'new.example.test' }),
  CancelAuditCertificate: (sim) => example('CancelAuditCertificate', { CertificateId: cert(sim, 'shop.example.test') }),
  CancelCertificateOrder: (sim) => example('CancelCertificateOrder', { CertificateId: cert(sim, 'shop.example.test') }),
  CertificateInfoSubmit: (sim) => ({ CertId: cert(sim, 'ov.example.test'), GenCsrType: 'online', CertCommonName: 'ov.example.test', CompanyType: 2, CompanyId: String(company(sim)) }),
  CertificateOrderSubmit: async (sim) => ({ CertId: await submittedOv(sim) }),
  CheckCertificateChain: (sim) => ({ CertificateChain: sim.state.publicKeyPem(sim.state.getCertificate(issued(sim, 'www.example.test'))!) }),
  CheckCertificateDomainVerification: (sim) => example('CheckCertificateDomainVerification', { CertificateId: cert(sim, 'shop.example.test') }),
  CheckCertificateExist: (sim) => ({ CertificatePublicKey: sim.state.publicKeyPem(sim.state.getCertificate(cert(sim, 'upload.example.test'))!) }),
  CommitCertificateInformation: async (sim) => ({ CertificateId: await submittedOv(sim) }),
  CompleteCertificate: (sim) => ({ CertificateId: cert(sim, 'shop.example.test') }),
  CreateCertificate: () => example('CreateCertificate'),
  CreateCertificateBindResourceSyncTask: (sim) => example('CreateCertificateBindResourceSyncTask', { CertificateIds: [issued(sim, 'www.example.test')] }),
  CreateCertificateByPackage: (sim) => ({ ProductPid: 1022447, PackageIds: [usablePackage(sim)], DomainCount: '1', Period: 1 }),
  DeleteCertificate: (sim) => example('DeleteCertificate', { CertificateId: cert(sim, 'legacy.example.test') }),
  DeleteCertificates: (sim) => example('DeleteCertificates', { CertificateIds: [cert(sim, 'legacy.example.test')] }),
  DeleteManager: (sim) => example('DeleteManager', { ManagerId: manager(sim, 'none') }),
  DeployCertificateInstance: (sim) => example('DeployCertificateInstance', { CertificateId: cert(sim, '*.example.test'), InstanceIdList: ['img.example.test|off'] }),
  DeployCertificateRecordRetry: async (sim) => {
    sim.state.setInstanceFailure('img.example.test');
    const r = await deployWildcardToCdn(sim);
    settle(sim);
    return { DeployRecordId: r.DeployRecordId };
  },
  DeployCertificateRecordRollback: async (sim) => {
    const r = await deployWildcardToCdn(sim);
    settle(sim);
    return example('DeployCertificateRecordRollback', { DeployRecordId: r.DeployRecordId });
  },
  DescribeCertificate: (sim) => example('DescribeCertificate', { CertificateId: issued(sim, 'www.example.test') }),
  DescribeCertificateBindResourceTaskDetail: async (sim) => {
    const r = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [cert(sim, '*.example.test')], IsCache: 0 });
    settle(sim);
    return example('DescribeCertificateBindResourceTaskDetail', { TaskId: r.CertTaskIds[0].TaskId, Limit: '10', Offset: '0' });
  },
  DescribeCertificateBindResourceTaskResult: async (sim) => {
    const r = await ok(sim, 'CreateCertificateBindResourceSyncTask', { CertificateIds: [cert(sim, '*.example.test')], IsCache: 0 });
    settle(sim);
    return { TaskIds: [r.CertTaskIds[0].TaskId] };
  },
  DescribeCertificateDetail: (sim) => example('DescribeCertificateDetail', { CertificateId: issued(sim, 'www.example.test') }),
  DescribeCertificateOperateLogs: () => example('DescribeCertificateOperateLogs'),
  DescribeCertificates: () => example('DescribeCertificates', { Limit: 1, Offset: 0 }),
  DescribeCompanies: () => example('DescribeCompanies'),
  DescribeDeleteCertificatesTaskResult: async (sim) => {
    const r = await ok(sim, 'DeleteCertificates', { CertificateIds: [cert(sim, 'legacy.example.test')], IsSync: true });
    return { TaskIds: [r.CertTaskIds[0].TaskId] };
  },
  DescribeDeployedResources: (sim) => example('DescribeDeployedResources', { CertificateIds: [issued(sim, 'www.example.test')] }),
  DescribeDownloadCertificateUrl: (sim) => example('DescribeDownloadCertificateUrl', { CertificateId: issued(sim, 'www.example.test') }),
  DescribeHostApiGatewayInstanceList: (sim) => example('DescribeHostApiGatewayInstanceList', { CertificateId: cert(sim, 'api.example.test'), OldCertificateId: undefined }),
  DescribeHostCdnInstanceList: (sim) => example('DescribeHostCdnInstanceList', { CertificateId: cert(sim, '*.example.test'), OldCertificateId: undefined }),
  DescribeHostClbInstanceList: (sim) => example('DescribeHostClbInstanceList', { CertificateId: cert(sim, '*.example.test'), OldCertificateId: undefined }),
  // The documented example names ResourceType "clb" for the COS list.
  DescribeHostCosInstanceList: (sim) => example('DescribeHostCosInstanceList', { CertificateId: cert(sim, 'api.example.test'), ResourceType: 'cos' }),
  DescribeHostDdosInstanceList: (sim) => example('DescribeHostDdosInstanceList', { CertificateId: cert(sim, 'multi.example.test'), OldCertificateId: undefined }),
  DescribeHostDeployRecord: (sim) => example('DescribeHostDeployRecord', { CertificateId: issued(sim, 'www.example.test') }),
  DescribeHostDeployRecordDetail: (sim) => example('DescribeHostDeployRecordDetail', { DeployRecordId: String([...sim.state.deployRecords.keys()][0]) }),
  DescribeHostLighthouseInstanceList: (sim) => example('DescribeHostLighthouseInstanceList', { CertificateId: cert(sim, 'demo.test'), OldCertificateId: undefined }),
  DescribeHostLiveInstanceList: (sim) => example('DescribeHostLiveInstanceList', { CertificateId: cert(sim, 'multi.example.test'), OldCertificateId: undefined }),
  DescribeHostTeoInstanceList: (sim) => example('DescribeHostTeoInstanceList', { CertificateId: cert(sim, '*.example.test'), OldCertificateId: undefined }),
  DescribeHostTkeInstanceList: (sim) => example('DescribeHostTkeInstanceList', { CertificateId: cert(sim, '*.example.test'), OldCertificateId: undefined }),
  DescribeHostUpdateRecord: (sim) => example('DescribeHostUpdateRecord', { OldCertificateId: issued(sim, 'api.example.test') }),
  DescribeHostUpdateRecordDetail: async (sim) => {
    const id = await updateRecord(sim, 'UpdateCertificateInstance', { OldCertificateId: issued(sim, 'api.example.test'), CertificateId: cert(sim, '*.example.test'), ResourceTypes: ['clb'] });
    return example('DescribeHostUpdateRecordDetail', { DeployRecordId: String(id) });
  },
  DescribeHostUploadUpdateRecord: (sim) => example('DescribeHostUploadUpdateRecord', { OldCertificateId: cert(sim, 'upload.example.test') }),
  DescribeHostUploadUpdateRecordDetail: async (sim) => ({ DeployRecordId: await updateRecord(sim, 'UploadUpdateCertificateInstance', uploadUpdate(sim)), Limit: 15, Offset: 0 }),
  DescribeHostVodInstanceList: (sim) => example('DescribeHostVodInstanceList', { CertificateId: cert(sim, 'multi.example.test'), OldCertificateId: undefined }),
  DescribeHostWafInstanceList: (sim) => example('DescribeHostWafInstanceList', { CertificateId: cert(sim, '*.example.test'), OldCertificateId: undefined }),
  DescribeManagerDetail: (sim) => example('DescribeManagerDetail', { ManagerId: manager(sim, 'ok') }),
  DescribeManagers: (sim) => ({ CompanyId: company(sim), Offset: 0, Limit: 10 }),
  DescribePackages: () => example('DescribePackages'),
  DownloadCertificate: (sim) => example('DownloadCertificate', { CertificateId: issued(sim, 'www.example.test') }),
  ModifyCertificateAlias: (sim) => example('ModifyCertificateAlias', { CertificateId: issued(sim, 'www.example.test') }),
  ModifyCertificateProject: (sim) => example('ModifyCertificateProject', { CertificateIdList: [issued(sim, 'www.example.test')] }),
  ModifyCertificateResubmit: (sim) => example('ModifyCertificateResubmit', { CertificateId: cert(sim, 'cancelled.example.test') }),
  ModifyCertificatesExpiringNotificationSwitch: (sim) => example('ModifyCertificatesExpiringNotificationSwitch', { CertificateIds: [issued(sim, 'www.example.test')] }),
  ReplaceCertificate: (sim) => ({ CertificateId: issued(sim, 'api.example.test'), ValidType: 'DNS' }),
  RevokeCertificate: (sim) => example('RevokeCertificate', { CertificateId: issued(sim, 'api.example.test') }),
  SubmitAuditManager: (sim) => example('SubmitAuditManager', { ManagerId: manager(sim, 'none') }),
  SubmitCertificateInformation: (sim) => ({ CertificateId: cert(sim, 'ov.example.test'), CertificateDomain: 'ov.example.test' }),
  UpdateCertificateInstance: (sim) => ({ OldCertificateId: issued(sim, 'api.example.test'), CertificateId: cert(sim, '*.example.test'), ResourceTypes: ['clb'] }),
  UpdateCertificateRecordRetry: async (sim) => {
    const id = await updateRecord(sim, 'UpdateCertificateInstance', {
      OldCertificateId: cert(sim, '*.example.test'),
      CertificateId: cert(sim, 'ev.example.test'),
      ResourceTypes: ['clb'],
      ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-beijing'] }],
    });
    settle(sim);
    return { DeployRecordId: id };
  },
  UpdateCertificateRecordRollback: async (sim) => {
    const id = await updateRecord(sim, 'UpdateCertificateInstance', { OldCertificateId: issued(sim, 'api.example.test'), CertificateId: cert(sim, '*.example.test'), ResourceTypes: ['clb'] });
    settle(sim);
    return example('UpdateCertificateRecordRollback', { DeployRecordId: id });
  },
  UploadCertificate: () => {
    const pem = newPem('fresh-upload.example.test');
    // The example uploads a CA certificate; this one is a server certificate.
    return example('UploadCertificate', { CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key, ProjectId: 0, CertificateType: 'SVR' });
  },
  UploadConfirmLetter: (sim) => ({ CertificateId: cert(sim, 'ov2.example.test'), ConfirmLetter: letter([0x89, 0x50, 0x4e, 0x47]) }),
  UploadRevokeLetter: (sim) => ({ CertificateId: cert(sim, 'revoke-letter.example.test'), RevokeLetter: letter([0x25, 0x50, 0x44, 0x46]) }),
  UploadUpdateCertificateInstance: (sim) => uploadUpdate(sim),
  UploadUpdateCertificateRecordRetry: async (sim) => {
    const lb = [...sim.state.instances.values()].find((i) => i.instanceName === 'upload-lb')!;
    sim.state.setInstanceFailure(lb.key);
    const id = await updateRecord(sim, 'UploadUpdateCertificateInstance', uploadUpdate(sim));
    settle(sim);
    return example('UploadUpdateCertificateRecordRetry', { DeployRecordId: id });
  },
  UploadUpdateCertificateRecordRollback: async (sim) => {
    const id = await updateRecord(sim, 'UploadUpdateCertificateInstance', uploadUpdate(sim));
    settle(sim);
    return example('UploadUpdateCertificateRecordRollback', { DeployRecordId: id });
  },
  VerifyManager: (sim) => example('VerifyManager', { ManagerId: manager(sim, 'ok') }),
};

/** `undefined` overrides drop a member (JSON.stringify would too); keep the expectation exact. */
export function clean(body: Body): Body {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}


// ---- minimal bodies ----------------------------------------------------------------------------

function dummyScalar(type: string): unknown {
  switch (type) {
    case 'Integer':
      return 1;
    case 'Float':
    case 'Double':
      return 1;
    case 'Boolean':
      return false;
    default:
      return 'dummy';
  }
}

function dummyMember(owner: string, m: MemberSpec, depth: number): unknown {
  const one = (): unknown => {
    const allowed = enforcedEnum(owner, m);
    if (allowed?.length) {
      const v = allowed[0];
      return m.type === 'Integer' || m.type === 'Float' || m.type === 'Double' ? Number(v) : v;
    }
    const s = getStructure(m.type);
    if (s) return dummyObject(s.name, s.members, depth + 1);
    // Paging members typed String are decimal strings upstream.
    if ((m.name === 'Limit' || m.name === 'Offset') && m.type === 'String') return '1';
    return dummyScalar(m.type);
  };
  return m.array ? [one()] : one();
}

function dummyObject(owner: string, members: readonly MemberSpec[], depth: number): Record<string, unknown> {
  if (depth > 8) throw new Error(`spec structure nesting too deep at ${owner}`);
  const out: Record<string, unknown> = {};
  for (const m of members) if (m.required) out[m.name] = dummyMember(owner, m, depth);
  return out;
}

/** Smallest body of `action` that the gateway's spec validation accepts. */
export function restBody(action: string): Record<string, unknown> {
  const a = spec.actions[action];
  if (!a) throw new Error(`unknown action ${action}`);
  return dummyObject(`${action}.in`, a.inputs, 0);
}

