/**
 * `examples/`, as a frontend or partner team starts from it: GraphQL Code Generator over the
 * committed SDL and the example operations, openapi-typescript (default options) over the
 * gateway's OpenAPI document, then `tsc --noEmit` on the example clients (scripts/examples-check.ts,
 * also `npm run examples:check`). The generated clients then run their flows against the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExamples, type ExamplesCheckResult } from '../../scripts/examples-check';
import { startGateway, type GatewayFixture } from '../helpers/fixture';

describe('examples/', () => {
  let result: ExamplesCheckResult;
  let gw: GatewayFixture;

  beforeAll(async () => {
    result = await checkExamples();
    gw = await startGateway();
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('generates typed clients from the committed SDL and the OpenAPI document, and they compile', () => {
    expect(result.generated).toEqual([
      'examples/graphql/generated/schema.ts',
      'examples/graphql/generated/graphql.ts',
      'examples/openapi/generated/openapi.json',
      'examples/openapi/generated/openapi.ts',
    ]);
    expect(result.tscOutput).toBe('');
    expect(result.ok).toBe(true);
  });

  it('runs the GraphQL example flows with the generated documents', async () => {
    const { createGatewayClient } = await import('../../examples/graphql/client');
    const flows = await import('../../examples/graphql/flows');
    const client = createGatewayClient({ endpoint: `${gw.url}/graphql`, apiKey: gw.keys.all });
    const dashboard = await flows.certificateDashboard(client, 5);
    expect(dashboard.total).toBeGreaterThan(0);
    expect(dashboard.rows.length).toBe(Math.min(5, dashboard.total));
    for (const row of dashboard.rows) expect(row.certificateId).toMatch(/\S/);
    // Soonest expiry first.
    const expiries = dashboard.rows.map((r) => r.expires).filter((e): e is string => e !== null);
    expect(expiries).toEqual([...expiries].sort((a, b) => Date.parse(a) - Date.parse(b)));

    const [bound] = await flows.boundResources(client, [dashboard.rows[0].certificateId]);
    expect(bound.taskId).toMatch(/\S/);
    expect(bound.certificateId).toBe(dashboard.rows[0].certificateId);
  });

  it('runs the REST example with openapi-fetch and the generated paths', async () => {
    const rest = await import('../../examples/openapi/client');
    const client = rest.createRestClient(gw.url, gw.keys.all);
    const page = await rest.listCertificates(client, 5);
    expect(page.total).toBeGreaterThan(0);
    expect(page.certificates.length).toBe(Math.min(5, page.total));
    // Resource routes answer ISO 8601 with the offset, which Date reads without knowing the service's zone.
    const expiries = page.certificates.map((c) => c.expires).filter((e): e is string => e !== null);
    expect(expiries.length).toBeGreaterThan(0);
    for (const e of expiries) expect(e).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(expiries).toEqual([...expiries].sort((a, b) => Date.parse(a) - Date.parse(b)));
    // The example's polling pause is replaced: the test asserts what is answered, not time.
    const bound = await rest.boundResources(client, page.certificates[0].id, 20, async () => {});
    expect(bound.taskId).toMatch(/\S/);
    expect(['RUNNING', 'SUCCEEDED', 'FAILED']).toContain(bound.state);
    const anonymous = rest.createRestClient(gw.url, 'sslgw_not_a_configured_key');
    await expect(rest.listCertificates(anonymous, 1)).rejects.toThrow(/HTTP 401: UNAUTHENTICATED/);
  });
});
