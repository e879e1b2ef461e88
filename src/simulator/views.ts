/**
 * Entity → documented structure mappings. Values that the simulator does not model are left out
 * and filled by shape.ts (null where the doc says "may be null", zero values otherwise).
 */
import { getStructure } from '../spec/index';
import type { CertRecord, DeployDetail, HostInstance, SimState } from './state';
import { DAY, formatIsoMicros, formatTime } from './time';
import { parseCertificate, simulatorRootPem } from './x509';

type Obj = Record<string, unknown>;

/** `code → name` parsed from a documented member description such as `2：TrustAsia TLS RSA CA，3：...`. */
function codeNames(structure: string, member: string): Map<string, string> {
  const out = new Map<string, string>();
  const m = getStructure(structure)?.members.find((x) => x.name === member);
  if (!m) return out;
  const re = /(\d+)\s*[：:]\s*([^，,\n]+?)(?=\s*(?:[，,\n]|\d+\s*[：:]|$))/g;
  for (const hit of m.description.matchAll(re)) {
    if (!out.has(hit[1])) out.set(hit[1], hit[2].trim());
  }
  if (out.size === 0 && m.enum) for (const e of m.enum) out.set(e.value, e.meaning);
  return out;
}

let packageNames: Map<string, string> | undefined;
let statusNames: Map<string, string> | undefined;

export function packageTypeName(code: string | null): string {
  if (code === null) return '';
  packageNames ??= codeNames('Certificates', 'PackageType');
  return packageNames.get(code) ?? `Package ${code}`;
}

export function statusName(status: number): string {
  if (!statusNames) {
    statusNames = new Map();
    const m = getStructure('Certificates')?.members.find((x) => x.name === 'Status');
    for (const e of m?.enum ?? []) statusNames.set(e.value, e.meaning);
  }
  return statusNames.get(String(status)) ?? String(status);
}

export const fmt = (ms: number | undefined): string => (ms === undefined ? '' : formatTime(ms));
const fmtOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : formatTime(ms));

export function allDomains(cert: CertRecord): string[] {
  return [cert.domain, ...cert.altNames.filter((d) => d !== cert.domain)];
}

export function isWildcard(cert: CertRecord): boolean {
  return allDomains(cert).some((d) => d.startsWith('*.'));
}

export function domainType(cert: CertRecord): number {
  const all = allDomains(cert);
  const wildcard = all.some((d) => d.startsWith('*.'));
  if (all.length > 1) return wildcard ? 4 : 2;
  return wildcard ? 3 : 1;
}

export function isExpiring(state: SimState, cert: CertRecord): boolean {
  return cert.status === 1 && cert.certEnd !== undefined && cert.certEnd - state.now() <= 30 * DAY;
}

export function isUpload(cert: CertRecord): boolean {
  return cert.from === 'upload';
}

function renewAble(state: SimState, cert: CertRecord): boolean {
  return !isUpload(cert) && (cert.status === 1 || cert.status === 3) && !cert.renewOrder && (cert.status === 3 || isExpiring(state, cert));
}

function deployable(cert: CertRecord): boolean {
  return cert.status === 1 && cert.certificateType === 'SVR';
}

export function certificateExtra(cert: CertRecord): Obj {
  return {
    DomainNumber: String(cert.domainNumber),
    OriginCertificateId: cert.originCertificateId ?? null,
    ReplacedBy: cert.replacedBy ?? null,
    ReplacedFor: cert.replacedFor ?? null,
    RenewOrder: cert.renewOrder ?? null,
    SMCert: cert.isSM ? 1 : 0,
    CompanyType: cert.companyType,
  };
}

function dvAuthDetail(cert: CertRecord): Obj | null {
  if (!cert.dvAuths.length) return null;
  const first = cert.dvAuths[0];
  return {
    DvAuthKey: first.key,
    DvAuthValue: first.value,
    DvAuthDomain: first.domain,
    DvAuthPath: first.path,
    DvAuthKeySubDomain: first.subDomain,
    DvAuths: cert.dvAuths.map(dvAuths),
  };
}

function dvAuths(a: CertRecord['dvAuths'][number]): Obj {
  return {
    DvAuthKey: a.key,
    DvAuthValue: a.value,
    DvAuthDomain: a.domain,
    DvAuthPath: a.path,
    DvAuthSubDomain: a.subDomain,
    DvAuthVerifyType: a.verifyType,
  };
}

function caInfo(state: SimState, cert: CertRecord): { algorithms: string[]; names: string[]; ends: string[] } | null {
  if (cert.certificateType !== 'CA') return null;
  const pem = state.publicKeyPem(cert);
  const parsed = pem ? parseCertificate(pem) : undefined;
  return {
    algorithms: [parsed ? (parsed.keyType === 'rsa' ? 'RSA' : 'ECC') : cert.encryptAlgorithm],
    names: [parsed?.commonName ?? cert.domain],
    ends: [fmt(parsed?.notAfter ?? cert.certEnd)],
  };
}

export function projectInfo(state: SimState, cert: CertRecord): Obj {
  return {
    ProjectName: cert.projectId === 0 ? '默认项目' : `project-${cert.projectId}`,
    ProjectCreatorUin: Number(state.ownerUin),
    ProjectCreateTime: '2020-01-01 00:00:00',
    ProjectResume: '',
    OwnerUin: Number(state.ownerUin),
    ProjectId: String(cert.projectId),
  };
}

function supportDownloadType(cert: CertRecord): Obj {
  const ok = cert.allowDownload && (cert.status === 1 || cert.status === 3);
  return { NGINX: ok, APACHE: ok, TOMCAT: ok, IIS: ok, JKS: ok, OTHER: ok, ROOT: ok };
}

export function boundResourceTypes(state: SimState, cert: CertRecord): string[] {
  return [...new Set(state.boundInstances(cert.id).map((i) => i.resourceType))].sort();
}

function submittedData(cert: CertRecord): Obj | null {
  if (!cert.submitted) return null;
  const allowed = new Set((getStructure('SubmittedData')?.members ?? []).map((m) => m.name));
  return Object.fromEntries(Object.entries(cert.submitted).filter(([k]) => allowed.has(k)));
}

/** The `Certificates` structure (DescribeCertificates). */
export function certificatesItem(state: SimState, cert: CertRecord): Obj {
  const ca = caInfo(state, cert);
  const all = allDomains(cert);
  return {
    OwnerUin: cert.ownerUin,
    ProjectId: String(cert.projectId),
    From: cert.from,
    PackageType: cert.packageType,
    CertificateType: cert.certificateType,
    ProductZhName: cert.productZhName,
    Domain: cert.domain,
    Alias: cert.alias,
    Status: cert.status,
    CertificateExtra: certificateExtra(cert),
    VulnerabilityStatus: cert.vulnerability ? 'ACTIVE' : 'INACTIVE',
    StatusMsg: cert.statusMsg,
    VerifyType: cert.verifyType,
    CertBeginTime: fmt(cert.certBegin),
    CertEndTime: fmt(cert.certEnd),
    ValidityPeriod: String(cert.validityMonths),
    InsertTime: fmt(cert.insertTime),
    CertificateId: cert.id,
    SubjectAltName: all,
    PackageTypeName: packageTypeName(cert.packageType),
    StatusName: statusName(cert.status),
    IsVip: cert.isPaid,
    IsDv: cert.certLevel === 'DV',
    IsWildcard: isWildcard(cert),
    IsVulnerability: cert.vulnerability,
    RenewAble: renewAble(state, cert),
    ProjectInfo: projectInfo(state, cert),
    BoundResource: boundResourceTypes(state, cert),
    Deployable: deployable(cert),
    Tags: cert.tags.map((t) => ({ ...t })),
    IsIgnore: cert.ignoreExpiringNotice,
    IsSM: cert.isSM,
    EncryptAlgorithm: cert.encryptAlgorithm,
    CAEncryptAlgorithms: ca?.algorithms ?? [],
    CAEndTimes: ca?.ends ?? [],
    CACommonNames: ca?.names ?? [],
    PreAuditInfo: cert.managerId !== undefined ? { TotalPeriod: cert.periodYears, NowPeriod: 1, ManagerId: String(cert.managerId) } : undefined,
    AutoRenewFlag: cert.autoRenewFlag,
    HostingStatus: cert.hostingStatus ?? 0,
    HasRenewOrder: cert.renewOrder ?? '',
    ReplaceOriCertIsDelete: false,
    IsExpiring: isExpiring(state, cert),
    DVAuthDeadline: cert.status === 0 || cert.status === 4 ? fmt(cert.insertTime + 7 * DAY) : '',
    ValidationPassedTime: fmt(cert.validationPassedAt),
    CertSANs: all,
    AwaitingValidationMsg: cert.status === 0 || cert.status === 4 ? cert.statusMsg : '',
    AllowDownload: cert.allowDownload,
    IsDNSPODResolve: cert.verifyType === 'DNS_AUTO',
    IsPackage: cert.packageType !== null && cert.packageType !== '83' && cert.isPaid && !!cert.dealId.startsWith('PKG'),
    KeyPasswordCustomFlag: !!cert.csrKeyPassword,
    SupportDownloadType: supportDownloadType(cert),
    CertRevokedTime: fmt(cert.revokedAt),
    HostingResourceTypes: [],
    IsHostingUploadRenewCert: false,
  };
}

/** Output of DescribeCertificate (every member may be null). */
export function describeCertificate(state: SimState, cert: CertRecord): Obj {
  const item = certificatesItem(state, cert);
  return {
    OwnerUin: item.OwnerUin,
    ProjectId: item.ProjectId,
    From: item.From,
    CertificateType: item.CertificateType,
    PackageType: item.PackageType,
    ProductZhName: item.ProductZhName,
    Domain: item.Domain,
    Alias: item.Alias,
    Status: item.Status,
    StatusMsg: item.StatusMsg,
    VerifyType: item.VerifyType,
    VulnerabilityStatus: item.VulnerabilityStatus,
    CertBeginTime: fmtOrNull(cert.certBegin),
    CertEndTime: fmtOrNull(cert.certEnd),
    ValidityPeriod: item.ValidityPeriod,
    InsertTime: item.InsertTime,
    OrderId: cert.orderId || null,
    CertificateExtra: item.CertificateExtra,
    DvAuthDetail: dvAuthDetail(cert),
    VulnerabilityReport: null,
    CertificateId: cert.id,
    PackageTypeName: item.PackageTypeName,
    StatusName: item.StatusName,
    SubjectAltName: item.SubjectAltName,
    IsVip: item.IsVip,
    IsWildcard: item.IsWildcard,
    IsDv: item.IsDv,
    IsVulnerability: item.IsVulnerability,
    RenewAble: item.RenewAble,
    SubmittedData: submittedData(cert),
    Deployable: item.Deployable,
    Tags: item.Tags,
    CAEncryptAlgorithms: cert.certificateType === 'CA' ? item.CAEncryptAlgorithms : null,
    CACommonNames: cert.certificateType === 'CA' ? item.CACommonNames : null,
    CAEndTimes: cert.certificateType === 'CA' ? item.CAEndTimes : null,
    DvRevokeAuthDetail: cert.revokeAuths.length ? cert.revokeAuths.map(dvAuths) : null,
  };
}

/** Output of DescribeCertificateDetail. */
export function describeCertificateDetail(state: SimState, cert: CertRecord): Obj {
  const item = certificatesItem(state, cert);
  const issued = cert.status === 1 || cert.status === 3 || cert.status === 9 || cert.status === 10 || cert.status === 12;
  const publicKey = issued ? state.publicKeyPem(cert) : undefined;
  const privateKey = issued ? state.privateKeyPem(cert) : undefined;
  const chain = publicKey
    ? (publicKey.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [])
        .map((p) => parseCertificate(p))
        .filter((p): p is NonNullable<typeof p> => !!p)
    : [];
  return {
    OwnerUin: cert.ownerUin,
    ProjectId: String(cert.projectId),
    From: cert.from,
    CertificateType: cert.certificateType,
    PackageType: cert.packageType,
    ProductZhName: cert.productZhName,
    Domain: cert.domain,
    Alias: cert.alias,
    Status: cert.status,
    StatusMsg: cert.statusMsg || null,
    VerifyType: cert.verifyType || null,
    VulnerabilityStatus: item.VulnerabilityStatus,
    CertBeginTime: fmtOrNull(cert.certBegin),
    CertEndTime: fmtOrNull(cert.certEnd),
    ValidityPeriod: String(cert.validityMonths),
    InsertTime: fmt(cert.insertTime),
    OrderId: cert.orderId || null,
    CertificateExtra: certificateExtra(cert),
    CertificatePrivateKey: privateKey ?? null,
    CertificatePublicKey: publicKey ?? null,
    DvAuthDetail: dvAuthDetail(cert),
    VulnerabilityReport: null,
    CertificateId: cert.id,
    TypeName: item.PackageTypeName || null,
    StatusName: item.StatusName,
    SubjectAltName: cert.altNames.filter((d) => d !== cert.domain),
    IsVip: cert.isPaid,
    IsWildcard: isWildcard(cert),
    IsDv: cert.certLevel === 'DV',
    IsVulnerability: cert.vulnerability,
    SubmittedData: submittedData(cert),
    RenewAble: item.RenewAble,
    Deployable: item.Deployable,
    Tags: cert.tags.map((t) => ({ ...t })),
    RootCert: { Sign: null, Encrypt: null, Standard: simulatorRootPem() },
    EncryptCert: cert.isSM && publicKey ? publicKey : null,
    EncryptPrivateKey: cert.isSM && privateKey ? privateKey : null,
    CertFingerprint: publicKey ? (state.fingerprintOf(cert) ?? null) : null,
    EncryptCertFingerprint: cert.isSM && publicKey ? (state.fingerprintOf(cert) ?? null) : null,
    EncryptAlgorithm: cert.encryptAlgorithm,
    DvRevokeAuthDetail: cert.revokeAuths.length ? cert.revokeAuths.map(dvAuths) : null,
    CertChainInfo: chain.length
      ? chain.map((c) => ({
          Issuer: c.x509.issuer.replace(/\n/g, ', '),
          Subject: c.x509.subject.replace(/\n/g, ', '),
          Fingerprint: c.fingerprintSha1,
          ValidFrom: fmt(c.notBefore),
          ValidTo: fmt(c.notAfter),
        }))
      : null,
    DomainType: domainType(cert),
    CertType: cert.certLevel,
  };
}

// ---- cloud resources -------------------------------------------------------------------------

function certificateRef(state: SimState, certId: string, caCertId?: string, sslMode = 'UNIDIRECTIONAL'): Obj | null {
  if (!certId) return null;
  const cert = state.getCertificate(certId);
  return { CertId: certId, DnsNames: cert ? allDomains(cert) : [], CertCaId: caCertId ?? '', SSLMode: caCertId ? 'MUTUAL' : sslMode };
}

/** Groups CLB listener/rule instances into ClbInstanceDetail objects. */
export function clbDetails(state: SimState, instances: HostInstance[], matchCert?: CertRecord): Obj[] {
  const byLb = new Map<string, HostInstance[]>();
  for (const i of instances) {
    const list = byLb.get(i.instanceId) ?? [];
    list.push(i);
    byLb.set(i.instanceId, list);
  }
  const out: Obj[] = [];
  for (const [lbId, list] of byLb) {
    const listeners = new Map<string, HostInstance[]>();
    for (const i of list) {
      const l = listeners.get(i.listenerId ?? '') ?? [];
      l.push(i);
      listeners.set(i.listenerId ?? '', l);
    }
    out.push({
      LoadBalancerId: lbId,
      LoadBalancerName: list[0].instanceName,
      Forward: list[0].forward ?? 1,
      Listeners: [...listeners.values()].map((ls) => {
        const first = ls[0];
        const sni = first.sniSwitch === 1;
        const noMatch = matchCert ? ls.flatMap((i) => i.domains).filter((d) => !coversDomain(matchCert, d)) : [];
        return {
          ListenerId: first.listenerId,
          ListenerName: first.listenerName,
          SniSwitch: first.sniSwitch ?? 0,
          Protocol: first.protocol ?? 'HTTPS',
          Certificate: sni ? null : certificateRef(state, first.certId, first.caCertId),
          Rules: sni
            ? ls.map((i) => ({
                LocationId: i.locationId ?? '',
                Domain: i.domains[0] ?? '',
                IsMatch: matchCert ? i.domains.every((d) => coversDomain(matchCert, d)) : true,
                Certificate: certificateRef(state, i.certId, i.caCertId),
                NoMatchDomains: matchCert ? i.domains.filter((d) => !coversDomain(matchCert, d)) : [],
                Url: i.url ?? '/',
              }))
            : [],
          NoMatchDomains: noMatch,
        };
      }),
    });
  }
  return out;
}

function coversDomain(cert: CertRecord, host: string): boolean {
  const h = host.toLowerCase();
  return allDomains(cert).some((p) => {
    const d = p.toLowerCase();
    if (d === h) return true;
    if (d.startsWith('*.')) {
      const suffix = d.slice(1);
      return h.endsWith(suffix) && !h.slice(0, -suffix.length).includes('.');
    }
    return false;
  });
}

export { coversDomain };

/** TkeInstanceDetail objects grouped by cluster and namespace. */
export function tkeDetails(instances: HostInstance[], matchCert?: CertRecord): Obj[] {
  const byCluster = new Map<string, HostInstance[]>();
  for (const i of instances) byCluster.set(i.instanceId, [...(byCluster.get(i.instanceId) ?? []), i]);
  return [...byCluster.values()].map((list) => {
    const byNs = new Map<string, HostInstance[]>();
    for (const i of list) byNs.set(i.namespace ?? 'default', [...(byNs.get(i.namespace ?? 'default') ?? []), i]);
    return {
      ClusterId: list[0].instanceId,
      ClusterName: list[0].clusterName ?? list[0].instanceName,
      ClusterType: list[0].clusterType ?? 'tke',
      ClusterVersion: list[0].clusterVersion ?? '1.28.3',
      NamespaceList: [...byNs.entries()].map(([ns, secrets]) => ({
        Name: ns,
        SecretList: secrets.map((s) => ({
          Name: s.secretName ?? '',
          CertId: s.certId,
          IngressList: [{ IngressName: s.ingressName ?? `${s.secretName}-ingress`, TlsDomains: s.domains, Domains: s.domains }],
          NoMatchDomains: matchCert ? s.domains.filter((d) => !coversDomain(matchCert, d)) : null,
        })),
      })),
    };
  });
}

/** One instance in the flat detail structure of its resource type. */
export function flatDetail(i: HostInstance): Obj {
  switch (i.resourceType) {
    case 'cdn':
      return { Domain: i.domains[0], CertId: i.certId, Status: i.status ?? 'online', HttpsBillingSwitch: i.httpsBillingSwitch ?? 'on' };
    case 'cos':
      return { Domain: i.domains[0], CertId: i.certId, Status: i.status ?? 'ENABLED', Bucket: i.bucket, Region: i.region };
    case 'ddos':
      return { Domain: i.domains[0], InstanceId: i.instanceId, Protocol: i.protocol ?? 'https', CertId: i.certId, VirtualPort: i.virtualPort ?? '443' };
    case 'lighthouse':
      return { InstanceId: i.instanceId, InstanceName: i.instanceName, IP: i.ips ?? [], Domain: i.domains };
    case 'live':
      return { Domain: i.domains[0], CertId: i.certId || null, Status: i.certId ? (i.liveStatus ?? 1) : -1 };
    case 'teo':
      return { Host: i.domains[0], CertId: i.certId, ZoneId: i.zoneId ?? null, Status: i.status ?? 'deployed' };
    case 'vod':
      return { Domain: i.domains[0], CertId: i.certId };
    case 'waf':
      return { Domain: i.domains[0], CertId: i.certId || null, Keepalive: i.keepalive ?? 1 };
    case 'apigateway':
      return { ServiceId: i.instanceId, ServiceName: i.instanceName, Domain: i.domains[0], CertId: i.certId, Protocol: i.protocol ?? 'https' };
    default:
      return {};
  }
}

// ---- deploy records ---------------------------------------------------------------------------

export function recordDetailCommon(d: DeployDetail): Obj {
  const i = d.instance;
  return {
    Id: d.id,
    OldCertId: d.oldCertId,
    InstanceId: i.resourceType === 'cdn' || i.resourceType === 'live' || i.resourceType === 'vod' || i.resourceType === 'waf' || i.resourceType === 'teo' ? '' : i.instanceId,
    InstanceName: i.instanceName,
    ListenerId: i.listenerId ?? '',
    ListenerName: i.listenerName ?? '',
    Domains: i.resourceType === 'cdn' ? [`${i.domains[0]}|${i.httpsBillingSwitch ?? 'on'}`] : [...i.domains],
    Protocol: i.protocol ?? '',
    Status: d.status,
    ErrorMsg: d.errorMsg,
    CreateTime: formatIsoMicros(d.createdAt),
    UpdateTime: formatIsoMicros(d.updatedAt),
    SniSwitch: i.sniSwitch ?? 0,
    Bucket: i.bucket ?? '',
    Namespace: i.namespace ?? '',
    SecretName: i.secretName ?? '',
    Port: i.port ?? 0,
    Region: i.region,
  };
}
