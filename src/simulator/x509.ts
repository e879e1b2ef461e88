/**
 * Minimal X.509 issuing for the simulator: real, parseable PEM certificates (node:crypto's
 * X509Certificate accepts them) signed by a per-process "SSL Simulator" CA, so that downloads,
 * uploads, chain checks and fingerprints behave like the real thing. Only node:crypto and a tiny
 * DER encoder; nothing here is meant to be secure.
 */
import {
  createHash,
  generateKeyPairSync,
  sign as cryptoSign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';

// ---- DER ------------------------------------------------------------------------------------

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octet = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);

function integer(value: Buffer | number): Buffer {
  let b = typeof value === 'number' ? Buffer.from(value.toString(16).padStart(2, '0').replace(/^(.(..)*)$/, '0$1'), 'hex') : value;
  while (b.length > 1 && b[0] === 0 && !(b[1] & 0x80)) b = b.subarray(1);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    let v = p >>> 7;
    while (v > 0) {
      stack.unshift((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(...stack);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(ms: number): Buffer {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const p = (n: number): string => String(n).padStart(2, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`, 'ascii'));
  return tlv(0x18, Buffer.from(`${y}${rest}`, 'ascii'));
}

function name(commonName: string, organization?: string): Buffer {
  const rdns = [];
  if (organization) rdns.push(set(seq(oid('2.5.4.10'), utf8(organization))));
  rdns.push(set(seq(oid('2.5.4.3'), utf8(commonName))));
  return seq(...rdns);
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

// ---- certificates ----------------------------------------------------------------------------

export interface IssuedCertificate {
  /** Leaf certificate PEM. */
  certificatePem: string;
  /** Leaf + intermediate, as the real bundle files. */
  chainPem: string;
  privateKeyPem: string;
  /** SHA-1 fingerprint, upper-case hex with colons (as `openssl x509 -fingerprint`). */
  fingerprintSha1: string;
  serialHex: string;
  notBefore: number;
  notAfter: number;
  issuer: string;
  subject: string;
}

interface Authority {
  cn: string;
  key: KeyObject;
  pem: string;
}

export interface IssueOptions {
  commonName: string;
  altNames?: string[];
  notBefore: number;
  notAfter: number;
  /** Key algorithm of the leaf. RSA keys are generated once per process and reused. */
  algorithm?: 'RSA' | 'ECC';
  organization?: string;
  /** Issue a CA certificate (CertificateType CA uploads). */
  isCa?: boolean;
  /** Self-signed instead of issued by the simulator CA. */
  selfSigned?: boolean;
}

let serialCounter = 1;
let rootCa: Authority | undefined;
let intermediateCa: Authority | undefined;
let sharedRsa: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

function buildCertificate(opts: {
  subjectCn: string;
  subjectOrg?: string;
  issuerCn: string;
  issuerOrg?: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  notBefore: number;
  notAfter: number;
  altNames?: string[];
  isCa: boolean;
  serial: Buffer;
}): string {
  const extensions: Buffer[] = [];
  if (opts.isCa) {
    extensions.push(seq(oid('2.5.29.19'), bool(true), octet(seq(bool(true)))));
    extensions.push(seq(oid('2.5.29.15'), bool(true), octet(tlv(0x03, Buffer.from([0x01, 0x06])))));
  } else {
    extensions.push(seq(oid('2.5.29.19'), octet(seq())));
    const names = opts.altNames?.length ? opts.altNames : [opts.subjectCn];
    extensions.push(seq(oid('2.5.29.17'), octet(seq(...names.map((n) => tlv(0x82, Buffer.from(n, 'ascii')))))));
  }
  const spki = opts.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    explicit(0, integer(2)),
    integer(opts.serial),
    ECDSA_SHA256,
    name(opts.issuerCn, opts.issuerOrg),
    seq(time(opts.notBefore), time(opts.notAfter)),
    name(opts.subjectCn, opts.subjectOrg),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = cryptoSign('sha256', tbs, opts.signingKey);
  const der = seq(tbs, ECDSA_SHA256, bitString(signature));
  return toPem(der, 'CERTIFICATE');
}

function toPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function nextSerial(): Buffer {
  const b = createHash('sha256').update(`sim-serial-${process.pid}-${serialCounter++}-${Date.now()}`).digest().subarray(0, 16);
  b[0] &= 0x7f;
  return b;
}

const CA_VALID_FROM = Date.UTC(2020, 0, 1);
const CA_VALID_TO = Date.UTC(2045, 0, 1);

export function simulatorRoot(): Authority {
  if (!rootCa) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const cn = 'SSL Simulator Root CA';
    const pem = buildCertificate({
      subjectCn: cn,
      subjectOrg: 'ssl-gateway simulator',
      issuerCn: cn,
      issuerOrg: 'ssl-gateway simulator',
      publicKey,
      signingKey: privateKey,
      notBefore: CA_VALID_FROM,
      notAfter: CA_VALID_TO,
      isCa: true,
      serial: nextSerial(),
    });
    rootCa = { cn, key: privateKey, pem };
  }
  return rootCa;
}

export function simulatorIntermediate(): Authority {
  if (!intermediateCa) {
    const root = simulatorRoot();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const cn = 'SSL Simulator DV TLS CA';
    const pem = buildCertificate({
      subjectCn: cn,
      subjectOrg: 'ssl-gateway simulator',
      issuerCn: root.cn,
      issuerOrg: 'ssl-gateway simulator',
      publicKey,
      signingKey: root.key,
      notBefore: CA_VALID_FROM,
      notAfter: CA_VALID_TO,
      isCa: true,
      serial: nextSerial(),
    });
    intermediateCa = { cn, key: privateKey, pem };
  }
  return intermediateCa;
}

function leafKeys(algorithm: 'RSA' | 'ECC'): { privateKey: KeyObject; publicKey: KeyObject } {
  if (algorithm === 'RSA') {
    sharedRsa ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return sharedRsa;
  }
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export function fingerprintSha1(pem: string): string {
  return new X509Certificate(pem).fingerprint;
}

/** Issues a leaf (or CA) certificate signed by the simulator's intermediate CA. */
export function issueCertificate(opts: IssueOptions): IssuedCertificate {
  const keys = leafKeys(opts.algorithm ?? 'ECC');
  const issuer = opts.selfSigned ? undefined : simulatorIntermediate();
  const serial = nextSerial();
  const certificatePem = buildCertificate({
    subjectCn: opts.commonName,
    subjectOrg: opts.organization,
    issuerCn: issuer ? issuer.cn : opts.commonName,
    issuerOrg: issuer ? 'ssl-gateway simulator' : opts.organization,
    publicKey: keys.publicKey,
    signingKey: issuer ? issuer.key : keys.privateKey,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    altNames: opts.altNames,
    isCa: opts.isCa ?? false,
    serial,
  });
  const x = new X509Certificate(certificatePem);
  return {
    certificatePem,
    chainPem: issuer ? certificatePem + issuer.pem : certificatePem,
    privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprintSha1: x.fingerprint,
    serialHex: serial.toString('hex'),
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    issuer: issuer ? issuer.cn : opts.commonName,
    subject: opts.commonName,
  };
}

/** Splits a PEM bundle into its certificate blocks. */
export function splitPemCertificates(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => `${b.replace(/\\n/g, '\n').trim()}\n`);
}

export interface ParsedCertificate {
  x509: X509Certificate;
  commonName: string;
  altNames: string[];
  notBefore: number;
  notAfter: number;
  fingerprintSha1: string;
  issuerCn: string;
  isCa: boolean;
  keyType: string;
}

function cnOf(dn: string): string {
  const m = /(?:^|\n)CN=([^\n]*)/.exec(dn);
  return m ? m[1] : dn.split('\n').pop() ?? '';
}

/** Parses a PEM certificate; undefined when it is not a valid certificate. */
export function parseCertificate(pem: string): ParsedCertificate | undefined {
  try {
    const x509 = new X509Certificate(pem);
    const altNames = (x509.subjectAltName ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4));
    return {
      x509,
      commonName: cnOf(x509.subject),
      altNames,
      notBefore: Date.parse(x509.validFrom),
      notAfter: Date.parse(x509.validTo),
      fingerprintSha1: x509.fingerprint,
      issuerCn: cnOf(x509.issuer),
      isCa: x509.ca,
      keyType: x509.publicKey.asymmetricKeyType ?? 'unknown',
    };
  } catch {
    return undefined;
  }
}

/** PEM of the simulator root, for chain checks ("trusted CA"). */
export function simulatorRootPem(): string {
  return simulatorRoot().pem;
}

export function simulatorIntermediatePem(): string {
  return simulatorIntermediate().pem;
}
