/**
 * REST routes within the request's one deadline (src/http/deadline.ts), on a virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { createIdempotencyService } from '../../../src/idempotency/service';
import { createRestHandler } from '../../../src/rest';
import { createRequestDeadline } from '../../../src/http/deadline';
import type { WaitClock } from '../../../src/tasks/wait';
import { CallNotSentError } from '../../../src/upstream/errors';
import { ScriptedUpstream, parse, request } from './helpers';

function setup() {
  const upstream = new ScriptedUpstream();
  let now = 0;
  const clock: WaitClock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  const idempotency = createIdempotencyService();
  const handler = createRestHandler({ upstream, clock, idempotency, waitPolicy: { initialDelayMs: 500, maxDelayMs: 2000, maxWaitSeconds: 20 } });
  const deadline = (budgetMs: number) => createRequestDeadline({ budgetMs, clock });
  return { upstream, handler, deadline, advance: (ms: number) => (now += ms) };
}

const REPLACE = { body: { CertificateId: 'new', ResourceTypes: ['clb'] } };

describe('REST within the request deadline', () => {
  it('"DeployRecordId = 0" re-calls stop where the deadline leaves no time for another write: 409 still being created', async () => {
    const { upstream, handler, deadline } = setup();
    upstream.on('UpdateCertificateInstance', { DeployRecordId: 0, DeployStatus: 1 });
    const res = await handler(request('PUT', '/v1/certificates/old/replacement', REPLACE), deadline(4_000));
    expect(res.status).toBe(409);
    expect(parse(res).error).toMatchObject({ code: 'CONFLICT', details: { stillCreating: true, cappedBy: 'DEADLINE' } });
    // 4 s budget, 1 s write reserve: calls at 0, 0.5, 1.5 and 3 s (the policy alone allows 20 s).
    expect(upstream.calls.length).toBe(4);
  });

  it('a "DeployRecordId = 0" re-call cut before it was sent is still "being created" (409), not an unknown outcome', async () => {
    const { upstream, handler, deadline, advance } = setup();
    const d = deadline(10_000);
    upstream.on('UpdateCertificateInstance', { DeployRecordId: 0, DeployStatus: 1 }, () => {
      advance(11_000);
      d.expired();
      return new CallNotSentError('UpdateCertificateInstance', d.signal.reason);
    });
    const res = await handler(request('PUT', '/v1/certificates/old/replacement', REPLACE), d);
    expect(res.status).toBe(409);
    expect(parse(res).error).toMatchObject({ code: 'CONFLICT', details: { stillCreating: true, calls: 1 } });
    expect(upstream.calls.length).toBe(2);
  });

  it('a keyed write with no time left is refused with 504 DEADLINE_EXCEEDED before its key is taken; the same key then runs once', async () => {
    const { upstream, handler, deadline, advance } = setup();
    upstream.on('ModifyCertificateAlias', { Success: true });
    const req = () => request('POST', '/v1/actions/ModifyCertificateAlias', { body: { CertificateId: 'c1', Alias: 'x' }, headers: { 'idempotency-key': 'k-1' } });

    const late = deadline(1_500);
    advance(1_000);
    const refused = await handler(req(), late);
    expect(refused.status).toBe(504);
    expect(parse(refused).error).toMatchObject({ code: 'DEADLINE_EXCEEDED', details: { stage: 'NOT_STARTED', outcomeUnknown: false } });
    expect(upstream.calls).toHaveLength(0);

    const ok = await handler(req(), deadline(10_000));
    expect(ok.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
  });

  it('a read started before the deadline runs; one asked after it is refused, typed, without calling upstream', async () => {
    const { upstream, handler, deadline, advance } = setup();
    upstream.on('DescribeCertificateDetail', { CertificateId: 'c1' });
    const d = deadline(500);
    advance(500);
    const res = await handler(request('GET', '/v1/certificates/c1'), d);
    expect(res.status).toBe(504);
    expect(parse(res).error).toMatchObject({ code: 'DEADLINE_EXCEEDED', details: { operation: 'DescribeCertificateDetail', stage: 'NOT_STARTED', outcomeUnknown: false } });
    expect(upstream.calls).toHaveLength(0);
  });

  it('a keyed write the deadline cuts before it was sent (queued for its rate-limit slot) is 504 NOT_SENT without outcomeUnknown, and the same key then runs it', async () => {
    const { upstream, handler, deadline, advance } = setup();
    const late = deadline(5_000);
    upstream.on(
      'ModifyCertificateAlias',
      // What the upstream client answers when the deadline passes while the call waits for its slot.
      () => {
        advance(6_000);
        late.expired();
        return new CallNotSentError('ModifyCertificateAlias', late.signal.reason);
      },
      { Success: true },
    );
    const req = () => request('POST', '/v1/actions/ModifyCertificateAlias', { body: { CertificateId: 'c1', Alias: 'x' }, headers: { 'idempotency-key': 'k-queued' } });

    const cut = await handler(req(), late);
    expect(cut.status).toBe(504);
    expect(parse(cut).error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      details: { operation: 'ModifyCertificateAlias', stage: 'NOT_SENT', outcomeUnknown: false },
    });

    const ok = await handler(req(), deadline(10_000));
    expect(ok.status).toBe(200);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    expect(parse(ok)).toMatchObject({ Success: true });
    expect(upstream.actions()).toEqual(['ModifyCertificateAlias', 'ModifyCertificateAlias']);
  });
});
