/**
 * Completes handler results into the documented output shape: every documented member is present;
 * members the handler did not set are `null` when the doc says the field may be null and the type's
 * zero value otherwise (`""`, `0`, `false`, `[]`, or a completed empty structure). Members that are
 * not documented are removed. In strict mode (tests) undocumented members and type mismatches throw,
 * which keeps the handlers honest.
 */
import type { ActionSpec, MemberSpec } from '../spec/types';
import { getStructure } from '../spec/index';

export class ShapeError extends Error {}

function zero(m: MemberSpec, strict: boolean, path: string): unknown {
  if (m.array) return [];
  switch (m.type) {
    case 'String':
    case 'Date':
    case 'Timestamp':
    case 'Binary':
      return '';
    case 'Integer':
    case 'Float':
    case 'Double':
      return 0;
    case 'Boolean':
      return false;
    default:
      return completeStructure(m.type, {}, strict, path);
  }
}

function checkScalar(m: MemberSpec, v: unknown, strict: boolean, path: string): unknown {
  let ok: boolean;
  switch (m.type) {
    case 'String':
    case 'Date':
    case 'Timestamp':
    case 'Binary':
      ok = typeof v === 'string';
      break;
    case 'Integer':
      ok = typeof v === 'number' && Number.isInteger(v);
      break;
    case 'Float':
    case 'Double':
      ok = typeof v === 'number';
      break;
    case 'Boolean':
      ok = typeof v === 'boolean';
      break;
    default:
      ok = true;
  }
  if (!ok && strict) throw new ShapeError(`output ${path}: expected ${m.type}, got ${JSON.stringify(v)}`);
  return v;
}

function completeValue(m: MemberSpec, v: unknown, strict: boolean, path: string): unknown {
  if (v === undefined) return m.nullable ? null : zero(m, strict, path);
  if (v === null) {
    if (strict && !m.nullable && m.array) throw new ShapeError(`output ${path}: null for a non-nullable array`);
    return null;
  }
  const structure = getStructure(m.type);
  const one = (item: unknown, p: string): unknown => {
    if (structure) {
      if (item === null) return null;
      if (typeof item !== 'object' || Array.isArray(item)) {
        if (strict) throw new ShapeError(`output ${p}: expected ${m.type} object`);
        return item;
      }
      return completeStructure(m.type, item as Record<string, unknown>, strict, p);
    }
    return checkScalar(m, item, strict, p);
  };
  if (m.array) {
    if (!Array.isArray(v)) {
      if (strict) throw new ShapeError(`output ${path}: expected an array of ${m.type}`);
      return v;
    }
    return v.map((item, i) => one(item, `${path}.${i}`));
  }
  if (strict && Array.isArray(v)) throw new ShapeError(`output ${path}: unexpected array`);
  return one(v, path);
}

function completeMembers(
  members: readonly MemberSpec[],
  obj: Record<string, unknown>,
  strict: boolean,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(members.map((m) => m.name));
  if (strict) {
    for (const k of Object.keys(obj)) {
      if (!known.has(k)) throw new ShapeError(`output ${prefix}${k}: not a documented member`);
    }
  }
  for (const m of members) out[m.name] = completeValue(m, obj[m.name], strict, `${prefix}${m.name}`);
  return out;
}

export function completeStructure(
  name: string,
  obj: Record<string, unknown>,
  strict = false,
  path = name,
): Record<string, unknown> {
  const structure = getStructure(name);
  if (!structure) throw new ShapeError(`unknown structure ${name}`);
  return completeMembers(structure.members, obj, strict, `${path}.`);
}

export function completeOutput(action: ActionSpec, obj: Record<string, unknown>, strict = false): Record<string, unknown> {
  return completeMembers(action.outputs, obj, strict, '');
}
