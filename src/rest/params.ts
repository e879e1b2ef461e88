/**
 * Builds an action's documented parameters from the pieces of a resource request (path ids,
 * query strings, JSON body) and validates them with the same spec-driven validator as the
 * generic action route, so every route refuses the same mistakes with the same field paths.
 */
import { fieldName } from '../spec/naming';
import { getAction, type MemberSpec } from '../spec';
import { parseCanonicalInteger } from '../spec/integers';
import type { GatewayRequest } from '../http/types';
import { validationError } from './errors';
import { actionValidator, type FieldProblem } from '../spec/validate';

const SCALARS = new Set(['String', 'Integer', 'Boolean', 'Float', 'Double', 'Date', 'Timestamp', 'Binary']);

/** A query parameter of a resource route that maps onto a documented input member. */
export interface QueryParam {
  /** Query name (lowerCamel of the member, or an alias). */
  name: string;
  member: MemberSpec;
}

/**
 * Query parameters for an action: every scalar (or array-of-scalar) input member as its
 * lowerCamel name (the GraphQL naming rule), minus `exclude` (members taken from the path),
 * plus `aliases` (query name → member). Structure-typed members are body-only.
 */
export function queryParamsFor(action: string, options: { exclude?: readonly string[]; aliases?: Record<string, string> } = {}): QueryParam[] {
  const spec = getAction(action);
  if (!spec) throw new Error(`unknown action ${action}`);
  const out: QueryParam[] = [];
  const exclude = new Set(options.exclude ?? []);
  for (const m of spec.inputs) {
    if (exclude.has(m.name) || !SCALARS.has(m.type)) continue;
    out.push({ name: fieldName(m.name), member: m });
  }
  for (const [alias, memberName] of Object.entries(options.aliases ?? {})) {
    const m = spec.inputs.find((x) => x.name === memberName);
    if (!m) throw new Error(`alias ${alias}: ${action} has no member ${memberName}`);
    out.push({ name: alias, member: m });
  }
  return out;
}

/** Converts a query string to the member's JSON type; `null` means "not convertible". */
function fromQuery(type: string, raw: string): unknown {
  const v = raw.trim();
  switch (type) {
    case 'Integer':
      // Canonical decimal only (no spaces, leading zeros, hex or exponent): see src/spec/integers.ts.
      return parseCanonicalInteger(raw) ?? null;
    case 'Float':
    case 'Double':
      return v !== '' && Number.isFinite(Number(v)) ? Number(v) : null;
    case 'Boolean':
      return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : null;
    default:
      return raw;
  }
}

/**
 * Query string → documented parameters. Arrays are comma-separated (`status=1,3`). Unknown
 * query names, unconvertible values, and then the spec validation are reported with the query
 * names, e.g. `limit: must be <= 1000, got 5000`. `fixed` members come from the path.
 */
export function paramsFromQuery(req: GatewayRequest, action: string, params: readonly QueryParam[], fixed: Record<string, unknown> = {}): Record<string, unknown> {
  const byName = new Map(params.map((p) => [p.name, p]));
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = { ...fixed };
  const toQueryName = new Map<string, string>();
  for (const [name, raw] of Object.entries(req.query)) {
    if (raw === undefined) continue;
    const p = byName.get(name);
    if (!p) {
      problems.push({ path: name, reason: 'unknown', message: `unknown query parameter (known: ${params.map((x) => x.name).join(', ')})` });
      continue;
    }
    toQueryName.set(p.member.name, name);
    if (raw === '') continue;
    const parts = p.member.array ? raw.split(',') : [raw];
    const values = parts.map((s) => fromQuery(p.member.type, s));
    const bad = values.findIndex((v) => v === null);
    if (bad >= 0) {
      problems.push({ path: name, reason: 'type', message: `expected ${p.member.type}${p.member.array ? ' values separated by commas' : ''}`, expected: p.member.type });
      continue;
    }
    out[p.member.name] = p.member.array ? values : values[0];
  }
  if (problems.length) throw validationError('Invalid query', problems, { action });
  return validateParams(action, out, (path) => {
    const head = /^[^.[]+/.exec(path)?.[0] ?? path;
    const q = toQueryName.get(head);
    return q === undefined ? path : q + path.slice(head.length);
  });
}

/**
 * Validates assembled parameters against the action's documented inputs; 400 with the field
 * problems otherwise. `rename` maps a member path to what the client sent (query name, path
 * parameter), so messages point at the client's own input.
 */
export function validateParams(action: string, params: Record<string, unknown>, rename: (path: string) => string = (p) => p): Record<string, unknown> {
  const result = actionValidator(action)!(params);
  if (result.ok) return result.value;
  const problems = result.problems.map((p) => ({ ...p, path: rename(p.path) }));
  throw validationError(`Invalid parameters for ${action}`, problems, { action });
}

/**
 * A JSON body for a resource route: an object whose members are the action's documented inputs
 * minus those the route takes from the path (`fromPath`: member → value). Sending a path member
 * in the body as well is refused (which one would win is not obvious).
 */
export function paramsFromBody(action: string, body: unknown, fromPath: Record<string, unknown>): Record<string, unknown> {
  const obj = body === undefined ? {} : body;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return validateParams(action, obj as Record<string, unknown>);
  }
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(fromPath)) {
    if (Object.prototype.hasOwnProperty.call(obj, key)) problems.push({ path: key, reason: 'unknown', message: 'taken from the path; do not send it in the body' });
  }
  if (problems.length) throw validationError(`Invalid parameters for ${action}`, problems, { action });
  return validateParams(action, { ...(obj as Record<string, unknown>), ...fromPath });
}

/** Coerces a value to the JSON type the action documents for `member` (ids switch between Integer and String). */
export function asMemberType(action: string, member: string, value: string | number): string | number {
  const m = getAction(action)?.inputs.find((x) => x.name === member);
  if (!m) throw new Error(`${action} has no member ${member}`);
  return m.type === 'Integer' ? Number(value) : String(value);
}
