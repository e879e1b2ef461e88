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
import { DEFAULT_ASSUMED_LIST_SIZE, DEFAULT_MAX_COST } from './cost';
import { createCostLimitPlugin } from './plugin';
import {
  DEFAULT_MAX_ALIASES,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_DIRECTIVES,
  DEFAULT_MAX_TOKENS,
  introspectionRules,
  maxAliasesRule,
  maxDepthRule,
  maxDirectivesRule,
  noSubscriptionsRule,
} from './rules';

export interface GraphQLLimits {
  /** `GRAPHQL_MAX_DEPTH`. @default 12 */
  readonly maxDepth: number;
  /** `GRAPHQL_MAX_ALIASES`. @default 30 */
  readonly maxAliases: number;
  /** `GRAPHQL_MAX_DIRECTIVES`. @default 20 */
  readonly maxDirectives: number;
  /** `GRAPHQL_MAX_TOKENS`. @default 5000 */
  readonly maxTokens: number;
  /** `GRAPHQL_MAX_COST`: upstream calls per operation. @default 200 */
  readonly maxCost: number;
  /** `GRAPHQL_INTROSPECTION`. @default env !== 'production' */
  readonly introspection: boolean;
}

export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = Object.freeze({
  maxDepth: DEFAULT_MAX_DEPTH,
  maxAliases: DEFAULT_MAX_ALIASES,
  maxDirectives: DEFAULT_MAX_DIRECTIVES,
  maxTokens: DEFAULT_MAX_TOKENS,
  maxCost: DEFAULT_MAX_COST,
  introspection: true,
});

/** The subset of `EnvReader` (src/config.ts) used here. */
export interface LimitsEnvReader {
  int(name: string, def: number, min: number, max: number): number;
  raw(name: string): string | undefined;
  readonly problems: { variable: string; problem: string }[];
}

export function readGraphQLLimitsConfig(r: LimitsEnvReader, env: string): GraphQLLimits {
  const introRaw = r.raw('GRAPHQL_INTROSPECTION');
  let introspection = env !== 'production';
  if (introRaw !== undefined) {
    if (/^(true|1|yes)$/i.test(introRaw)) introspection = true;
    else if (/^(false|0|no)$/i.test(introRaw)) introspection = false;
    else r.problems.push({ variable: 'GRAPHQL_INTROSPECTION', problem: `must be true or false, got "${introRaw}"` });
  }
  return {
    maxDepth: r.int('GRAPHQL_MAX_DEPTH', DEFAULT_MAX_DEPTH, 1, 100),
    maxAliases: r.int('GRAPHQL_MAX_ALIASES', DEFAULT_MAX_ALIASES, 0, 1000),
    maxDirectives: r.int('GRAPHQL_MAX_DIRECTIVES', DEFAULT_MAX_DIRECTIVES, 0, 1000),
    maxTokens: r.int('GRAPHQL_MAX_TOKENS', DEFAULT_MAX_TOKENS, 100, 1_000_000),
    maxCost: r.int('GRAPHQL_MAX_COST', DEFAULT_MAX_COST, 1, 100_000),
    introspection,
  };
}

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
