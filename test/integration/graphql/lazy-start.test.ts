/**
 * What a cold start of the GraphQL surface does not build: the GraphQL model of the spec (how
 * every documented member maps to a field, its enums and conversions) is built on the first
 * request that needs it, not at start-up nor for `{ __typename }` (the request a health probe or
 * a cold-start measurement sends). Counted, not timed: `defaultModelBuilds()` says how often this
 * process built it.
 */
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

describe('the GraphQL model is built on first use', () => {
  it('a start-up and `{ __typename }` leave the model unbuilt; the first query reading a documented structure builds it once', async () => {
    expect(defaultModelBuilds()).toBe(0);
    const typename = await post('{ __typename }');
    expect(JSON.parse(typename.body)).toEqual({ data: { __typename: 'Query' } });
    expect(defaultModelBuilds()).toBe(0);

    const certs = await post('{ certificates(limit: 2) { totalCount certificates { certificateId status statusCode } } }');
    const body = JSON.parse(certs.body) as { data: { certificates: { totalCount: number; certificates: { status: string | null; statusCode: number }[] } } };
    expect(body.data.certificates.totalCount).toBeGreaterThan(0);
    // Enum conversion (from the model): the status name of the raw code.
    for (const c of body.data.certificates.certificates) expect(typeof c.status === 'string' || c.status === null).toBe(true);
    expect(defaultModelBuilds()).toBe(1);
    await post('{ certificates(limit: 1) { totalCount } }');
    expect(defaultModelBuilds()).toBe(1);
  });
});
