/**
 * Certificate record factories shared by the seeder and the action handlers.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { CertRecord, DvAuth, SimState } from './state';
import { FREE_PACKAGE_TYPE } from './state';
import { packageTypeName } from './views';
import { parseCertificate } from './x509';
import { fail } from './errors';

export type CertInit = Partial<CertRecord> & Pick<CertRecord, 'domain'>;

export function baseCert(state: SimState, init: CertInit): CertRecord {
  const packageType = init.packageType === undefined ? FREE_PACKAGE_TYPE : init.packageType;
  const cert: CertRecord = {
    id: init.id ?? state.newCertId(),
    ownerUin: state.ownerUin,
    projectId: 0,
    from: 'trustasia',
    packageType,
    productZhName: packageType ? productBrand(packageTypeName(packageType)) : '',
    certificateType: 'SVR',
    certLevel: 'DV',
    altNames: [],
    alias: '',
    status: 0,
    statusMsg: '',
    verifyType: 'DNS_AUTO',
    validityMonths: 3,
    insertTime: state.now(),
    orderId: '',
    dealId: '',
    isPaid: false,
    isSM: false,
    encryptAlgorithm: 'RSA',
    keyParameter: '2048',
    tags: [],
    ignoreExpiringNotice: false,
    allowDownload: true,
    vulnerability: false,
    companyType: 1,
    domainNumber: 1,
    periodYears: 1,
    autoRenewFlag: 0,
    dvAuths: [],
    revokeAuths: [],
    deleteDnsAutoRecord: false,
    reissueCount: 0,
    ...init,
  };
  state.certificates.set(cert.id, cert);
  return cert;
}

function productBrand(name: string): string {
  const brand = /^(TrustAsia|SecureSite|Geotrust|GlobalSign|Wotrus|WoTrus|DNSPod|CFCA|Rapid|SSL)/i.exec(name);
  return brand ? brand[1].toLowerCase() : name;
}

/** DV validation values for a domain and method, deterministic from the state's RNG. */
export function dvAuthsFor(state: SimState, domains: string[], method: string): DvAuth[] {
  return domains.map((domain) => {
    const bare = domain.replace(/^\*\./, '');
    const token = state.rng.hex(32);
    const value = `${state.rng.hex(32)}.${state.rng.hex(32)}.trust-provider.test`;
    if (method === 'FILE' || method === 'FILE_PROXY') {
      return {
        key: `${token}.txt`,
        value,
        domain: bare,
        path: `http://${bare}/.well-known/pki-validation/${token}.txt`,
        subDomain: '',
        verifyType: 'FILE',
      };
    }
    return {
      key: `_${token}.${bare}`,
      value,
      domain: bare,
      path: '',
      subDomain: `_${token}`,
      verifyType: 'CNAME',
    };
  });
}

/** Free DV certificate as created by ApplyCertificate (Status 0, DNS_AUTO → 4 is not used). */
export function newFreeDv(
  state: SimState,
  init: CertInit & { verifyType: string },
  opts: { scheduleIssue: boolean } = { scheduleIssue: true },
): CertRecord {
  const now = state.now();
  const cert = baseCert(state, {
    packageType: FREE_PACKAGE_TYPE,
    from: 'trustasia',
    certLevel: 'DV',
    isPaid: false,
    validityMonths: 3,
    status: 0,
    statusMsg: 'PENDING-DCV',
    orderId: state.newOrderId('TA'),
    ...init,
  });
  cert.dvAuths = dvAuthsFor(state, [cert.domain], cert.verifyType);
  if (opts.scheduleIssue && (cert.status === 0 || cert.status === 4)) {
    cert.verifyAt = now + state.durations.dvVerify;
    cert.issueAt = now + state.durations.dvIssue;
  }
  return cert;
}

export interface UploadedMaterial {
  publicKey: string;
  privateKey?: string;
  commonName: string;
  altNames: string[];
  notBefore: number;
  notAfter: number;
  fingerprint: string;
  isCa: boolean;
  keyType: string;
}

/** Parses uploaded PEM content (leaf first, then chain) and checks the private key. */
export function parseUpload(publicKey: string, privateKey: string | undefined, certificateType: string): UploadedMaterial {
  const normalized = publicKey.replace(/\\n/g, '\n');
  const first = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(normalized);
  if (!first) fail('FailedOperation.CertificateParseError', 'The certificate content could not be parsed as a PEM certificate.');
  const parsed = parseCertificate(`${first[0]}\n`);
  if (!parsed) fail('FailedOperation.CertificateParseError', 'The certificate content could not be parsed as a PEM certificate.');
  let key: string | undefined;
  if (certificateType === 'SVR') {
    if (!privateKey) fail('FailedOperation.InvalidParam', 'CertificatePrivateKey is required for SVR certificates.');
    key = privateKey.replace(/\\n/g, '\n');
    let matches = false;
    try {
      matches = parsed.x509.checkPrivateKey(createPrivateKeySafe(key));
    } catch {
      fail('FailedOperation.CertificateParseError', 'The private key could not be parsed.');
    }
    if (!matches) fail('InvalidParameter.MissMatchPrivateKey', 'The private key does not match the certificate.');
  } else if (privateKey) {
    key = privateKey.replace(/\\n/g, '\n');
  }
  const sans = parsed.altNames.filter((d) => d !== parsed.commonName);
  return {
    publicKey: normalized.trim() + '\n',
    privateKey: key,
    commonName: parsed.commonName,
    altNames: sans,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    fingerprint: parsed.fingerprintSha1,
    isCa: parsed.isCa,
    keyType: parsed.keyType,
  };
}

function createPrivateKeySafe(pem: string): KeyObject {
  return createPrivateKey(pem);
}

export function newUploaded(state: SimState, m: UploadedMaterial, init: Partial<CertRecord> = {}): CertRecord {
  const now = state.now();
  return baseCert(state, {
    domain: m.commonName,
    altNames: m.altNames,
    from: 'upload',
    packageType: null,
    productZhName: '',
    certLevel: 'DV',
    certificateType: m.isCa ? 'CA' : 'SVR',
    status: m.notAfter <= now ? 3 : 1,
    verifyType: '',
    validityMonths: Math.max(1, Math.round((m.notAfter - m.notBefore) / (30 * 24 * 3600 * 1000))),
    certBegin: m.notBefore,
    certEnd: m.notAfter,
    uploadedPublicKey: m.publicKey,
    uploadedPrivateKey: m.privateKey,
    fingerprint: m.fingerprint,
    encryptAlgorithm: m.keyType === 'rsa' ? 'RSA' : 'ECC',
    keyParameter: m.keyType === 'rsa' ? '2048' : 'prime256v1',
    validationPassedAt: undefined,
    ...init,
  });
}

/** Certificate level of a documented package type / product. */
export function levelOfPackage(name: string): 'DV' | 'OV' | 'EV' {
  if (/EV|增强型/.test(name)) return 'EV';
  if (/OV|企业型/.test(name)) return 'OV';
  return 'DV';
}
