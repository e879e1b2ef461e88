/**
 * A TC3-HMAC-SHA256 verifier for the unit tests of the client's signer: it checks a request the
 * way the service does (well-formed Authorization, known SecretId, timestamp within the allowed
 * skew, credential date/service, signature). Test-only: the product signs, it never verifies; the
 * simulator has its own verifier (src/simulator/tc3.ts), written independently on purpose.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  ALGORITHM,
  MAX_CLOCK_SKEW_SECONDS,
  REQUIRED_SIGNED_HEADERS,
  TERMINATOR,
  canonicalRequest,
  computeSignature,
  credentialScope,
  defaultSigningKeyCache,
  deriveSigningKey,
  getHeader,
  hashPayload,
  normalizeSignedHeaders,
  parseAuthorization,
  stringToSign,
  utcDate,
  type Bytes,
  type HeaderBag,
  type ParsedAuthorization,
  type SigningKeyCache,
} from '../../src/upstream/sign';

/** Constant-time comparison of two lowercase hex strings. */
export function hexEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export type VerifyFailureCode =
  | 'AuthFailure.InvalidAuthorization'
  | 'AuthFailure.SecretIdNotFound'
  | 'AuthFailure.SignatureExpire'
  | 'AuthFailure.SignatureFailure'
  | 'MissingParameter';

export type VerifyResult =
  | { ok: true; secretId: string; timestamp: number; authorization: ParsedAuthorization }
  | { ok: false; code: VerifyFailureCode; message: string };

export interface VerifyInput {
  method: string;
  path?: string;
  query?: string;
  /** Headers as received (e.g. node `IncomingMessage.headers`). */
  headers: HeaderBag;
  body: Bytes;
  /** The service this endpoint serves (`ssl`); the credential scope must name it. */
  service: string;
  /** Secret key for a SecretId, or undefined when unknown. */
  lookupSecretKey: (secretId: string) => string | undefined;
  /** Server clock, UNIX seconds. */
  now: number;
  /** @default MAX_CLOCK_SKEW_SECONDS */
  maxSkewSeconds?: number;
  cache?: SigningKeyCache | null;
}

/**
 * Verifies a request the way the service does: well-formed Authorization, known SecretId,
 * timestamp within the allowed skew, credential date/service consistent, signature equal.
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  const header = getHeader(input.headers, 'authorization');
  const auth = parseAuthorization(header);
  if (auth === null || auth.algorithm !== ALGORITHM || auth.terminator !== TERMINATOR) {
    return { ok: false, code: 'AuthFailure.InvalidAuthorization', message: 'The Authorization header is not a valid TC3-HMAC-SHA256 header.' };
  }
  const signed = normalizeSignedHeaders(auth.signedHeaders);
  for (const required of REQUIRED_SIGNED_HEADERS) {
    if (!signed.includes(required)) {
      return { ok: false, code: 'AuthFailure.InvalidAuthorization', message: `SignedHeaders must include ${required}.` };
    }
  }
  for (const name of signed) {
    if (getHeader(input.headers, name) === undefined) {
      return { ok: false, code: 'AuthFailure.InvalidAuthorization', message: `Signed header ${name} is missing.` };
    }
  }
  const rawTimestamp = getHeader(input.headers, 'x-tc-timestamp');
  if (rawTimestamp === undefined || !/^\d{1,12}$/.test(rawTimestamp.trim())) {
    return { ok: false, code: 'MissingParameter', message: 'The X-TC-Timestamp header is missing or not an integer.' };
  }
  const timestamp = Number(rawTimestamp.trim());
  const secretKey = input.lookupSecretKey(auth.secretId);
  if (secretKey === undefined) {
    return { ok: false, code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found.' };
  }
  if (Math.abs(input.now - timestamp) > (input.maxSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS)) {
    return {
      ok: false,
      code: 'AuthFailure.SignatureExpire',
      message: `Signature expired. The X-TC-Timestamp ${timestamp} and the server time ${input.now} differ by more than ${input.maxSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS} seconds.`,
    };
  }
  if (auth.service !== input.service || auth.date !== utcDate(timestamp)) {
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'The credential scope does not match the request (date or service).' };
  }
  const canonical = canonicalRequest({
    method: input.method,
    path: input.path ?? '/',
    query: input.query ?? '',
    headers: input.headers,
    signedHeaders: auth.signedHeaders,
    payloadHash: hashPayload(input.body),
  });
  const toSign = stringToSign({ timestamp, credentialScope: credentialScope(auth.date, auth.service), canonicalRequest: canonical });
  const key = deriveSigningKey(secretKey, auth.date, auth.service, input.cache === undefined ? defaultSigningKeyCache : input.cache);
  const expected = computeSignature(key, toSign);
  if (!hexEquals(expected, auth.signature)) {
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated. Please check your signature is correct.' };
  }
  return { ok: true, secretId: auth.secretId, timestamp, authorization: auth };
}
