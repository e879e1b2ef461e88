/**
 * Request parameter validation driven by the spec: unknown members (UnknownParameter), required
 * members (MissingParameter), JSON types, array-ness and nested structures (InvalidParameter).
 * Paths use the API's own notation: `Tags.0.TagKey`.
 */
import type { ActionSpec, MemberSpec } from '../spec/types';
import { getStructure } from '../spec/index';
import { fail } from './errors';

const SCALARS = new Set(['String', 'Integer', 'Boolean', 'Float', 'Double', 'Date', 'Timestamp', 'Binary']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(m: MemberSpec): string {
  return m.array ? `Array of ${m.type}` : m.type;
}

function checkScalar(type: string, value: unknown): boolean {
  switch (type) {
    case 'String':
    case 'Date':
    case 'Timestamp':
    case 'Binary':
      return typeof value === 'string';
    case 'Integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'Float':
    case 'Double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'Boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

function checkMembers(members: readonly MemberSpec[], value: Record<string, unknown>, prefix: string): void {
  const byName = new Map(members.map((m) => [m.name, m]));
  for (const key of Object.keys(value)) {
    if (!byName.has(key)) fail('UnknownParameter', `The parameter \`${prefix}${key}\` is not recognized.`);
  }
  for (const m of members) {
    const v = value[m.name];
    if (v === undefined || v === null) {
      if (m.required) fail('MissingParameter', `The request is missing a required parameter \`${prefix}${m.name}\`.`);
      continue;
    }
    checkValue(m, v, `${prefix}${m.name}`);
  }
}

function checkValue(m: MemberSpec, v: unknown, path: string): void {
  if (m.array) {
    if (!Array.isArray(v)) fail('InvalidParameter', `The value type of parameter \`${path}\` is not valid: expected ${typeName(m)}.`);
    v.forEach((item, i) => checkItem(m, item, `${path}.${i}`));
    return;
  }
  checkItem(m, v, path);
}

function checkItem(m: MemberSpec, v: unknown, path: string): void {
  if (SCALARS.has(m.type)) {
    if (!checkScalar(m.type, v)) fail('InvalidParameter', `The value type of parameter \`${path}\` is not valid: expected ${m.type}.`);
    return;
  }
  const structure = getStructure(m.type);
  if (!structure) fail('InternalError', `The spec references an unknown structure \`${m.type}\`.`);
  if (!isPlainObject(v)) fail('InvalidParameter', `The value type of parameter \`${path}\` is not valid: expected ${m.type} object.`);
  checkMembers(structure.members, v, `${path}.`);
}

/** Throws an ApiError when `params` does not match the action's documented inputs. */
export function validateParams(action: ActionSpec, params: unknown): asserts params is Record<string, unknown> {
  if (!isPlainObject(params)) fail('InvalidParameter', 'The request body must be a JSON object.');
  checkMembers(action.inputs, params, '');
}
