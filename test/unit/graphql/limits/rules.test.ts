/**
 * Depth, alias, directive and token limits: just under and just over each, in graphql-js and
 * through Apollo (400 GRAPHQL_VALIDATION_FAILED / GRAPHQL_PARSE_FAILED), plus introspection.
 */
import { ApolloServer } from '@apollo/server';
import { getIntrospectionQuery, parse, validate, specifiedRules, type ValidationRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createContext, type GatewayContext } from '../../../../src/graphql/context';
import { createFieldResolver } from '../../../../src/graphql/convert';
import { createGraphQLGuards, readGraphQLLimitsConfig, DEFAULT_GRAPHQL_LIMITS } from '../../../../src/graphql/limits/config';
import {
  maxAliasesRule,
  maxDepthRule,
  maxDirectivesRule,
  measureOperation,
  noIntrospectionRule,
  introspectionRules,
} from '../../../../src/graphql/limits/rules';
import { model } from '../../../../src/graphql/model';
import { buildSchema } from '../../../../src/graphql/server';
import { EnvReader } from '../../../../src/config';

const schema = buildSchema();

function errorsOf(query: string, rules: ValidationRule[]) {
  return validate(schema, parse(query), [...specifiedRules, ...rules]);
}

/** A valid query of exactly `depth` levels through the cyclic certificate ↔ issuance types. */
function deepQuery(depth: number): string {
  if (depth === 1) return '{ __typename }';
  const fields: string[] = [];
  for (let level = 1; level < depth; level++) fields.push(level === 1 ? 'certificate(id: "a")' : level % 2 === 0 ? 'issuance' : 'certificate');
  return `{ ${fields.map((f) => `${f} {`).join(' ')} certificateId ${'}'.repeat(fields.length)} }`;
}

describe('depth', () => {
  it('measures nesting, root fields being depth 1', () => {
    for (const d of [1, 2, 3, 12, 13]) {
      const q = deepQuery(d);
      expect(validate(schema, parse(q)), q).toEqual([]);
      expect(measureOperation(parse(q).definitions[0] as never, () => undefined).depth, q).toBe(d);
    }
  });

  it('allows 12 and refuses 13 with a clear message', () => {
    expect(errorsOf(deepQuery(12), [maxDepthRule(12)])).toEqual([]);
    const errors = errorsOf(deepQuery(13), [maxDepthRule(12)]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('Operation is nested 13 fields deep; the maximum depth is 12.');
    expect(errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'QUERY_TOO_DEEP', limit: { name: 'depth', max: 12, actual: 13 } });
  });

  it('counts depth through fragments and inline fragments', () => {
    const q = `query Deep { certificate(id: "a") { ...A } }
      fragment A on Certificates { issuance { ... on CertificateIssuance { certificate { ...B } } } }
      fragment B on Certificates { issuance { certificateId } }`;
    expect(measureOperation(parse(q).definitions[0] as never, (n) => parse(q).definitions.find((d) => 'name' in d && d.name?.value === n) as never).depth).toBe(5);
    expect(errorsOf(q, [maxDepthRule(4)])[0].message).toBe('Operation "Deep" is nested 5 fields deep; the maximum depth is 4.');
    expect(errorsOf(q, [maxDepthRule(5)])).toEqual([]);
  });

  it('does not count introspection subtrees, so GraphiQL can load the schema', () => {
    expect(errorsOf(getIntrospectionQuery(), [maxDepthRule(12)])).toEqual([]);
  });
});

describe('aliases', () => {
  const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: certificate(id: "${i}") { certificateId }`).join(' ')} }`;

  it('allows 30 and refuses 31', () => {
    expect(errorsOf(aliased(30), [maxAliasesRule(30)])).toEqual([]);
    const errors = errorsOf(aliased(31), [maxAliasesRule(30)]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('Operation uses 31 aliases; the maximum is 30.');
    expect(errors[0].extensions).toMatchObject({ validationErrorCode: 'TOO_MANY_ALIASES', limit: { max: 30, actual: 31 } });
  });

  it('counts aliases of a fragment once per spread (no amplification through fragments)', () => {
    const q = `{ ${Array.from({ length: 4 }, (_, i) => `c${i}: certificate(id: "${i}") { ...F }`).join(' ')} }
      fragment F on Certificates { ${Array.from({ length: 7 }, (_, i) => `x${i}: certificateId`).join(' ')} }`;
    // 4 root aliases + 4 × 7 inside the fragment = 32
    expect(errorsOf(q, [maxAliasesRule(30)])[0].extensions?.limit).toEqual({ name: 'aliases', max: 30, actual: 32 });
  });

  it('stays fast on exponential fragment fan-out', () => {
    const n = 30;
    const frags = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `fragment F${i} on Certificates { x: certificateId }` : `fragment F${i} on Certificates { ...F${i + 1} ... on Certificates { ...F${i + 1} } }`,
    ).join('\n');
    const t0 = Date.now();
    const errors = errorsOf(`{ certificate(id: "a") { ...F0 } }\n${frags}`, [maxAliasesRule(30)]);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(errors.find((e) => e.extensions?.validationErrorCode === 'TOO_MANY_ALIASES')?.extensions?.limit).toMatchObject({ actual: 2 ** (n - 1) });
  });
});

describe('directives', () => {
  const directed = (n: number) =>
    `query Q($t: Boolean = true) { certificate(id: "a") { ${Array.from({ length: n }, (_, i) => `f${i}: certificateId @include(if: $t)`).join(' ')} } }`;

  it('allows 20 and refuses 21', () => {
    expect(errorsOf(directed(20), [maxDirectivesRule(20)])).toEqual([]);
    const errors = errorsOf(directed(21), [maxDirectivesRule(20)]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('Operation "Q" uses 21 directives; the maximum is 20.');
    expect(errors[0].extensions).toMatchObject({ validationErrorCode: 'TOO_MANY_DIRECTIVES', limit: { max: 20, actual: 21 } });
  });

  it('counts directives on fragments, spreads and inline fragments', () => {
    const q = `query Q($t: Boolean = true) { certificate(id: "a") @include(if: $t) { ...F @include(if: $t) ... @skip(if: false) { domain } } }
      fragment F on Certificates { certificateId @skip(if: false) }`;
    expect(measureOperation(parse(q).definitions[0] as never, (n) => parse(q).definitions.find((d) => 'name' in d && d.name?.value === n) as never).directives).toBe(4);
  });
});

describe('tokens (parser option)', () => {
  const guards = createGraphQLGuards({ maxTokens: 100 });
  it('parses a document of exactly maxTokens tokens and refuses one more', () => {
    // `{ certificate(id: "a") { certificateId } }` is 11 tokens, `aN: certificateId` 3, `domain` 1
    const aliases = Array.from({ length: 29 }, (_, i) => `a${i}: certificateId`).join(' ');
    const doc = (plain: string) => `{ certificate(id: "a") { certificateId ${aliases} ${plain} } }`;
    expect(() => parse(doc('domain alias'), guards.parseOptions)).not.toThrow(); // 11 + 87 + 2 = 100
    expect(() => parse(doc('domain alias status'), guards.parseOptions)).toThrow(/Document contains more (that|than) 100 tokens/);
  });
});

describe('introspection', () => {
  it('noIntrospectionRule refuses __schema and __type but not __typename', () => {
    expect(errorsOf('{ __typename }', [noIntrospectionRule])).toEqual([]);
    const errors = errorsOf('{ __schema { queryType { name } } __type(name: "Query") { name } }', [noIntrospectionRule]);
    expect(errors.map((e) => e.extensions?.validationErrorCode)).toEqual(['INTROSPECTION_DISABLED', 'INTROSPECTION_DISABLED']);
    expect(introspectionRules(true)).toEqual([]);
    expect(introspectionRules(false)).toEqual([noIntrospectionRule]);
  });
});

describe('createGraphQLGuards through Apollo', () => {
  const guards = createGraphQLGuards<GatewayContext>({ maxDepth: 12, maxAliases: 30, maxDirectives: 20, maxTokens: 5000, maxCost: 200, introspection: false });
  const server = new ApolloServer<GatewayContext>({
    schema,
    fieldResolver: createFieldResolver(model()),
    validationRules: guards.validationRules,
    parseOptions: guards.parseOptions,
    plugins: guards.plugins,
    introspection: guards.introspection,
    csrfPrevention: guards.csrfPrevention,
  });
  const upstream = { call: async () => ({ RequestId: 'r' }) };
  const run = async (query: string) => {
    const res = await server.executeOperation({ query }, { contextValue: createContext({ upstream }) });
    return { status: res.http.status, result: res.body.kind === 'single' ? res.body.singleResult : undefined };
  };

  it('answers 400 GRAPHQL_VALIDATION_FAILED with the specific code for each limit', async () => {
    const deep = await run(deepQuery(13));
    expect(deep.status).toBe(400);
    expect(deep.result?.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'QUERY_TOO_DEEP' });
    const intro = await run('{ __schema { queryType { name } } }');
    expect(intro.status).toBe(400);
    expect(intro.result?.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers 400 GRAPHQL_PARSE_FAILED beyond the token limit', async () => {
    const big = `{ ${Array.from({ length: 2000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await run(big);
    expect(res.status).toBe(400);
    expect(res.result?.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('lets a query inside all limits run', async () => {
    const ok = await run(deepQuery(12));
    expect(ok.result?.errors?.find((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')).toBeUndefined();
  });
});

describe('readGraphQLLimitsConfig', () => {
  it('reads the variables with defaults and reports bad values', () => {
    const r = new EnvReader({});
    expect(readGraphQLLimitsConfig(r, 'development')).toEqual({ ...DEFAULT_GRAPHQL_LIMITS, introspection: true });
    expect(readGraphQLLimitsConfig(new EnvReader({}), 'production').introspection).toBe(false);
    const r2 = new EnvReader({ GRAPHQL_MAX_DEPTH: '8', GRAPHQL_MAX_COST: '50', GRAPHQL_INTROSPECTION: 'maybe', GRAPHQL_MAX_ALIASES: 'x' });
    const l = readGraphQLLimitsConfig(r2, 'production');
    expect(l.maxDepth).toBe(8);
    expect(l.maxCost).toBe(50);
    expect(r2.problems.map((p) => p.variable).sort()).toEqual(['GRAPHQL_INTROSPECTION', 'GRAPHQL_MAX_ALIASES']);
  });
});
