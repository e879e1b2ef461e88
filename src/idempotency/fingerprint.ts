import { createHash, createHmac, hkdfSync } from 'node:crypto';

/**
 * JSON with object keys sorted (recursively) and `undefined` members dropped, as `JSON.stringify`
 * would: two inputs that differ only in key order or in absent-vs-undefined members give the same
 * text. Arrays keep their order (it is meaningful for the API).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return normalize((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') out[key] = normalize(v);
  }
  return out;
}

/**
 * Fingerprint of a mutation request: HMAC-SHA-256 (hex) of the operation name and its canonical
 * input under `key`, or a plain SHA-256 without one. Give the operation as the upstream action or
 * route (e.g. `ApplyCertificate`) and the input after validation/defaulting, so equivalent
 * requests match.
 *
 * The fingerprint is stored next to the key (in Redis when shared), and inputs can hold secrets
 * (`CsrKeyPassword`, `KeyPassword`, private keys). A plain hash of a low-entropy input can be
 * brute-forced by anyone who can read the store; with a server-side key it cannot. The gateway
 * keys it with `fingerprintKey` (below).
 */
export function requestFingerprint(operation: string, input: unknown, key?: Uint8Array): string {
  const h = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  return h.update(operation).update('\n').update(canonicalJson(input)).digest('hex');
}

/**
 * The fingerprint key of a deployment, derived (HKDF-SHA-256) from the upstream SecretKey: every
 * instance of one deployment derives the same key, so fingerprints match across instances with
 * no extra setting, and the SecretKey itself cannot be recovered from it. Rotating the SecretKey
 * changes the key: a retry of a write started before the rotation, within the record's TTL, is
 * then refused as a key reused with other input (422) instead of replayed.
 */
export function fingerprintKey(secretKey: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secretKey, 'ssl-gateway', 'idempotency request fingerprint v1', 32));
}
