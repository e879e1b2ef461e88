/**
 * Paid certificates and orders: buy, submit information, submit order, confirmation letters,
 * cancel, packages.
 */
import { getAction } from '../../spec/index';
import { baseCert, dvAuthsFor, levelOfPackage } from '../certs';
import { fail } from '../errors';
import type { CertRecord, SimState } from '../state';
import { formatTime } from '../time';
import { allDomains, packageTypeName } from '../views';
import { DOMAIN_RE, page, type Handler } from './common';

function productIds(): Map<string, string> {
  const m = getAction('CreateCertificate')?.inputs.find((x) => x.name === 'ProductId');
  const out = new Map<string, string>();
  for (const e of m?.enum ?? []) out.set(e.value, packageTypeName(e.value));
  return out;
}

/** `PID → product name` parsed from the documented ProductPid description (`1. 1022451 - CFCA-增强型(EV)SSL证书2. ...`). */
function productPids(): Map<number, string> {
  const m = getAction('CreateCertificateByPackage')?.inputs.find((x) => x.name === 'ProductPid');
  const out = new Map<number, string>();
  for (const hit of (m?.description ?? '').matchAll(/(\d{6,8})\s*-\s*(.+?)(?=\d+\.\s*\d{6,8}\s*-|$)/gs)) {
    out.set(Number(hit[1]), hit[2].trim());
  }
  return out;
}

const CancelAuditCertificate: Handler = ({ state, params: p }) => {
  const cert = state.getCertificate(p.CertificateId);
  if (!cert || ![0, 4, 8].includes(cert.status)) {
    fail('FailedOperation.CertificateNotFoundOrCantCancel', `The certificate \`${p.CertificateId}\` does not exist or is not under review.`);
  }
  cert.issueAt = undefined;
  cert.verifyAt = undefined;
  if (cert.isPaid) {
    cert.status = 5;
    cert.statusMsg = '';
  } else {
    cert.status = 7;
    cert.statusMsg = '';
  }
  state.log(cert.id, 'cancelAudit', `用户[uin: ${state.ownerUin}] 取消证书审核 证书[id: ${cert.id}]`);
  return { Result: true };
};

const CancelCertificateOrder: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (![0, 4, 5, 8, 13].includes(cert.status)) {
    fail('FailedOperation.InvalidCertificateStatusCode', `The certificate status (${cert.status}) does not allow cancelling the order.`);
  }
  cert.issueAt = undefined;
  cert.verifyAt = undefined;
  if (cert.isPaid) {
    cert.status = 6;
    cert.cancelAt = state.now() + state.durations.cancel;
  } else {
    cert.status = 7;
  }
  state.log(cert.id, 'cancel', `用户[uin: ${state.ownerUin}] 取消证书订单 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id };
};

function newPaidOrder(state: SimState, init: Partial<CertRecord> & { packageType: string }): CertRecord {
  const name = packageTypeName(init.packageType);
  return baseCert(state, {
    domain: '',
    certLevel: levelOfPackage(name),
    isPaid: true,
    status: 5,
    statusMsg: '',
    verifyType: '',
    companyType: levelOfPackage(name) === 'DV' ? 1 : 2,
    orderId: '',
    dealId: state.newOrderId('DEAL'),
    from: /dnspod/i.test(name) ? 'dnspod' : /wotrus/i.test(name) ? 'wosign' : 'trustasia',
    ...init,
  });
}

const CreateCertificate: Handler = ({ state, params: p }) => {
  const products = productIds();
  const key = String(p.ProductId);
  if (products.size && !products.has(key)) fail('InvalidParameterValue', `ProductId ${p.ProductId} is not a documented product.`);
  const name = products.get(key) ?? packageTypeName(key);
  if (p.DomainNum < 1) fail('InvalidParameterValue', 'DomainNum must be >= 1.');
  if (/多域名/.test(name) && p.DomainNum < 2) fail('InvalidParameterValue', 'Multi-domain products need DomainNum > 1.');
  if (p.TimeSpan < 1 || p.TimeSpan > 5) fail('InvalidParameterValue', 'TimeSpan must be between 1 and 5 years.');
  if (/不支持多年期/.test(name) && p.TimeSpan > 1) fail('InvalidParameterValue', 'This product does not support multi-year periods.');
  if (p.AutoVoucher !== undefined && p.AutoVoucher !== 0 && p.AutoVoucher !== 1) fail('InvalidParameterValue', 'AutoVoucher must be 0 or 1.');
  const cert = newPaidOrder(state, {
    packageType: key,
    domainNumber: p.DomainNum,
    periodYears: p.TimeSpan,
    validityMonths: 12 * p.TimeSpan,
    tags: (p.Tags ?? []).map((t: { TagKey?: string; TagValue?: string }) => ({ TagKey: t.TagKey ?? '', TagValue: t.TagValue ?? '' })),
  });
  state.log(cert.id, 'buy', `用户[uin: ${state.ownerUin}] 购买付费证书 证书[id: ${cert.id}]`);
  return { CertificateIds: [cert.id], DealIds: [cert.dealId] };
};

const CreateCertificateByPackage: Handler = ({ state, params: p }) => {
  const pids = productPids();
  if (pids.size && !pids.has(p.ProductPid)) fail('InvalidParameter.ProductPidInvalid', `ProductPid ${p.ProductPid} is not a documented product.`);
  const name = pids.get(p.ProductPid) ?? `product ${p.ProductPid}`;
  if (!/^\d+$/.test(p.DomainCount) || Number(p.DomainCount) < 1) fail('InvalidParameter.DomainCountInvalid', 'DomainCount must be a positive integer.');
  if (p.Period < 1 || p.Period > 5) fail('InvalidParameter.PeriodInvalid', 'Period must be between 1 and 5 years.');
  const count = p.CertificateCount ?? 1;
  if (count < 1 || count > 100) fail('FailedOperation', 'CertificateCount must be between 1 and 100.');
  if (p.RenewGenCsrMethod !== undefined && !['original', 'upload', 'online'].includes(p.RenewGenCsrMethod)) {
    fail('InvalidParameter.RenewGenCsrMethodInvalid', 'RenewGenCsrMethod must be original, upload or online.');
  }
  if (p.RenewGenCsrMethod === 'upload' && !/BEGIN (NEW )?CERTIFICATE REQUEST/.test(p.RenewCsr ?? '')) {
    fail('InvalidParameter.RenewCsrInvalid', 'RenewCsr must be a PEM certificate request.');
  }
  if (p.RenewAlgorithmType !== undefined && !['RSA', 'ECC', 'SM2'].includes(p.RenewAlgorithmType)) {
    fail('InvalidParameter.RenewAlgorithmInvalid', 'RenewAlgorithmType must be RSA, ECC or SM2.');
  }
  let origin: CertRecord | undefined;
  if (p.OldCertificateId) {
    origin = state.getCertificate(p.OldCertificateId);
    if (!origin) fail('FailedOperation', `The certificate \`${p.OldCertificateId}\` to renew does not exist.`);
  }
  const domains: string[] = typeof p.DomainNames === 'string' && p.DomainNames.trim() ? p.DomainNames.split(',').map((d: string) => d.trim()) : [];
  for (const d of domains) if (!DOMAIN_RE.test(d)) fail('InvalidParameter.DomainInvalid', `The domain \`${d}\` is not valid.`);
  const packs = (p.PackageIds as string[]).map((id) => state.packages.get(id));
  if (packs.length === 0 || packs.some((x) => !x || x.status !== 'usable' || x.expireAt <= state.now())) {
    fail('InvalidParameter.PackageIdsInvalid', 'PackageIds contains unknown, used up or expired packages.');
  }
  const cost = Number(p.DomainCount) * p.Period * count;
  const available = packs.reduce((n, x) => n + (x?.balance ?? 0), 0);
  if (available < cost) fail('FailedOperation.TradeError', `Not enough points: ${cost} needed, ${available} available.`);
  let remaining = cost;
  for (const pack of packs) {
    if (!pack || remaining === 0) continue;
    const take = Math.min(pack.balance, remaining);
    pack.balance -= take;
    remaining -= take;
    pack.updatedAt = state.now();
    if (pack.balance === 0) pack.status = 'used';
  }
  const level = levelOfPackage(name);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const cert = newPaidOrder(state, {
      packageType: String(p.ProductPid),
      productZhName: name.split(/[-(（]/)[0].trim().toLowerCase() || name,
      certLevel: level,
      domain: domains[0] ?? origin?.domain ?? '',
      altNames: domains.slice(1),
      domainNumber: Number(p.DomainCount),
      periodYears: p.Period,
      validityMonths: 12 * p.Period,
      projectId: p.ProjectId ?? 0,
      managerId: p.ManagerId || undefined,
      companyId: p.CompanyId || undefined,
      verifyType: p.VerifyType ?? '',
      dealId: state.newOrderId('PKG'),
      originCertificateId: origin?.id,
      isSM: /国密|SM2/.test(name),
      encryptAlgorithm: /国密|SM2/.test(name) ? 'SM2' : (p.RenewAlgorithmType ?? 'RSA'),
      tags: (p.Tags ?? []).map((t: { TagKey?: string; TagValue?: string }) => ({ TagKey: t.TagKey ?? '', TagValue: t.TagValue ?? '' })),
    });
    if (origin && i === 0) origin.renewOrder = cert.id;
    ids.push(cert.id);
    state.log(cert.id, 'buy', `用户[uin: ${state.ownerUin}] 使用权益点创建证书 证书[id: ${cert.id}]`);
  }
  return { CertificateId: ids[0], CertificateIds: ids };
};

function requirePaid(cert: CertRecord): void {
  if (!cert.isPaid) fail('FailedOperation.InvalidParam', 'This action only applies to paid certificates.');
}

const CertificateInfoSubmit: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertId);
  requirePaid(cert);
  if (![5, 13].includes(cert.status)) {
    fail('FailedOperation.CertificateInfoSubmitStatusInvalid', `The certificate status (${cert.status}) does not accept information.`);
  }
  if (!['online', 'parse'].includes(p.GenCsrType)) fail('FailedOperation.InvalidParam', 'GenCsrType must be online or parse.');
  if (p.GenCsrType === 'parse' && !/BEGIN (NEW )?CERTIFICATE REQUEST/.test(p.Csr ?? '')) {
    fail('FailedOperation.InvalidParam', 'Csr is required when GenCsrType is parse.');
  }
  const cn = String(p.CertCommonName).trim().toLowerCase();
  if (!DOMAIN_RE.test(cn)) fail('FailedOperation.CertificateInfoSubmitDomainInvalid', `The domain \`${p.CertCommonName}\` is not valid.`);
  const dnsNames: string[] = p.DnsNames ?? [];
  for (const d of dnsNames) if (!DOMAIN_RE.test(d)) fail('FailedOperation.CertificateInfoSubmitDomainInvalid', `The domain \`${d}\` is not valid.`);
  if (p.CompanyType !== 1 && p.CompanyType !== 2) fail('FailedOperation.InvalidParam', 'CompanyType must be 1 or 2.');
  if (p.CompanyType === 1 && cert.certLevel !== 'DV') fail('FailedOperation.InvalidParam', 'CompanyType 1 (personal) is only allowed for DV certificates.');
  if (p.CompanyType === 1 && !p.ContactEmail) fail('FailedOperation.CertificateInfoSubmitContactEmailEmpty', 'ContactEmail is required when CompanyType is 1.');
  const companyId = Number(p.CompanyId);
  if (!Number.isInteger(companyId) || (companyId !== 0 && !state.companies.has(companyId))) {
    fail('FailedOperation.InvalidParam', `The company \`${p.CompanyId}\` does not exist.`);
  }
  const managerId = p.ManagerId !== undefined ? Number(p.ManagerId) : 0;
  if (!Number.isInteger(managerId) || (managerId !== 0 && !state.managers.has(managerId))) {
    fail('FailedOperation.InvalidParam', `The manager \`${p.ManagerId}\` does not exist.`);
  }
  if (p.VerifyType !== undefined && !['DNS_AUTO', 'DNS', 'FILE'].includes(p.VerifyType)) fail('FailedOperation.InvalidParam', 'VerifyType must be DNS_AUTO, DNS or FILE.');
  cert.domain = cn;
  cert.altNames = dnsNames.filter((d) => d !== cn);
  cert.companyType = p.CompanyType;
  cert.companyId = companyId || undefined;
  cert.managerId = managerId || undefined;
  cert.verifyType = p.VerifyType ?? cert.verifyType ?? 'DNS';
  cert.autoRenewFlag = p.AutoRenewFlag === 1 ? 1 : 0;
  if (p.CsrEncryptAlgo) cert.encryptAlgorithm = p.CsrEncryptAlgo;
  if (p.CsrKeyParameter) cert.keyParameter = p.CsrKeyParameter;
  cert.submitted = {
    CsrType: p.GenCsrType,
    CsrContent: p.Csr ?? '',
    CertificateDomain: cn,
    DomainList: dnsNames,
    KeyPassword: p.KeyPass ? '******' : '',
    OrganizationName: p.OrgOrganization ?? '',
    OrganizationDivision: p.OrgDivision ?? '',
    OrganizationAddress: p.OrgAddress ?? '',
    OrganizationCountry: p.OrgCountry ?? '',
    OrganizationCity: p.OrgCity ?? '',
    OrganizationRegion: p.OrgRegion ?? '',
    PhoneAreaCode: p.OrgPhoneArea ?? '',
    PhoneNumber: p.OrgPhoneNumber ?? '',
    AdminFirstName: p.AdminFirstName ?? '',
    AdminLastName: p.AdminLastName ?? '',
    AdminPhoneNum: p.AdminPhone ?? '',
    AdminEmail: p.AdminEmail ?? '',
    AdminPosition: p.AdminTitle ?? '',
    ContactFirstName: p.TechFirstName ?? '',
    ContactLastName: p.TechLastName ?? '',
    ContactNumber: p.TechPhone ?? '',
    ContactEmail: p.ContactEmail ?? p.TechEmail ?? '',
    ContactPosition: p.TechTitle ?? '',
    VerifyType: cert.verifyType,
  };
  state.log(cert.id, 'submitInfo', `用户[uin: ${state.ownerUin}] 提交证书资料 证书[id: ${cert.id}]`);
  return {};
};

/** Submits the order of a paid certificate whose information was submitted. */
function submitOrder(state: SimState, cert: CertRecord, verifyType: string | undefined, statusCode: string): { OrderId: string; Status: number; IsAudited: boolean } {
  requirePaid(cert);
  if (cert.status === 0 || cert.status === 4) fail('FailedOperation.CertificateOrderSubmitProcessing', 'The order has already been submitted.');
  if (cert.status !== 5 && cert.status !== 13) fail(statusCode, `The certificate status (${cert.status}) does not allow submitting the order.`);
  if (!cert.submitted) fail(statusCode, 'The certificate information has not been submitted yet.');
  if (verifyType !== undefined) {
    if (!['DNS_AUTO', 'DNS', 'FILE'].includes(verifyType)) fail('FailedOperation.InvalidParam', 'VerifyType must be DNS_AUTO, DNS or FILE.');
    cert.verifyType = verifyType;
  }
  const now = state.now();
  const manager = cert.managerId !== undefined ? state.managers.get(cert.managerId) : undefined;
  const audited = manager !== undefined && (manager.status === 'ok' || manager.status === 'expiring');
  cert.orderId = state.newOrderId('CA');
  cert.dvAuths = dvAuthsFor(state, allDomains(cert), cert.verifyType || 'DNS');
  if (cert.certLevel !== 'DV' && !audited) {
    cert.status = 8;
    cert.statusMsg = '';
  } else {
    cert.status = 0;
    cert.statusMsg = audited ? 'CA-REVIEWING' : 'PENDING-DCV';
    cert.verifyAt = now + Math.floor(state.durations.paidIssue / 2);
    cert.issueAt = now + state.durations.paidIssue;
  }
  state.log(cert.id, 'submitOrder', `用户[uin: ${state.ownerUin}] 提交证书订单 证书[id: ${cert.id}]`);
  return { OrderId: cert.orderId, Status: cert.status, IsAudited: audited };
}

const CertificateOrderSubmit: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertId);
  if (p.DeleteDnsAutoRecord !== undefined) cert.deleteDnsAutoRecord = p.DeleteDnsAutoRecord === 1;
  return submitOrder(state, cert, p.VerifyType, 'FailedOperation.CertificateInfoSubmitStatusInvalid');
};

const CommitCertificateInformation: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  const r = submitOrder(state, cert, p.VerifyType, 'FailedOperation.InvalidCertificateStatusCode');
  return { OrderId: r.OrderId, Status: r.Status };
};

const SubmitCertificateInformation: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  requirePaid(cert);
  if (![5, 13].includes(cert.status)) fail('FailedOperation.InvalidCertificateStatusCode', `The certificate status (${cert.status}) does not accept information.`);
  if (p.CsrType !== undefined && !['online', 'parse'].includes(p.CsrType)) fail('FailedOperation.InvalidParam', 'CsrType must be online or parse.');
  if (p.CsrType === 'parse' && !/BEGIN (NEW )?CERTIFICATE REQUEST/.test(p.CsrContent ?? '')) {
    fail('FailedOperation.InvalidParam', 'CsrContent is required when CsrType is parse.');
  }
  const domain = p.CertificateDomain !== undefined ? String(p.CertificateDomain).trim().toLowerCase() : cert.domain;
  if (!domain || !DOMAIN_RE.test(domain)) fail('FailedOperation.InvalidParam', 'CertificateDomain is missing or not a valid domain.');
  const list: string[] = p.DomainList ?? [];
  for (const d of list) if (!DOMAIN_RE.test(d)) fail('FailedOperation.InvalidParam', `The domain \`${d}\` is not valid.`);
  if (p.VerifyType !== undefined && !['DNS_AUTO', 'DNS', 'FILE'].includes(p.VerifyType)) fail('FailedOperation.InvalidParam', 'VerifyType must be DNS_AUTO, DNS or FILE.');
  cert.domain = domain;
  cert.altNames = list.filter((d) => d !== domain);
  cert.verifyType = p.VerifyType ?? (cert.verifyType || 'DNS');
  const fields = [
    'CsrType', 'CsrContent', 'KeyPassword', 'OrganizationName', 'OrganizationDivision', 'OrganizationAddress', 'OrganizationCountry',
    'OrganizationCity', 'OrganizationRegion', 'PostalCode', 'PhoneAreaCode', 'PhoneNumber', 'AdminFirstName', 'AdminLastName',
    'AdminPhoneNum', 'AdminEmail', 'AdminPosition', 'ContactFirstName', 'ContactLastName', 'ContactEmail', 'ContactNumber', 'ContactPosition',
  ];
  const submitted: Record<string, unknown> = { CertificateDomain: domain, DomainList: list, VerifyType: cert.verifyType };
  for (const f of fields) if (p[f] !== undefined) submitted[f] = f === 'KeyPassword' ? '******' : p[f];
  cert.submitted = submitted;
  state.log(cert.id, 'submitInfo', `用户[uin: ${state.ownerUin}] 提交证书资料 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id };
};

function checkLetter(b64: string, codes: { small: string; large: string; format: string }): void {
  const clean = b64.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) fail(codes.format, 'The letter must be base64 encoded.');
  const bytes = Buffer.from(clean, 'base64');
  if (bytes.length < 1024) fail(codes.small, 'The letter must be at least 1 KB.');
  if (bytes.length > 1.4 * 1024 * 1024) fail(codes.large, 'The letter must be at most 1.4 MB.');
  const isJpg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const isPng = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const isPdf = bytes.subarray(0, 4).toString('latin1') === '%PDF';
  if (!isJpg && !isPng && !isPdf) fail(codes.format, 'The letter must be a jpg, jpeg, png or pdf file.');
}

const UploadConfirmLetter: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (cert.from === 'upload') fail('FailedOperation.InvalidCertificateSource', 'Uploaded certificates have no confirmation letter.');
  if (cert.certLevel === 'DV') fail('FailedOperation.UploadConfirmCertificateNotSupportDV', 'DV certificates do not need a confirmation letter.');
  if (cert.status !== 8) fail('FailedOperation.InvalidCertificateStatusCode', `The certificate status (${cert.status}) does not expect a confirmation letter.`);
  checkLetter(p.ConfirmLetter, { small: 'FailedOperation.ConfirmLetterTooSmall', large: 'FailedOperation.ConfirmLetterTooLarge', format: 'FailedOperation.InvalidConfirmLetterFormat' });
  const now = state.now();
  cert.confirmLetterUploaded = true;
  cert.status = 0;
  cert.statusMsg = 'CA-REVIEWING';
  cert.verifyAt = now + Math.floor(state.durations.paidIssue / 2);
  cert.issueAt = now + state.durations.paidIssue;
  state.log(cert.id, 'uploadConfirmLetter', `用户[uin: ${state.ownerUin}] 上传确认函 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id, IsSuccess: true };
};

const UploadRevokeLetter: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (cert.certLevel === 'DV') fail('FailedOperation.UploadConfirmCertificateNotSupportDV', 'DV certificates do not need a revocation letter.');
  if (cert.status !== 12) fail('FailedOperation.InvalidCertificateStatusCode', `The certificate status (${cert.status}) does not expect a revocation letter.`);
  checkLetter(p.RevokeLetter, { small: 'FailedOperation.ConfirmLetterTooSmall', large: 'FailedOperation.ConfirmLetterTooLarge', format: 'FailedOperation.InvalidFileType' });
  cert.revokeLetterUploaded = true;
  cert.status = 9;
  cert.revokeAt = state.now() + state.durations.revoke;
  state.log(cert.id, 'uploadRevokeLetter', `用户[uin: ${state.ownerUin}] 上传吊销确认函 证书[id: ${cert.id}]`);
  return { CertificateId: cert.id, IsSuccess: true };
};

const DescribePackages: Handler = ({ state, params: p }) => {
  const now = state.now();
  for (const pack of state.packages.values()) if (pack.status === 'usable' && pack.expireAt <= now) pack.status = 'expired';
  let packs = [...state.packages.values()];
  if (p.Status) packs = packs.filter((x) => x.status === p.Status);
  if (p.PackageId) packs = packs.filter((x) => x.id === p.PackageId);
  if (p.Type) packs = packs.filter((x) => x.type === p.Type);
  if (p.Pid !== undefined) packs = packs.filter((x) => x.pid === p.Pid);
  if (p.ExpireTime !== undefined && p.ExpireTime !== 'asc' && p.ExpireTime !== 'desc') fail('FailedOperation', 'ExpireTime must be asc or desc.');
  if (p.ExpireTime) packs.sort((a, b) => (p.ExpireTime === 'asc' ? 1 : -1) * (a.expireAt - b.expireAt));
  else packs.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  return {
    Packages: page(packs, p.Offset, p.Limit, 20, 1000).map((x) => ({
      PackageId: x.id,
      Total: x.total,
      Balance: x.balance,
      Type: x.type,
      SourceUin: x.sourceUin ?? null,
      Status: x.status,
      ExpireTime: formatTime(x.expireAt),
      UpdateTime: formatTime(x.updatedAt),
      CreateTime: formatTime(x.createdAt),
      SourceType: x.sourceType,
      TransferOutInfos: null,
    })),
    TotalCount: packs.length,
    TotalBalance: packs.filter((x) => x.status === 'usable').reduce((n, x) => n + x.balance, 0),
  };
};

export const orderHandlers: Record<string, Handler> = {
  CancelAuditCertificate,
  CancelCertificateOrder,
  CreateCertificate,
  CreateCertificateByPackage,
  CertificateInfoSubmit,
  CertificateOrderSubmit,
  CommitCertificateInformation,
  SubmitCertificateInformation,
  UploadConfirmLetter,
  UploadRevokeLetter,
  DescribePackages,
};
