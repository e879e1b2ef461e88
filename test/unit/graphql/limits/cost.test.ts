/**
 * Cost estimates in upstream calls: sample queries, paging defaults and caps, batching, waits,
 * abstract types, variables known (plugin) and unknown (validation rule), and coverage of the
 * field table against the resolvers.
 */
import { ApolloServer } from '@apollo/server';
import { isObjectType, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createContext, type GatewayContext } from '../../../../src/graphql/context';
import { createFieldResolver } from '../../../../src/graphql/convert';
import { estimateCost, maxPolls, fieldCostRule, type CostOptions } from '../../../../src/graphql/limits/cost';
import { createCostLimitPlugin } from '../../../../src/graphql/limits/plugin';
import { maxCostRule } from '../../../../src/graphql/limits/rules';
import { FREE_FIELDS, UPSTREAM_FIELDS } from '../../../../src/graphql/limits/upstream-fields';
import { model } from '../../../../src/graphql/model';
import { OPERATIONS } from '../../../../src/graphql/operations';
import { buildResolvers } from '../../../../src/graphql/resolvers';
import { buildSchema, formatError } from '../../../../src/graphql/server';
import { spec } from '../../../../src/spec';
import { DEFAULT_WAIT_POLICY } from '../../../../src/tasks/wait';

const schema = buildSchema();
const cost = (query: string, options: CostOptions & { operationName?: string } = { variables: {} }) => estimateCost(schema, parse(query), options);

describe('maxPolls (the pollUntil schedule)', () => {
  it('counts the fetches that fit in the timeout, capped by the maximum wait', () => {
    // pauses 0.5, 1, 2, 3, 3, 3 s → fetches at 0, 0.5, 1.5, 3.5, 6.5, 9.5, 10 s
    expect(maxPolls(10)).toBe(7);
    expect(maxPolls(20)).toBe(10);
    expect(maxPolls(0)).toBe(1);
    expect(maxPolls(0.5)).toBe(2);
    expect(maxPolls(3600)).toBe(maxPolls(DEFAULT_WAIT_POLICY.maxWaitSeconds));
    expect(maxPolls(Number.NaN)).toBe(10);
    expect(maxPolls(10, { initialDelayMs: 0, maxDelayMs: 0, maxWaitSeconds: 1 })).toBeLessThanOrEqual(1001);
  });
});

describe('estimateCost: sample queries', () => {
  it('certificate(id) { certificateId } costs 1', () => {
    expect(cost('{ certificate(id: "a") { certificateId } }').cost).toBe(1);
  });

  it('a documented action field costs 1 whatever it selects when nothing below calls upstream', () => {
    expect(cost('{ certificates(limit: 1000) { totalCount certificates { certificateId domain tags { tagKey } } } }').cost).toBe(1);
    expect(cost('mutation { setCertificateAlias(certificateId: "a", alias: "x") { requestId } }').cost).toBe(1);
    expect(cost('{ a: certificateSummary(certificateId: "a") { domain } b: certificateSummary(certificateId: "b") { domain } }').cost).toBe(2);
  });

  it('certificates(limit: 1000) { certificates { detail } } is 1 + 1000 calls', () => {
    const e = cost('{ certificates(limit: 1000) { certificates { certificateId detail { domain } } } }');
    expect(e.cost).toBe(1001);
    expect(e.fields[0]).toMatchObject({ field: 'Certificates.detail', path: 'certificates.certificates.detail', calls: 1000, actions: ['DescribeCertificateDetail'] });
  });

  it('uses the documented default page size when limit is absent and caps at the documented maximum', () => {
    expect(cost('{ certificates { certificates { detail { domain } } } }').cost).toBe(1 + 10);
    expect(cost('{ certificates(limit: 5000) { certificates { detail { domain } } } }').cost).toBe(1 + 1000);
  });

  it('counts a 0 or null page size (literal or variable) as the documented default page, nested lists too', () => {
    expect(cost('{ certificates(limit: 0) { certificates { detail { domain } } } }').cost).toBe(1 + 10);
    expect(cost('{ certificates(limit: null) { certificates { detail { domain } } } }').cost).toBe(1 + 10);
    expect(cost('query($l: Int) { certificates(limit: $l) { certificates { detail { domain } } } }', { variables: { l: null } }).cost).toBe(1 + 10);
    expect(cost('query($l: Int) { certificates(limit: $l) { certificates { detail { domain } } } }', { variables: { l: 0 } }).cost).toBe(1 + 10);
  });

  it('batches lookups by the loader batch sizes', () => {
    const ids = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `c${i}`));
    expect(cost(`{ certificatesByIds(ids: ${ids(2500)}) { certificateId } }`).cost).toBe(3);
    // deployed resources: 50 certificates per call
    expect(cost('{ certificates(limit: 120) { certificates { deployedResources(resourceType: CLB) { count } } } }').cost).toBe(1 + 3);
    // operation logs: one account-wide read per window
    expect(cost('{ certificates(limit: 1000) { certificates { operateLogs { action } } } }').cost).toBe(2);
    // task status: 100 ids per call, shared by the state fields of one selection set
    expect(cost(`{ bindResourceTasks(ids: ${ids(250)}) { id state done statusCode result { type } } }`).cost).toBe(3);
    expect(cost(`{ deleteTasks(ids: ${ids(100)}) { id } }`).cost).toBe(0);
  });

  it('counts awaitCompletion polls from timeoutSeconds, bounded by the wait policy', () => {
    expect(cost('{ bindResourceTask(id: "t") { awaitCompletion { state } } }').cost).toBe(7 + 1);
    expect(cost('{ bindResourceTask(id: "t") { awaitCompletion(timeoutSeconds: 20) { done } } }').cost).toBe(10 + 1);
    expect(cost('{ bindResourceTask(id: "t") { awaitCompletion(timeoutSeconds: 600) { id } } }').cost).toBe(10);
    expect(cost('{ certificateIssuance(id: "c") { awaitCompletion(timeoutSeconds: 0) { issued verification { domain } } } }').cost).toBe(1 + 1 + 1);
    // a shorter policy makes waits cheaper
    expect(cost('{ deleteTask(id: "t") { awaitCompletion { id } } }', { variables: {}, waitPolicy: { initialDelayMs: 1000, maxDelayMs: 1000, maxWaitSeconds: 3 } }).cost).toBe(4);
  });

  it('deployment records cost one call per record; starting an update may repeat its call', () => {
    expect(cost('{ deploymentRecord(id: "1", kind: DEPLOY) { id kind state done progress { total } } }').cost).toBe(1);
    expect(cost('{ deploymentRecord(id: "1", kind: DEPLOY) { details(limit: 50) { totalCount } awaitCompletion { state } } }').cost).toBe(1 + 7 + 1);
    const start = cost('mutation { deployCertificate(certificateId: "c", instanceIdList: ["i"]) { ... on DeploymentStarted { requestId } } }');
    expect(start.cost).toBe(maxPolls(DEFAULT_WAIT_POLICY.maxWaitSeconds));
  });

  it('takes the most expensive member of a union, not the sum', () => {
    const q = `mutation { deployCertificate(certificateId: "c", instanceIdList: ["i"]) {
      ... on DeploymentStarted { record { awaitCompletion { state } } }
      ... on DeploymentAlreadyRunning { record { awaitCompletion { state } } }
    } }`;
    expect(cost(q).cost).toBe(10 + 7 + 1);
  });

  it('sizes task lists of mutations by their id arguments', () => {
    expect(cost('mutation { deleteCertificates(ids: ["a", "b", "c"]) { tasks { id state } } }').cost).toBe(1 + 1);
    expect(cost('mutation { createCertificateBindResourceTask(certificateIds: ["a", "b"]) { detail { totalCount } } }').cost).toBe(1 + 2);
  });

  it('counts fragments as often as they are spread, and honours @skip/@include', () => {
    const q = `query Q($skip: Boolean!) {
      a: certificates(limit: 100) { certificates { ...D } }
      b: certificates(limit: 100) @skip(if: $skip) { certificates { ...D } }
    }
    fragment D on Certificates { detail { domain } }`;
    expect(cost(q, { variables: { skip: false } }).cost).toBe(202);
    expect(cost(q, { variables: { skip: true } }).cost).toBe(101);
  });

  it('reads variables when known and assumes the documented maximum when not', () => {
    const q = 'query Q($n: Int, $ids: [ID!]!) { certificates(limit: $n) { certificates { detail { domain } } } certificatesByIds(ids: $ids) { certificateId } }';
    expect(cost(q, { variables: { n: 5, ids: ['a'] } }).cost).toBe(1 + 5 + 1);
    expect(cost(q, { variables: { ids: [] } }).cost).toBe(1 + 10);
    expect(cost(q, {}).cost).toBe(1 + 1000 + 1);
    const withDefault = 'query Q($n: Int = 3) { certificates(limit: $n) { certificates { detail { domain } } } }';
    expect(cost(withDefault, { variables: {} }).cost).toBe(4);
  });

  it('ignores introspection and __typename', () => {
    expect(cost('{ __typename __schema { types { name } } }').cost).toBe(0);
  });

  it('selects the operation by name', () => {
    const doc = 'query A { certificate(id: "a") { certificateId } } query B { certificates(limit: 20) { certificates { detail { domain } } } }';
    expect(cost(doc, { variables: {}, operationName: 'A' }).cost).toBe(1);
    expect(cost(doc, { variables: {}, operationName: 'B' }).cost).toBe(21);
  });

  it('stays fast on exponential fragment fan-out', () => {
    const n = 25;
    const frags = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `fragment F${i} on Certificates { detail { domain } }` : `fragment F${i} on Certificates { ...F${i + 1} ... on Certificates { ...F${i + 1} } }`,
    ).join('\n');
    const t0 = Date.now();
    const e = cost(`{ certificate(id: "a") { ...F0 } }\n${frags}`);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e.cost).toBe(1 + 2 ** (n - 1));
  });
});

describe('field table coverage', () => {
  it('knows every hand-written resolver: it calls upstream (UPSTREAM_FIELDS) or not (FREE_FIELDS)', () => {
    const resolvers = buildResolvers(model()) as Record<string, Record<string, unknown>>;
    const generic = new Set(OPERATIONS.filter((o) => !o.args && !o.returns).map((o) => `${o.root}.${o.field}`));
    const unknown: string[] = [];
    for (const [type, fields] of Object.entries(resolvers)) {
      if (!isObjectType(schema.getType(type))) continue;
      for (const field of Object.keys(fields)) {
        const key = `${type}.${field}`;
        if (generic.has(key) || key in UPSTREAM_FIELDS || FREE_FIELDS.has(key)) continue;
        // remaining hand-written root fields of documented actions fall back to the generic rule
        if (OPERATIONS.some((o) => `${o.root}.${o.field}` === key)) continue;
        unknown.push(key);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('lists only fields of the schema and actions of the spec', () => {
    for (const key of [...Object.keys(UPSTREAM_FIELDS), ...FREE_FIELDS]) {
      const [type, field] = key.split('.');
      const t = schema.getType(type);
      expect(t && isObjectType(t) && t.getFields()[field], key).toBeTruthy();
    }
    for (const rule of Object.values(UPSTREAM_FIELDS)) for (const a of rule.actions) expect(spec.actions[a], a).toBeDefined();
  });

  it('gives every root field a rule (1 call for each documented action)', () => {
    for (const [root, type] of [['Query', schema.getQueryType()!], ['Mutation', schema.getMutationType()!]] as const) {
      for (const field of Object.keys(type.getFields())) expect(fieldCostRule(root, field), `${root}.${field}`).toBeDefined();
    }
    expect(fieldCostRule('Query', 'certificates')?.size).toEqual({ arg: 'limit', mode: 'value', default: 10, max: 1000 });
  });
});

// ---- Apollo integration ---------------------------------------------------------------------------

const upstream = { call: async () => ({ RequestId: 'r', TotalCount: 0, Certificates: [] }) };

function server(plugins: ConstructorParameters<typeof ApolloServer<GatewayContext>>[0]['plugins'], validationRules: ReturnType<typeof maxCostRule>[] = []) {
  return new ApolloServer<GatewayContext>({ schema, fieldResolver: createFieldResolver(model()), plugins, validationRules });
}

async function run(s: ApolloServer<GatewayContext>, query: string, variables?: Record<string, unknown>) {
  const res = await s.executeOperation({ query, variables }, { contextValue: createContext({ upstream }) });
  if (res.body.kind !== 'single') throw new Error('not single');
  return { status: res.http.status, result: res.body.singleResult };
}

describe('createCostLimitPlugin (Apollo, real variables)', () => {
  const s = server([createCostLimitPlugin({ maxCost: 200, exposeCost: true })]);
  const q = 'query Q($n: Int) { certificates(limit: $n) { totalCount certificates { detail { domain } } } }';

  it('lets an operation at the limit through and reports its cost', async () => {
    const { status, result } = await run(s, q, { n: 199 });
    expect(status ?? 200).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.extensions?.cost).toEqual({ estimated: 200, max: 200 });
  });

  it('refuses one call over the limit with 400 QUERY_TOO_COMPLEX before any upstream call', async () => {
    let calls = 0;
    const counting = new ApolloServer<GatewayContext>({
      schema,
      fieldResolver: createFieldResolver(model()),
      plugins: [createCostLimitPlugin({ maxCost: 200 })],
      formatError: (f, e) => formatError(f, e),
    });
    const res = await counting.executeOperation(
      { query: q, variables: { n: 200 } },
      { contextValue: createContext({ upstream: { call: async () => (calls++, { RequestId: 'r' }) } }) },
    );
    expect(res.http.status).toBe(400);
    const result = res.body.kind === 'single' ? res.body.singleResult : undefined;
    expect(result?.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result?.errors?.[0].message).toMatch(/201 upstream calls.*maximum is 200.*certificates\.certificates\.detail 200/);
    expect(result?.errors?.[0].extensions?.cost).toMatchObject({ estimated: 201, max: 200 });
    expect(calls).toBe(0);
  });
});

describe('maxCostRule (validation, unknown variables)', () => {
  it('is conservative: a variable page size counts at its documented maximum', async () => {
    const s = server([], [maxCostRule(200)]);
    const { status, result } = await run(s, 'query Q($n: Int) { certificates(limit: $n) { certificates { detail { domain } } } }', { n: 5 });
    expect(status).toBe(400);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'QUERY_TOO_COMPLEX', limit: { name: 'cost', max: 200, actual: 1001 } });
    const ok = await run(s, '{ certificates(limit: 199) { certificates { detail { domain } } } }');
    expect(ok.result.errors).toBeUndefined();
  });
});
