/**
 * Case tables for the end-to-end authorization matrix, derived from the spec, the scope table and
 * the GraphQL schema the server runs (never a hand list of actions):
 *
 * - `restBody(action)`: the smallest documented body that passes the gateway's spec validation
 *   (required members only, type-appropriate dummy values, first documented enum value), so a
 *   refusal of the generic route can only come from authentication or scopes.
 * - `graphqlOperation(action)`: one operation calling the action's root field with its required
 *   arguments (as variables of the declared types) and a minimal selection.
 * - `insufficientKeys(action)` / `sufficientKey(action)`: which of the test keys of
 *   `startGateway()` lacks each required scope (the most privileged such key, so the case
 *   shows that exactly that scope is enforced), and the least privileged key that has them all.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { requiredScopes, SCOPES, type Scope } from '../../src/auth';
import { model } from '../../src/graphql/model';
import { buildGuardedSchema } from '../../src/graphql/server';
import { operationByAction } from '../../src/graphql/operations';
import { enforcedEnum } from '../../src/spec/validate';
import { getStructure, spec, type MemberSpec } from '../../src/spec';
import { KEY_SCOPES as FIXTURE_KEYS, type KeyName } from './fixture';

/** Every documented action, from the spec. */
export const ACTIONS: readonly string[] = Object.keys(spec.actions).sort();

/** Scopes of the keys `startGateway()` configures (`test-<name>`), without the unconfigured one. */
export const KEY_SCOPES: Readonly<Record<Exclude<KeyName, 'unknown'>, readonly Scope[]>> = (({ unknown: _unknown, ...known }) => known)(FIXTURE_KEYS);

const KNOWN_KEYS = Object.keys(KEY_SCOPES) as Exclude<KeyName, 'unknown'>[];

export interface InsufficientCase {
  /** The scope the key lacks (and the 403 must name). */
  missing: Scope;
  key: Exclude<KeyName, 'unknown'>;
  /** Everything the key lacks among the required scopes. */
  allMissing: Scope[];
}

/** For each required scope of `action`: the most privileged test key lacking it. */
export function insufficientKeys(action: string): InsufficientCase[] {
  const required = requiredScopes(action);
  return required.map((missing) => {
    const candidates = KNOWN_KEYS.filter((k) => !KEY_SCOPES[k].includes(missing));
    if (candidates.length === 0) throw new Error(`no test key lacks ${missing}`);
    // Most scopes first; ties keep table order (deterministic).
    const key = candidates.reduce((best, k) => (KEY_SCOPES[k].length > KEY_SCOPES[best].length ? k : best));
    return { missing, key, allMissing: required.filter((s) => !KEY_SCOPES[key].includes(s)) };
  });
}

/** The least privileged test key holding every scope `action` needs. */
export function sufficientKey(action: string): Exclude<KeyName, 'unknown'> {
  const required = requiredScopes(action);
  const candidates = KNOWN_KEYS.filter((k) => required.every((s) => KEY_SCOPES[k].includes(s)));
  if (candidates.length === 0) throw new Error(`no test key has ${required.join(', ')}`);
  return candidates.reduce((best, k) => (KEY_SCOPES[k].length < KEY_SCOPES[best].length ? k : best));
}

/** Human label of a scope list, e.g. `read+admin`. */
export const scopeLabel = (scopes: readonly Scope[]): string => (scopes.length ? SCOPES.filter((s) => scopes.includes(s)).join('+') : 'none');

// ---- REST bodies -------------------------------------------------------------------------------

function dummyScalar(type: string): unknown {
  switch (type) {
    case 'Integer':
      return 1;
    case 'Float':
    case 'Double':
      return 1;
    case 'Boolean':
      return false;
    default:
      return 'dummy';
  }
}

function dummyMember(owner: string, m: MemberSpec, depth: number): unknown {
  const one = (): unknown => {
    const allowed = enforcedEnum(owner, m);
    if (allowed?.length) {
      const v = allowed[0];
      return m.type === 'Integer' || m.type === 'Float' || m.type === 'Double' ? Number(v) : v;
    }
    const s = getStructure(m.type);
    if (s) return dummyObject(s.name, s.members, depth + 1);
    // Paging members typed String are decimal strings upstream.
    if ((m.name === 'Limit' || m.name === 'Offset') && m.type === 'String') return '1';
    return dummyScalar(m.type);
  };
  return m.array ? [one()] : one();
}

function dummyObject(owner: string, members: readonly MemberSpec[], depth: number): Record<string, unknown> {
  if (depth > 8) throw new Error(`spec structure nesting too deep at ${owner}`);
  const out: Record<string, unknown> = {};
  for (const m of members) if (m.required) out[m.name] = dummyMember(owner, m, depth);
  return out;
}

/** Smallest body of `action` that the gateway's spec validation accepts. */
export function restBody(action: string): Record<string, unknown> {
  const a = spec.actions[action];
  if (!a) throw new Error(`unknown action ${action}`);
  return dummyObject(`${action}.in`, a.inputs, 0);
}

// ---- GraphQL operations ------------------------------------------------------------------------

let schemaCache: GraphQLSchema | undefined;
/** The schema the server runs (guarded), built from the committed SDL. */
export function gatewaySchema(): GraphQLSchema {
  schemaCache ??= buildGuardedSchema();
  return schemaCache;
}

function dummyInput(type: GraphQLInputType, depth = 0): unknown {
  if (depth > 8) throw new Error('input nesting too deep');
  if (isNonNullType(type)) return dummyInput(type.ofType, depth);
  if (isListType(type)) return [dummyInput(type.ofType, depth + 1)];
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = dummyInput(f.type, depth + 1);
    }
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'ID':
        return '1';
      case 'DateTime':
        return '2024-01-01T00:00:00+08:00';
      default:
        return 'dummy';
    }
  }
  throw new Error(`no dummy value for ${String(type)}`);
}

const isRequiredArg = (a: GraphQLArgument): boolean => isNonNullType(a.type) && a.defaultValue === undefined;

export interface GraphQLCase {
  root: 'Query' | 'Mutation';
  field: string;
  query: string;
  variables: Record<string, unknown>;
}

/** A minimal operation calling the root field of `action`. */
export function graphqlOperation(action: string, schema: GraphQLSchema = gatewaySchema()): GraphQLCase {
  const op = operationByAction.get(action);
  if (!op) throw new Error(`no GraphQL root field for ${action}`);
  const rootType = op.root === 'Query' ? schema.getQueryType() : schema.getMutationType();
  const field = rootType?.getFields()[op.field];
  if (!field) throw new Error(`${op.root}.${op.field} is not in the schema`);
  const args = field.args.filter(isRequiredArg);
  const varDefs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const argList = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  const keyword = op.root === 'Query' ? 'query' : 'mutation';
  const name = `Auth_${action}`;
  const query = `${keyword} ${name}${varDefs ? `(${varDefs})` : ''} { ${op.field}${argList ? `(${argList})` : ''}${selection} }`;
  // Enum types are shared between members; an argument accepts only its own documented values.
  const argModels = model().actions.get(action)?.args ?? [];
  const fieldEnumValue = (name: string): unknown => {
    const m = argModels.find((f) => f.name === name && f.fromEnum);
    if (!m) return undefined;
    const first = [...m.fromEnum!.keys()][0];
    return m.spec.array ? [first] : first;
  };
  const variables = Object.fromEntries(args.map((a) => [a.name, fieldEnumValue(a.name) ?? dummyInput(a.type)]));
  return { root: op.root, field: op.field, query, variables };
}
