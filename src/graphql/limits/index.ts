/** GraphQL guards enforced before execution: depth, aliases, directives, tokens, cost, introspection. */
export * from './ast';
export * from './config';
export * from './cost';
export * from './plugin';
export * from './rules';
export * from './upstream-fields';
