/**
 * Idempotent writes, end to end over HTTP on both surfaces (REST `Idempotency-Key` header,
 * GraphQL `idempotencyKey` argument), as documented at the top of src/idempotency/run.ts:
 *
 * - a repeat with the same key and request replays the first answer (REST: same status and body,
 *   `Idempotent-Replayed: true`) and the upstream sees exactly one call;
 * - concurrent duplicates wait for the first and get its answer (one upstream call);
 * - the same key with another request → 422 IDEMPOTENCY_KEY_REUSED, nothing executed;
 * - keys are scoped per caller: two callers never share a record;
 * - an answer lost after the upstream executed (reset after processing) → the first caller gets an
 *   outcome-unknown error, every repeat 409 IDEMPOTENCY_OUTCOME_UNKNOWN, never a second call;
 * - a failure that proves non-execution (rate limited past the retry budget) frees the key: the
 *   retry with the same key executes;
 * - invalid keys → 400 IDEMPOTENCY_KEY_INVALID.
 *
 * The simulator's call log is the witness for "how many times did the upstream run it", and its
 * state (alias, operation log) for "how many times did the change happen".
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonAnswer, startGateway, type GatewayFixture, type JsonAnswer, type KeyName } from '../helpers/fixture';

/** Attempts per upstream call (first included), set explicitly so the fault counts below are exact. */
const MAX_ATTEMPTS = 3;

let gw: GatewayFixture;

beforeAll(async () => {
  gw = await startGateway({ env: { UPSTREAM_MAX_ATTEMPTS: String(MAX_ATTEMPTS) } });
});

afterAll(async () => {
  await gw?.close();
});

beforeEach(() => {
  gw.sim.faults.clear();
  gw.sim.calls.reset();
});

type Answer = JsonAnswer;
const answer = jsonAnswer;

/** `POST /v1/actions/{action}` with an optional `Idempotency-Key`. */
async function restAction(action: string, body: unknown, idempotencyKey?: string, apiKey: KeyName = 'all'): Promise<Answer> {
  const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey };
  return answer(await gw.fetch(`/v1/actions/${action}`, { method: 'POST', json: body, key: apiKey, headers }));
}

const newKey = (): string => `idem-${randomUUID()}`;

/** An issued certificate of the demo data (aliases can be changed on it). */
function certificate(index = 0): { id: string; alias: () => string } {
  const certs = [...gw.sim.state.certificates.values()].filter((c) => c.status === 1);
  const cert = certs[index];
  if (!cert) throw new Error(`the simulator has fewer than ${index + 1} issued certificates`);
  return { id: cert.id, alias: () => gw.sim.state.certificates.get(cert.id)!.alias };
}

/** How many times the simulator applied an alias change to `certId` (its operation log). */
function aliasChanges(certId: string): number {
  return gw.sim.state.operationLogs.filter((l) => l.certId === certId && l.type === 'updateAlias').length;
}

/** Outcomes of the simulator's calls of `action`, in order (`ok`, error codes, `fault:<kind>`). */
function outcomes(action: string): string[] {
  return gw.sim.calls.log({ action }).map((c) => c.outcome);
}

describe('REST: Idempotency-Key on POST /v1/actions/{Action}', () => {
  it('a repeated write replays the first answer (same status and body, Idempotent-Replayed: true) after ONE upstream call', async () => {
    const cert = certificate(0);
    const key = newKey();
    const body = { CertificateId: cert.id, Alias: `replay-${key}` };
    const changesBefore = aliasChanges(cert.id);

    const first = await restAction('ModifyCertificateAlias', body, key);
    const second = await restAction('ModifyCertificateAlias', body, key);
    const third = await restAction('ModifyCertificateAlias', body, key);

    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    for (const repeat of [second, third]) {
      expect(repeat.status).toBe(first.status);
      expect(repeat.text).toBe(first.text);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(first.body).toEqual({ CertificateId: cert.id, RequestId: expect.any(String) });
    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(1);
    expect(cert.alias()).toBe(`replay-${key}`);
    expect(aliasChanges(cert.id)).toBe(changesBefore + 1);
  });

  it('ApplyCertificate repeated with the same key creates one certificate', async () => {
    const key = newKey();
    const body = { DvAuthMethod: 'DNS', DomainName: `apply-${randomUUID().slice(0, 8)}.example.com` };
    const first = await restAction('ApplyCertificate', body, key);
    const second = await restAction('ApplyCertificate', body, key);
    expect(first.status, first.text).toBe(200);
    expect(first.body.CertificateId).toEqual(expect.any(String));
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(1);
  });

  it('without a key, the same write executes every time (control)', async () => {
    const cert = certificate(0);
    const body = { CertificateId: cert.id, Alias: `nokey-${randomUUID()}` };
    const a = await restAction('ModifyCertificateAlias', body);
    const b = await restAction('ModifyCertificateAlias', body);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(2);
  });

  it('5 concurrent duplicates (same key, same body) make ONE upstream call and all get the same answer', async () => {
    const cert = certificate(1);
    const key = newKey();
    const body = { CertificateId: cert.id, Alias: `concurrent-${key}` };
    const changesBefore = aliasChanges(cert.id);
    // Keep the first call in flight long enough for the other four to arrive while it runs.
    gw.sim.faults.add({ kind: 'latency', ms: 300, actions: ['ModifyCertificateAlias'] });

    const answers = await Promise.all(Array.from({ length: 5 }, () => restAction('ModifyCertificateAlias', body, key)));

    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(1);
    for (const a of answers) {
      expect(a.status, a.text).toBe(200);
      expect(a.text).toBe(answers[0].text);
    }
    const replayed = answers.filter((a) => a.headers.get('idempotent-replayed') === 'true');
    expect(replayed).toHaveLength(4);
    expect(aliasChanges(cert.id)).toBe(changesBefore + 1);
  });

  it('the same key with a different body → 422 IDEMPOTENCY_KEY_REUSED and nothing executed', async () => {
    const cert = certificate(0);
    const key = newKey();
    const first = await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: `one-${key}` }, key);
    expect(first.status, first.text).toBe(200);
    gw.sim.calls.reset();

    const other = await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: `two-${key}` }, key);
    expect(other.status, other.text).toBe(422);
    expect(other.body.error.details).toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: key });
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(gw.sim.calls.total()).toBe(0);
    expect(cert.alias()).toBe(`one-${key}`);
  });

  it('the same key on another action (another path) → 422, nothing executed', async () => {
    const cert = certificate(0);
    const key = newKey();
    expect((await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: `p-${key}` }, key)).status).toBe(200);
    gw.sim.calls.reset();
    const other = await restAction('ModifyCertificatesExpiringNotificationSwitch', { CertificateIds: [cert.id], SwitchType: 1 }, key);
    expect(other.status, other.text).toBe(422);
    expect(gw.sim.calls.total()).toBe(0);
  });

  it('two callers (different API keys) using the same idempotency key do not collide', async () => {
    const key = newKey();
    const body = { DvAuthMethod: 'DNS', DomainName: `callers-${randomUUID().slice(0, 8)}.example.com` };
    const byAll = await restAction('ApplyCertificate', body, key, 'all');
    const byReadWrite = await restAction('ApplyCertificate', body, key, 'readWrite');
    expect(byAll.status, byAll.text).toBe(200);
    expect(byReadWrite.status, byReadWrite.text).toBe(200);
    expect(byReadWrite.headers.get('idempotent-replayed')).toBeNull();
    expect(byReadWrite.body.CertificateId).not.toBe(byAll.body.CertificateId);
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(2);

    // Each caller's own repeat replays its own answer.
    const againAll = await restAction('ApplyCertificate', body, key, 'all');
    const againReadWrite = await restAction('ApplyCertificate', body, key, 'readWrite');
    expect(againAll.text).toBe(byAll.text);
    expect(againReadWrite.text).toBe(byReadWrite.text);
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(2);
  });

  it('a write whose answer was lost (reset after processing): outcome unknown first, then 409 IDEMPOTENCY_OUTCOME_UNKNOWN, never a second call', async () => {
    const cert = certificate(2);
    const key = newKey();
    const alias = `lost-${key}`;
    const changesBefore = aliasChanges(cert.id);
    gw.sim.faults.add({ kind: 'reset', phase: 'after', actions: ['ModifyCertificateAlias'], count: 1 });

    const first = await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: alias }, key);
    expect(first.status, first.text).toBe(502);
    expect(first.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(first.body.error.details).toEqual({ outcomeUnknown: true });
    expect(first.body.error.upstream.action).toBe('ModifyCertificateAlias');
    // The mutation did happen upstream, once: a write is never retried after it may have arrived.
    expect(outcomes('ModifyCertificateAlias')).toEqual(['fault:reset:after']);
    expect(cert.alias()).toBe(alias);
    expect(aliasChanges(cert.id)).toBe(changesBefore + 1);

    for (let i = 0; i < 2; i++) {
      const retry = await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: alias }, key);
      expect(retry.status, retry.text).toBe(409);
      expect(retry.body.error.code).toBe('CONFLICT');
      expect(retry.body.error.details).toMatchObject({
        reason: 'IDEMPOTENCY_OUTCOME_UNKNOWN',
        idempotencyKey: key,
        original: { code: 'UPSTREAM_UNAVAILABLE', httpStatus: 502 },
      });
    }
    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(1);
    expect(aliasChanges(cert.id)).toBe(changesBefore + 1);

    // A new key is the documented way to ask again.
    const fresh = await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: alias }, newKey());
    expect(fresh.status, fresh.text).toBe(200);
    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(2);
  });

  it('rate limited past the retry budget (not executed) frees the key: the retry with the same key executes', async () => {
    const cert = certificate(3);
    const key = newKey();
    const body = { CertificateId: cert.id, Alias: `throttled-${key}` };
    const changesBefore = aliasChanges(cert.id);
    // One more throttled answer than the gateway's attempts: the first request fails with every
    // attempt throttled, and the retry's first attempt is throttled too.
    gw.sim.faults.add({ kind: 'rateLimit', actions: ['ModifyCertificateAlias'], count: MAX_ATTEMPTS + 1 });

    const first = await restAction('ModifyCertificateAlias', body, key);
    expect(first.status, first.text).toBe(429);
    expect(first.body.error.code).toBe('RATE_LIMITED');
    expect(first.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(outcomes('ModifyCertificateAlias')).toEqual(Array(MAX_ATTEMPTS).fill('fault:rateLimit'));
    expect(aliasChanges(cert.id)).toBe(changesBefore);

    const retry = await restAction('ModifyCertificateAlias', body, key);
    expect(retry.status, retry.text).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(outcomes('ModifyCertificateAlias')).toEqual([...Array(MAX_ATTEMPTS + 1).fill('fault:rateLimit'), 'ok']);
    expect(cert.alias()).toBe(`throttled-${key}`);
    expect(aliasChanges(cert.id)).toBe(changesBefore + 1);

    // From now on the key holds the success.
    const again = await restAction('ModifyCertificateAlias', body, key);
    expect(again.text).toBe(retry.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(MAX_ATTEMPTS + 2);
  });

  it('a refusal before execution (403 missing scope, 400 validation) does not consume the key', async () => {
    const cert = certificate(0);
    const key = newKey();
    const body = { CertificateId: cert.id, Alias: `refused-${key}` };
    expect((await restAction('ModifyCertificateAlias', body, key, 'read')).status).toBe(403);
    expect((await restAction('ModifyCertificateAlias', { ...body, Unknown: 1 }, key)).status).toBe(400);
    expect(gw.sim.calls.total()).toBe(0);
    // The 400 was for another body, so the key is free again for this one.
    const ok = await restAction('ModifyCertificateAlias', body, key);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.headers.get('idempotent-replayed')).toBeNull();
    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(1);
  });

  it('a definitive upstream error is stored and replayed (same status and code), without a second call', async () => {
    const key = newKey();
    const body = { CertificateId: 'doesNotExist', Alias: 'x' };
    const first = await restAction('ModifyCertificateAlias', body, key);
    const second = await restAction('ModifyCertificateAlias', body, key);
    expect(first.status, first.text).toBe(404);
    expect(second.status).toBe(404);
    expect(second.body.error.code).toBe(first.body.error.code);
    expect(second.body.error.message).toBe(first.body.error.message);
    expect(gw.sim.calls.count('ModifyCertificateAlias')).toBe(1);
  });

  describe('invalid keys → 400 IDEMPOTENCY_KEY_INVALID, nothing executed', () => {
    const INVALID: [string, string][] = [
      ['empty', ''],
      ['256 characters', 'k'.repeat(256)],
      ['containing a space', 'two words'],
      ['containing a tab', 'tab\there'],
    ];

    it.each(INVALID)('%s', async (_name, key) => {
      const cert = certificate(0);
      const a = await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: 'invalid-key' }, key);
      expect(a.status, a.text).toBe(400);
      expect(a.body.error.code).toBe('BAD_REQUEST');
      expect(a.body.error.details.reason).toBe('IDEMPOTENCY_KEY_INVALID');
      expect(gw.sim.calls.total()).toBe(0);
    });

    it('255 printable ASCII characters is the longest valid key', async () => {
      const cert = certificate(0);
      const key = `${randomUUID()}${'~'.repeat(255 - 36)}`;
      const a = await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: 'long-key' }, key);
      expect(a.status, a.text).toBe(200);
    });
  });
});

describe('GraphQL: idempotencyKey on mutations', () => {
  const APPLY = `mutation Apply($domain: String!, $key: String) {
    applyCertificate(dvAuthMethod: DNS, domainName: $domain, idempotencyKey: $key) { certificateId status certificate { domain } }
  }`;
  const ALIAS = `mutation Alias($id: ID!, $alias: String, $key: String) {
    setCertificateAlias(certificateId: $id, alias: $alias, idempotencyKey: $key) { certificateId }
  }`;

  it('applyCertificate repeated with the same key answers the same certificateId after ONE upstream ApplyCertificate', async () => {
    const key = newKey();
    const domain = `gql-${randomUUID().slice(0, 8)}.example.com`;
    const first = await gw.graphql(APPLY, { domain, key });
    const second = await gw.graphql(APPLY, { domain, key });
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    expect(first.data.applyCertificate.certificateId).toEqual(expect.any(String));
    expect(first.data.applyCertificate.certificate.domain).toBe(domain);
    expect(second.errors, JSON.stringify(second.errors)).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(1);
  });

  it('5 concurrent applyCertificate with the same key make ONE upstream call', async () => {
    const key = newKey();
    const domain = `gql-concurrent-${randomUUID().slice(0, 8)}.example.com`;
    gw.sim.faults.add({ kind: 'latency', ms: 300, actions: ['ApplyCertificate'] });
    const answers = await Promise.all(Array.from({ length: 5 }, () => gw.graphql(APPLY, { domain, key })));
    for (const a of answers) {
      expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
      expect(a.data.applyCertificate.certificateId).toBe(answers[0].data.applyCertificate.certificateId);
    }
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(1);
  });

  it('the same key with other arguments → 422 IDEMPOTENCY_KEY_REUSED, nothing executed', async () => {
    const key = newKey();
    const first = await gw.graphql(APPLY, { domain: `a-${randomUUID().slice(0, 8)}.example.com`, key });
    expect(first.errors).toBeUndefined();
    gw.sim.calls.reset();
    const other = await gw.graphql(APPLY, { domain: `b-${randomUUID().slice(0, 8)}.example.com`, key });
    expect(other.data?.applyCertificate ?? null).toBeNull();
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 422, details: { reason: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(0);
  });

  it('two callers using the same key do not collide', async () => {
    const key = newKey();
    const domain = `gql-callers-${randomUUID().slice(0, 8)}.example.com`;
    const a = await gw.graphql(APPLY, { domain, key }, 'all');
    const b = await gw.graphql(APPLY, { domain, key }, 'readWrite');
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data.applyCertificate.certificateId).not.toBe(a.data.applyCertificate.certificateId);
    expect(gw.sim.calls.count('ApplyCertificate')).toBe(2);
  });

  it('a lost answer: outcome unknown first (UPSTREAM_UNAVAILABLE, outcomeUnknown), then IDEMPOTENCY_OUTCOME_UNKNOWN, never a second call', async () => {
    const cert = certificate(4);
    const key = newKey();
    const alias = `gql-lost-${key}`;
    const changesBefore = aliasChanges(cert.id);
    gw.sim.faults.add({ kind: 'reset', phase: 'after', actions: ['ModifyCertificateAlias'], count: 1 });

    const first = await gw.graphql(ALIAS, { id: cert.id, alias, key });
    expect(first.data?.setCertificateAlias ?? null).toBeNull();
    expect(first.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { action: 'ModifyCertificateAlias', outcomeUnknown: true } });

    const retry = await gw.graphql(ALIAS, { id: cert.id, alias, key });
    expect(retry.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', httpStatus: 409, details: { reason: 'IDEMPOTENCY_OUTCOME_UNKNOWN', idempotencyKey: key } });
    expect(outcomes('ModifyCertificateAlias')).toEqual(['fault:reset:after']);
    expect(cert.alias()).toBe(alias);
    expect(aliasChanges(cert.id)).toBe(changesBefore + 1);
  });

  it('rate limited past the retry budget frees the key: the retry with the same key executes', async () => {
    const cert = certificate(4);
    const key = newKey();
    const alias = `gql-throttled-${key}`;
    gw.sim.faults.add({ kind: 'rateLimit', actions: ['ModifyCertificateAlias'], count: MAX_ATTEMPTS });

    const first = await gw.graphql(ALIAS, { id: cert.id, alias, key });
    expect(first.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    const retry = await gw.graphql(ALIAS, { id: cert.id, alias, key });
    expect(retry.errors, JSON.stringify(retry.errors)).toBeUndefined();
    expect(retry.data.setCertificateAlias.certificateId).toBe(cert.id);
    expect(outcomes('ModifyCertificateAlias')).toEqual([...Array(MAX_ATTEMPTS).fill('fault:rateLimit'), 'ok']);
    expect(cert.alias()).toBe(alias);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['containing a space', 'two words'],
  ])('invalid key (%s) → BAD_REQUEST 400 IDEMPOTENCY_KEY_INVALID, nothing executed', async (_name, key) => {
    const a = await gw.graphql(APPLY, { domain: 'invalid-key.example.com', key });
    expect(a.errors?.[0].extensions).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, details: { reason: 'IDEMPOTENCY_KEY_INVALID' } });
    expect(gw.sim.calls.total()).toBe(0);
  });

  it('one key namespace per caller across surfaces: a REST key reused for a GraphQL mutation → 422, nothing executed', async () => {
    const cert = certificate(0);
    const key = newKey();
    const alias = `cross-${key}`;
    expect((await restAction('ModifyCertificateAlias', { CertificateId: cert.id, Alias: alias }, key)).status).toBe(200);
    gw.sim.calls.reset();
    const a = await gw.graphql(ALIAS, { id: cert.id, alias, key });
    expect(a.errors?.[0].extensions).toMatchObject({ httpStatus: 422, details: { reason: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(gw.sim.calls.total()).toBe(0);
  });
});

// Stored upstream errors were once replayed as plain gateway errors: the upstream details and
// the Idempotent-Replayed header were lost.
describe('regressions: replays of stored upstream errors', () => {
  it('REST: the replay of a stored definitive upstream error has the same body as the first answer', async () => {
    const key = newKey();
    const body = { CertificateId: 'doesNotExist', Alias: 'x' };
    const first = await restAction('ModifyCertificateAlias', body, key);
    const second = await restAction('ModifyCertificateAlias', body, key);
    const { requestId: _a, ...firstError } = first.body.error;
    const { requestId: _b, ...secondError } = second.body.error;
    expect(secondError).toEqual(firstError);
  });

  it('REST: the replay of a stored definitive upstream error carries Idempotent-Replayed: true', async () => {
    const key = newKey();
    const body = { CertificateId: 'doesNotExist', Alias: 'x' };
    await restAction('ModifyCertificateAlias', body, key);
    const second = await restAction('ModifyCertificateAlias', body, key);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('GraphQL: the replay of a stored definitive upstream error has the same extensions as the first answer', async () => {
    const key = newKey();
    const vars = { id: 'doesNotExist', alias: 'x', key };
    const q = `mutation($id: ID!, $alias: String, $key: String) { setCertificateAlias(certificateId: $id, alias: $alias, idempotencyKey: $key) { certificateId } }`;
    const first = await gw.graphql(q, vars);
    const second = await gw.graphql(q, vars);
    expect(second.errors?.[0].extensions).toEqual(first.errors?.[0].extensions);
  });
});
