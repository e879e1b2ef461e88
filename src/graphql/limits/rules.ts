/**
 * Validation rules (graphql-js `ValidationRule`s, usable in Apollo's `validationRules`) that
 * refuse oversized operations before anything executes:
 *
 * - `maxDepthRule(12)`: nesting of fields. Introspection subtrees (`__schema`, `__type`) are not
 *   counted (GraphiQL's introspection query is 15 deep; introspection is switched off in
 *   production and bounded by the token limit);
 * - `maxAliasesRule(30)`: aliased fields (the classic amplification: `a1: certificates … a99: …`);
 * - `maxDirectivesRule(20)`: directives anywhere in the operation;
 * - `maxCostRule(200)`: the upstream-call estimate of `cost.ts` with unknown variables assumed at
 *   their documented maximum (prefer `createCostLimitPlugin`, which knows the variables);
 * - `noIntrospectionRule`: refuses `__schema` / `__type` (`__typename` stays allowed).
 *
 * Counts are per operation, fragments included as often as they are spread (memoised, so
 * fragment fan-out cannot make the check itself expensive). Errors carry
 * `extensions.code = GRAPHQL_VALIDATION_FAILED` (Apollo sets the same code and answers 400) and
 * a specific `extensions.validationErrorCode` plus `extensions.limit = { name, max, actual }`.
 * The token limit is not a rule: it is a parser option (`parseOptions`, see `config.ts`).
 */
import {
  GraphQLError,
  Kind,
  type ASTNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { ErrorCode, reasonSubset } from '../../errors';
import { costMessage, DEFAULT_MAX_COST, estimateCost, type CostOptions } from './cost';

import { DEFAULT_MAX_ALIASES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_DIRECTIVES } from './settings';

export { DEFAULT_MAX_ALIASES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_DIRECTIVES, DEFAULT_MAX_TOKENS } from './settings';

/** `extensions.validationErrorCode` of a refused document: reasons of the error catalogue. */
export const LimitErrorCode = reasonSubset(['QUERY_TOO_DEEP', 'TOO_MANY_ALIASES', 'TOO_MANY_DIRECTIVES', 'QUERY_TOO_COMPLEX', 'INTROSPECTION_DISABLED']);
export type LimitErrorCode = (typeof LimitErrorCode)[keyof typeof LimitErrorCode];

export interface OperationShape {
  /** Deepest field nesting (root fields are depth 1), introspection subtrees excluded. */
  depth: number;
  aliases: number;
  directives: number;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

class ShapeMeter {
  private readonly memo = new Map<string, OperationShape>();
  private readonly visiting = new Set<string>();
  constructor(private readonly fragment: (name: string) => FragmentDefinitionNode | null | undefined) {}

  private directives(node: { directives?: readonly unknown[] }): number {
    return node.directives?.length ?? 0;
  }

  selectionSet(ss: SelectionSetNode, countDepth: boolean): OperationShape {
    let depth = 0;
    let aliases = 0;
    let directives = 0;
    for (const sel of ss.selections) {
      directives += this.directives(sel);
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases += 1;
        const introspection = INTROSPECTION_ROOTS.has(sel.name.value);
        const inner = sel.selectionSet ? this.selectionSet(sel.selectionSet, countDepth && !introspection) : { depth: 0, aliases: 0, directives: 0 };
        aliases += inner.aliases;
        directives += inner.directives;
        if (countDepth && !introspection) depth = Math.max(depth, 1 + inner.depth);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const inner = this.selectionSet(sel.selectionSet, countDepth);
        aliases += inner.aliases;
        directives += inner.directives;
        depth = Math.max(depth, inner.depth);
      } else {
        const inner = this.spread(sel.name.value, countDepth);
        aliases += inner.aliases;
        directives += inner.directives;
        depth = Math.max(depth, inner.depth);
      }
    }
    return { depth, aliases, directives };
  }

  private spread(name: string, countDepth: boolean): OperationShape {
    const key = `${name}|${countDepth}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const frag = this.fragment(name);
    if (!frag || this.visiting.has(key)) return { depth: 0, aliases: 0, directives: 0 };
    this.visiting.add(key);
    const inner = this.selectionSet(frag.selectionSet, countDepth);
    this.visiting.delete(key);
    const shape = { ...inner, directives: inner.directives + this.directives(frag) };
    this.memo.set(key, shape);
    return shape;
  }

  operation(op: OperationDefinitionNode): OperationShape {
    const inner = this.selectionSet(op.selectionSet, true);
    const varDirectives = (op.variableDefinitions ?? []).reduce((acc, v) => acc + (v.directives?.length ?? 0), 0);
    return { ...inner, directives: inner.directives + this.directives(op) + varDirectives };
  }
}

/** Depth, aliases and directives of an operation (fragments from `fragment(name)`). */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
): OperationShape {
  return new ShapeMeter(fragment).operation(operation);
}

const shapes = new WeakMap<OperationDefinitionNode, OperationShape>();

function shapeOf(context: ValidationContext, op: OperationDefinitionNode): OperationShape {
  let s = shapes.get(op);
  if (!s) {
    s = measureOperation(op, (name) => context.getFragment(name));
    shapes.set(op, s);
  }
  return s;
}

function opLabel(op: OperationDefinitionNode): string {
  return op.name ? ` "${op.name.value}"` : '';
}

export function limitError(
  message: string,
  code: LimitErrorCode,
  limit: { name: string; max: number; actual: number },
  nodes?: ASTNode | readonly ASTNode[],
  extra: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, {
    ...(nodes ? { nodes } : {}),
    extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, validationErrorCode: code, limit, ...extra },
  });
}

function countRule(
  name: 'depth' | 'aliases' | 'directives',
  max: number,
  code: LimitErrorCode,
  describe: (actual: number, op: OperationDefinitionNode) => string,
): ValidationRule {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`${name} limit must be a non-negative integer`);
  return (context) => ({
    OperationDefinition(node) {
      const actual = shapeOf(context, node)[name];
      if (actual > max) context.reportError(limitError(describe(actual, node), code, { name, max, actual }, node));
      return false;
    },
  });
}

export function maxDepthRule(max: number = DEFAULT_MAX_DEPTH): ValidationRule {
  return countRule('depth', max, LimitErrorCode.QUERY_TOO_DEEP, (actual, op) => `Operation${opLabel(op)} is nested ${actual} fields deep; the maximum depth is ${max}.`);
}

export function maxAliasesRule(max: number = DEFAULT_MAX_ALIASES): ValidationRule {
  return countRule('aliases', max, LimitErrorCode.TOO_MANY_ALIASES, (actual, op) => `Operation${opLabel(op)} uses ${actual} aliases; the maximum is ${max}.`);
}

export function maxDirectivesRule(max: number = DEFAULT_MAX_DIRECTIVES): ValidationRule {
  return countRule('directives', max, LimitErrorCode.TOO_MANY_DIRECTIVES, (actual, op) => `Operation${opLabel(op)} uses ${actual} directives; the maximum is ${max}.`);
}

/**
 * Cost limit as a validation rule: variables are unknown here and assumed at their documented
 * maximum. Use it where no Apollo plugin can run; with Apollo prefer `createCostLimitPlugin`.
 */
export function maxCostRule(max: number = DEFAULT_MAX_COST, options: Omit<CostOptions, 'variables'> = {}): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const estimate = estimateCost(context.getSchema(), context.getDocument(), { ...options, operation: node });
      if (estimate.cost > max) {
        context.reportError(
          limitError(costMessage(estimate, max, ' (variables assumed at their maximum)'), LimitErrorCode.QUERY_TOO_COMPLEX, { name: 'cost', max, actual: estimate.cost }, node, {
            cost: { estimated: estimate.cost, max, fields: estimate.fields.slice(0, 5) },
          }),
        );
      }
      return false;
    },
  });
}

/** Refuses schema introspection (`__schema`, `__type`); `__typename` stays allowed. */
export const noIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    if (INTROSPECTION_ROOTS.has(node.name.value)) {
      context.reportError(
        new GraphQLError('Introspection is disabled on this gateway (the schema is published in the repository and the README).', {
          nodes: node,
          extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, validationErrorCode: LimitErrorCode.INTROSPECTION_DISABLED },
        }),
      );
    }
  },
});

/** `[noIntrospectionRule]` when introspection is off, else nothing. */
export function introspectionRules(enabled: boolean): ValidationRule[] {
  return enabled ? [] : [noIntrospectionRule];
}

/**
 * Refuses subscription operations: the schema has no Subscription type and the gateway serves
 * plain HTTP, so a subscription is a client error (400) rather than an execution failure.
 */
export const noSubscriptionsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') {
      context.reportError(
        new GraphQLError('Subscriptions are not supported by this gateway: poll with a query or use awaitCompletion.', {
          nodes: node,
          extensions: { code: ErrorCode.BAD_REQUEST },
        }),
      );
    }
  },
});
