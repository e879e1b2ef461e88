/**
 * Scopes: what a client may do. One table, derived from the spec, used by REST (per action) and
 * GraphQL (per root field and per object field).
 *
 * - `read`:  actions of kind `read` (no side effect), and GraphQL fields that read upstream.
 * - `write`: actions of kind `write` (they change state).
 * - `keys`:  private-key material, in either direction:
 *   * downloading it: `DownloadCertificate` (the ZIP holds the private key) and
 *     `DescribeDownloadCertificateUrl` (a URL to that ZIP): the whole action needs `keys`;
 *   * reading it inside a response: output members named `…PrivateKey`, `…KeyPass`/`…KeyPassword`
 *     (`DescribeCertificateDetail.CertificatePrivateKey`, `.EncryptPrivateKey`, and
 *     `SubmittedData.KeyPassword` reached from `DescribeCertificate(Detail)`): the action needs
 *     only `read`; GraphQL answers those fields with null + FORBIDDEN for callers without `keys`
 *     and REST redacts them (`redactKeyMaterial`);
 *   * uploading it: input members named the same way. `UploadCertificate` and
 *     `UploadUpdateCertificateInstance` always need `keys` (they exist to upload a key pair; the
 *     latter documents the key as required); elsewhere the key input is optional and `keys` is
 *     needed only when the call carries it non-empty: `UpdateCertificateInstance.CertificatePrivateKey`,
 *     `ApplyCertificate.CsrKeyPassword`, `CertificateInfoSubmit.KeyPass`,
 *     `CreateCertificateByPackage.RenewKeyPass`, `ReplaceCertificate.CsrkeyPassword`,
 *     `SubmitCertificateInformation.KeyPassword`.
 *   A CSR (`Csr`, `CsrContent`, `RenewCsr`) holds only the public key and a public certificate
 *   (`CertificatePublicKey`) is public: neither needs `keys`.
 * - `admin`: the account's certificate managers and companies (personal and company data of the
 *   people who vouch for OV/EV orders): every action whose name mentions `Manager` or `Compan`:
 *   DescribeManagers, DescribeManagerDetail, SubmitAuditManager, VerifyManager, DeleteManager,
 *   DescribeCompanies. They need `admin` in addition to `read`/`write`.
 *
 * Scopes are independent: `write` does not imply `read`, `admin` and `keys` add to the others.
 */
import { fieldName } from '../spec/naming';
import { spec, type ApiSpec, type MemberSpec } from '../spec';

export const SCOPES = ['read', 'write', 'keys', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Member names carrying private-key material (the key itself, or the password protecting it). */
export const KEY_MATERIAL_MEMBER = /(PrivateKey|KeyPass|KeyPassword)$/i;
/** Action names about the account's managers and companies. */
export const ADMIN_ACTION = /Manager|Compan/;
/** Actions whose whole answer is private-key material (or a link to it). */
export const KEY_DOWNLOAD_ACTIONS: ReadonlySet<string> = new Set(['DownloadCertificate', 'DescribeDownloadCertificateUrl']);
/** Actions that exist to upload a key pair: `keys` even when the (optional) key is absent. */
export const KEY_UPLOAD_ACTIONS: ReadonlySet<string> = new Set(['UploadCertificate']);

export interface ActionScopeRule {
  action: string;
  kind: 'read' | 'write';
  /** Scopes every call of the action needs. */
  scopes: readonly Scope[];
  /** Optional input members that add `keys` when a call carries them non-empty. */
  keyInputs: readonly string[];
  /** Output paths (dot-separated member names, through structures and arrays) holding key material. */
  keyOutputs: readonly string[];
}

function outputKeyPaths(api: ApiSpec, members: readonly MemberSpec[], prefix: string, seen: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of members) {
    const path = prefix ? `${prefix}.${m.name}` : m.name;
    if (KEY_MATERIAL_MEMBER.test(m.name)) out.push(path);
    const s = api.structures[m.type];
    if (s && !seen.has(s.name)) out.push(...outputKeyPaths(api, s.members, path, new Set([...seen, s.name])));
  }
  return out;
}

/** Builds the table for a spec (exported for tests; use `ACTION_SCOPES`). */
export function buildActionScopes(api: ApiSpec = spec): ReadonlyMap<string, ActionScopeRule> {
  const table = new Map<string, ActionScopeRule>();
  for (const a of Object.values(api.actions)) {
    const scopes = new Set<Scope>([a.kind]);
    if (ADMIN_ACTION.test(a.name)) scopes.add('admin');
    if (KEY_DOWNLOAD_ACTIONS.has(a.name) || KEY_UPLOAD_ACTIONS.has(a.name)) scopes.add('keys');
    const keyInputs: string[] = [];
    for (const m of a.inputs) {
      if (!KEY_MATERIAL_MEMBER.test(m.name)) continue;
      if (m.required) scopes.add('keys');
      else keyInputs.push(m.name);
    }
    const keyOutputs = outputKeyPaths(api, a.outputs, '', new Set());
    if (a.name === 'DownloadCertificate') keyOutputs.push('Content');
    if (a.name === 'DescribeDownloadCertificateUrl') keyOutputs.push('DownloadCertificateUrl');
    table.set(
      a.name,
      Object.freeze({
        action: a.name,
        kind: a.kind,
        scopes: Object.freeze(SCOPES.filter((s) => scopes.has(s))),
        keyInputs: Object.freeze(scopes.has('keys') ? [] : keyInputs),
        keyOutputs: Object.freeze(keyOutputs),
      }),
    );
  }
  return table;
}

export const ACTION_SCOPES: ReadonlyMap<string, ActionScopeRule> = buildActionScopes();

function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Reads a parameter by its documented name or its GraphQL argument name. */
function param(params: Readonly<Record<string, unknown>>, member: string): unknown {
  if (Object.prototype.hasOwnProperty.call(params, member)) return params[member];
  const gql = fieldName(member);
  return Object.prototype.hasOwnProperty.call(params, gql) ? params[gql] : undefined;
}

/**
 * Scopes needed to call `action` with `params` (REST body with documented member names, or
 * GraphQL arguments with lowerCamel names). Without `params`, the scopes every call needs.
 * Throws for an unknown action (callers validate the action first; never fail open).
 */
export function requiredScopes(action: string, params?: Readonly<Record<string, unknown>> | null): Scope[] {
  const rule = ACTION_SCOPES.get(action);
  if (!rule) throw new RangeError(`no scope rule for unknown action "${action}"`);
  const scopes = new Set<Scope>(rule.scopes);
  if (params && rule.keyInputs.some((m) => present(param(params, m)))) scopes.add('keys');
  return SCOPES.filter((s) => scopes.has(s));
}

/** Every scope a call of `action` may need (documentation, OpenAPI `security`). */
export function possibleScopes(action: string): Scope[] {
  const rule = ACTION_SCOPES.get(action);
  if (!rule) throw new RangeError(`no scope rule for unknown action "${action}"`);
  return rule.keyInputs.length > 0 ? SCOPES.filter((s) => s === 'keys' || rule.scopes.includes(s)) : [...rule.scopes];
}

/** The scopes of `required` that `granted` lacks, in canonical order. */
export function missingScopes(granted: ReadonlySet<string>, required: Iterable<Scope>): Scope[] {
  const need = new Set(required);
  return SCOPES.filter((s) => need.has(s) && !granted.has(s));
}

/** Normalises a scope list (unknown names dropped, canonical order). */
export function normalizeScopes(values: Iterable<string>): Scope[] {
  const set = new Set(values);
  return SCOPES.filter((s) => set.has(s));
}

/**
 * GraphQL object fields (not root fields) that expose private-key material, `Type.field`:
 * derived from the same member rule, for action responses (`<Action>Response`) and structures.
 */
export function buildKeyMaterialFields(api: ApiSpec = spec): ReadonlySet<string> {
  const out = new Set<string>();
  for (const a of Object.values(api.actions)) {
    for (const m of a.outputs) if (KEY_MATERIAL_MEMBER.test(m.name)) out.add(`${a.name}Response.${fieldName(m.name)}`);
  }
  for (const s of Object.values(api.structures)) {
    for (const m of s.members) if (KEY_MATERIAL_MEMBER.test(m.name)) out.add(`${s.name}.${fieldName(m.name)}`);
  }
  out.add('DownloadCertificateResponse.content');
  out.add('DescribeDownloadCertificateUrlResponse.downloadCertificateUrl');
  return out;
}

export const KEY_MATERIAL_FIELDS: ReadonlySet<string> = buildKeyMaterialFields();

export interface RedactionResult<T> {
  value: T;
  /** Paths (documented member names, `[]` for array items) that were replaced by null. */
  redacted: string[];
}

/**
 * REST: replaces the key-material members of an action's response by null unless the caller
 * has `keys`. Returns a copy; the input is not modified. Paths follow the spec (`keyOutputs`).
 */
export function redactKeyMaterial<T>(action: string, response: T, granted: ReadonlySet<string>): RedactionResult<T> {
  const rule = ACTION_SCOPES.get(action);
  if (!rule || rule.keyOutputs.length === 0 || granted.has('keys')) return { value: response, redacted: [] };
  const redacted: string[] = [];
  const walk = (node: unknown, path: readonly string[], shown: string): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, path, `${shown}[]`));
    if (node === null || typeof node !== 'object') return node;
    const [head, ...rest] = path;
    const obj = node as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(obj, head)) return node;
    const here = shown ? `${shown}.${head}` : head;
    if (rest.length === 0) {
      if (obj[head] === null || obj[head] === undefined) return node;
      if (!redacted.includes(here)) redacted.push(here);
      return { ...obj, [head]: null };
    }
    return { ...obj, [head]: walk(obj[head], rest, here) };
  };
  let value: unknown = response;
  for (const p of rule.keyOutputs) value = walk(value, p.split('.'), '');
  return { value: value as T, redacted };
}

/** A PEM private key, or a base64 ZIP archive (what `DownloadCertificate` answers: it holds the key). */
const KEY_MATERIAL_TEXT = /PRIVATE KEY-----|^UEsDB[A-Za-z0-9+/=]{60,}/;
const KEY_MATERIAL_ANSWER_MEMBERS = new Set(['Content', 'content', 'DownloadCertificateUrl', 'downloadCertificateUrl']);

/**
 * True when `value` (an action's answer in either naming, a GraphQL result, or a REST response
 * whose body is JSON text) holds private-key material anywhere: a non-empty member named like the
 * spec's key-material members (`…PrivateKey`, `…KeyPass`, `…KeyPassword`), the answer members of
 * the key-download actions, a PEM private key or a certificate archive in any string. Used to
 * keep such answers out of every store (idempotency records): stored answers are replayed later,
 * so they must never contain what a fresh call would redact.
 */
export function containsKeyMaterial(value: unknown): boolean {
  const walk = (node: unknown, depth: number): boolean => {
    if (depth > 64) return true; // cannot tell: treat as sensitive
    if (typeof node === 'string') {
      if (KEY_MATERIAL_TEXT.test(node)) return true;
      const t = node.trimStart();
      if ((t.startsWith('{') || t.startsWith('[')) && node.length <= 16_777_216) {
        try {
          return walk(JSON.parse(node), depth + 1);
        } catch {
          return false;
        }
      }
      return false;
    }
    if (node === null || typeof node !== 'object') return false;
    if (Array.isArray(node)) return node.some((item) => walk(item, depth + 1));
    for (const [name, v] of Object.entries(node as Record<string, unknown>)) {
      if ((KEY_MATERIAL_MEMBER.test(name) || KEY_MATERIAL_ANSWER_MEMBERS.has(name)) && present(v)) return true;
      if (walk(v, depth + 1)) return true;
    }
    return false;
  };
  return walk(value, 0);
}
