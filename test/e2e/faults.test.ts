/**
 * Upstream faults end to end, through the gateway as deployed (simulator + the real configuration
 * path + the local server: `startGatewayFixture`), on both surfaces (GraphQL and REST).
 *
 * For each fault kind of the simulator (latency, reset before/after processing, HTTP 5xx,
 * InternalError, RequestLimitExceeded, clock skew, malformed bodies) the suite checks what the
 * client sees (gateway code, status, upstream code, `outcomeUnknown`, Retry-After), how many calls
 * reached the simulator (retries only where safe, within UPSTREAM_MAX_ATTEMPTS), and for every
 * mutation the simulator's STATE: a success means it applied once; an error after processing
 * (outcomeUnknown) means it applied once and was not replayed; an error that proves
 * non-execution, or a fault before processing, means it did not apply.
 *
 * Settings: UPSTREAM_REQUEST_TIMEOUT_MS=300, UPSTREAM_MAX_ATTEMPTS=3 (the retry budget); the
 * harness already sets a 1-5 ms backoff. The gateway's own per-action pacing is raised
 * (RATE_LIMIT_OVERRIDES) so the documented 10/s limits never queue these tests' calls.
 *
 * Counting notes:
 * - `sim.calls` counts requests that passed signature verification; a call rejected with
 *   AuthFailure.SignatureExpire by the real clock check is not counted there, so clock-skew tests
 *   count attempts in the gateway's request log (`upstream` of each line) as well.
 * - Assertions are on counts and states only, never on elapsed time.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayFixture } from '../helpers/fixture';
import {
  SURFACES,
  aliasChanges,
  applyCertificate,
  attemptsSince,
  certIdByDomain,
  certificatesForDomain,
  deployCertificate,
  deployRecordsFor,
  readDetail,
  readList,
  setAlias,
  simOutcomes,
  trackUnhandledRejections,
  type Outcome,
  type Surface,
} from './lib/faults-surfaces';

const MAX_ATTEMPTS = 3;
const TIMEOUT_MS = 300;
const ACTIONS_USED = [
  'DescribeCertificates',
  'DescribeCertificateDetail',
  'ModifyCertificateAlias',
  'ApplyCertificate',
  'DeployCertificateInstance',
  'CheckCertificateDomainVerification',
];
const ENV = {
  UPSTREAM_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
  UPSTREAM_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  RATE_LIMIT_OVERRIDES: ACTIONS_USED.map((a) => `${a}=1000`).join(','),
  // Every request must reach the (faulty) upstream: the read cache would answer repeats.
  CACHE_TTL_SECONDS: '0',
};

const READ = 'DescribeCertificateDetail';
const LIST = 'DescribeCertificates';
const WRITE = 'ModifyCertificateAlias';
const APPLY = 'ApplyCertificate';
const DEPLOY = 'DeployCertificateInstance';

const rejections = trackUnhandledRejections();

afterAll(() => {
  rejections.stop();
  expect(rejections.reasons).toEqual([]);
});

// ---- shared expectations -----------------------------------------------------------------------

function expectOk(out: Outcome): void {
  expect(out.ok, JSON.stringify(out.raw)).toBe(true);
}

function expectError(out: Outcome, code: string, status: number, upstreamCode: string, outcomeUnknown: boolean): void {
  expect(out.ok, JSON.stringify(out.raw)).toBe(false);
  expect({ code: out.code, status: out.errorStatus, upstreamCode: out.upstreamCode, outcomeUnknown: out.outcomeUnknown }).toEqual({
    code,
    status,
    upstreamCode,
    outcomeUnknown,
  });
}

/** The transport answer the surface uses for a failed field/route. */
function expectTransportStatus(surface: Surface, out: Outcome): void {
  // GraphQL answers 200 with a field error (partial results); REST answers the table's status.
  expect(out.status).toBe(surface === 'graphql' ? 200 : out.errorStatus);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- the fault matrix, on each surface ---------------------------------------------------------

describe.each(SURFACES)('%s surface', (surface) => {
  let gw: GatewayFixture;
  let www: string;

  beforeAll(async () => {
    gw = await startGateway({ env: ENV });
  });
  afterAll(async () => {
    await gw?.close();
  });
  beforeEach(() => {
    gw.sim.reset({ state: true });
    www = certIdByDomain(gw.sim, 'www.example.test');
  });

  const calls = (action: string): number => gw.sim.calls.count(action);
  const alias = (id: string): string => gw.sim.state.getCertificate(id)!.alias;

  /** A write whose error means it was applied exactly once: state says so, and it was sent once. */
  const expectAppliedOnce = (id: string, value: string): void => {
    expect(alias(id)).toBe(value);
    expect(aliasChanges(gw.sim, id)).toBe(1);
    expect(calls(WRITE)).toBe(1);
  };
  const expectNotApplied = (id: string, attempts = 1): void => {
    expect(alias(id)).toBe('website');
    expect(aliasChanges(gw.sim, id)).toBe(0);
    expect(calls(WRITE)).toBe(attempts);
  };

  describe('latency', () => {
    it('a read slower than usual but below the request timeout succeeds with one call', async () => {
      gw.sim.faults.add({ kind: 'latency', ms: 40, actions: [READ] });
      expectOk(await readDetail(gw, surface, www));
      expect(calls(READ)).toBe(1);
    });

    it('a write below the request timeout succeeds and applies once', async () => {
      gw.sim.faults.add({ kind: 'latency', ms: 40, actions: [WRITE] });
      expectOk(await setAlias(gw, surface, www, 'slow-ok'));
      expectAppliedOnce(www, 'slow-ok');
    });

    it('a read above the timeout is retried up to the budget, then 504 UPSTREAM_TIMEOUT', async () => {
      gw.sim.faults.add({ kind: 'latency', ms: 4 * TIMEOUT_MS, actions: [READ] });
      const out = await readDetail(gw, surface, www);
      expectError(out, 'UPSTREAM_TIMEOUT', 504, 'Gateway.Timeout', true);
      expectTransportStatus(surface, out);
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
    });

    it('a read recovers when only the first attempts time out', async () => {
      gw.sim.faults.add({ kind: 'latency', ms: 4 * TIMEOUT_MS, actions: [READ], count: MAX_ATTEMPTS - 1 });
      expectOk(await readDetail(gw, surface, www));
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
    });

    it('a write above the timeout (delayed before processing) is not retried: 504 outcomeUnknown, and the simulator applies it late, once', async () => {
      gw.sim.faults.add({ kind: 'latency', ms: 2 * TIMEOUT_MS, actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'late');
      expectError(out, 'UPSTREAM_TIMEOUT', 504, 'Gateway.Timeout', true);
      expect(calls(WRITE)).toBe(1);
      // The gateway gave up; the upstream still executes the request when its delay is over.
      await expect.poll(() => aliasChanges(gw.sim, www), { timeout: 5_000, interval: 20 }).toBe(1);
      expectAppliedOnce(www, 'late');
    });

    it('a write whose answer is delayed past the timeout after processing: 504 outcomeUnknown, applied once, not replayed', async () => {
      gw.sim.faults.add({ kind: 'latency', ms: 2 * TIMEOUT_MS, phase: 'after', actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'answered-late');
      expectError(out, 'UPSTREAM_TIMEOUT', 504, 'Gateway.Timeout', true);
      expectAppliedOnce(www, 'answered-late');
    });
  });

  describe('connection reset', () => {
    it('a read reset before processing is retried and succeeds', async () => {
      gw.sim.faults.add({ kind: 'reset', actions: [READ], count: MAX_ATTEMPTS - 1 });
      expectOk(await readDetail(gw, surface, www));
      expect(simOutcomes(gw.sim, READ)).toEqual(['fault:reset', 'fault:reset', 'ok']);
    });

    it('a read reset after processing is retried and succeeds', async () => {
      gw.sim.faults.add({ kind: 'reset', phase: 'after', actions: [LIST], count: 1 });
      expectOk(await readList(gw, surface));
      expect(simOutcomes(gw.sim, LIST)).toEqual(['fault:reset:after', 'ok']);
    });

    it('a read reset on every attempt: 502 UPSTREAM_UNAVAILABLE after the budget', async () => {
      gw.sim.faults.add({ kind: 'reset', actions: [READ] });
      const out = await readDetail(gw, surface, www);
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.ConnectionLost', true);
      expectTransportStatus(surface, out);
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
    });

    it('a write reset BEFORE processing is not replayed (a reset cannot prove the request unsent): 502 outcomeUnknown; the simulator did not apply it', async () => {
      gw.sim.faults.add({ kind: 'reset', actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'never');
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.ConnectionLost', true);
      expectNotApplied(www);
      expect(simOutcomes(gw.sim, WRITE)).toEqual(['fault:reset']);
    });

    it('ModifyCertificateAlias reset AFTER processing: 502 outcomeUnknown, applied exactly once, not replayed', async () => {
      gw.sim.faults.add({ kind: 'reset', phase: 'after', actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'after-reset');
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.ConnectionLost', true);
      expectTransportStatus(surface, out);
      expectAppliedOnce(www, 'after-reset');
      expect(simOutcomes(gw.sim, WRITE)).toEqual(['fault:reset:after']);
    });

    it('ApplyCertificate and DeployCertificateInstance without faults apply once (baseline for the two cases above)', async () => {
      const domain = `apply-ok-${surface}.example.test`;
      expectOk(await applyCertificate(gw, surface, domain));
      expect(certificatesForDomain(gw.sim, domain)).toBe(1);
      const wildcard = certIdByDomain(gw.sim, '*.example.test');
      expectOk(await deployCertificate(gw, surface, wildcard, 'img.example.test|off', 'cdn'));
      expect(deployRecordsFor(gw.sim, wildcard)).toBe(1);
      expect([calls(APPLY), calls(DEPLOY)]).toEqual([1, 1]);
    });
  });

  describe('ApplyCertificate and DeployCertificateInstance under each fault (state checked)', () => {
    const mutations = [
      {
        action: APPLY,
        run: (tag: number) => applyCertificate(gw, surface, `fault-${tag}.example.test`),
        /** Certificates created for the domain. */
        applied: (tag: number) => certificatesForDomain(gw.sim, `fault-${tag}.example.test`),
      },
      {
        action: DEPLOY,
        run: () => deployCertificate(gw, surface, certIdByDomain(gw.sim, '*.example.test'), 'img.example.test|off', 'cdn'),
        /** Deployment records created for the certificate. */
        applied: () => deployRecordsFor(gw.sim, certIdByDomain(gw.sim, '*.example.test')),
      },
    ];
    const cases = [
      { fault: 'reset before processing', spec: { kind: 'reset' }, applied: 0, code: 'UPSTREAM_UNAVAILABLE', upstream: 'Gateway.ConnectionLost' },
      { fault: 'HTTP 503 before processing', spec: { kind: 'http', status: 503 }, applied: 0, code: 'UPSTREAM_UNAVAILABLE', upstream: 'Gateway.HttpServerError' },
      { fault: 'InternalError before processing', spec: { kind: 'internalError' }, applied: 0, code: 'UPSTREAM_INTERNAL', upstream: 'InternalError' },
      { fault: 'garbage before processing', spec: { kind: 'malformed', body: 'not-json', phase: 'before' }, applied: 0, code: 'UPSTREAM_UNAVAILABLE', upstream: 'Gateway.MalformedResponse' },
      { fault: 'reset after processing', spec: { kind: 'reset', phase: 'after' }, applied: 1, code: 'UPSTREAM_UNAVAILABLE', upstream: 'Gateway.ConnectionLost' },
      { fault: 'HTTP 502 after processing', spec: { kind: 'http', status: 502, phase: 'after' }, applied: 1, code: 'UPSTREAM_UNAVAILABLE', upstream: 'Gateway.HttpServerError' },
      { fault: 'InternalError after processing', spec: { kind: 'internalError', phase: 'after' }, applied: 1, code: 'UPSTREAM_INTERNAL', upstream: 'InternalError' },
      { fault: 'truncated body after processing', spec: { kind: 'malformed', body: 'truncated' }, applied: 1, code: 'UPSTREAM_UNAVAILABLE', upstream: 'Gateway.MalformedResponse' },
      { fault: 'answer delayed past the timeout', spec: { kind: 'latency', ms: 2 * TIMEOUT_MS, phase: 'after' }, applied: 1, code: 'UPSTREAM_TIMEOUT', upstream: 'Gateway.Timeout' },
    ] as const;
    const table = mutations.flatMap((m) => cases.map((c, i) => ({ ...c, mutation: m, action: m.action, tag: i })));

    it.each(table)('$action, $fault: one call, outcomeUnknown, applied $applied time(s)', async ({ mutation, spec, applied, code, upstream, action, tag }) => {
      expect(mutation.applied(tag)).toBe(0);
      gw.sim.faults.add({ ...spec, actions: [action], count: 1 });
      const out = await mutation.run(tag);
      expectError(out, code, code === 'UPSTREAM_TIMEOUT' ? 504 : 502, upstream, true);
      expect(calls(action)).toBe(1);
      expect(mutation.applied(tag)).toBe(applied);
    });

    it.each(mutations.map((m) => ({ ...m, name: m.action })))('$name, RequestLimitExceeded: retried once, applied exactly once', async (mutation) => {
      gw.sim.faults.add({ kind: 'rateLimit', actions: [mutation.action], count: 1 });
      expectOk(await mutation.run(99));
      expect(simOutcomes(gw.sim, mutation.action)).toEqual(['fault:rateLimit', 'ok']);
      expect(mutation.applied(99)).toBe(1);
    });
  });

  describe('HTTP 5xx', () => {
    it('a read recovers within the budget (500, then 502, then success)', async () => {
      gw.sim.faults.add({ kind: 'http', status: 500, actions: [READ], count: 1 });
      gw.sim.faults.add({ kind: 'http', status: 502, actions: [READ], count: 1 });
      expectOk(await readDetail(gw, surface, www));
      expect(simOutcomes(gw.sim, READ)).toEqual(['fault:http', 'fault:http', 'ok']);
    });

    it('a read beyond the budget: 502 UPSTREAM_UNAVAILABLE (Gateway.HttpServerError) after exactly MAX_ATTEMPTS calls', async () => {
      gw.sim.faults.add({ kind: 'http', status: 503, actions: [READ] });
      const out = await readDetail(gw, surface, www);
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.HttpServerError', true);
      expectTransportStatus(surface, out);
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
    });

    it('a write answered 503 before processing is not retried: 502 outcomeUnknown, not applied', async () => {
      gw.sim.faults.add({ kind: 'http', status: 503, actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'never');
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.HttpServerError', true);
      expectNotApplied(www);
    });

    it('a write answered 502 after processing is not retried: outcomeUnknown, applied exactly once', async () => {
      gw.sim.faults.add({ kind: 'http', status: 502, phase: 'after', actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'behind-a-502');
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.HttpServerError', true);
      expectAppliedOnce(www, 'behind-a-502');
    });
  });

  describe('InternalError', () => {
    it('a read recovers within the budget (InternalError and a sub-code)', async () => {
      gw.sim.faults.add({ kind: 'internalError', actions: [READ], count: 1 });
      gw.sim.faults.add({ kind: 'internalError', code: 'InternalError.UnknownError', actions: [READ], count: 1 });
      expectOk(await readDetail(gw, surface, www));
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
    });

    it('a read beyond the budget: 502 UPSTREAM_INTERNAL with the upstream code and RequestId', async () => {
      gw.sim.faults.add({ kind: 'internalError', actions: [READ] });
      const out = await readDetail(gw, surface, www);
      expectError(out, 'UPSTREAM_INTERNAL', 502, 'InternalError', true);
      expectTransportStatus(surface, out);
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
      const lastRequestId = gw.sim.calls.log({ action: READ }).at(-1)!.requestId;
      expect(JSON.stringify(out.raw)).toContain(lastRequestId);
    });

    it('a write rejected with InternalError before processing is not retried: outcomeUnknown, not applied', async () => {
      gw.sim.faults.add({ kind: 'internalError', actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'never');
      expectError(out, 'UPSTREAM_INTERNAL', 502, 'InternalError', true);
      expectNotApplied(www);
    });

    it('a write answered InternalError after processing is not retried: outcomeUnknown, applied exactly once', async () => {
      gw.sim.faults.add({ kind: 'internalError', phase: 'after', actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'internal-after');
      expectError(out, 'UPSTREAM_INTERNAL', 502, 'InternalError', true);
      expectAppliedOnce(www, 'internal-after');
    });
  });

  describe('RequestLimitExceeded', () => {
    it('a read is retried and succeeds', async () => {
      gw.sim.faults.add({ kind: 'rateLimit', actions: [READ], count: MAX_ATTEMPTS - 1 });
      expectOk(await readDetail(gw, surface, www));
      expect(simOutcomes(gw.sim, READ)).toEqual(['fault:rateLimit', 'fault:rateLimit', 'ok']);
    });

    it('a write is retried too (the rejection proves non-execution) and applies exactly once', async () => {
      gw.sim.faults.add({ kind: 'rateLimit', actions: [WRITE], count: 1 });
      gw.sim.faults.add({ kind: 'rateLimit', code: 'RequestLimitExceeded.UinLimitExceeded', actions: [WRITE], count: 1 });
      expectOk(await setAlias(gw, surface, www, 'after-throttling'));
      expect(simOutcomes(gw.sim, WRITE)).toEqual(['fault:rateLimit', 'fault:rateLimit', 'ok']);
      expect(alias(www)).toBe('after-throttling');
      expect(aliasChanges(gw.sim, www)).toBe(1);
    });

    it('LimitExceeded.RateLimitExceeded is retried for a write as well', async () => {
      gw.sim.faults.add({ kind: 'rateLimit', code: 'LimitExceeded.RateLimitExceeded', actions: [WRITE], count: 1 });
      expectOk(await setAlias(gw, surface, www, 'after-rate-limit'));
      expect(calls(WRITE)).toBe(2);
      expect(aliasChanges(gw.sim, www)).toBe(1);
    });

    it('a read beyond the budget: 429 RATE_LIMITED (REST with Retry-After)', async () => {
      gw.sim.faults.add({ kind: 'rateLimit', actions: [READ] });
      const out = await readDetail(gw, surface, www);
      expectError(out, 'RATE_LIMITED', 429, 'RequestLimitExceeded', false);
      expectTransportStatus(surface, out);
      if (surface === 'rest') expect(Number(out.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
    });

    it('a write beyond the budget: 429 RATE_LIMITED, not applied, every call rejected before processing', async () => {
      gw.sim.faults.add({ kind: 'rateLimit', actions: [WRITE] });
      const out = await setAlias(gw, surface, www, 'never');
      expectError(out, 'RATE_LIMITED', 429, 'RequestLimitExceeded', false);
      if (surface === 'rest') expect(Number(out.retryAfter)).toBeGreaterThanOrEqual(1);
      expectNotApplied(www, MAX_ATTEMPTS);
      expect(simOutcomes(gw.sim, WRITE)).toEqual(Array(MAX_ATTEMPTS).fill('fault:rateLimit'));
    });
  });

  describe('malformed bodies', () => {
    const BODIES = ['truncated', 'html', 'empty', 'not-json'] as const;

    it.each(BODIES)('a read recovers from %s bodies within the budget', async (body) => {
      gw.sim.faults.add({ kind: 'malformed', body, actions: [READ], count: MAX_ATTEMPTS - 1 });
      expectOk(await readDetail(gw, surface, www));
      expect(calls(READ)).toBe(MAX_ATTEMPTS);
    });

    it.each(BODIES)('a read beyond the budget (%s): 502 UPSTREAM_UNAVAILABLE (Gateway.MalformedResponse)', async (body) => {
      gw.sim.faults.add({ kind: 'malformed', body, actions: [LIST] });
      const out = await readList(gw, surface);
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.MalformedResponse', true);
      expectTransportStatus(surface, out);
      expect(calls(LIST)).toBe(MAX_ATTEMPTS);
    });

    it.each(BODIES)('a write answered with a %s body after processing: outcomeUnknown, applied exactly once, not replayed', async (body) => {
      gw.sim.faults.add({ kind: 'malformed', body, actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, `garbled-${body}`);
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.MalformedResponse', true);
      expectAppliedOnce(www, `garbled-${body}`);
    });

    it('a write answered with garbage before processing: outcomeUnknown, not applied, not replayed', async () => {
      gw.sim.faults.add({ kind: 'malformed', body: 'html', phase: 'before', actions: [WRITE], count: 1 });
      const out = await setAlias(gw, surface, www, 'never');
      expectError(out, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.MalformedResponse', true);
      expectNotApplied(www);
    });
  });
});

// ---- clock skew --------------------------------------------------------------------------------

describe.each([
  { skew: +600, label: '+10 minutes' },
  { skew: -600, label: '-10 minutes' },
])('clock skew $label', ({ skew }) => {
  let gw: GatewayFixture;
  beforeEach(async () => {
    gw = await startGateway({ env: ENV });
  });
  afterEach(async () => {
    await gw?.close();
  });

  /** The learned offset matches the skew (the Date header has a 1 s resolution). */
  const expectOffsetLearned = (): void => {
    expect(Math.abs(gw.server.gateway.upstream.clockOffsetMs - skew * 1000)).toBeLessThan(2_000);
  };

  it.each(SURFACES)('%s: the first call gets SignatureExpire, re-signs once with the learned offset; later calls are not skewed', async (surface) => {
    gw.sim.faults.setClockSkew(skew);
    const www = certIdByDomain(gw.sim, 'www.example.test');

    let mark = gw.logs.length;
    expectOk(await readDetail(gw, surface, www));
    expect(attemptsSince(gw, mark).map((a) => [a.action, a.outcome, a.upstreamCode ?? null])).toEqual([
      [READ, 'error', 'AuthFailure.SignatureExpire'],
      [READ, 'success', null],
    ]);
    expectOffsetLearned();
    // The rejected attempt failed the signature check, so only the re-signed one reached the API.
    expect(gw.sim.calls.count(READ)).toBe(1);

    // Later calls, reads and a write, on both surfaces: one attempt each, none rejected.
    mark = gw.logs.length;
    expectOk(await readList(gw, 'graphql'));
    expectOk(await readList(gw, 'rest'));
    expectOk(await readDetail(gw, 'rest', www));
    expectOk(await setAlias(gw, surface, www, 'skewed'));
    expectOk(await readDetail(gw, 'graphql', www));
    const later = attemptsSince(gw, mark);
    expect(later.filter((a) => a.upstreamCode === 'AuthFailure.SignatureExpire')).toEqual([]);
    expect(later.every((a) => a.attempt === 1 && a.outcome === 'success')).toBe(true);
    expect(later).toHaveLength(5);
    expect(gw.sim.calls.counts()).toEqual({ [LIST]: 2, [READ]: 3, [WRITE]: 1 });
    expect(aliasChanges(gw.sim, www)).toBe(1);
  });

  it.each(SURFACES)('%s: a write as the first call after the skew re-signs once and applies exactly once', async (surface) => {
    gw.sim.faults.setClockSkew(skew);
    const www = certIdByDomain(gw.sim, 'www.example.test');
    const mark = gw.logs.length;
    expectOk(await setAlias(gw, surface, www, 'first-call-skewed'));
    expect(attemptsSince(gw, mark, WRITE).map((a) => a.upstreamCode ?? 'ok')).toEqual(['AuthFailure.SignatureExpire', 'ok']);
    expect(gw.sim.calls.count(WRITE)).toBe(1);
    expect(gw.sim.state.getCertificate(www)!.alias).toBe('first-call-skewed');
    expect(aliasChanges(gw.sim, www)).toBe(1);
    expectOffsetLearned();
  });

  it('the skew changing sign is learned again, once', async () => {
    const www = certIdByDomain(gw.sim, 'www.example.test');
    gw.sim.faults.setClockSkew(skew);
    expectOk(await readList(gw, 'rest'));
    expectOffsetLearned();
    gw.sim.faults.setClockSkew(-skew);
    const mark = gw.logs.length;
    expectOk(await readDetail(gw, 'graphql', www));
    expectOk(await readDetail(gw, 'rest', www));
    expect(attemptsSince(gw, mark).map((a) => a.upstreamCode ?? 'ok')).toEqual(['AuthFailure.SignatureExpire', 'ok', 'ok']);
    expect(Math.abs(gw.server.gateway.upstream.clockOffsetMs + skew * 1000)).toBeLessThan(2_000);
  });
});

describe('SignatureExpire that re-signing does not cure', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway({ env: ENV });
  });
  afterAll(async () => {
    await gw?.close();
  });
  beforeEach(() => gw.sim.reset({ state: true }));

  it.each(SURFACES)('%s: the client re-signs only once, then 502 UPSTREAM_AUTH; a write is not applied', async (surface) => {
    const www = certIdByDomain(gw.sim, 'www.example.test');
    gw.sim.faults.add({ kind: 'error', code: 'AuthFailure.SignatureExpire', message: 'Signature expired.', actions: [READ, WRITE] });
    const read = await readDetail(gw, surface, www);
    expectError(read, 'UPSTREAM_AUTH', 502, 'AuthFailure.SignatureExpire', false);
    expect(gw.sim.calls.count(READ)).toBe(2);
    const write = await setAlias(gw, surface, www, 'never');
    expectError(write, 'UPSTREAM_AUTH', 502, 'AuthFailure.SignatureExpire', false);
    expect(gw.sim.calls.count(WRITE)).toBe(2);
    expect(aliasChanges(gw.sim, www)).toBe(0);
  });
});

// ---- proven unsent: the connection could not be established ------------------------------------

describe('upstream refusing connections (nothing was sent)', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    // A loopback port nobody listens on: connect() fails with ECONNREFUSED.
    const port = await new Promise<number>((resolvePort) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolvePort(p));
      });
    });
    gw = await startGateway({ env: { ...ENV, TENCENTCLOUD_SSL_ENDPOINT: `http://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it.each(SURFACES)('%s: reads and writes are both retried up to the budget, then 502 UPSTREAM_UNAVAILABLE without outcomeUnknown', async (surface) => {
    let mark = gw.logs.length;
    const read = await readDetail(gw, surface, 'anyid01');
    expectError(read, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.ConnectFailed', false);
    expect(attemptsSince(gw, mark).map((a) => a.attempt)).toEqual([1, 2, 3]);
    mark = gw.logs.length;
    const write = await setAlias(gw, surface, 'anyid01', 'x');
    expectError(write, 'UPSTREAM_UNAVAILABLE', 502, 'Gateway.ConnectFailed', false);
    expect(attemptsSince(gw, mark, WRITE).map((a) => [a.attempt, a.upstreamCode])).toEqual([
      [1, 'Gateway.ConnectFailed'],
      [2, 'Gateway.ConnectFailed'],
      [3, 'Gateway.ConnectFailed'],
    ]);
    // The simulator the harness started was never reached.
    expect(gw.sim.calls.total()).toBe(0);
  });
});

// ---- last: nothing escaped -----------------------------------------------------------------------

describe('process health', () => {
  it('no unhandled promise rejection happened during the file', async () => {
    // Late simulator work (delayed handlers, destroyed sockets) settles first.
    await sleep(50);
    expect(rejections.reasons).toEqual([]);
  });
});
