/**
 * GraphQL guard settings and the one function that turns them into Apollo options.
 *
 * | variable                  | meaning                                              | default |
 * |---------------------------|------------------------------------------------------|---------|
 * | `GRAPHQL_MAX_DEPTH`       | deepest field nesting                                | 12      |
 * | `GRAPHQL_MAX_ALIASES`     | aliases per operation                                | 30      |
 * | `GRAPHQL_MAX_DIRECTIVES`  | directives per operation                             | 20      |
 * | `GRAPHQL_MAX_TOKENS`      | lexical tokens per document (parser stops beyond)    | 5000    |
 * | `GRAPHQL_MAX_COST`        | estimated upstream calls per operation               | 200     |
 * | `GRAPHQL_INTROSPECTION`   | `true`/`false`                                       | false in production, else true |
 *
 * CSRF: Apollo Server's `csrfPrevention` (default on in v5; pass `csrfPrevention: true`
 * explicitly so nobody turns it off by accident) refuses GET requests and POSTs with a
 * "simple" content type (text/plain, form encodings) unless they carry `apollo-require-preflight`
 * or `x-apollo-operation-name`, so a browser cannot send a cross-site GraphQL request without a
 * CORS preflight. The gateway's credentials travel in headers (`x-api-key`, `Authorization`),
 * never in cookies, which a cross-site page cannot set either. REST routes should likewise accept
 * only `content-type: application/json` bodies on POST.
 */
import type { ParseOptions, ValidationRule } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { WaitPolicy } from '../../tasks/wait';
import { DEFAULT_ASSUMED_LIST_SIZE } from './cost';
import { DEFAULT_GRAPHQL_LIMITS, type GraphQLLimits } from './settings';
import { createCostLimitPlugin } from './plugin';
import {
  introspectionRules,
  maxAliasesRule,
  maxDepthRule,
  maxDirectivesRule,
  noSubscriptionsRule,
} from './rules';

export { DEFAULT_GRAPHQL_LIMITS, readGraphQLLimitsConfig, type GraphQLLimits, type LimitsEnvReader } from './settings';

export interface GraphQLGuards<TContext extends BaseContext> {
  /** Apollo `validationRules`. */
  validationRules: ValidationRule[];
  /** Apollo `parseOptions` (token limit). */
  parseOptions: ParseOptions;
  /** Apollo `plugins` (cost limit with real variables). */
  plugins: ApolloServerPlugin<TContext>[];
  /** Apollo `introspection`. */
  introspection: boolean;
  /** Apollo `csrfPrevention`. */
  csrfPrevention: true;
}

/** Everything the Apollo server needs to enforce `limits`. */
export function createGraphQLGuards<TContext extends BaseContext>(
  limits: Partial<GraphQLLimits> = {},
  options: { waitPolicy?: WaitPolicy; assumedListSize?: number; exposeCost?: boolean } = {},
): GraphQLGuards<TContext> {
  const l = { ...DEFAULT_GRAPHQL_LIMITS, ...limits };
  return {
    validationRules: [noSubscriptionsRule, maxDepthRule(l.maxDepth), maxAliasesRule(l.maxAliases), maxDirectivesRule(l.maxDirectives), ...introspectionRules(l.introspection)],
    parseOptions: { maxTokens: l.maxTokens },
    plugins: [
      createCostLimitPlugin<TContext>({
        maxCost: l.maxCost,
        assumedListSize: options.assumedListSize ?? DEFAULT_ASSUMED_LIST_SIZE,
        ...(options.waitPolicy ? { waitPolicy: options.waitPolicy } : {}),
        ...(options.exposeCost !== undefined ? { exposeCost: options.exposeCost } : {}),
      }),
    ],
    introspection: l.introspection,
    csrfPrevention: true,
  };
}
