/**
 * Case tables for the end-to-end authorization matrix, derived from the spec, the scope table and
 * the GraphQL schema the server runs (never a hand list of actions):
 *
 * - `restBody(action)`: re-exported from the shared table of action inputs (./action-inputs.ts).
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
import { spec } from '../../src/spec';
import { KEY_SCOPES as FIXTURE_KEYS, type KeyName } from './fixture';

export { restBody } from './action-inputs';

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
