/**
 * The GraphQL guard settings as plain data: their defaults and how `src/config.ts` reads them from
 * the environment (the table is in ./config.ts). Apart from ./config.ts (which turns them into
 * Apollo options) so reading the configuration loads neither graphql nor Apollo: the REST
 * function reads the same configuration and bundles neither.
 */
export const DEFAULT_MAX_DEPTH = 12;
export const DEFAULT_MAX_ALIASES = 30;
export const DEFAULT_MAX_DIRECTIVES = 20;
export const DEFAULT_MAX_TOKENS = 5000;
/** Estimated upstream calls per operation. */
export const DEFAULT_MAX_COST = 200;

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
