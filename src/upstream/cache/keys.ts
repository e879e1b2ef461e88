/**
 * Cache and flight keys: the same upstream account, action and parameters give the same key in
 * every instance, whatever order the parameters' members were written in.
 */
import { createHash } from 'node:crypto';

/** JSON with object members sorted by name (arrays keep their order: it is meaningful). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}

/**
 * An id for the upstream account: the endpoint and the SecretId (never the secret key), hashed so
 * that neither appears in a Redis key.
 */
export function accountId(endpoint: string, secretId: string): string {
  return digest(`${endpoint}\n${secretId}`).slice(0, 16);
}

/** The cache key of one read. `variant` covers call options that change the answer (region, language). */
export function readKey(account: string, action: string, params: unknown, variant = ''): string {
  return `${action}:${digest(`${account}\n${action}\n${variant}\n${canonicalJson(params)}`)}`;
}

/** A fingerprint of the current generations of a read's tags (null: never bumped). */
export function generationOf(values: ReadonlyArray<string | null>): string {
  return digest(values.map((v) => v ?? '-').join('\n')).slice(0, 16);
}

/** Tags can hold client-chosen ids: long ones are hashed to keep Redis keys short. */
export function tagKey(tag: string): string {
  return tag.length <= 80 ? tag : `h:${digest(tag)}`;
}
