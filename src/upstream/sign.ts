/**
 * TC3-HMAC-SHA256 (Tencent Cloud API signature v3), as pure functions.
 *
 * Nothing here reads the clock: the caller passes the UNIX timestamp (seconds). The building
 * blocks are exported so the simulator verifies requests with exactly the same code
 * (`verifySignature`). Intermediate values follow the seed documentation's worked example:
 *
 *   CanonicalRequest = Method \n URI \n Query \n CanonicalHeaders \n SignedHeaders \n sha256hex(body)
 *   StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n Date/service/tc3_request \n sha256hex(CR)
 *   SigningKey       = HMAC(HMAC(HMAC("TC3" + SecretKey, Date), service), "tc3_request")
 *   Signature        = hex(HMAC(SigningKey, StringToSign))
 *
 * Canonical header lines are `lower(name):lower(trim(value))`, sorted by name; `Date` is the UTC
 * date of the timestamp. Secrets never appear in any returned string except where unavoidable
 * (the derived key buffer).
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'TC3-HMAC-SHA256';
export const TERMINATOR = 'tc3_request';
/** Headers signed by default: the seed's worked example (the official Node SDK signs only the first two). */
export const DEFAULT_SIGNED_HEADERS: readonly string[] = Object.freeze(['content-type', 'host', 'x-tc-action']);
/** Headers that must always be signed. */
export const REQUIRED_SIGNED_HEADERS: readonly string[] = Object.freeze(['content-type', 'host']);
/** Maximum accepted difference between X-TC-Timestamp and the server clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export type Bytes = string | Uint8Array;

export function sha256Hex(data: Bytes): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: Bytes, message: Bytes): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** Lowercase hex SHA-256 of the request body (UTF-8 for strings). */
export function hashPayload(body: Bytes): string {
  return sha256Hex(body);
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be a non-negative integer number of seconds, got ${String(timestamp)}`);
  }
}

/** `YYYY-MM-DD` of a UNIX timestamp (seconds), in UTC. */
export function utcDate(timestamp: number): string {
  assertTimestamp(timestamp);
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function credentialScope(date: string, service: string): string {
  return `${date}/${service}/${TERMINATOR}`;
}

export type HeaderValue = string | number | readonly string[] | undefined;
export type HeaderBag = Readonly<Record<string, HeaderValue>>;

/** Case-insensitive header lookup; arrays (repeated headers) are joined with `,`. */
export function getHeader(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number') return String(value);
    if (typeof value === 'string') return value;
    return value.join(',');
  }
  return undefined;
}

/** Normalizes a signed-headers list: lowercase, sorted ASCII ascending, no duplicates. */
export function normalizeSignedHeaders(signedHeaders: readonly string[]): string[] {
  return [...new Set(signedHeaders.map((h) => h.trim().toLowerCase()))].sort();
}

/** `name:value\n` for each signed header (name order), lowercased and trimmed. Throws if one is missing. */
export function canonicalHeaders(headers: HeaderBag, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of normalizeSignedHeaders(signedHeaders)) {
    const value = getHeader(headers, name);
    if (value === undefined) throw new Error(`signed header "${name}" is missing from the request headers`);
    out += `${name}:${value.trim().toLowerCase()}\n`;
  }
  return out;
}

export interface CanonicalRequestInput {
  method: string;
  /** Canonical URI; `/` for API 3.0. */
  path?: string;
  /** Query string without `?`; empty for POST. */
  query?: string;
  headers: HeaderBag;
  signedHeaders: readonly string[];
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  const signed = normalizeSignedHeaders(input.signedHeaders);
  return [
    input.method.toUpperCase(),
    input.path ?? '/',
    input.query ?? '',
    canonicalHeaders(input.headers, signed),
    signed.join(';'),
    input.payloadHash,
  ].join('\n');
}

export interface StringToSignInput {
  timestamp: number;
  /** `Date/service/tc3_request`. */
  credentialScope: string;
  /** The canonical request itself, or give `hashedCanonicalRequest`. */
  canonicalRequest?: string;
  hashedCanonicalRequest?: string;
}

export function stringToSign(input: StringToSignInput): string {
  assertTimestamp(input.timestamp);
  const hashed =
    input.hashedCanonicalRequest ??
    (input.canonicalRequest !== undefined ? sha256Hex(input.canonicalRequest) : undefined);
  if (hashed === undefined) throw new Error('stringToSign needs canonicalRequest or hashedCanonicalRequest');
  return `${ALGORITHM}\n${input.timestamp}\n${input.credentialScope}\n${hashed}`;
}

/** A small LRU of derived signing keys; keys are (secretKey, date, service). */
export class SigningKeyCache {
  private readonly entries = new Map<string, Buffer>();
  private lastSecret?: string;
  private lastSecretHash = '';
  constructor(readonly maxEntries = 16) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }
  get size(): number {
    return this.entries.size;
  }
  clear(): void {
    this.entries.clear();
  }
  /** Returns the cached key or computes, stores (evicting the least recently used) and returns it. */
  getOrCreate(secretKey: string, date: string, service: string, create: () => Buffer): Buffer {
    // The map key holds a hash of the secret, not the secret itself. The hash of the last secret
    // seen is remembered (a gateway signs with one key), so a lookup costs no extra hashing.
    if (secretKey !== this.lastSecret) {
      this.lastSecret = secretKey;
      this.lastSecretHash = sha256Hex(secretKey);
    }
    const key = `${date}\u0000${service}\u0000${this.lastSecretHash}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = create();
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}

/** Process-wide default cache used when none is passed. */
export const defaultSigningKeyCache = new SigningKeyCache(16);

/**
 * SecretSigning = HMAC(HMAC(HMAC("TC3" + secretKey, date), service), "tc3_request"), cached per
 * (secretKey, date, service). Pass `null` as cache to bypass caching.
 */
export function deriveSigningKey(
  secretKey: string,
  date: string,
  service: string,
  cache: SigningKeyCache | null = defaultSigningKeyCache,
): Buffer {
  const create = (): Buffer => {
    const kDate = hmacSha256(`TC3${secretKey}`, date);
    const kService = hmacSha256(kDate, service);
    return hmacSha256(kService, TERMINATOR);
  };
  return cache === null ? create() : cache.getOrCreate(secretKey, date, service, create);
}

/** Lowercase hex HMAC of the string to sign. */
export function computeSignature(signingKey: Uint8Array, toSign: string): string {
  return createHmac('sha256', signingKey).update(toSign).digest('hex');
}

export interface AuthorizationParts {
  algorithm?: string;
  secretId: string;
  credentialScope: string;
  signedHeaders: readonly string[];
  signature: string;
}

export function formatAuthorization(parts: AuthorizationParts): string {
  return (
    `${parts.algorithm ?? ALGORITHM} Credential=${parts.secretId}/${parts.credentialScope}, ` +
    `SignedHeaders=${normalizeSignedHeaders(parts.signedHeaders).join(';')}, Signature=${parts.signature}`
  );
}

export interface ParsedAuthorization {
  algorithm: string;
  secretId: string;
  date: string;
  service: string;
  terminator: string;
  /** As sent (lowercase names, in the order they appeared). */
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION_RE =
  /^([A-Za-z0-9-]+) +Credential=([^,\s]+) *, *SignedHeaders=([^,\s]+) *, *Signature=([^,\s]+)$/;

/** Parses an `Authorization` header; `null` when it is not a well-formed TC3 header. */
export function parseAuthorization(header: string | undefined | null): ParsedAuthorization | null {
  if (typeof header !== 'string') return null;
  const m = AUTHORIZATION_RE.exec(header.trim());
  if (m === null) return null;
  const [, algorithm, credential, signedHeadersRaw, signature] = m;
  const cred = credential.split('/');
  if (cred.length !== 4) return null;
  const [secretId, date, service, terminator] = cred;
  if (secretId === '' || service === '' || terminator === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const signedHeaders = signedHeadersRaw.split(';');
  if (signedHeaders.some((h) => !/^[a-z0-9-]+$/.test(h))) return null;
  if (!/^[0-9a-f]{64}$/.test(signature)) return null;
  return { algorithm, secretId, date, service, terminator, signedHeaders, signature };
}

export interface SignInput {
  secretId: string;
  secretKey: string;
  /** Credential-scope service, e.g. `ssl`. */
  service: string;
  /** UNIX seconds; also written to `X-TC-Timestamp`. */
  timestamp: number;
  method?: string;
  path?: string;
  query?: string;
  /** The headers that will be sent; must contain every signed header (`Content-Type`, `Host`, ...). */
  headers: HeaderBag;
  body: Bytes;
  /** @default DEFAULT_SIGNED_HEADERS (`content-type;host;x-tc-action`) */
  signedHeaders?: readonly string[];
  cache?: SigningKeyCache | null;
}

export interface SignResult {
  authorization: string;
  /** Input headers plus `X-TC-Timestamp` and `Authorization`. */
  headers: Record<string, string>;
  payloadHash: string;
  canonicalRequest: string;
  stringToSign: string;
  credentialScope: string;
  signedHeaders: string[];
  signature: string;
}

/** Signs a request. Pure: same input, same output. */
export function sign(input: SignInput): SignResult {
  assertTimestamp(input.timestamp);
  const signedHeaders = normalizeSignedHeaders(input.signedHeaders ?? DEFAULT_SIGNED_HEADERS);
  for (const required of REQUIRED_SIGNED_HEADERS) {
    if (!signedHeaders.includes(required)) throw new Error(`signed headers must include "${required}"`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower === 'authorization' || lower === 'x-tc-timestamp') continue;
    headers[name] = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : value.join(',');
  }
  headers['X-TC-Timestamp'] = String(input.timestamp);

  const payloadHash = hashPayload(input.body);
  const canonical = canonicalRequest({
    method: input.method ?? 'POST',
    path: input.path ?? '/',
    query: input.query ?? '',
    headers,
    signedHeaders,
    payloadHash,
  });
  const date = utcDate(input.timestamp);
  const scope = credentialScope(date, input.service);
  const toSign = stringToSign({ timestamp: input.timestamp, credentialScope: scope, canonicalRequest: canonical });
  const key = deriveSigningKey(input.secretKey, date, input.service, input.cache === undefined ? defaultSigningKeyCache : input.cache);
  const signature = computeSignature(key, toSign);
  const authorization = formatAuthorization({ secretId: input.secretId, credentialScope: scope, signedHeaders, signature });
  headers.Authorization = authorization;
  return {
    authorization,
    headers,
    payloadHash,
    canonicalRequest: canonical,
    stringToSign: toSign,
    credentialScope: scope,
    signedHeaders,
    signature,
  };
}
