/**
 * Spec-driven validation of action parameters (the documented JSON body of an action).
 *
 * Everything here is pure: a validator is compiled once per action from `spec/ssl-2019-12-05.json`
 * (cached), and validating a value never throws and never changes it. The REST facade rejects a
 * request with 400 and the list of problems before anything is sent upstream; other layers may
 * reuse `validateActionInput` the same way.
 *
 * What is checked, per documented member (action inputs and the input structures they use):
 * - unknown members (with a "did you mean" hint for a case mismatch), missing required members;
 * - JSON types: String/Date/Timestamp/Binary → string, Integer → safe integer, Float/Double →
 *   finite number, Boolean → boolean, structures → object, `Array of X` → array;
 * - documented caps (`max`): the length of an array input, the value of a page size (`Limit`,
 *   including the actions that type it as a String);
 * - paging members `Offset`/`Limit` are non-negative integers (decimal strings where the action
 *   types them as String);
 * - enumerations: the spec's own `enum` lists, unless `spec/en.json` marks the extracted list as
 *   not an enumeration (`skip`). Enumerations documented only in prose (`extra` in en.json) are not
 *   enforced: the upstream stays the judge there, so a valid value is never refused by mistake.
 *   The exception are prose lists marked `enforce` (the resource types): complete lists of names,
 *   checked against the spec's own text by test/unit/spec/en.test.ts.
 *
 * `null` counts as absent (the upstream client strips nulls, as the official SDKs do). Paths use
 * JSON notation: `CertificateIds[3]`, `Tags[0].TagKey`.
 */
import en from '../../spec/en.json' with { type: 'json' };
import { getAction, getStructure, type ActionSpec, type MemberSpec } from './index';

export type ProblemReason = 'body' | 'unknown' | 'required' | 'type' | 'maxItems' | 'maximum' | 'minimum' | 'enum';

export interface FieldProblem {
  /** JSON path of the offending value (`""` for the body itself). */
  path: string;
  reason: ProblemReason;
  /** Client-facing text, e.g. "expected String, got number". */
  message: string;
  /** The documented type, for `type` problems. */
  expected?: string;
  /** The documented values, for `enum` problems. */
  allowed?: string[];
  /** The documented cap, for `maxItems` / `maximum` problems. */
  max?: number;
}

export type ValidationResult = { ok: true; value: Record<string, unknown> } | { ok: false; problems: FieldProblem[] };

export interface ValidatorOptions {
  /** Stop after this many problems. @default 20 */
  maxProblems?: number;
}

export type ActionValidator = (input: unknown, options?: ValidatorOptions) => ValidationResult;

const SCALARS = new Set(['String', 'Integer', 'Boolean', 'Float', 'Double', 'Date', 'Timestamp', 'Binary']);
const PAGING = new Set(['Offset', 'Limit']);
const DEFAULT_MAX_PROBLEMS = 20;

interface EnEnum {
  skip?: string;
  extra?: boolean;
  enforce?: boolean;
  values?: Record<string, unknown>;
}
const enEnums = (en as unknown as { enums: Record<string, EnEnum> }).enums;

/**
 * The values a member is restricted to, or undefined. `owner` is `Action.in` for action inputs
 * and the structure name for structure members (the keys of `spec/en.json` enums).
 */
export function enforcedEnum(owner: string, member: MemberSpec): string[] | undefined {
  const entry = enEnums[`${owner}.${member.name}`];
  if (entry?.enforce && entry.values) return Object.keys(entry.values);
  if (!member.enum?.length || member.type === 'Boolean') return undefined;
  if (entry?.skip !== undefined) return undefined;
  return member.enum.map((e) => e.value);
}

// ---- compiled form --------------------------------------------------------------------------------

interface CompiledMember {
  name: string;
  required: boolean;
  array: boolean;
  /** Documented type name, for messages. */
  type: string;
  max?: number;
  paging: boolean;
  allowed?: ReadonlySet<string>;
  allowedList?: string[];
  /** Scalar type, or undefined for a structure. */
  scalar?: string;
  /** Structure members, resolved lazily (structures may refer to each other). */
  structure?: () => CompiledObject;
}

interface CompiledObject {
  members: ReadonlyMap<string, CompiledMember>;
  /** Lower-cased name → documented name, for "did you mean" hints. */
  folded: ReadonlyMap<string, string>;
}

const structureCache = new Map<string, CompiledObject>();
const actionCache = new Map<string, ActionValidator>();

function compileMember(owner: string, m: MemberSpec): CompiledMember {
  const allowedList = enforcedEnum(owner, m);
  const out: CompiledMember = {
    name: m.name,
    required: m.required,
    array: m.array,
    type: m.array ? `Array of ${m.type}` : m.type,
    paging: PAGING.has(m.name) && !m.array,
    max: m.max,
  };
  if (allowedList) {
    out.allowedList = allowedList;
    out.allowed = new Set(allowedList);
  }
  if (SCALARS.has(m.type)) out.scalar = m.type;
  else {
    const name = m.type;
    out.structure = () => compileStructure(name);
  }
  return out;
}

function compileObject(owner: string, members: readonly MemberSpec[]): CompiledObject {
  const map = new Map<string, CompiledMember>();
  const folded = new Map<string, string>();
  for (const m of members) {
    map.set(m.name, compileMember(owner, m));
    folded.set(m.name.toLowerCase(), m.name);
  }
  return { members: map, folded };
}

function compileStructure(name: string): CompiledObject {
  let compiled = structureCache.get(name);
  if (compiled) return compiled;
  const s = getStructure(name);
  if (!s) throw new Error(`spec: unknown structure ${name}`);
  compiled = compileObject(name, s.members);
  structureCache.set(name, compiled);
  return compiled;
}

// ---- checking -------------------------------------------------------------------------------------

class Problems {
  readonly list: FieldProblem[] = [];
  constructor(private readonly limit: number) {}
  get full(): boolean {
    return this.list.length >= this.limit;
  }
  add(p: FieldProblem): void {
    if (!this.full) this.list.push(p);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, safe description of a JSON value's kind for messages (never the value itself for objects). */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function scalarMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'Integer':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'Float':
    case 'Double':
      return typeof v === 'number' && Number.isFinite(v);
    case 'Boolean':
      return typeof v === 'boolean';
    default:
      return typeof v === 'string';
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function checkObject(obj: CompiledObject, value: Record<string, unknown>, prefix: string, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (problems.full) return;
    if (obj.members.has(key)) continue;
    const hint = obj.folded.get(key.toLowerCase());
    problems.add({
      path: join(prefix, key),
      reason: 'unknown',
      message: hint ? `unknown member; did you mean ${hint}?` : 'unknown member',
    });
  }
  for (const m of obj.members.values()) {
    if (problems.full) return;
    const v = value[m.name];
    const path = join(prefix, m.name);
    if (v === undefined || v === null) {
      if (m.required) problems.add({ path, reason: 'required', message: `required member is missing (${m.type})`, expected: m.type });
      continue;
    }
    if (m.array) {
      if (!Array.isArray(v)) {
        problems.add({ path, reason: 'type', message: `expected ${m.type}, got ${jsonKind(v)}`, expected: m.type });
        continue;
      }
      if (m.max !== undefined && v.length > m.max) {
        problems.add({ path, reason: 'maxItems', message: `at most ${m.max} items are allowed, got ${v.length}`, max: m.max });
      }
      for (let i = 0; i < v.length && !problems.full; i++) checkItem(m, v[i], `${path}[${i}]`, problems);
    } else {
      checkItem(m, v, path, problems);
    }
  }
}

function checkItem(m: CompiledMember, v: unknown, path: string, problems: Problems): void {
  if (m.structure) {
    if (!isPlainObject(v)) {
      const struct = m.array ? m.type.slice('Array of '.length) : m.type;
      problems.add({ path, reason: 'type', message: `expected ${struct} object, got ${jsonKind(v)}`, expected: struct });
      return;
    }
    checkObject(m.structure(), v, path, problems);
    return;
  }
  const scalar = m.scalar!;
  if (!scalarMatches(scalar, v)) {
    problems.add({ path, reason: 'type', message: `expected ${scalar}, got ${jsonKind(v)}`, expected: scalar });
    return;
  }
  // For arrays `max` caps the length (checked by the caller), not the items.
  if (!m.array && (m.paging || m.max !== undefined)) checkNumber(m, v, path, problems);
  if (m.allowed && !m.allowed.has(String(v))) {
    const shown = m.allowedList!.length > 12 ? `${m.allowedList!.slice(0, 12).join(', ')}, …` : m.allowedList!.join(', ');
    problems.add({ path, reason: 'enum', message: `must be one of ${shown}`, allowed: m.allowedList });
  }
}

/** Paging members and capped numbers (`Limit`), also where the upstream types them as String. */
function checkNumber(m: CompiledMember, v: unknown, path: string, problems: Problems): void {
  let n: number;
  if (typeof v === 'string') {
    if (!/^\d{1,15}$/.test(v)) {
      if (m.paging) problems.add({ path, reason: 'type', message: 'expected a non-negative integer as a decimal string', expected: 'String' });
      return;
    }
    n = Number(v);
  } else if (typeof v === 'number') {
    n = v;
  } else {
    return;
  }
  if (m.paging && n < 0) problems.add({ path, reason: 'minimum', message: `must be >= 0, got ${n}` });
  if (m.max !== undefined && n > m.max) problems.add({ path, reason: 'maximum', message: `must be <= ${m.max}, got ${n}`, max: m.max });
}

// ---- public surface -------------------------------------------------------------------------------

/** Compiles (uncached) a validator for one action's documented inputs. */
export function compileActionValidator(action: ActionSpec): ActionValidator {
  const obj = compileObject(`${action.name}.in`, action.inputs);
  return (input, options = {}) => {
    const problems = new Problems(options.maxProblems ?? DEFAULT_MAX_PROBLEMS);
    if (!isPlainObject(input)) {
      problems.add({ path: '', reason: 'body', message: `the body must be a JSON object, got ${jsonKind(input)}` });
      return { ok: false, problems: problems.list };
    }
    checkObject(obj, input, '', problems);
    return problems.list.length === 0 ? { ok: true, value: input } : { ok: false, problems: problems.list };
  };
}

/** The cached validator of a documented action, or undefined for an unknown action. */
export function actionValidator(name: string): ActionValidator | undefined {
  let v = actionCache.get(name);
  if (v) return v;
  const action = getAction(name);
  if (!action) return undefined;
  v = compileActionValidator(action);
  actionCache.set(name, v);
  return v;
}

/** Validates `input` against the documented inputs of `action` (which must exist). */
export function validateActionInput(action: string, input: unknown, options?: ValidatorOptions): ValidationResult {
  const v = actionValidator(action);
  if (!v) throw new Error(`unknown action ${action}`);
  return v(input, options);
}

/** One line summarising problems, for error messages: "CertificateIds[3]: expected String, got integer; …". */
export function summarizeProblems(problems: readonly FieldProblem[], max = 3): string {
  const shown = problems.slice(0, max).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  const more = problems.length > max ? ` (and ${problems.length - max} more)` : '';
  return `${shown.join('; ')}${more}`;
}
