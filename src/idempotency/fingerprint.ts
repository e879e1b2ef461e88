import { createHash } from 'node:crypto';

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
 * Fingerprint of a mutation request: SHA-256 (hex) of the operation name and its canonical input.
 * Give the operation as the upstream action or route (e.g. `ApplyCertificate`) and the input after
 * validation/defaulting, so equivalent requests match.
 */
export function requestFingerprint(operation: string, input: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(canonicalJson(input)).digest('hex');
}
