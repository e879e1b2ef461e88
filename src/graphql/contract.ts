/**
 * Run-time contract checks of upstream answers, in the default field resolver.
 *
 * The schema promises what the documentation promises (non-null members, integer codes, lists
 * without holes). When a real upstream answer breaks that promise, graphql-js would raise
 * "Cannot return null for non-nullable field …", which carries no code and is masked as
 * INTERNAL_SERVER_ERROR. Instead the field resolver checks the value it read against the field's
 * type and throws a typed `UPSTREAM_CONTRACT` error that names the field (`ClbListener.certificate`),
 * the upstream action and its RequestId, and records it on the request's log line. GraphQL's
 * null propagation then nulls that field's nearest nullable ancestor (at worst the root field of
 * the action): the rest of the response is answered normally.
 *
 * RequestIds reach nested objects through `origins`: a response object carries its own
 * `RequestId`; the objects read out of it inherit its origin as the resolver hands them down, and
 * the loaders mark the items they pick out of a batched answer (`markOrigin`).
 */
import {
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLFieldResolver,
  type GraphQLLeafType,
  type GraphQLOutputType,
} from 'graphql';
import { currentScope } from '../observability/log';
import { TransportCode, UpstreamError } from '../upstream/errors';

export interface Origin {
  action?: string;
  requestId?: string;
}

const origins = new WeakMap<object, Origin>();

/** Records which upstream answer the objects in `value` (an object or a list of them) came from. */
export function markOrigin(value: unknown, origin: Origin): void {
  if (Array.isArray(value)) {
    for (const v of value) markOrigin(v, origin);
  } else if (value !== null && typeof value === 'object' && !origins.has(value)) {
    origins.set(value, origin);
  }
}

function originOf(source: object, parentType: string): Origin {
  const known = origins.get(source);
  if (known) return known;
  const requestId = (source as { RequestId?: unknown }).RequestId;
  const action = parentType.endsWith('Response') ? parentType.slice(0, -'Response'.length) : undefined;
  const origin: Origin = { action, requestId: typeof requestId === 'string' ? requestId : undefined };
  origins.set(source, origin);
  return origin;
}

/** The typed error of a broken upstream answer; `field` is `Type.field`. */
export class UpstreamContractError extends UpstreamError {
  readonly field: string;
  constructor(field: string, problem: string, origin: Origin) {
    super({
      action: origin.action ?? 'unknown',
      upstreamCode: TransportCode.ContractViolation,
      message: `The SSL API answered ${problem} for ${field}, which breaks its documented contract; the field is left out.`,
      requestId: origin.requestId,
    });
    this.name = 'UpstreamContractError';
    this.field = field;
  }
}

/** What is wrong with `value` for `type` (undefined when nothing is). */
function problemOf(type: GraphQLOutputType, value: unknown): string | undefined {
  if (isNonNullType(type)) {
    if (value === null || value === undefined) return 'null';
    return problemOf(type.ofType, value);
  }
  if (value === null || value === undefined) return undefined;
  if (isListType(type)) {
    if (!Array.isArray(value)) return `${typeof value} instead of a list`;
    for (const item of value) {
      const p = problemOf(type.ofType, item);
      if (p) return `${p} inside a list`;
    }
    return undefined;
  }
  if (isLeafType(type)) {
    try {
      (type as GraphQLLeafType).serialize(value);
    } catch {
      return `${JSON.stringify(value).slice(0, 40)} (not a ${type.name})`;
    }
    return undefined;
  }
  return typeof value === 'object' ? undefined : `${typeof value} instead of an object`;
}

/**
 * Wraps the default field resolver: values read from upstream answers are checked against the
 * field's type, and objects handed down inherit the answer's origin.
 */
export function withContractChecks<TContext>(resolve: GraphQLFieldResolver<unknown, TContext>): GraphQLFieldResolver<unknown, TContext> {
  return (source, args, context, info) => {
    const value = resolve(source, args, context, info);
    if (source === null || typeof source !== 'object' || value instanceof Promise) return value;
    const problem = problemOf(info.returnType, value);
    if (problem) {
      const field = `${info.parentType.name}.${info.fieldName}`;
      const origin = originOf(source, info.parentType.name);
      const scope = currentScope();
      if (scope) (scope.contractViolations ??= []).push({ field, problem, action: origin.action, requestId: origin.requestId });
      throw new UpstreamContractError(field, problem, origin);
    }
    if (value !== null && typeof value === 'object' && !isLeafType(getNamedType(getNullableType(info.returnType)))) {
      markOrigin(value, originOf(source, info.parentType.name));
    }
    return value;
  };
}
