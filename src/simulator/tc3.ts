/**
 * Server-side verification of TC3-HMAC-SHA256 ("signature method v3"), written independently of
 * the gateway's signer (src/upstream) so that tests cross-check one against the other.
 *
 * The verifier works on the request exactly as it arrived: the raw header list (values of the
 * headers named in SignedHeaders, lower-cased and trimmed as the documentation prescribes), the
 * raw path and query string, and the raw body bytes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { utcDate } from './time';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
export const TC3_TERMINATOR = 'tc3_request';

export interface SimCredential {
  secretId: string;
  secretKey: string;
  /** When set, the key pair is a temporary credential and X-TC-Token must carry this token. */
  token?: string;
  /** Account the key belongs to (rate limits are per action and account). */
  uin?: string;
}

export interface ReceivedRequest {
  method: string;
  /** Path without the query string, as received (`/`). */
  path: string;
  /** Query string without `?`, as received (empty for POST). */
  query: string;
  /** Node's `rawHeaders`: [name, value, name, value, ...]. */
  rawHeaders: readonly string[];
  body: Buffer;
}

export interface VerifyOptions {
  service: string;
  nowSeconds: number;
  maxSkewSeconds: number;
  lookup(secretId: string): SimCredential | undefined;
}

export type VerifyResult =
  | { ok: true; credential: SimCredential; timestamp: number; signedHeaders: string[] }
  | { ok: false; code: string; message: string };

export interface ParsedAuthorization {
  algorithm: string;
  secretId: string;
  date: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** All values of a header (case-insensitive name), in arrival order. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === lower) out.push(rawHeaders[i + 1]);
  }
  return out;
}

export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  const values = headerValues(rawHeaders, name);
  return values.length ? values.join(',') : undefined;
}

/** Parses `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(value: string): ParsedAuthorization | string {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  if (space <= 0) return 'Authorization must start with the algorithm followed by a space';
  const algorithm = trimmed.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq <= 0) return `malformed Authorization component \`${p}\``;
    const key = p.slice(0, eq);
    if (fields.has(key)) return `duplicate Authorization component \`${key}\``;
    fields.set(key, p.slice(eq + 1));
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    return 'Authorization must contain Credential, SignedHeaders and Signature';
  }
  for (const key of fields.keys()) {
    if (key !== 'Credential' && key !== 'SignedHeaders' && key !== 'Signature') {
      return `unknown Authorization component \`${key}\``;
    }
  }
  const parts = credential.split('/');
  if (parts.length < 4) return 'Credential must be SecretId/Date/Service/tc3_request';
  const terminator = parts.pop() as string;
  const service = parts.pop() as string;
  const date = parts.pop() as string;
  const secretId = parts.join('/');
  return {
    algorithm,
    secretId,
    date,
    service,
    terminator,
    signedHeaders: signedHeaders.split(';'),
    signature,
  };
}

export function canonicalHeaderValue(rawHeaders: readonly string[], name: string): string | undefined {
  const values = headerValues(rawHeaders, name);
  if (!values.length) return undefined;
  return values.map((v) => v.trim()).join(',').toLowerCase();
}

export function buildCanonicalRequest(req: ReceivedRequest, signedHeaders: readonly string[]): string {
  let canonicalHeaders = '';
  for (const name of signedHeaders) {
    canonicalHeaders += `${name}:${canonicalHeaderValue(req.rawHeaders, name) ?? ''}\n`;
  }
  return [
    req.method.toUpperCase(),
    req.path,
    req.query,
    canonicalHeaders,
    signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

export function computeSignature(
  secretKey: string,
  date: string,
  service: string,
  timestamp: string,
  canonicalRequest: string,
): string {
  const stringToSign = [TC3_ALGORITHM, timestamp, `${date}/${service}/${TC3_TERMINATOR}`, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const kDate = hmac(`TC3${secretKey}`, date);
  const kService = hmac(kDate, service);
  const kSigning = hmac(kService, TC3_TERMINATOR);
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

const bad = (code: string, message: string): VerifyResult => ({ ok: false, code, message });

/**
 * Verifies a request. Order of checks: Authorization present and well-formed
 * (AuthFailure.SignatureFailure when absent, AuthFailure.InvalidAuthorization when garbled),
 * X-TC-Timestamp present and within `maxSkewSeconds` (AuthFailure.SignatureExpire), scope date and
 * service, SecretId known (AuthFailure.SecretIdNotFound), token (AuthFailure.TokenFailure), then
 * the signature itself (AuthFailure.SignatureFailure).
 */
export function verifyTc3(req: ReceivedRequest, opts: VerifyOptions): VerifyResult {
  const authorization = headerValue(req.rawHeaders, 'authorization');
  if (authorization === undefined || authorization.trim() === '') {
    return bad('AuthFailure.SignatureFailure', 'The request is missing the Authorization header.');
  }
  const parsed = parseAuthorization(authorization);
  if (typeof parsed === 'string') return bad('AuthFailure.InvalidAuthorization', `Invalid Authorization header: ${parsed}.`);
  if (parsed.algorithm !== TC3_ALGORITHM) {
    return bad(
      'AuthFailure.InvalidAuthorization',
      `Invalid Authorization header: unsupported signature algorithm \`${parsed.algorithm}\`, expected ${TC3_ALGORITHM}.`,
    );
  }
  if (parsed.terminator !== TC3_TERMINATOR) {
    return bad(
      'AuthFailure.InvalidAuthorization',
      `Invalid Authorization header: credential scope must end with \`${TC3_TERMINATOR}\`, got \`${parsed.terminator}\`.`,
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parsed.date)) {
    return bad('AuthFailure.InvalidAuthorization', `Invalid Authorization header: credential scope date \`${parsed.date}\` is not YYYY-MM-DD.`);
  }
  if (!parsed.secretId) return bad('AuthFailure.InvalidAuthorization', 'Invalid Authorization header: empty SecretId.');
  if (!/^[0-9a-f]{64}$/.test(parsed.signature)) {
    return bad('AuthFailure.InvalidAuthorization', 'Invalid Authorization header: Signature must be 64 lower-case hex digits.');
  }
  const signed = parsed.signedHeaders;
  for (let i = 0; i < signed.length; i++) {
    const name = signed[i];
    if (!name || name !== name.toLowerCase()) {
      return bad('AuthFailure.InvalidAuthorization', `Invalid Authorization header: SignedHeaders must be lower-case names, got \`${signed.join(';')}\`.`);
    }
    if (i > 0 && signed[i - 1] >= name) {
      return bad(
        'AuthFailure.InvalidAuthorization',
        `Invalid Authorization header: SignedHeaders must be sorted ascending without duplicates, got \`${signed.join(';')}\`.`,
      );
    }
  }
  for (const mandatory of ['content-type', 'host']) {
    if (!signed.includes(mandatory)) {
      return bad('AuthFailure.InvalidAuthorization', `Invalid Authorization header: SignedHeaders must include \`${mandatory}\`.`);
    }
  }
  for (const name of signed) {
    if (headerValues(req.rawHeaders, name).length === 0) {
      return bad('AuthFailure.InvalidAuthorization', `Invalid Authorization header: signed header \`${name}\` is not present in the request.`);
    }
  }

  const tsText = headerValue(req.rawHeaders, 'x-tc-timestamp');
  if (tsText === undefined || tsText.trim() === '') {
    return bad('MissingParameter', 'The request is missing a required parameter `Timestamp`.');
  }
  if (!/^\d{1,12}$/.test(tsText.trim())) {
    return bad('InvalidParameter', 'The value of parameter `Timestamp` (X-TC-Timestamp) is not a valid unix timestamp.');
  }
  const timestamp = Number(tsText.trim());
  if (Math.abs(timestamp - opts.nowSeconds) > opts.maxSkewSeconds) {
    return bad(
      'AuthFailure.SignatureExpire',
      `Signature expired: X-TC-Timestamp ${timestamp} differs from the server time ${opts.nowSeconds} by more than ${opts.maxSkewSeconds} seconds.`,
    );
  }
  const expectedDate = utcDate(timestamp);
  if (parsed.date !== expectedDate) {
    return bad(
      'AuthFailure.SignatureFailure',
      `The credential scope date \`${parsed.date}\` does not match the UTC date of X-TC-Timestamp (\`${expectedDate}\`).`,
    );
  }
  if (parsed.service !== opts.service) {
    return bad(
      'AuthFailure.SignatureFailure',
      `The credential scope service \`${parsed.service}\` does not match this service (\`${opts.service}\`).`,
    );
  }
  const credential = opts.lookup(parsed.secretId);
  if (!credential) return bad('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');

  const token = headerValue(req.rawHeaders, 'x-tc-token');
  if (credential.token !== undefined) {
    if (token === undefined || token !== credential.token) {
      return bad('AuthFailure.TokenFailure', 'The temporary credential token (X-TC-Token) is missing or invalid.');
    }
  } else if (token !== undefined && token !== '') {
    return bad('AuthFailure.TokenFailure', 'X-TC-Token must not be set when using a permanent SecretId.');
  }

  const canonical = buildCanonicalRequest(req, signed);
  const expected = computeSignature(credential.secretKey, parsed.date, parsed.service, tsText.trim(), canonical);
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(parsed.signature, 'hex'))) {
    return bad(
      'AuthFailure.SignatureFailure',
      'The provided credentials could not be validated. Please check your signature is correct.',
    );
  }
  return { ok: true, credential, timestamp, signedHeaders: signed };
}
