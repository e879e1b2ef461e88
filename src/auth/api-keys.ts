/**
 * API keys. The gateway stores only the SHA-256 of each key (hex), with an id (safe to log) and
 * the key's scopes. A presented key is hashed and compared with every configured hash in
 * constant time (`crypto.timingSafeEqual`, no early exit), so neither the match position nor the
 * number of matching bytes leaks through timing.
 *
 * Configuration (`GATEWAY_API_KEYS`), either form:
 * - compact: `id:sha256hex:scope+scope[,id:sha256hex:scope+scope…]`, e.g.
 *   `partner-a:9f86d081…0f00a08:read+write,ops:2c26b46b…e7ae:read+write+keys`
 * - JSON: `[{"id":"partner-a","sha256":"9f86d081…","scopes":["read","write"]}]`
 * Ids: 1–64 of `A-Z a-z 0-9 . _ -`; sha256: 64 hex digits; scopes: read, write, keys, admin.
 *
 * Hash a key for the configuration with `printf %s "$KEY" | sha256sum` (or `hashApiKey`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isScope, normalizeScopes, SCOPES, type Scope } from './scopes';

export interface ApiKeyEntry {
  /** Key id: appears in logs and as the caller id. */
  readonly id: string;
  /** Lower-case hex SHA-256 of the key (UTF-8). */
  readonly sha256: string;
  readonly scopes: readonly Scope[];
}

/** Prefix of generated keys; makes them recognisable in secret scanners. */
export const API_KEY_PREFIX = 'sslgw_';
/** Longest key accepted (longer values are refused without hashing). */
export const MAX_API_KEY_LENGTH = 512;

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiKeysParseResult {
  entries: ApiKeyEntry[];
  /** Human-readable problems; never contain hashes or keys. Empty when the value is valid. */
  problems: string[];
}

function entryFrom(raw: { id?: unknown; sha256?: unknown; scopes?: unknown }, where: string, problems: string[]): ApiKeyEntry | undefined {
  const id = typeof raw.id === 'string' ? raw.id.trim() : '';
  if (!ID.test(id)) {
    problems.push(`${where}: id must be 1-64 characters of A-Z a-z 0-9 . _ -`);
    return undefined;
  }
  const sha = typeof raw.sha256 === 'string' ? raw.sha256.trim() : '';
  if (!HEX64.test(sha)) {
    problems.push(`key "${id}": sha256 must be 64 hex digits (the SHA-256 of the key, not the key)`);
    return undefined;
  }
  const list = Array.isArray(raw.scopes)
    ? raw.scopes.map(String)
    : typeof raw.scopes === 'string'
      ? raw.scopes.split(/[+\s]+/)
      : [];
  const names = list.map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((s) => !isScope(s));
  if (unknown.length > 0) {
    problems.push(`key "${id}": unknown scope(s) ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`);
    return undefined;
  }
  if (names.length === 0) {
    problems.push(`key "${id}": at least one scope is required (${SCOPES.join(', ')})`);
    return undefined;
  }
  return Object.freeze({ id, sha256: sha.toLowerCase(), scopes: Object.freeze(normalizeScopes(names)) });
}

/** Parses `GATEWAY_API_KEYS` (compact or JSON form). An empty value yields no entries. */
export function parseApiKeys(text: string | undefined): ApiKeysParseResult {
  const problems: string[] = [];
  const entries: ApiKeyEntry[] = [];
  const value = (text ?? '').trim();
  if (value === '') return { entries, problems };
  const raws: { raw: { id?: unknown; sha256?: unknown; scopes?: unknown }; where: string }[] = [];
  if (value.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return { entries, problems: ['is not valid JSON'] };
    }
    if (!Array.isArray(parsed)) return { entries, problems: ['must be a JSON array of {id, sha256, scopes}'] };
    parsed.forEach((item, i) => {
      if (item === null || typeof item !== 'object') problems.push(`item ${i + 1}: must be an object {id, sha256, scopes}`);
      else raws.push({ raw: item as Record<string, unknown>, where: `item ${i + 1}` });
    });
  } else {
    value.split(',').forEach((part, i) => {
      const item = part.trim();
      if (item === '') return;
      const fields = item.split(':');
      if (fields.length !== 3) {
        problems.push(`item ${i + 1}: expected "id:sha256:scope+scope"`);
        return;
      }
      raws.push({ raw: { id: fields[0], sha256: fields[1], scopes: fields[2] }, where: `item ${i + 1}` });
    });
  }
  const ids = new Set<string>();
  const hashes = new Set<string>();
  for (const { raw, where } of raws) {
    const e = entryFrom(raw, where, problems);
    if (!e) continue;
    if (ids.has(e.id)) {
      problems.push(`key id "${e.id}" is listed twice`);
      continue;
    }
    if (hashes.has(e.sha256)) {
      problems.push(`key "${e.id}" has the same hash as another key`);
      continue;
    }
    ids.add(e.id);
    hashes.add(e.sha256);
    entries.push(e);
  }
  return { entries, problems };
}

/** Verifies presented keys against the configured hashes. */
export class ApiKeyStore {
  private readonly digests: { entry: ApiKeyEntry; digest: Buffer }[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.digests = entries.map((entry) => {
      if (!HEX64.test(entry.sha256)) throw new Error(`API key "${entry.id}": sha256 must be 64 hex digits`);
      return { entry, digest: Buffer.from(entry.sha256, 'hex') };
    });
  }

  get size(): number {
    return this.digests.length;
  }

  /** The entry whose hash matches `key`, compared against every entry in constant time. */
  verify(key: string): ApiKeyEntry | undefined {
    if (key.length === 0 || key.length > MAX_API_KEY_LENGTH) return undefined;
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: ApiKeyEntry | undefined;
    for (const d of this.digests) {
      // No early exit: every entry is compared whatever matched before.
      const equal = timingSafeEqual(digest, d.digest);
      if (equal && found === undefined) found = d.entry;
    }
    return found;
  }
}

export interface DemoApiKey {
  /** The key to print once; it is not stored anywhere. */
  key: string;
  /** The configuration entry (hash only). */
  entry: ApiKeyEntry;
}

/**
 * A random key for local `npm start` (256 bits, base64url, prefixed `sslgw_`), with all scopes
 * unless told otherwise. The local server prints `key` once and keeps only `entry`.
 */
export function createDemoApiKey(options: { id?: string; scopes?: readonly Scope[] } = {}): DemoApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const entry: ApiKeyEntry = Object.freeze({
    id: options.id ?? 'local-demo',
    sha256: hashApiKey(key),
    scopes: Object.freeze(normalizeScopes(options.scopes ?? SCOPES)),
  });
  return { key, entry };
}

/** Renders entries in the compact `GATEWAY_API_KEYS` form. */
export function formatApiKeys(entries: readonly ApiKeyEntry[]): string {
  return entries.map((e) => `${e.id}:${e.sha256}:${e.scopes.join('+')}`).join(',');
}
