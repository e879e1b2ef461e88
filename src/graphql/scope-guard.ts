/**
 * Scopes in GraphQL: per root field (the action it calls, with its arguments) and per object
 * field (navigation fields that read upstream need `read`; fields exposing private-key material
 * need `keys`). Two mechanisms, one table (`fieldScopes`):
 *
 * 1. `createScopePlugin()` (Apollo plugin, `didResolveOperation`): before anything executes,
 *    rejects the whole operation with 403 FORBIDDEN when a root field or a navigation field is
 *    not allowed (so a mutation never runs half-way), or 401 when the context has no identity.
 *    Key-material fields are not checked here: they are answered field by field (2).
 * 2. `scopeGuard(schema)` (set while resolvers are attached, see ./executable.ts) or
 *    `applyScopeGuards(schema)`: wraps the resolvers of every guarded field. This is the
 *    authoritative check at execution time (also without the plugin). A key-material field of a
 *    caller without `keys` resolves to null with a FORBIDDEN error at its path; the rest of the
 *    query is answered normally.
 *
 * The identity is read from the context (`context.identity` unless `getIdentity` says otherwise);
 * no identity means "not authenticated" (fail closed).
 */
import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  defaultFieldResolver,
  GraphQLError,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import { argumentValues, fragmentsOf, isSkipped, reachableFragments, variablesWithDefaults, type Variables } from './limits/ast';
import { upstreamFieldRule } from './limits/upstream-fields';
import { OPERATIONS } from './operations';
import { attachResolvers, type FieldWrapper } from './executable';
import { insufficientScope, missingCredentials, wwwAuthenticate } from '../auth/errors';
import { GatewayError } from '../upstream/errors';
import type { Identity } from '../auth/identity';
import { KEY_MATERIAL_FIELDS, missingScopes, normalizeScopes, requiredScopes, type Scope } from '../auth/scopes';

const ACTION_BY_ROOT_FIELD: ReadonlyMap<string, string> = new Map(OPERATIONS.map((o) => [`${o.root}.${o.field}`, o.action]));
const ROOT_TYPES = new Set(['Query', 'Mutation']);

function unionOf(lists: Iterable<readonly Scope[]>): Scope[] {
  const all: Scope[] = [];
  for (const l of lists) all.push(...l);
  return normalizeScopes(all);
}

/**
 * Scopes of a root field: the action it calls (with `args`, GraphQL argument names, for the
 * conditional `keys` of key-uploading inputs), or the actions a hand-written field reads.
 * Undefined for a root field no rule knows (callers must deny it).
 */
export function rootFieldScopes(root: string, field: string, args?: Readonly<Record<string, unknown>> | null): Scope[] | undefined {
  if (field.startsWith('__')) return [];
  const action = ACTION_BY_ROOT_FIELD.get(`${root}.${field}`);
  if (action) return requiredScopes(action, args);
  const rule = upstreamFieldRule(root, field);
  if (rule) return unionOf(rule.actions.map((a) => requiredScopes(a)));
  return undefined;
}

/** True for object fields that expose private-key material (answered per field, see above). */
export function isKeyMaterialField(typeName: string, fieldName: string): boolean {
  return KEY_MATERIAL_FIELDS.has(`${typeName}.${fieldName}`);
}

/**
 * Scopes a GraphQL field needs: root fields as `rootFieldScopes` (undefined when unknown),
 * key-material fields `keys`, fields that read upstream the scopes of the actions they call,
 * everything else none.
 */
export function fieldScopes(typeName: string, fieldName: string, args?: Readonly<Record<string, unknown>> | null): Scope[] | undefined {
  if (ROOT_TYPES.has(typeName)) return rootFieldScopes(typeName, fieldName, args);
  if (isKeyMaterialField(typeName, fieldName)) return ['keys'];
  const rule = upstreamFieldRule(typeName, fieldName);
  if (rule) return unionOf(rule.actions.map((a) => requiredScopes(a)));
  return [];
}

export interface ScopeGuardOptions<TContext = unknown> {
  /** Where the identity lives. @default (ctx) => ctx.identity */
  getIdentity?: (context: TContext) => Identity | null | undefined;
}

function defaultGetIdentity(context: unknown): Identity | null | undefined {
  return context && typeof context === 'object' ? (context as { identity?: Identity | null }).identity : undefined;
}

export interface ScopeViolation {
  /** `Type.field` */
  field: string;
  required: Scope[];
  missing: Scope[];
}

/**
 * The fields of `operation` (and the fragments it uses) that `identity` may not execute, without
 * key-material fields (those are answered field by field). Unknown root fields are violations.
 */
export function operationScopeViolations(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  identity: Identity,
  variables?: Variables,
): ScopeViolation[] {
  const vars = variablesWithDefaults(operation, variables);
  const fragments = fragmentsOf(document);
  const defs = [operation, ...reachableFragments(operation.selectionSet, fragments, vars)];
  const rootNames = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name].filter(Boolean) as string[]);
  const violations = new Map<string, ScopeViolation>();
  const record = (field: string, required: Scope[]) => {
    const missing = missingScopes(identity.scopes, required);
    if (missing.length === 0) return;
    const prev = violations.get(field);
    if (prev) {
      prev.required = normalizeScopes([...prev.required, ...required]);
      prev.missing = normalizeScopes([...prev.missing, ...missing]);
    } else violations.set(field, { field, required, missing });
  };
  for (const def of defs) {
    const typeInfo = new TypeInfo(schema);
    visit(
      def,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          if (isSkipped(node, vars)) return false;
          const parent = typeInfo.getParentType();
          if (!parent || !isObjectType(parent)) return undefined;
          const name = node.name.value;
          if (name.startsWith('__')) return undefined;
          const typeName = rootNames.has(parent.name) ? (parent === schema.getQueryType() ? 'Query' : 'Mutation') : parent.name;
          if (!ROOT_TYPES.has(typeName) && isKeyMaterialField(typeName, name)) return undefined;
          const scopes = fieldScopes(typeName, name, argumentValues(node, vars));
          if (scopes === undefined) {
            violations.set(`${typeName}.${name}`, { field: `${typeName}.${name}`, required: [], missing: [] });
            return undefined;
          }
          record(`${typeName}.${name}`, scopes);
          return undefined;
        },
        InlineFragment(node) {
          return isSkipped(node, vars) ? false : undefined;
        },
      }),
    );
  }
  return [...violations.values()];
}

function httpHead(status: number, header: string) {
  return { status, headers: new HeaderMap([['www-authenticate', header]]) };
}

/**
 * Apollo plugin: 401 when the context has no identity, 403 naming the missing scopes and the
 * fields that need them when the operation contains a field the caller may not execute.
 */
export function createScopePlugin<TContext extends BaseContext>(options: ScopeGuardOptions<TContext> = {}): ApolloServerPlugin<TContext> {
  const getIdentity = options.getIdentity ?? (defaultGetIdentity as (c: TContext) => Identity | null | undefined);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const identity = getIdentity(rc.contextValue);
          if (!identity) {
            const e = missingCredentials();
            throw new GraphQLError(e.message, { extensions: { code: e.code, http: httpHead(401, e.headers['www-authenticate']) } });
          }
          if (!rc.operation) return;
          const violations = operationScopeViolations(rc.schema, rc.document, rc.operation, identity, rc.request.variables);
          if (violations.length === 0) return;
          const unknown = violations.filter((v) => v.required.length === 0);
          if (unknown.length > 0) {
            // A root field without a scope rule: deny (never fail open).
            throw new GraphQLError(`No scope rule for ${unknown.map((v) => v.field).join(', ')}; the field is not available`, {
              extensions: { code: ErrorCode.FORBIDDEN, http: { status: ERROR_HTTP_STATUS.FORBIDDEN, headers: new HeaderMap() } },
            });
          }
          const missing = normalizeScopes(violations.flatMap((v) => v.missing));
          const required = normalizeScopes(violations.flatMap((v) => v.required));
          const e = insufficientScope(missing, required, violations.map((v) => v.field).join(', '));
          throw new GraphQLError(e.message, {
            extensions: {
              code: e.code,
              missingScopes: missing,
              fields: violations.map((v) => ({ field: v.field, requiredScopes: v.required, missingScopes: v.missing })),
              http: httpHead(403, wwwAuthenticate({ error: 'insufficient_scope', scope: required.join(' ') })),
            },
          });
        },
      };
    },
  };
}

export interface ApplyScopeGuardsOptions<TContext = unknown> extends ScopeGuardOptions<TContext> {
  /**
   * The server's default field resolver (the gateway's `createFieldResolver(model)`), used for
   * guarded fields without their own resolver. @default graphql's defaultFieldResolver
   */
  fieldResolver?: GraphQLFieldResolver<unknown, TContext>;
}

/**
 * The field wrapper that guards `schema`'s fields (for `attachResolvers`, which applies it in the
 * same walk that sets the resolvers): guarded fields check the caller's scopes before resolving.
 * Root fields without a rule are denied. Key-material fields answer null + FORBIDDEN.
 */
export function scopeGuard<TContext = unknown>(schema: GraphQLSchema, options: ApplyScopeGuardsOptions<TContext> = {}): FieldWrapper {
  const getIdentity = options.getIdentity ?? (defaultGetIdentity as (c: TContext) => Identity | null | undefined);
  const fallback = (options.fieldResolver ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, TContext>;
  const queryName = schema.getQueryType()?.name;
  const mutationName = schema.getMutationType()?.name;
  return (typeName, field, own) => {
    const fieldName = field.name;
    const logical = typeName === queryName ? 'Query' : typeName === mutationName ? 'Mutation' : typeName;
    const isRoot = ROOT_TYPES.has(logical);
    const staticScopes = isRoot ? undefined : fieldScopes(logical, fieldName);
    if (!isRoot && staticScopes !== undefined && staticScopes.length === 0) return undefined;
    const resolve = (own ?? fallback) as GraphQLFieldResolver<unknown, TContext>;
    const target = `${logical}.${fieldName}`;
    return ((source, args, context: TContext, info) => {
      const identity = getIdentity(context);
      if (!identity) throw missingCredentials();
      const required = isRoot ? rootFieldScopes(logical, fieldName, args) : staticScopes;
      if (required === undefined) throw new GatewayError(ErrorCode.FORBIDDEN, `${target} has no scope rule; the field is not available`);
      const missing = missingScopes(identity.scopes, required);
      if (missing.length > 0) throw insufficientScope(missing, required, target);
      return resolve(source, args, context, info);
    }) as GraphQLFieldResolver<unknown, unknown>;
  };
}

/**
 * Guards `schema`'s fields IN PLACE (see `scopeGuard`) and returns it. The server guards its own
 * schema while attaching resolvers; this is for a schema built elsewhere (give it a fresh one:
 * guarding twice checks twice).
 */
export function applyScopeGuards<TContext = unknown>(schema: GraphQLSchema, options: ApplyScopeGuardsOptions<TContext> = {}): GraphQLSchema {
  return attachResolvers(schema, {}, scopeGuard(schema, options));
}
