/**
 * Certificate lifecycle: apply, describe, download, upload, checks, reissue, revoke, modify, logs.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { getAction } from '../../spec/index';
import { baseCert, dvAuthsFor, newFreeDv, newUploaded, parseUpload } from '../certs';
import { fail } from '../errors';
import { FREE_PACKAGE_TYPE, type CertRecord, type SimState } from '../state';
import { DAY, HOUR, formatTime, parseTime } from '../time';
import {
  allDomains,
  certificatesItem,
  describeCertificate,
  describeCertificateDetail,
  isExpiring,
  isUpload,
} from '../views';
import { parseCertificate, simulatorIntermediatePem, simulatorRootPem, splitPemCertificates } from '../x509';
import { createZip } from '../zip';
import { DOMAIN_RE, page, type Handler } from './common';

function enumValues(action: string, member: string): string[] {
  return getAction(action)?.inputs.find((m) => m.name === member)?.enum?.map((e) => e.value) ?? [];
}

const ACTIVE_FREE_STATUSES = new Set([0, 1, 2, 3, 4, 9, 11, 13, 15]);

const ApplyCertificate: Handler = ({ state, params: p }) => {
  const methods = enumValues('ApplyCertificate', 'DvAuthMethod');
  if (methods.length && !methods.includes(p.DvAuthMethod)) {
    fail('FailedOperation.InvalidParam', `DvAuthMethod must be one of ${methods.join(', ')}.`);
  }
  const domain = String(p.DomainName).trim().toLowerCase();
  if (!DOMAIN_RE.test(domain)) fail('FailedOperation.InvalidParam', `The domain \`${p.DomainName}\` is not valid.`);
  if (domain.startsWith('*.')) fail('FailedOperation.InvalidParam', 'Free certificates do not support wildcard domains.');
  if (p.PackageType !== undefined && p.PackageType !== FREE_PACKAGE_TYPE) {
    fail('FailedOperation.InvalidParam', `PackageType only supports ${FREE_PACKAGE_TYPE} (TrustAsia C1 DV Free).`);
  }
  if (p.ValidityPeriod !== undefined && p.ValidityPeriod !== '3') fail('FailedOperation.InvalidParam', 'ValidityPeriod only supports 3 (months).');
  if (p.DnsNames !== undefined && p.DnsNames.length > 0) fail('FailedOperation.InvalidParam', 'DnsNames is not supported yet.');
  const algo = p.CsrEncryptAlgo ?? 'RSA';
  if (algo !== 'RSA' && algo !== 'ECC') fail('FailedOperation.InvalidParam', 'CsrEncryptAlgo must be RSA or ECC.');
  const keyParam = p.CsrKeyParameter ?? (algo === 'RSA' ? '2048' : undefined);
  if (algo === 'RSA' && keyParam !== '2048') fail('FailedOperation.InvalidParam', 'RSA only supports CsrKeyParameter 2048.');
  if (algo === 'ECC' && keyParam !== 'prime256v1') fail('FailedOperation.InvalidParam', 'ECC requires CsrKeyParameter prime256v1.');
  if (p.ContactEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(p.ContactEmail)) {
    fail('InvalidParameterValue.CertificateEmailParseInvalid', 'ContactEmail is not a valid e-mail address.');
  }
  if (p.PackageId !== undefined && p.PackageId !== '' && !state.packages.has(p.PackageId)) {
    fail('FailedOperation.PackageNotFound', `The package \`${p.PackageId}\` does not exist.`);
  }
  if (p.DeleteDnsAutoRecord === true && p.DvAuthMethod !== 'DNS_AUTO') {
    fail('FailedOperation.InvalidParam', 'DeleteDnsAutoRecord is only supported with DvAuthMethod DNS_AUTO.');
  }
  let origin: CertRecord | undefined;
  if (p.OldCertificateId) {
    origin = state.requireCertificate(p.OldCertificateId);
    if (origin.status !== 1 || origin.certEnd === undefined || origin.certEnd - state.now() > 30 * DAY) {
      fail('FailedOperation.InvalidCertificateStatusCode', 'Only issued certificates expiring within 30 days can be renewed.');
    }
    if (origin.renewOrder && state.certificates.has(origin.renewOrder)) {
      fail('FailedOperation.OrderAlreadyReplaced', `The certificate \`${origin.id}\` already has a renewal (${origin.renewOrder}).`);
    }
  }
  const freeCount = [...state.certificates.values()].filter((c) => c.packageType === FREE_PACKAGE_TYPE && ACTIVE_FREE_STATUSES.has(c.status)).length;
  if (freeCount >= state.freeCertLimit) fail('FailedOperation.ExceedsFreeLimit', `The free certificate limit (${state.freeCertLimit}) has been reached.`);
  const cert = newFreeDv(state, {
    domain,
    verifyType: p.DvAuthMethod,
    alias: p.Alias ?? '',
    projectId: p.ProjectId ?? 0,
    encryptAlgorithm: algo,
    keyParameter: keyParam,
    csrKeyPassword: p.CsrKeyPassword,
    deleteDnsAutoRecord: p.DeleteDnsAutoRecord ?? false,
    originCertificateId: origin?.id,
  });
  if (origin) origin.renewOrder = cert.id;
  state.log(cert.id, 'apply', `用户[uin: ${state.ownerUin}] 申请免费证书 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id };
};

const DescribeCertificate: Handler = ({ state, params: p }) => describeCertificate(state, state.requireCertificate(p.CertificateId));

const DescribeCertificateDetail: Handler = ({ state, params: p }) =>
  describeCertificateDetail(state, state.requireCertificate(p.CertificateId));

const DescribeCertificates: Handler = ({ state, params: p }) => {
  let certs = [...state.certificates.values()];
  const search = typeof p.SearchKey === 'string' ? p.SearchKey.trim().toLowerCase() : '';
  if (search) {
    certs = certs.filter(
      (c) => c.id.toLowerCase().includes(search) || c.alias.toLowerCase().includes(search) || allDomains(c).some((d) => d.toLowerCase().includes(search)),
    );
  }
  if (p.CertificateType) certs = certs.filter((c) => c.certificateType === p.CertificateType);
  if (p.ProjectId !== undefined) certs = certs.filter((c) => c.projectId === p.ProjectId);
  if (p.CertificateStatus?.length) certs = certs.filter((c) => p.CertificateStatus.includes(c.status));
  if (p.Deployable === 1) certs = certs.filter((c) => c.status === 1 && c.certificateType === 'SVR');
  if (p.Deployable === 0) certs = certs.filter((c) => !(c.status === 1 && c.certificateType === 'SVR'));
  if (p.Upload === 1) certs = certs.filter(isUpload);
  if (p.Renew === 1) certs = certs.filter((c) => certificatesItem(state, c).RenewAble === true);
  if (p.FilterSource === 'upload') certs = certs.filter(isUpload);
  else if (p.FilterSource === 'buy') certs = certs.filter((c) => !isUpload(c));
  else if (p.FilterSource !== undefined && p.FilterSource !== '') fail('FailedOperation.InvalidParam', 'FilterSource must be upload or buy.');
  if (p.IsSM === 1) certs = certs.filter((c) => c.isSM);
  if (p.FilterExpiring === 1) certs = certs.filter((c) => isExpiring(state, c));
  if (p.Hostable === 1) certs = certs.filter((c) => c.status === 1 && c.certificateType === 'SVR');
  if (p.Hostable === 0) certs = certs.filter((c) => !(c.status === 1 && c.certificateType === 'SVR'));
  if (p.Tags?.length) {
    certs = certs.filter((c) => p.Tags.every((t: { TagKey?: string; TagValue?: string }) => c.tags.some((ct) => ct.TagKey === t.TagKey && (t.TagValue === undefined || ct.TagValue === t.TagValue))));
  }
  if (p.IsPendingIssue === 1) certs = certs.filter((c) => c.status === 0 || c.status === 4);
  if (p.CertIds?.length) certs = certs.filter((c) => p.CertIds.includes(c.id));
  if (p.ExpirationSort !== undefined && p.ExpirationSort !== 'ASC' && p.ExpirationSort !== 'DESC') {
    fail('FailedOperation.InvalidParam', 'ExpirationSort must be ASC or DESC.');
  }
  if (p.ExpirationSort) {
    const dir = p.ExpirationSort === 'ASC' ? 1 : -1;
    const far = dir === 1 ? Number.MAX_SAFE_INTEGER : -1;
    certs.sort((a, b) => dir * ((a.certEnd ?? far) - (b.certEnd ?? far)) || a.id.localeCompare(b.id));
  } else {
    certs.sort((a, b) => b.insertTime - a.insertTime || a.id.localeCompare(b.id));
  }
  return {
    TotalCount: certs.length,
    Certificates: page(certs, p.Offset, p.Limit, 10, 1000).map((c) => certificatesItem(state, c)),
  };
};

function downloadable(cert: CertRecord): boolean {
  return cert.status === 1 || cert.status === 3;
}

function safeName(domain: string): string {
  return domain.replace(/^\*\./, '_.').replace(/[^a-zA-Z0-9._-]/g, '_');
}

export function certificateZip(state: SimState, cert: CertRecord, serviceType = 'all'): Buffer {
  const chain = state.publicKeyPem(cert) ?? '';
  const key = state.privateKeyPem(cert);
  const blocks = splitPemCertificates(chain);
  const leaf = blocks[0] ?? chain;
  const rest = blocks.slice(1).join('');
  const name = safeName(cert.domain || cert.id);
  const entries: { name: string; data: string }[] = [];
  const want = (t: string): boolean => serviceType === 'all' || serviceType === t;
  if (want('nginx')) {
    entries.push({ name: `${name}_nginx/${name}_bundle.crt`, data: chain });
    entries.push({ name: `${name}_nginx/${name}_bundle.pem`, data: chain });
    if (key) entries.push({ name: `${name}_nginx/${name}.key`, data: key });
  }
  if (want('apache')) {
    entries.push({ name: `${name}_apache/${name}.crt`, data: leaf });
    entries.push({ name: `${name}_apache/root_bundle.crt`, data: rest || simulatorIntermediatePem() });
    if (key) entries.push({ name: `${name}_apache/${name}.key`, data: key });
  }
  if (want('other')) {
    entries.push({ name: `${name}_other/${name}.pem`, data: chain });
    if (key) entries.push({ name: `${name}_other/${name}.key`, data: key });
  }
  if (want('tomcat') || want('jks') || want('iis')) {
    entries.push({ name: `${name}_${serviceType === 'all' ? 'tomcat' : serviceType}/README.txt`, data: 'Keystore formats are not produced by the simulator; use the PEM files.\n' });
    entries.push({ name: `${name}_${serviceType === 'all' ? 'tomcat' : serviceType}/${name}.pem`, data: chain });
  }
  if (want('root')) entries.push({ name: `${name}_root/root.crt`, data: simulatorRootPem() });
  return createZip(entries);
}

const DownloadCertificate: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (!downloadable(cert)) fail('FailedOperation.InvalidCertificateStatusCode', `The certificate status (${cert.status}) does not allow downloading.`);
  if (!cert.allowDownload) fail('FailedOperation.CertificateNotAllowDownload', 'Downloading this certificate is not allowed.');
  const zip = certificateZip(state, cert);
  state.log(cert.id, 'download', `用户[uin: ${state.ownerUin}] 下载证书 证书[id: ${cert.id}]`);
  return { Content: zip.toString('base64'), ContentType: 'application/zip' };
};

const SERVICE_TYPES = ['nginx', 'tomcat', 'apache', 'iis', 'jks', 'other', 'root'];

const DescribeDownloadCertificateUrl: Handler = ({ state, params: p, baseUrl }) => {
  const cert = state.requireCertificate(p.CertificateId);
  const serviceType = p.ServiceType;
  if (!serviceType || !SERVICE_TYPES.includes(serviceType)) {
    fail('FailedOperation.CertificateDownloadServiceTypeNotSupport', `ServiceType must be one of ${SERVICE_TYPES.join(', ')}.`);
  }
  if (!downloadable(cert)) fail('FailedOperation.CertificateStatusNotAllowDownload', `The certificate status (${cert.status}) does not allow downloading.`);
  if (!cert.allowDownload) fail('FailedOperation.CertificateNotAllowDownload', 'Downloading this certificate is not allowed.');
  const token = randomBytes(16).toString('hex');
  state.downloads.set(token, { certId: cert.id, serviceType, expiresAt: state.now() + HOUR });
  state.log(cert.id, 'download', `用户[uin: ${state.ownerUin}] 获取下载链接 证书[id: ${cert.id}]`);
  return {
    DownloadCertificateUrl: `${baseUrl}/__simulator/download/${token}`,
    DownloadFilename: `${safeName(cert.domain || cert.id)}_${serviceType}.zip`,
  };
};

const UploadCertificate: Handler = ({ state, params: p }) => {
  const type = p.CertificateType ?? 'SVR';
  if (type !== 'SVR' && type !== 'CA') fail('FailedOperation.InvalidParam', 'CertificateType must be SVR or CA.');
  const material = parseUpload(p.CertificatePublicKey, p.CertificatePrivateKey, type);
  if (material.notAfter <= state.now()) fail('FailedOperation.CertificateInvalid', 'The certificate has expired.');
  if (type === 'CA' && !material.isCa) fail('FailedOperation.CertificateCaError', 'The certificate is not a CA certificate.');
  const existing = [...state.certificates.values()].find((c) => state.fingerprintOf(c) === material.fingerprint);
  if (existing && p.Repeatable === false) return { CertificateId: existing.id, RepeatCertId: existing.id };
  const cert = newUploaded(state, material, {
    certificateType: type,
    alias: p.Alias ?? '',
    projectId: p.ProjectId ?? 0,
    tags: (p.Tags ?? []).map((t: { TagKey?: string; TagValue?: string }) => ({ TagKey: t.TagKey ?? '', TagValue: t.TagValue ?? '' })),
  });
  state.log(cert.id, 'upload', `用户[uin: ${state.ownerUin}] 上传证书 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id, RepeatCertId: '' };
};

const CheckCertificateExist: Handler = ({ state, params: p }) => {
  const blocks = splitPemCertificates(String(p.CertificatePublicKey));
  const parsed = blocks.length ? parseCertificate(blocks[0]) : undefined;
  if (!parsed) fail('InvalidParameterValue', 'CertificatePublicKey could not be parsed as a PEM certificate.');
  const existing = [...state.certificates.values()]
    .sort((a, b) => a.insertTime - b.insertTime)
    .find((c) => state.fingerprintOf(c) === parsed.fingerprintSha1);
  return { RepeatCertId: existing?.id ?? '' };
};

const CheckCertificateChain: Handler = ({ params: p }) => {
  const blocks = splitPemCertificates(String(p.CertificateChain));
  const parsed = blocks.map((b) => parseCertificate(b));
  if (!parsed.length || parsed.some((x) => !x)) fail('FailedOperation.CertificateInvalid', 'The certificate chain could not be parsed.');
  const certs = parsed as NonNullable<(typeof parsed)[number]>[];
  let valid = true;
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!certs[i].x509.checkIssued(certs[i + 1].x509) || !certs[i].x509.verify(certs[i + 1].x509.publicKey)) valid = false;
  }
  const root = new X509Certificate(simulatorRootPem());
  const last = certs[certs.length - 1].x509;
  const trusted = last.fingerprint256 === root.fingerprint256 || (last.checkIssued(root) && last.verify(root.publicKey));
  return { IsValid: valid, IsTrustedCA: trusted, Chains: certs.map((c) => c.commonName) };
};

const CheckCertificateDomainVerification: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (isUpload(cert) || ![0, 1, 4].includes(cert.status)) {
    fail('FailedOperation.CertificateStatusNotAllowVerify', `The certificate status (${cert.status}) does not allow domain verification.`);
  }
  const validated = cert.validationPassedAt !== undefined;
  const domains = allDomains(cert);
  return {
    VerificationResults: domains.map((domain, i) => {
      const auth = cert.dvAuths[i] ?? cert.dvAuths[0];
      return {
        Domain: domain,
        VerifyType: cert.verifyType || 'DNS',
        LocalCheck: validated ? 1 : -1,
        CaCheck: validated ? 2 : -1,
        LocalCheckFailReason: validated ? '' : cert.verifyType === 'FILE' ? 'file not found' : 'txt record not found',
        CheckValue: validated && auth ? [auth.value] : [],
        Frequently: false,
        Issued: cert.status === 1,
      };
    }),
  };
};

const CompleteCertificate: Handler = ({ state, params: p }) => {
  const cert = state.getCertificate(p.CertificateId);
  if (!cert || !(cert.status === 0 || cert.status === 4)) {
    fail('FailedOperation.CertificateNotFoundOrAudited', `The certificate \`${p.CertificateId}\` does not exist or is not awaiting validation.`);
  }
  if (/dnspod|wotrus/i.test(cert.from) || /dnspod|wotrus/i.test(cert.productZhName)) {
    fail('FailedOperation.InvalidParam', 'DNSPod and Wotrus certificates do not support CompleteCertificate.');
  }
  const now = state.now();
  cert.verifyAt = now;
  cert.issueAt = Math.min(cert.issueAt ?? now, now);
  return { CertificateId: cert.id };
};

const ReplaceCertificate: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (isUpload(cert)) fail('FailedOperation.InvalidCertificateSource', 'Uploaded certificates cannot be reissued.');
  if (cert.status !== 1) fail('FailedOperation.InvalidCertificateStatusCode', `The certificate status (${cert.status}) does not allow reissuing.`);
  if (cert.replacedFor && state.certificates.has(cert.replacedFor)) {
    fail('FailedOperation.OrderAlreadyReplaced', `The certificate has already been reissued as \`${cert.replacedFor}\`.`);
  }
  if (!cert.isPaid && cert.reissueCount >= 1) fail('FailedOperation.OrderAlreadyReplaced', 'Free certificates can only be reissued once.');
  const validTypes = enumValues('ReplaceCertificate', 'ValidType');
  if (validTypes.length && !validTypes.includes(p.ValidType)) fail('FailedOperation.InvalidParam', `ValidType must be one of ${validTypes.join(', ')}.`);
  const csrType = p.CsrType ?? 'Original';
  if (!['Original', 'Upload', 'Online'].includes(csrType)) fail('FailedOperation.InvalidParam', 'CsrType must be Original, Upload or Online.');
  if (csrType === 'Upload' && !/BEGIN (NEW )?CERTIFICATE REQUEST/.test(p.CsrContent ?? '')) {
    fail('FailedOperation.InvalidParam', 'CsrContent must contain a PEM certificate request when CsrType is Upload.');
  }
  const algo = csrType === 'Online' ? (p.CertCSREncryptAlgo ?? 'RSA') : cert.encryptAlgorithm;
  if (!['RSA', 'ECC', 'SM2'].includes(algo)) fail('InvalidParameter.RenewAlgorithmInvalid', 'CertCSREncryptAlgo must be RSA, ECC or SM2.');
  if (!cert.isPaid && (algo !== 'RSA' || (p.CertCSRKeyParameter !== undefined && p.CertCSRKeyParameter !== '2048'))) {
    fail('InvalidParameter.RenewAlgorithmInvalid', 'Free certificates can only be reissued as RSA 2048.');
  }
  const now = state.now();
  const copy = baseCert(state, {
    domain: cert.domain,
    altNames: [...cert.altNames],
    packageType: cert.packageType,
    productZhName: cert.productZhName,
    from: cert.from,
    certLevel: cert.certLevel,
    certificateType: cert.certificateType,
    isPaid: cert.isPaid,
    isSM: cert.isSM,
    validityMonths: cert.validityMonths,
    projectId: cert.projectId,
    alias: cert.alias,
    tags: cert.tags.map((t) => ({ ...t })),
    encryptAlgorithm: algo as CertRecord['encryptAlgorithm'],
    keyParameter: p.CertCSRKeyParameter ?? cert.keyParameter,
    verifyType: p.ValidType,
    companyType: cert.companyType,
    domainNumber: cert.domainNumber,
    managerId: cert.managerId,
    companyId: cert.companyId,
    status: 11,
    statusMsg: 'PENDING-DCV',
    orderId: state.newOrderId('TA'),
    replacedBy: cert.id,
    insertTime: now,
    issueAt: now + state.durations.reissue,
    verifyAt: now + Math.floor(state.durations.reissue / 2),
  });
  copy.dvAuths = dvAuthsFor(state, allDomains(copy), p.ValidType);
  cert.replacedFor = copy.id;
  cert.reissueCount++;
  state.log(cert.id, 'reissue', `用户[uin: ${state.ownerUin}] 重颁发证书 证书[id: ${cert.id}] → ${copy.id}`);
  return { CertificateId: copy.id };
};

const RevokeCertificate: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (isUpload(cert)) fail('FailedOperation.InvalidCertificateSource', 'Uploaded certificates cannot be revoked.');
  if (cert.status !== 1) fail('FailedOperation.InvalidCertificateStatusCode', `The certificate status (${cert.status}) does not allow revocation.`);
  state.log(cert.id, 'revoke', `用户[uin: ${state.ownerUin}] 吊销证书 证书[id: ${cert.id}] 原因: ${p.Reason ?? ''}`);
  if (cert.certLevel !== 'DV') {
    cert.status = 12;
    return { RevokeDomainValidateAuths: [] };
  }
  cert.status = 9;
  cert.revokeAt = state.now() + state.durations.revoke;
  cert.revokeAuths = allDomains(cert).map((d) => {
    const bare = d.replace(/^\*\./, '');
    const token = state.rng.hex(24);
    return { key: `_revoke_${token}`, value: `${state.rng.hex(40)}`, domain: bare, path: '', subDomain: `_revoke_${token}`, verifyType: 'TXT' };
  });
  return {
    RevokeDomainValidateAuths: cert.revokeAuths.map((a) => ({
      DomainValidateAuthPath: a.path,
      DomainValidateAuthKey: a.key,
      DomainValidateAuthValue: a.value,
      DomainValidateAuthDomain: a.domain,
    })),
  };
};

const ModifyCertificateAlias: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  const alias = p.Alias ?? '';
  if (alias.length > 200) fail('FailedOperation.InvalidParam', 'Alias is too long (max 200 characters).');
  cert.alias = alias;
  state.log(cert.id, 'updateAlias', `用户[uin: ${state.ownerUin}] 修改证书备注 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id };
};

const ModifyCertificateProject: Handler = ({ state, params: p }) => {
  const ids: string[] = p.CertificateIdList;
  if (ids.length === 0 || ids.length > 100) fail('FailedOperation.InvalidParam', 'CertificateIdList must contain 1 to 100 ids.');
  if (p.ProjectId < 0) fail('FailedOperation.InvalidParam', 'ProjectId must be >= 0.');
  const ok: string[] = [];
  const bad: string[] = [];
  for (const id of ids) {
    const cert = state.getCertificate(id);
    if (!cert) {
      bad.push(id);
      continue;
    }
    cert.projectId = p.ProjectId;
    ok.push(id);
    state.log(id, 'changeProject', `用户[uin: ${state.ownerUin}] 修改证书项目 证书[id: ${id}] → ${p.ProjectId}`);
  }
  return { SuccessCertificates: ok, FailCertificates: bad };
};

const ModifyCertificateResubmit: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (!cert.isPaid || !(cert.status === 2 || cert.status === 7)) {
    fail('FailedOperation.CertificateStatusNotAllowResubmit', `The certificate status (${cert.status}) does not allow resubmission.`);
  }
  const now = state.now();
  if (cert.submitted) {
    cert.status = 0;
    cert.statusMsg = 'CA-REVIEWING';
    cert.issueAt = now + state.durations.paidIssue;
  } else {
    cert.status = 5;
    cert.statusMsg = '';
  }
  cert.failValidation = false;
  state.log(cert.id, 'resubmit', `用户[uin: ${state.ownerUin}] 重新申请证书 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id };
};

const ModifyCertificatesExpiringNotificationSwitch: Handler = ({ state, params: p }) => {
  const ids: string[] = p.CertificateIds;
  if (ids.length > 50) fail('InvalidParameter.CertificatesNumberExceeded', 'At most 50 certificate ids are allowed.');
  if (p.SwitchStatus !== 0 && p.SwitchStatus !== 1) fail('InvalidParameterValue', 'SwitchStatus must be 0 or 1.');
  const certs = ids.map((id) => state.requireCertificate(id));
  for (const c of certs) c.ignoreExpiringNotice = p.SwitchStatus === 1;
  return { CertificateIds: certs.map((c) => c.id) };
};

const DescribeCertificateOperateLogs: Handler = ({ state, params: p }) => {
  const now = state.now();
  const parse = (v: unknown, name: string, dflt: number): number => {
    if (v === undefined || v === '') return dflt;
    const t = parseTime(String(v));
    if (t === undefined) fail('FailedOperation.InvalidParam', `${name} must be formatted as YYYY-MM-DD HH:mm:ss.`);
    return t;
  };
  const start = parse(p.StartTime, 'StartTime', now - 15 * DAY);
  const end = parse(p.EndTime, 'EndTime', now);
  if (start > end) fail('FailedOperation.InvalidParam', 'StartTime must not be after EndTime.');
  const logs = state.operationLogs.filter((l) => l.at >= start && l.at <= end).sort((a, b) => b.at - a.at);
  const pageItems = page(logs, p.Offset, p.Limit, 20, 1000);
  return {
    AllTotal: logs.length,
    TotalCount: pageItems.length,
    OperateLogs: pageItems.map((l) => ({
      Action: l.action,
      CreatedOn: formatTime(l.at),
      Uin: l.uin,
      SubAccountUin: l.subAccountUin,
      CertId: l.certId,
      Type: l.type,
    })),
  };
};

export const certificateHandlers: Record<string, Handler> = {
  ApplyCertificate,
  DescribeCertificate,
  DescribeCertificateDetail,
  DescribeCertificates,
  DownloadCertificate,
  DescribeDownloadCertificateUrl,
  UploadCertificate,
  CheckCertificateExist,
  CheckCertificateChain,
  CheckCertificateDomainVerification,
  CompleteCertificate,
  ReplaceCertificate,
  RevokeCertificate,
  ModifyCertificateAlias,
  ModifyCertificateProject,
  ModifyCertificateResubmit,
  ModifyCertificatesExpiringNotificationSwitch,
  DescribeCertificateOperateLogs,
};

