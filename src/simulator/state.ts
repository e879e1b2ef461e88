/**
 * In-memory state of the simulated SSL service: certificates, cloud-resource instances, async
 * tasks and deploy records, managers, companies, packages and the operation log.
 *
 * Time: every transition (issuance, revocation, task completion, per-instance deployment steps,
 * expiry) is scheduled at a business timestamp and applied by `tick()`, which the server calls
 * before each request. Business time is `clock() + advanced`, where `advance(ms)` moves time
 * forward for the resources only; signatures are checked against the real clock (plus the
 * clock-skew fault), so tests can fast-forward tasks while still signing with `Date.now()`.
 */
import { Rng } from './rng';
import { fail } from './errors';
import { DAY, MINUTE, SECOND } from './time';
import { issueCertificate, parseCertificate, type IssuedCertificate } from './x509';

export const RESOURCE_TYPES = [
  'clb',
  'cdn',
  'waf',
  'live',
  'vod',
  'ddos',
  'tke',
  'apigateway',
  'tcb',
  'teo',
  'cos',
  'lighthouse',
  'tse',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Resource types whose instances live in a region (the others are global). */
export const REGIONAL_TYPES: ReadonlySet<string> = new Set(['clb', 'tke', 'apigateway', 'waf', 'tcb', 'cos', 'tse', 'lighthouse']);

export function isResourceType(v: string): v is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(v);
}

export interface TaskDurations {
  /** ApplyCertificate → Status 1 (issued). */
  dvIssue: number;
  /** ApplyCertificate → domain validation passes (CheckCertificateDomainVerification). */
  dvVerify: number;
  /** Paid certificate: order submitted → issued. */
  paidIssue: number;
  /** ReplaceCertificate: reissued certificate Status 11 → 1. */
  reissue: number;
  /** RevokeCertificate: Status 9 → 10. */
  revoke: number;
  /** CancelCertificateOrder on a paid order: Status 6 → 7. */
  cancel: number;
  /** CreateCertificateBindResourceSyncTask: Status 0 → 1/2. */
  bindTask: number;
  /** DeleteCertificates(IsSync) / DeleteCertificate(IsCheckResource): task Status 0 → final. */
  deleteTask: number;
  /** Deployment of one instance (pending → running → done), staggered per instance. */
  deployStep: number;
  /** UpdateCertificateInstance / UploadUpdateCertificateInstance: window during which DeployRecordId = 0. */
  updateCreate: number;
  /** SubmitAuditManager / VerifyManager: audit → ok. */
  managerAudit: number;
  /** How long a finished bind-resource task is reused when IsCache = 1. */
  bindTaskCache: number;
}

export const DEFAULT_DURATIONS: TaskDurations = {
  dvIssue: 30 * SECOND,
  dvVerify: 10 * SECOND,
  paidIssue: 5 * MINUTE,
  reissue: 30 * SECOND,
  revoke: 10 * SECOND,
  cancel: 10 * SECOND,
  bindTask: 2 * SECOND,
  deleteTask: 2 * SECOND,
  deployStep: 2 * SECOND,
  updateCreate: 1 * SECOND,
  managerAudit: 1 * MINUTE,
  bindTaskCache: 30 * MINUTE,
};

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface DvAuth {
  key: string;
  value: string;
  domain: string;
  path: string;
  subDomain: string;
  verifyType: string;
}

export interface CertRecord {
  id: string;
  ownerUin: string;
  projectId: number;
  /** trustasia | upload | wosign | sheca | dnspod ... ('upload' for uploaded certificates). */
  from: string;
  /** Documented package type code; null for uploaded certificates. */
  packageType: string | null;
  productZhName: string;
  certificateType: 'SVR' | 'CA';
  /** DV / OV / EV. */
  certLevel: 'DV' | 'OV' | 'EV';
  domain: string;
  /** Other domains (without the main domain). */
  altNames: string[];
  alias: string;
  status: number;
  statusMsg: string;
  verifyType: string;
  validityMonths: number;
  insertTime: number;
  certBegin?: number;
  certEnd?: number;
  orderId: string;
  dealId: string;
  isPaid: boolean;
  isSM: boolean;
  encryptAlgorithm: 'RSA' | 'ECC' | 'SM2';
  keyParameter: string;
  tags: Tag[];
  ignoreExpiringNotice: boolean;
  allowDownload: boolean;
  vulnerability: boolean;
  companyType: 1 | 2;
  domainNumber: number;
  periodYears: number;
  managerId?: number;
  companyId?: number;
  autoRenewFlag: 0 | 1;
  /** CertificateExtra.OriginCertificateId: the certificate this one renews. */
  originCertificateId?: string;
  /** CertificateExtra.RenewOrder: the renewal of this certificate. */
  renewOrder?: string;
  /** CertificateExtra.ReplacedBy: the original certificate of a reissue. */
  replacedBy?: string;
  /** CertificateExtra.ReplacedFor: the reissued certificate. */
  replacedFor?: string;
  submitted?: Record<string, unknown>;
  dvAuths: DvAuth[];
  revokeAuths: DvAuth[];
  /** Scheduled transitions (business ms). */
  issueAt?: number;
  verifyAt?: number;
  revokeAt?: number;
  cancelAt?: number;
  revokedAt?: number;
  validationPassedAt?: number;
  /** Key material; generated lazily for issued certificates, set on upload. */
  material?: IssuedCertificate;
  /** Uploaded certificates keep the PEM as given. */
  uploadedPublicKey?: string;
  uploadedPrivateKey?: string;
  fingerprint?: string;
  deleteDnsAutoRecord: boolean;
  csrKeyPassword?: string;
  /** The domain validation of this certificate fails (status 2 at issue time). */
  failValidation?: boolean;
  /** Bind-resource tasks for this certificate fail with this error. */
  bindTaskError?: { Code: string; Message: string };
  hostingStatus?: number;
  confirmLetterUploaded?: boolean;
  revokeLetterUploaded?: boolean;
  reissueCount: number;
}

export interface HostInstance {
  /** Internal unique key. */
  key: string;
  resourceType: ResourceType;
  /** Region for regional types, '' otherwise. */
  region: string;
  /** The documented InstanceIdList entry for DeployCertificateInstance. */
  deployId: string;
  instanceId: string;
  instanceName: string;
  domains: string[];
  /** Currently bound certificate ('' = none). */
  certId: string;
  caCertId?: string;
  protocol?: string;
  listenerId?: string;
  listenerName?: string;
  sniSwitch?: number;
  forward?: number;
  locationId?: string;
  url?: string;
  sslMode?: string;
  port?: number;
  status?: string;
  httpsBillingSwitch?: string;
  virtualPort?: string;
  keepalive?: number;
  liveStatus?: number;
  clusterName?: string;
  clusterType?: string;
  clusterVersion?: string;
  namespace?: string;
  secretName?: string;
  ingressName?: string;
  bucket?: string;
  zoneId?: string;
  ips?: string[];
  envId?: string;
  envName?: string;
  tcbType?: 'AccessService' | 'HostService';
  gatewayId?: string;
  gatewayName?: string;
  /** Deployments to this instance fail (to exercise the Retry actions). */
  failDeploy?: boolean;
}

export type DeployKind = 'deploy' | 'update' | 'uploadUpdate';

export interface DeployDetail {
  id: number;
  recordId: number;
  instanceKey: string;
  resourceType: ResourceType;
  region: string;
  /** Certificate being deployed. */
  certId: string;
  /** Certificate bound before this deployment. */
  oldCertId: string;
  /** 0 pending, 1 success, 2 failed, 3 running, 4 rolled back, 5 rollback failed, 6 nothing to do. */
  status: number;
  errorMsg: string;
  createdAt: number;
  updatedAt: number;
  startAt: number;
  doneAt: number;
  /** Snapshot of the instance as it was deployed. */
  instance: HostInstance;
}

export interface DeployRecordEntity {
  id: number;
  kind: DeployKind;
  /** 0 deployment, 1 rollback. */
  type: 0 | 1;
  certId: string;
  oldCertId: string;
  resourceTypes: ResourceType[];
  regions: string[];
  createdAt: number;
  updatedAt: number;
  details: DeployDetail[];
  rollbackOf?: number;
  /** uploadUpdate: certificate material before the update (restored by rollback). */
  previousMaterial?: CertMaterialSnapshot;
  newMaterial?: CertMaterialSnapshot;
}

export interface CertMaterialSnapshot {
  material?: IssuedCertificate;
  uploadedPublicKey?: string;
  uploadedPrivateKey?: string;
  fingerprint?: string;
  domain: string;
  altNames: string[];
  certBegin?: number;
  certEnd?: number;
}

export interface PendingUpdate {
  kind: 'update' | 'uploadUpdate';
  key: string;
  oldCertId: string;
  certId: string;
  resourceTypes: ResourceType[];
  regionsByType: Map<string, string[]>;
  startedAt: number;
  readyAt: number;
  recordId?: number;
  claimed: boolean;
  newMaterial?: CertMaterialSnapshot;
}

export interface BindTask {
  id: string;
  certId: string;
  createdAt: number;
  doneAt: number;
  status: 0 | 1 | 2;
  error?: { Code: string; Message: string };
  /** Instances bound to the certificate when the task finished. */
  results?: HostInstance[];
}

export interface DeleteTask {
  id: string;
  certId: string;
  domains: string[];
  createdAt: number;
  doneAt: number;
  /** 0 running, 1 ok, 2 failed, 3 role not authorized, 4 bound resources, 5 resource query timeout. */
  status: number;
  error: string;
}

export interface Company {
  id: number;
  name: string;
  country: string;
  province: string;
  city: string;
  address: string;
  phone: string;
  idType: string;
  idNumber: string;
  tags: Tag[];
}

export interface Manager {
  id: number;
  companyId: number;
  firstName: string;
  lastName: string;
  position: string;
  phone: string;
  mail: string;
  department: string;
  contactFirstName: string;
  contactLastName: string;
  contactPosition: string;
  contactPhone: string;
  contactMail: string;
  /** none | audit | CAaudit | ok | invalid | expiring | expired */
  status: string;
  createdAt: number;
  submitAuditAt?: number;
  verifyAt?: number;
  expireAt?: number;
  auditDoneAt?: number;
  domains: string[];
  tags: Tag[];
}

export interface PackageEntity {
  id: string;
  total: number;
  balance: number;
  type: string;
  pid: number;
  sourceUin?: number;
  status: string;
  createdAt: number;
  updatedAt: number;
  expireAt: number;
  sourceType: string;
}

export interface OperationLogEntry {
  at: number;
  certId: string;
  type: string;
  action: string;
  uin: string;
  subAccountUin: string;
}

export interface StateOptions {
  /** Base clock (ms). */
  clock: () => number;
  seed: number;
  demoData: boolean;
  durations: Partial<TaskDurations>;
  ownerUin: string;
  /** Max free DV certificates an account may hold (FailedOperation.ExceedsFreeLimit). */
  freeCertLimit: number;
}

export const FREE_PACKAGE_TYPE = '83';

export class SimState {
  readonly durations: TaskDurations;
  readonly ownerUin: string;
  readonly freeCertLimit: number;
  rng: Rng;
  private advancedMs = 0;
  private readonly clock: () => number;
  private readonly seedValue: number;

  certificates = new Map<string, CertRecord>();
  instances = new Map<string, HostInstance>();
  deployRecords = new Map<number, DeployRecordEntity>();
  pendingUpdates: PendingUpdate[] = [];
  bindTasks = new Map<string, BindTask>();
  deleteTasks = new Map<string, DeleteTask>();
  companies = new Map<number, Company>();
  managers = new Map<number, Manager>();
  packages = new Map<string, PackageEntity>();
  operationLogs: OperationLogEntry[] = [];
  /** Download tokens handed out by DescribeDownloadCertificateUrl. */
  downloads = new Map<string, { certId: string; serviceType: string; expiresAt: number }>();
  /** Whether the SSL service-linked role is authorized (DeleteCertificates IsSync). */
  linkedRoleAuthorized = true;

  private nextDeployRecordId = 1000;
  private nextDeployDetailId = 170000;
  private nextBindTaskId = 748600;
  private nextDeleteTaskId = 1;
  private nextOrderSeq = 1;
  nextManagerId = 18000;
  nextCompanyId = 30;

  constructor(opts: StateOptions, seedData?: (state: SimState) => void) {
    this.clock = opts.clock;
    this.durations = { ...DEFAULT_DURATIONS, ...opts.durations };
    this.ownerUin = opts.ownerUin;
    this.freeCertLimit = opts.freeCertLimit;
    this.seedValue = opts.seed;
    this.rng = new Rng(opts.seed);
    if (opts.demoData && seedData) seedData(this);
  }

  /** Business time (ms). */
  now(): number {
    return this.clock() + this.advancedMs;
  }

  /** Moves business time forward and applies the transitions that became due. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError('advance(ms) needs ms >= 0');
    this.advancedMs += ms;
    this.tick();
    return this.now();
  }

  get advanced(): number {
    return this.advancedMs;
  }

  /** Clears everything (and re-seeds demo data when a seeder is given). */
  clear(seedData?: (state: SimState) => void): void {
    this.certificates.clear();
    this.instances.clear();
    this.deployRecords.clear();
    this.pendingUpdates = [];
    this.bindTasks.clear();
    this.deleteTasks.clear();
    this.companies.clear();
    this.managers.clear();
    this.packages.clear();
    this.operationLogs = [];
    this.downloads.clear();
    this.linkedRoleAuthorized = true;
    this.rng = new Rng(this.seedValue);
    this.nextDeployRecordId = 1000;
    this.nextDeployDetailId = 170000;
    this.nextBindTaskId = 748600;
    this.nextDeleteTaskId = 1;
    this.nextOrderSeq = 1;
    this.nextManagerId = 18000;
    this.nextCompanyId = 30;
    if (seedData) seedData(this);
  }

  // ---- ids -------------------------------------------------------------------------------------

  newCertId(): string {
    for (;;) {
      const id = this.rng.id(8);
      if (!this.certificates.has(id)) return id;
    }
  }

  newOrderId(prefix = 'SIM'): string {
    return `${prefix}${String(this.nextOrderSeq++).padStart(8, '0')}`;
  }

  newDeployRecordId(): number {
    return this.nextDeployRecordId++;
  }

  newDeployDetailId(): number {
    return this.nextDeployDetailId++;
  }

  newBindTaskId(): string {
    return String(this.nextBindTaskId++);
  }

  newDeleteTaskId(): string {
    return String(this.nextDeleteTaskId++);
  }

  // ---- lookups -----------------------------------------------------------------------------------

  getCertificate(id: string): CertRecord | undefined {
    return this.certificates.get(id);
  }

  /** The certificate or FailedOperation.CertificateNotFound. */
  requireCertificate(id: string, code = 'FailedOperation.CertificateNotFound'): CertRecord {
    const cert = this.certificates.get(id);
    if (!cert) fail(code, `The certificate \`${id}\` does not exist.`);
    return cert;
  }

  boundInstances(certId: string, types?: readonly string[]): HostInstance[] {
    return [...this.instances.values()].filter(
      (i) => (i.certId === certId || i.caCertId === certId) && (!types || types.includes(i.resourceType)),
    );
  }

  instancesOfType(type: string): HostInstance[] {
    return [...this.instances.values()].filter((i) => i.resourceType === type);
  }

  addInstance(instance: HostInstance): HostInstance {
    this.instances.set(instance.key, instance);
    return instance;
  }

  /** Makes deployments to an instance fail (or succeed again); by key or deployId. */
  setInstanceFailure(keyOrDeployId: string, fail = true): void {
    const inst = this.instances.get(keyOrDeployId) ?? [...this.instances.values()].find((i) => i.deployId === keyOrDeployId);
    if (!inst) throw new Error(`unknown instance ${keyOrDeployId}`);
    inst.failDeploy = fail;
  }

  log(certId: string, type: string, action: string, uin = this.ownerUin): void {
    this.operationLogs.push({ at: this.now(), certId, type, action, uin, subAccountUin: uin });
  }

  // ---- certificates ------------------------------------------------------------------------------

  /** Creates (or returns) the certificate's key material for issued certificates. */
  materialize(cert: CertRecord): IssuedCertificate | undefined {
    if (cert.material) return cert.material;
    if (cert.uploadedPublicKey) return undefined;
    if (cert.certBegin === undefined || cert.certEnd === undefined) return undefined;
    cert.material = issueCertificate({
      commonName: cert.domain,
      altNames: [cert.domain, ...cert.altNames],
      notBefore: cert.certBegin,
      notAfter: cert.certEnd,
      algorithm: cert.encryptAlgorithm === 'RSA' ? 'RSA' : 'ECC',
      organization: cert.certLevel === 'DV' ? undefined : 'Example Test Co., Ltd.',
      isCa: cert.certificateType === 'CA',
    });
    cert.fingerprint = cert.material.fingerprintSha1;
    return cert.material;
  }

  publicKeyPem(cert: CertRecord): string | undefined {
    if (cert.uploadedPublicKey) return cert.uploadedPublicKey;
    return this.materialize(cert)?.chainPem;
  }

  privateKeyPem(cert: CertRecord): string | undefined {
    if (cert.uploadedPublicKey) return cert.uploadedPrivateKey;
    return this.materialize(cert)?.privateKeyPem;
  }

  fingerprintOf(cert: CertRecord): string | undefined {
    if (cert.fingerprint) return cert.fingerprint;
    const pem = this.publicKeyPem(cert);
    if (!pem) return undefined;
    const parsed = parseCertificate(pem);
    cert.fingerprint = parsed?.fingerprintSha1;
    return cert.fingerprint;
  }

  private issue(cert: CertRecord, at: number): void {
    if (cert.failValidation) {
      cert.status = 2;
      cert.statusMsg = 'CA审核失败，域名未通过安全审查';
      cert.issueAt = undefined;
      return;
    }
    cert.status = 1;
    cert.statusMsg = '';
    cert.certBegin = at;
    cert.certEnd = at + (cert.validityMonths >= 12 ? (cert.validityMonths / 12) * 365 * DAY : cert.validityMonths * 30 * DAY);
    cert.validationPassedAt ??= at;
    cert.issueAt = undefined;
    cert.material = undefined;
    cert.fingerprint = undefined;
    this.log(cert.id, 'issue', `证书[id: ${cert.id}] 已签发`);
  }

  // ---- transitions -------------------------------------------------------------------------------

  /** Applies every transition due at the current business time. */
  tick(): void {
    const now = this.now();
    for (const cert of this.certificates.values()) {
      if (cert.verifyAt !== undefined && cert.verifyAt <= now) {
        cert.validationPassedAt = cert.verifyAt;
        cert.verifyAt = undefined;
        if (cert.status === 0 || cert.status === 4) cert.statusMsg = 'WAIT-ISSUE';
      }
      if (cert.issueAt !== undefined && cert.issueAt <= now && [0, 4, 11].includes(cert.status)) {
        this.issue(cert, cert.issueAt);
      }
      if (cert.revokeAt !== undefined && cert.revokeAt <= now && cert.status === 9) {
        cert.status = 10;
        cert.revokedAt = cert.revokeAt;
        cert.revokeAt = undefined;
        this.log(cert.id, 'revoke', `证书[id: ${cert.id}] 已吊销`);
      }
      if (cert.cancelAt !== undefined && cert.cancelAt <= now && cert.status === 6) {
        cert.status = 7;
        cert.cancelAt = undefined;
      }
      if (cert.status === 1 && cert.certEnd !== undefined && cert.certEnd <= now) cert.status = 3;
    }
    for (const task of this.bindTasks.values()) {
      if (task.status === 0 && task.doneAt <= now) {
        const cert = this.certificates.get(task.certId);
        if (cert?.bindTaskError) {
          task.status = 2;
          task.error = { ...cert.bindTaskError };
        } else {
          task.status = 1;
          task.results = this.boundInstances(task.certId).map((i) => ({ ...i }));
        }
      }
    }
    this.tickDeployments(now);
    for (const task of [...this.deleteTasks.values()].sort((a, b) => a.doneAt - b.doneAt)) {
      if (task.status !== 0 || task.doneAt > now) continue;
      const cert = this.certificates.get(task.certId);
      if (!this.linkedRoleAuthorized) {
        task.status = 3;
        task.error = '未授权服务角色SSL_QCSLinkedRoleInReplaceLoadCertificate';
      } else if (!cert) {
        task.status = 1;
      } else if (this.boundInstances(cert.id).length > 0) {
        task.status = 4;
        task.error = '有未解绑的云资源';
      } else if (cert.status === 9 || cert.status === 11 || cert.status === 6) {
        task.status = 2;
        task.error = '当前的证书状态不支持此操作';
      } else {
        task.status = 1;
        this.deleteCertificate(cert.id);
      }
    }
    for (const m of this.managers.values()) {
      if (m.auditDoneAt !== undefined && m.auditDoneAt <= now && (m.status === 'audit' || m.status === 'CAaudit')) {
        m.status = 'ok';
        m.verifyAt = m.auditDoneAt;
        m.expireAt = m.auditDoneAt + 365 * DAY;
        m.auditDoneAt = undefined;
      }
      if (m.status === 'ok' && m.expireAt !== undefined) {
        if (m.expireAt <= now) m.status = 'expired';
        else if (m.expireAt - now <= 30 * DAY) m.status = 'expiring';
      }
    }
    for (const [token, d] of this.downloads) if (d.expiresAt <= now) this.downloads.delete(token);
  }

  deleteCertificate(id: string): void {
    this.certificates.delete(id);
    for (const t of this.bindTasks.values()) if (t.certId === id && t.status === 0) t.status = 2;
  }

  private tickDeployments(now: number): void {
    // Pending update creations become records.
    for (const p of this.pendingUpdates) {
      if (p.recordId === undefined && p.readyAt <= now) p.recordId = this.createUpdateRecord(p, p.readyAt).id;
    }
    const due: DeployDetail[] = [];
    for (const r of this.deployRecords.values()) for (const d of r.details) if (d.status === 0 || d.status === 3) due.push(d);
    due.sort((a, b) => a.doneAt - b.doneAt || a.id - b.id);
    for (const d of due) {
      if (d.status === 0 && d.startAt <= now) {
        d.status = 3;
        d.updatedAt = d.startAt;
      }
      if (d.status === 3 && d.doneAt <= now) this.finishDetail(d);
    }
  }

  private finishDetail(d: DeployDetail): void {
    const record = this.deployRecords.get(d.recordId);
    const inst = this.instances.get(d.instanceKey);
    d.updatedAt = d.doneAt;
    if (!inst || inst.failDeploy) {
      d.status = 2;
      d.errorMsg = inst ? `deploy to ${inst.resourceType} instance ${inst.instanceId} failed: simulated failure` : 'instance no longer exists';
    } else {
      d.status = 1;
      d.errorMsg = '';
      inst.certId = d.certId;
    }
    if (record) {
      record.updatedAt = Math.max(record.updatedAt, d.doneAt);
      if (record.type === 1 && record.rollbackOf !== undefined) {
        const original = this.deployRecords.get(record.rollbackOf);
        const orig = original?.details.find((o) => o.instanceKey === d.instanceKey && o.status === 1);
        if (orig) {
          orig.status = d.status === 1 ? 4 : 5;
          orig.updatedAt = d.doneAt;
        }
        if (original) original.updatedAt = Math.max(original.updatedAt, d.doneAt);
      }
    }
  }

  /** Schedules deployment details for a record; instance i starts after i steps. */
  scheduleDetails(
    record: DeployRecordEntity,
    targets: { instance: HostInstance; certId: string; oldCertId: string }[],
    at: number,
  ): void {
    const step = this.durations.deployStep;
    targets.forEach((t, i) => {
      record.details.push({
        id: this.newDeployDetailId(),
        recordId: record.id,
        instanceKey: t.instance.key,
        resourceType: t.instance.resourceType,
        region: t.instance.region,
        certId: t.certId,
        oldCertId: t.oldCertId,
        status: 0,
        errorMsg: '',
        createdAt: at,
        updatedAt: at,
        startAt: at + Math.floor((i * step) / 2),
        doneAt: at + Math.floor((i * step) / 2) + step,
        instance: { ...t.instance },
      });
    });
  }

  createRecord(init: Omit<DeployRecordEntity, 'id' | 'details' | 'updatedAt'>): DeployRecordEntity {
    const record: DeployRecordEntity = { ...init, id: this.newDeployRecordId(), details: [], updatedAt: init.createdAt };
    this.deployRecords.set(record.id, record);
    return record;
  }

  /** Creates the record of a pending UpdateCertificateInstance / UploadUpdateCertificateInstance. */
  createUpdateRecord(p: PendingUpdate, at: number): DeployRecordEntity {
    const instances = this.updateTargets(p.oldCertId, p.resourceTypes, p.regionsByType);
    const regions = [...new Set(instances.map((i) => i.region).filter(Boolean))];
    const record = this.createRecord({
      kind: p.kind,
      type: 0,
      certId: p.certId,
      oldCertId: p.oldCertId,
      resourceTypes: p.resourceTypes,
      regions,
      createdAt: at,
    });
    if (p.kind === 'uploadUpdate' && p.newMaterial) {
      const cert = this.certificates.get(p.oldCertId);
      if (cert) {
        record.previousMaterial = snapshotMaterial(cert);
        record.newMaterial = p.newMaterial;
        applyMaterial(cert, p.newMaterial);
      }
    }
    this.scheduleDetails(
      record,
      instances.map((instance) => ({ instance, certId: p.certId, oldCertId: p.oldCertId })),
      at,
    );
    return record;
  }

  updateTargets(oldCertId: string, types: readonly string[], regionsByType: Map<string, string[]>): HostInstance[] {
    return this.boundInstances(oldCertId, types).filter((i) => {
      if (!REGIONAL_TYPES.has(i.resourceType)) return true;
      const regions = regionsByType.get(i.resourceType);
      return !regions || regions.length === 0 || regions.includes(i.region);
    });
  }

  /** Aggregate status: 0 pending, 3 running, 1 success, 2 failed, 4 rolled back, 5 rollback failed. */
  recordStatus(record: DeployRecordEntity): number {
    const ds = record.details;
    if (ds.length === 0) return 1;
    if (ds.every((d) => d.status === 0)) return 0;
    if (ds.some((d) => d.status === 0 || d.status === 3)) return 3;
    if (ds.some((d) => d.status === 2)) return 2;
    if (ds.some((d) => d.status === 5)) return 5;
    if (ds.every((d) => d.status === 4)) return 4;
    return 1;
  }

  isRunning(record: DeployRecordEntity): boolean {
    const s = this.recordStatus(record);
    return s === 0 || s === 3;
  }

  /** Status of a certificate-level "can it be used" check. */
  isUsable(cert: CertRecord): boolean {
    return cert.status === 1;
  }

  rngFor(): Rng {
    return this.rng;
  }
}

export function snapshotMaterial(cert: CertRecord): CertMaterialSnapshot {
  return {
    material: cert.material,
    uploadedPublicKey: cert.uploadedPublicKey,
    uploadedPrivateKey: cert.uploadedPrivateKey,
    fingerprint: cert.fingerprint,
    domain: cert.domain,
    altNames: [...cert.altNames],
    certBegin: cert.certBegin,
    certEnd: cert.certEnd,
  };
}

export function applyMaterial(cert: CertRecord, m: CertMaterialSnapshot): void {
  cert.material = m.material;
  cert.uploadedPublicKey = m.uploadedPublicKey;
  cert.uploadedPrivateKey = m.uploadedPrivateKey;
  cert.fingerprint = m.fingerprint;
  cert.domain = m.domain;
  cert.altNames = [...m.altNames];
  cert.certBegin = m.certBegin;
  cert.certEnd = m.certEnd;
}

/** Does the certificate (main domain + SANs) cover `host`? Supports `*.` wildcards. */
export function certCovers(cert: CertRecord, host: string): boolean {
  const h = host.toLowerCase();
  return [cert.domain, ...cert.altNames].some((d) => domainMatches(d.toLowerCase(), h));
}

export function domainMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length;
  }
  return false;
}
