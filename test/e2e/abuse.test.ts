/**
 * Malformed and hostile inputs against the whole gateway as deployed (simulator + real config +
 * local server running the Lambda handlers), category by category.
 *
 * Every case must:
 *   - get a 4xx, never a 5xx, a reset or a hang;
 *   - carry a clear JSON error in the surface's shape: GraphQL `{errors:[{message, extensions.code}]}`,
 *     REST `{error:{code, message, requestId}}`;
 *   - be refused before any upstream call (the simulator's call log does not move);
 *   - leave `Object.prototype` untouched (the gateway runs in this very process).
 * After each category the gateway must still answer health, GraphQL and REST requests.
 *
 * The inputs live in tables under `lib/abuse-*.ts`; this file only runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayFixture } from '../helpers/fixture';
import {
  aliasBombs,
  batchedArrays,
  cyclicFragments,
  depthBombs,
  directiveFloods,
  envelopes,
  getMutations,
  graphqlSpecChecks,
  tokenFloods,
  unknownSchemaMembers,
  wrongVariables,
} from './lib/abuse-graphql';
import { expectRefusal, send, type AbuseCase, type AbuseContext } from './lib/abuse-http';
import { bodies, oddIds, queryStrings, scalarTypes, unknownActions } from './lib/abuse-rest';
import { contentTypes, headerAbuse, hugeBodies, invalidJson, invalidUtf8, methods, prototypePollution, rawProtocol } from './lib/abuse-transport';

const CATEGORIES: [title: string, cases: AbuseCase[]][] = [
  ['GraphQL depth bombs', depthBombs],
  ['GraphQL alias bombs and cost amplification', aliasBombs],
  ['GraphQL directive floods', directiveFloods],
  ['GraphQL token floods', tokenFloods],
  ['GraphQL cyclic and broken fragments', cyclicFragments],
  ['GraphQL unknown fields, types and arguments', unknownSchemaMembers],
  ['GraphQL wrong variable types', wrongVariables],
  ['GraphQL arguments the spec forbids (caps, paging, ids)', graphqlSpecChecks],
  ['GraphQL batched query arrays (batching is off)', batchedArrays],
  ['GraphQL malformed request envelopes', envelopes],
  ['GraphQL mutations and other non-queries over GET', getMutations],
  ['bodies above the size limits', hugeBodies],
  ['invalid JSON', invalidJson],
  ['invalid UTF-8', invalidUtf8],
  ['wrong content types', contentTypes],
  ['REST unknown actions', unknownActions],
  ['REST odd ids in paths', oddIds],
  ['REST wrong types for every scalar kind and documented caps', scalarTypes],
  ['REST bodies that are not the documented object', bodies],
  ['REST query strings', queryStrings],
  ['prototype-pollution keys', prototypePollution],
  ['header abuse', headerAbuse],
  ['HTTP methods', methods],
  ['raw bytes the HTTP parser refuses', rawProtocol],
];

describe('hostile and malformed inputs', () => {
  let gw: GatewayFixture;
  let ctx: AbuseContext;

  beforeAll(async () => {
    gw = await startGateway();
    const cert = [...gw.sim.state.certificates.values()][0];
    ctx = { keys: gw.keys, certId: cert.id };
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Upstream calls recorded since `seq` ("Action:outcome"). */
  const callsSince = (seq: number): string[] =>
    gw.sim.calls
      .log()
      .filter((r) => r.seq > seq)
      .map((r) => `${r.action}:${r.outcome}`);
  const lastSeq = (): number => gw.sim.calls.log().at(-1)?.seq ?? 0;

  it('covers at least 200 inputs', () => {
    const total = CATEGORIES.reduce((n, [, cases]) => n + cases.length, 0);
    expect(total).toBeGreaterThanOrEqual(200);
    const names = CATEGORIES.flatMap(([title, cases]) => cases.map((c) => `${title} / ${c.name}`));
    expect(new Set(names).size, 'case names are unique').toBe(names.length);
  });

  describe.each(CATEGORIES)('%s', (_title, cases) => {
    // `%s` rather than `$name`: vitest shortens interpolated object properties to 40 characters.
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      // Prepare
      const seq = lastSeq();
      // Act
      const answer = await send(gw.url, c.request, ctx);
      // Assess: nothing reached the upstream, the answer is a clear refusal, no pollution.
      expect.soft(callsSince(seq), `${c.name}: refused inputs must not reach the upstream`).toEqual([]);
      expectRefusal(answer, c);
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), 'Object.prototype was polluted').toBe(false);
    });

    it('keeps serving afterwards', async () => {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
      const health = await fetch(`${gw.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', upstream: { mode: 'simulator' } });
      const gql = await gw.graphql<{ certificates: { totalCount: number } }>('{ certificates(limit: 1) { totalCount } }');
      expect(gql.status, JSON.stringify(gql.errors)).toBe(200);
      expect(gql.data?.certificates.totalCount).toBeGreaterThan(0);
      const rest = await gw.fetch('/v1/certificates?limit=1');
      expect(rest.status).toBe(200);
      expect(((await rest.json()) as { Certificates: unknown[] }).Certificates).toHaveLength(1);
    });
  });
});
