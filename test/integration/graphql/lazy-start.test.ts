/**
 * What a cold start of the GraphQL surface does not build: the GraphQL model of the spec (how
 * every documented member maps to a field, its enums and conversions) is built on the first
 * request that needs it, and the schema's enum values when an enum is first read, not at
 * start-up nor for `{ __typename }` (the request a health probe or a cold-start measurement
 * sends). Counted, not timed: `defaultModelBuilds()` says how often this process built the
 * model; graphql-js keeps an enum's values as the thunk it was given until they are read.
 */
import { isEnumType, type GraphQLEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../../src/app';
import { createDemoApiKey, formatApiKeys } from '../../../src/auth';
import { loadConfig } from '../../../src/config';
import { defaultModelBuilds } from '../../../src/graphql/model';
import { createSimulator, DEMO_CREDENTIAL, type Simulator } from '../../../src/simulator/index';

let sim: Simulator;
let gateway: Gateway;
const client = createDemoApiKey({ id: 'lazy-start', scopes: ['read'] });

beforeAll(async () => {
  sim = await createSimulator({ port: 0, rateLimits: false, demoData: true });
  gateway = await createGateway(loadConfig({ NODE_ENV: 'test', GATEWAY_API_KEYS: formatApiKeys([client.entry]) }), {
    upstream: { endpoint: sim.url, credentials: { ...DEMO_CREDENTIAL } },
    surfaces: ['graphql'],
  });
});
afterAll(async () => {
  await gateway?.close();
  await sim?.close();
});

const post = (query: string) =>
  gateway.graphqlHandler({ method: 'POST', path: '/graphql', query: {}, headers: { 'content-type': 'application/json', 'x-api-key': client.key }, body: Buffer.from(JSON.stringify({ query })), requestId: `lazy-${query.length}` });

/** Enums of the served schema whose values graphql-js has defined (it keeps the given thunk until they are read). */
const definedEnums = () =>
  Object.values(gateway.graphql!.schema.getTypeMap())
    .filter((t): t is GraphQLEnumType => isEnumType(t) && !t.name.startsWith('__') && typeof (t as unknown as { _values: unknown })._values !== 'function')
    .map((t) => t.name);

describe('the GraphQL model and the enum values are built on first use', () => {
  it('a start-up and `{ __typename }` build neither the model nor any enum\'s values; the first query reading a documented structure builds the model once and the enums it serializes', async () => {
    expect(Object.values(gateway.graphql!.schema.getTypeMap()).filter((t) => isEnumType(t)).length).toBeGreaterThan(10);
    expect(defaultModelBuilds()).toBe(0);
    const typename = await post('{ __typename }');
    expect(JSON.parse(typename.body)).toEqual({ data: { __typename: 'Query' } });
    expect(defaultModelBuilds()).toBe(0);
    expect(definedEnums()).toEqual([]);

    const certs = await post('{ certificates(limit: 2) { totalCount certificates { certificateId status statusCode } } }');
    const body = JSON.parse(certs.body) as { data: { certificates: { totalCount: number; certificates: { status: string | null; statusCode: number }[] } } };
    expect(body.data.certificates.totalCount).toBeGreaterThan(0);
    // Enum conversion (from the model): the status name of the raw code.
    for (const c of body.data.certificates.certificates) expect(typeof c.status === 'string' || c.status === null).toBe(true);
    expect(defaultModelBuilds()).toBe(1);
    expect(definedEnums()).toContain('CertificateStatus');
    await post('{ certificates(limit: 1) { totalCount } }');
    expect(defaultModelBuilds()).toBe(1);
  });
});
