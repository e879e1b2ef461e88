/**
 * The cost estimate is an upper bound of the upstream calls an operation really makes. A page
 * size that is absent, null (literal or variable) or 0 is answered by the upstream with its
 * default page (10 certificates), so nested per-item calls (`detail`, `issuance.verification`) are
 * counted for that page; they used to be counted as 0 items (estimate 1, 11 real calls).
 * Each operation runs against the simulator; its call log is the truth.
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { estimateCost } from '../../../src/graphql/limits/cost';
import { buildSchema } from '../../../src/graphql/server';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway(ISOLATED);
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

const DETAIL = 'certificates { certificateId detail { domain } }';
const CASES: [name: string, query: string, variables: Record<string, unknown>][] = [
  ['limit: 0', `{ certificates(limit: 0) { ${DETAIL} } }`, {}],
  ['limit: null', `{ certificates(limit: null) { ${DETAIL} } }`, {}],
  ['limit absent', `{ certificates { ${DETAIL} } }`, {}],
  ['limit from a null variable', `query($l: Int) { certificates(limit: $l) { ${DETAIL} } }`, { l: null }],
  ['limit from a variable set to 0', `query($l: Int) { certificates(limit: $l) { ${DETAIL} } }`, { l: 0 }],
  ['limit from a variable left out', `query($l: Int) { certificates(limit: $l) { ${DETAIL} } }`, {}],
  [
    'four aliases with 0, null and absent page sizes, detail and issuance verification',
    `{ a: certificates(limit: 0) { certificates { detail { domain } issuance { verification { domain } } } }
       b: certificates(limit: 0) { ${DETAIL} }
       c: certificates(limit: null) { ${DETAIL} }
       d: certificates { ${DETAIL} } }`,
    {},
  ],
];

describe('the cost estimate counts absent, null and 0 page sizes as the documented default page', () => {
  it('the simulator holds more certificates than the default page (so the page is full)', () => {
    expect(gw.sim.state.certificates.size).toBeGreaterThan(10);
  });

  it.each(CASES)('%s: estimate >= the exact number of upstream calls made', async (_name, query, variables) => {
    const estimate = estimateCost(buildSchema(), parse(query), { variables }).cost;
    const res = await gw.graphql(query, variables);
    expect(res.status).toBe(200);
    const made = total(gw.calls());
    // The default page really was fetched and navigated: 1 list + 10 details at least.
    expect(gw.calls().DescribeCertificateDetail).toBe(10);
    expect(made).toBeGreaterThanOrEqual(11);
    expect(estimate).toBeGreaterThanOrEqual(made);
  });

  it('a 0 page size is estimated like the default page, exactly', () => {
    const q = (limit: string) => estimateCost(buildSchema(), parse(`{ certificates${limit} { ${DETAIL} } }`), { variables: {} }).cost;
    expect(q('(limit: 0)')).toBe(11);
    expect(q('(limit: null)')).toBe(11);
    expect(q('')).toBe(11);
    expect(estimateCost(buildSchema(), parse(`query($l: Int) { certificates(limit: $l) { ${DETAIL} } }`), { variables: { l: null } }).cost).toBe(11);
  });

  it('the cost limit refuses 20 aliases of limit: null with nested details (220 calls) before any upstream call', async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: certificates(limit: $l) { ${DETAIL} }`).join(' ');
    const res = await gw.graphql(`query($l: Int) { ${aliases} }`, { l: null });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.extensions?.cost?.estimated).toBe(220);
    expect(gw.calls()).toEqual({});
  });
});
