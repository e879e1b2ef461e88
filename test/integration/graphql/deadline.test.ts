/**
 * One deadline per request (src/http/deadline.ts, src/tasks/deadline.ts): serial mutation fields, nested waits and
 * re-calls share the invocation's remaining time. Time is virtual: each request's deadline and
 * every wait run on the test gateway's clock, whose sleeps advance the simulator's business time,
 * so the assertions are on outcomes (ids, states, what was created upstream), never on wall time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';
import { unlimited, type RateLimiter } from '../../../src/upstream/ratelimit';

/** The budget of the observed failure: a 28 s function minus its 1 s margin, rounded down. */
const BUDGET_MS = 27_000;
const WAIT = 'wait { requestedSeconds grantedSeconds capped cappedBy deadlineReached }';
/** Issuance that cannot finish within any wait here, so every wait runs to its end. */
const SIM = { durations: { dvIssue: 600_000, dvVerify: 600_000 } };

const certificatesFor = (gw: GatewayFixture, domain: string) => [...gw.sim.state.certificates.values()].filter((c) => c.domain === domain);

describe('serial mutation fields share one deadline', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway({ ...ISOLATED, sim: SIM, deadline: { budgetMs: BUDGET_MS } });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.resetCalls());

  it('two applyCertificate fields with 20 s waits: both created ids reach the caller, each certificate is created once, the second wait is capped by the deadline', async () => {
    const started = gw.slept();
    const res = await gw.graphql(`mutation {
      first: applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "first.deadline.test") {
        certificateId awaitCompletion(timeoutSeconds: 20) { certificateId done status ${WAIT} } }
      second: applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "second.deadline.test") {
        certificateId awaitCompletion(timeoutSeconds: 20) { certificateId done status ${WAIT} } } }`);

    expect(res.errors).toBeUndefined();
    const { first, second } = res.data;
    const [a] = certificatesFor(gw, 'first.deadline.test');
    const [b] = certificatesFor(gw, 'second.deadline.test');
    expect(first.certificateId).toBe(a.id);
    expect(second.certificateId).toBe(b.id);
    expect(first.awaitCompletion).toMatchObject({ certificateId: a.id, done: false, status: 'PENDING_REVIEW' });
    expect(second.awaitCompletion).toMatchObject({ certificateId: b.id, done: false, status: 'PENDING_REVIEW' });
    expect(first.awaitCompletion.wait).toEqual({ requestedSeconds: 20, grantedSeconds: 20, capped: false, cappedBy: null, deadlineReached: false });
    // What was left after the first wait (27 - 20 s), minus the wait reserve (1 s).
    expect(second.awaitCompletion.wait).toEqual({ requestedSeconds: 20, grantedSeconds: 6, capped: true, cappedBy: 'DEADLINE', deadlineReached: false });

    expect(certificatesFor(gw, 'first.deadline.test')).toHaveLength(1);
    expect(certificatesFor(gw, 'second.deadline.test')).toHaveLength(1);
    expect(gw.calls().ApplyCertificate).toBe(2);
    // Both waits together stayed inside the request's budget.
    expect(gw.slept() - started).toBeLessThanOrEqual(BUDGET_MS);
  });

  it('nested waits share the budget: the inner wait gets what the outer one left', async () => {
    const applied = await gw.graphql('mutation { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "nested.deadline.test") { certificateId } }');
    const id = applied.data.applyCertificate.certificateId;
    const started = gw.slept();
    const res = await gw.graphql(
      `query($id: ID!) { certificateIssuance(id: $id) { awaitCompletion(timeoutSeconds: 20) { ${WAIT}
        awaitCompletion(timeoutSeconds: 20) { certificateId done ${WAIT} } } } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const outer = res.data.certificateIssuance.awaitCompletion;
    expect(outer.wait).toEqual({ requestedSeconds: 20, grantedSeconds: 20, capped: false, cappedBy: null, deadlineReached: false });
    expect(outer.awaitCompletion).toEqual({
      certificateId: id,
      done: false,
      wait: { requestedSeconds: 20, grantedSeconds: 6, capped: true, cappedBy: 'DEADLINE', deadlineReached: false },
    });
    expect(gw.slept() - started).toBeLessThanOrEqual(BUDGET_MS);
  });

  it('awaitCompletion capped by the maximum wait says so', async () => {
    const applied = await gw.graphql('mutation { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "maxwait.deadline.test") { certificateId } }');
    const id = applied.data.applyCertificate.certificateId;
    const res = await gw.graphql(`query($id: ID!) { certificateIssuance(id: $id) { awaitCompletion(timeoutSeconds: 25) { done ${WAIT} } } }`, { id });
    expect(res.errors).toBeUndefined();
    expect(res.data.certificateIssuance.awaitCompletion).toEqual({
      done: false,
      wait: { requestedSeconds: 25, grantedSeconds: 20, capped: true, cappedBy: 'MAX_WAIT', deadlineReached: false },
    });
  });

  it('objects that did not come from a wait have no wait report', async () => {
    const res = await gw.graphql('mutation { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "nowait.deadline.test") { certificateId wait { capped } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.applyCertificate.wait).toBeNull();
  });
});

describe('a mutation field the deadline leaves no time for', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    // A write needs 2 s left to start: after 20 s + 6 s of waits only 1 s is.
    gw = await startGateway({ ...ISOLATED, sim: SIM, deadline: { budgetMs: BUDGET_MS, writeReserveMs: 2_000, waitReserveMs: 1_000 } });
  });
  afterAll(() => gw.close());

  it('is refused with a typed DEADLINE_EXCEEDED (nothing executed), and the fields that ran keep their created ids', async () => {
    const field = (alias: string) => `${alias}: applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "${alias}.refused.test") {
      certificateId awaitCompletion(timeoutSeconds: 20) { certificateId done ${WAIT} } }`;
    const res = await gw.graphql(`mutation { ${field('one')} ${field('two')} ${field('three')} }`);

    expect(res.data.one.certificateId).toBe(certificatesFor(gw, 'one.refused.test')[0].id);
    expect(res.data.two.certificateId).toBe(certificatesFor(gw, 'two.refused.test')[0].id);
    expect(res.data.two.awaitCompletion.wait).toMatchObject({ capped: true, cappedBy: 'DEADLINE', grantedSeconds: 6 });
    expect(res.data.three).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({
      path: ['three'],
      extensions: { code: 'DEADLINE_EXCEEDED', httpStatus: 504, details: { operation: 'Mutation.applyCertificate', stage: 'NOT_STARTED', outcomeUnknown: false } },
    });
    expect(certificatesFor(gw, 'three.refused.test')).toHaveLength(0);
    expect(gw.calls().ApplyCertificate).toBe(2);
  });
});

describe('"DeployRecordId = 0" re-calls share the deadline', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    // The record takes a minute to be created: every call within the budget answers DeployRecordId 0.
    gw = await startGateway({ ...ISOLATED, sim: { durations: { updateCreate: 60_000 } }, deadline: { budgetMs: 4_000 }, wait: { maxWaitSeconds: 20 } });
  });
  afterAll(() => gw.close());

  it('stop when the deadline leaves no time for another write and answer CONFLICT "still being created", not a masked error', async () => {
    const issued = await gw.graphql('query { certificates(limit: 100) { certificates { certificateId domain status } } }');
    const idOf = (domain: string) => issued.data.certificates.certificates.find((c: any) => c.domain === domain && c.status === 'ISSUED').certificateId;
    gw.resetCalls();
    const res = await gw.graphql(
      `mutation($old: ID!, $new: ID) { updateCertificateInstances(oldCertificateId: $old, certificateId: $new, resourceTypes: [CDN]) { __typename } }`,
      { old: idOf('www.example.test'), new: idOf('api.example.test') },
    );
    expect(res.data.updateCertificateInstances).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: 'CONFLICT', details: { stillCreating: true, cappedBy: 'DEADLINE' } });
    // 4 s budget, 1 s write reserve: calls at 0, 0.5, 1.5 and 3 s (the policy alone would allow 20 s).
    expect(gw.calls().UpdateCertificateInstance).toBe(4);
    // One record being created upstream, whatever the number of calls.
    expect(gw.sim.state.pendingUpdates).toHaveLength(1);
  });
});

describe('a write the deadline cuts while it waits for its rate-limit slot', () => {
  let gw: GatewayFixture;
  let budgetSpent = true;
  /**
   * ApplyCertificate's budget is spent: a call waits in the limiter's queue, and the request's
   * time runs out while it waits (the virtual clock moves past the deadline, which aborts it).
   */
  const limiter: RateLimiter = {
    acquire: (action, signal) => {
      if (action !== 'ApplyCertificate' || !budgetSpent) return unlimited.acquire(action, signal);
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        gw.advance(BUDGET_MS);
      });
    },
  };
  beforeAll(async () => {
    gw = await startGateway({ ...ISOLATED, sim: SIM, deadline: { budgetMs: BUDGET_MS }, upstream: { limiter } });
  });
  afterAll(() => gw.close());

  it('is DEADLINE_EXCEEDED at stage NOT_SENT with outcomeUnknown false, and the same idempotency key then runs it once', async () => {
    const mutation = `mutation($key: String) { applyCertificate(dvAuthMethod: DNS_AUTO, domainName: "queued.deadline.test", idempotencyKey: $key) { certificateId } }`;
    const first = await gw.graphql(mutation, { key: 'queued-at-the-deadline' });
    expect(first.data?.applyCertificate).toBeNull();
    expect(first.errors).toHaveLength(1);
    expect(first.errors![0]).toMatchObject({
      path: ['applyCertificate'],
      extensions: { code: 'DEADLINE_EXCEEDED', httpStatus: 504, details: { operation: 'ApplyCertificate', stage: 'NOT_SENT', outcomeUnknown: false } },
    });
    // Nothing reached the upstream.
    expect(gw.calls().ApplyCertificate ?? 0).toBe(0);
    expect(certificatesFor(gw, 'queued.deadline.test')).toHaveLength(0);

    // Never sent, so the key was not spent: the repeat runs (not 409 "outcome unknown"), once.
    budgetSpent = false;
    const again = await gw.graphql(mutation, { key: 'queued-at-the-deadline' });
    expect(again.errors).toBeUndefined();
    const created = certificatesFor(gw, 'queued.deadline.test');
    expect(created).toHaveLength(1);
    expect(again.data.applyCertificate.certificateId).toBe(created[0].id);
    expect(gw.calls().ApplyCertificate).toBe(1);
  });
});
