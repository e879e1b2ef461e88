/**
 * The request deadline end to end: the local server with a small configured budget
 * (FUNCTION_TIMEOUT_MS 2.5 s minus DEADLINE_MARGIN_MS 1 s = 1.5 s per request) and the
 * simulator's latency fault holding an upstream answer past it. Assertions are on outcomes: the
 * typed error each surface answers, what the simulator executed and how many times.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/simulator/index';
import { startGateway, type GatewayFixture } from '../helpers/fixture';

let gw: GatewayFixture;

beforeAll(async () => {
  gw = await startGateway({ env: { FUNCTION_TIMEOUT_MS: '2500', DEADLINE_MARGIN_MS: '1000' } });
});
afterAll(() => gw.close());
beforeEach(() => {
  gw.sim.faults.clear();
  gw.sim.calls.reset();
});

const certificatesFor = (domain: string) => [...gw.sim.state.certificates.values()].filter((c) => c.domain === domain);
/** The answer is held well past the request's 1.5 s; the certificate is created before that. */
const HELD_ANSWER: FaultSpec = { kind: 'latency', phase: 'after', ms: 4_000, actions: ['ApplyCertificate'], count: 1 };

describe('a write in flight at the deadline', () => {
  it('GraphQL: typed DEADLINE_EXCEEDED with outcomeUnknown, never retried, and a repeat with the same key is not executed again', async () => {
    gw.sim.faults.add(HELD_ANSWER);
    const key = randomUUID();
    const mutation = `mutation($key: String) { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "inflight.deadline.test", idempotencyKey: $key) { certificateId } }`;

    const first = await gw.graphql(mutation, { key });
    expect(first.status).toBe(200);
    expect(first.data?.applyCertificate).toBeNull();
    expect(first.errors).toHaveLength(1);
    expect(first.errors![0]).toMatchObject({
      path: ['applyCertificate'],
      extensions: { code: 'DEADLINE_EXCEEDED', details: { operation: 'ApplyCertificate', stage: 'IN_FLIGHT', outcomeUnknown: true } },
    });
    // It did happen upstream, once: a write cut in flight is not repeated.
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(1);
    expect(certificatesFor('inflight.deadline.test')).toHaveLength(1);

    const again = await gw.graphql(mutation, { key });
    expect(again.errors![0].extensions).toMatchObject({ code: 'CONFLICT', details: { reason: 'IDEMPOTENCY_OUTCOME_UNKNOWN' } });
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(1);
    expect(certificatesFor('inflight.deadline.test')).toHaveLength(1);
  });

  it('REST: 504 DEADLINE_EXCEEDED with outcomeUnknown, never retried, and a repeat with the same key is not executed again', async () => {
    gw.sim.faults.add(HELD_ANSWER);
    const key = randomUUID();
    const call = () =>
      gw.fetch('/v1/actions/ApplyCertificate', {
        method: 'POST',
        json: { DvAuthMethod: 'DNS_AUTO', DomainName: 'rest-inflight.deadline.test' },
        headers: { 'idempotency-key': key },
      });

    const first = await call();
    expect(first.status).toBe(504);
    expect(((await first.json()) as any).error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      details: { operation: 'ApplyCertificate', stage: 'IN_FLIGHT', outcomeUnknown: true },
    });
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(1);
    expect(certificatesFor('rest-inflight.deadline.test')).toHaveLength(1);

    const again = await call();
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).error.details).toMatchObject({ reason: 'IDEMPOTENCY_OUTCOME_UNKNOWN' });
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(1);
  });
});

describe('a read in flight at the deadline', () => {
  it('is a typed DEADLINE_EXCEEDED without outcomeUnknown (not a masked internal error), called once', async () => {
    gw.sim.faults.add({ kind: 'latency', ms: 4_000, actions: ['DescribeCertificates'], count: 1 });
    const res = await gw.graphql('{ certificates(limit: 1) { totalCount } }');
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      details: { operation: 'DescribeCertificates', stage: 'IN_FLIGHT', outcomeUnknown: false },
    });
    expect(gw.sim.calls.count('DescribeCertificates')).toBe(1);
  });
});
