/**
 * Caller identities and what is stored per caller (issue 8, items 1, 2 and 9), in process against
 * the simulator (the gateway's surface handlers, no HTTP):
 * - identities are namespaced: an API key `victim` and a JWT whose subject is `victim` are two
 *   callers and never share idempotency records;
 * - an `Idempotency-Key` on a read is ignored (every call reads; nothing is replayed);
 * - persisted queries (APQ) are per caller: another caller cannot learn whether a hash was
 *   registered (its answer is exactly the answer for a hash nobody registered).
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/app';
import { createDemoApiKey, formatApiKeys, type Scope } from '../../src/auth';
import type { GatewayRequest } from '../../src/http/types';
import { startGateway, type GatewayFixture } from '../helpers/fixture';
import type { Simulator } from '../helpers/simulator';

const ISSUER = 'https://issuer.namespaces.test/';
const AUDIENCE = 'ssl-gateway';
const jwtKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const victim = createDemoApiKey({ id: 'victim', scopes: ['read', 'write', 'keys', 'admin'] });
const reader = createDemoApiKey({ id: 'reader', scopes: ['read'] });

let sim: Simulator;
let gateway: Gateway;

const jwt = (sub: string, scopes: readonly Scope[]) =>
  new SignJWT({ scope: scopes.join(' ') }).setProtectedHeader({ alg: 'ES256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(jwtKeys.privateKey);

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGateway({
    env: {
      GATEWAY_API_KEYS: formatApiKeys([victim.entry, reader.entry]),
      GATEWAY_JWT_ISSUER: ISSUER,
      GATEWAY_JWT_AUDIENCE: AUDIENCE,
      GATEWAY_JWT_PUBLIC_KEY: jwtKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      GATEWAY_JWT_ALGORITHMS: 'ES256',
      LOG_LEVEL: 'silent',
    },
  });
  ({ sim, gateway } = fx);
});

afterAll(() => fx?.close());

type Credential = { apiKey: string } | { bearer: string };

function request(method: string, path: string, credential: Credential, body?: unknown, headers: Record<string, string> = {}): GatewayRequest {
  return {
    method,
    path,
    query: {},
    headers: {
      'content-type': 'application/json',
      ...('apiKey' in credential ? { 'x-api-key': credential.apiKey } : { authorization: `Bearer ${credential.bearer}` }),
      ...headers,
    },
    body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    requestId: randomUUID(),
  };
}

async function rest(action: string, credential: Credential, body: unknown, idempotencyKey?: string) {
  const res = await gateway.restHandler(request('POST', `/v1/actions/${action}`, credential, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}));
  return { ...res, json: JSON.parse(res.body) };
}

async function graphql(credential: Credential, payload: Record<string, unknown>) {
  const res = await gateway.graphqlHandler(request('POST', '/graphql', credential, payload));
  return { status: res.status, json: JSON.parse(res.body) };
}

const issued = () => [...sim.state.certificates.values()].find((c) => c.status === 1)!;

describe('caller identities are namespaced', () => {
  it('an API key and a JWT whose subject equals the key id are different callers: the JWT mutation with the key\'s idempotency key executes (no 422, no replay)', async () => {
    const cert = issued();
    const key = `ns-${randomUUID()}`;
    const byKey = await rest('ModifyCertificateAlias', { apiKey: victim.key }, { CertificateId: cert.id, Alias: `by-key-${key}` }, key);
    expect(byKey.status, byKey.body).toBe(200);
    const before = sim.calls.count('ModifyCertificateAlias');
    const token = await jwt('victim', ['read', 'write']);
    const byJwt = await graphql({ bearer: token }, {
      query: 'mutation($id: ID!, $alias: String, $key: String) { setCertificateAlias(certificateId: $id, alias: $alias, idempotencyKey: $key) { certificateId } }',
      variables: { id: cert.id, alias: `by-jwt-${key}`, key },
    });
    expect(byJwt.json.errors, JSON.stringify(byJwt.json.errors)).toBeUndefined();
    expect(byJwt.json.data.setCertificateAlias.certificateId).toBe(cert.id);
    expect(sim.calls.count('ModifyCertificateAlias')).toBe(before + 1);
    expect(sim.state.certificates.get(cert.id)!.alias).toBe(`by-jwt-${key}`);

    // The same request with the same key on REST: the JWT gets its own execution, never the key's answer.
    const key2 = `ns2-${randomUUID()}`;
    const body = { CertificateId: cert.id, Alias: `same-${key2}` };
    const first = await rest('ModifyCertificateAlias', { apiKey: victim.key }, body, key2);
    const second = await rest('ModifyCertificateAlias', { bearer: token }, body, key2);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json.RequestId).not.toBe(first.json.RequestId);
    expect(sim.calls.count('ModifyCertificateAlias')).toBe(before + 3);
  });
});

describe('Idempotency-Key on read actions', () => {
  it('is ignored: each keyed read reaches the upstream and none is answered from a record', async () => {
    const cert = issued();
    const key = `read-${randomUUID()}`;
    const before = sim.calls.count('DescribeCertificateDetail');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await rest('DescribeCertificateDetail', { apiKey: victim.key }, { CertificateId: cert.id }, key));
    for (const a of answers) {
      expect(a.status, a.body).toBe(200);
      expect(a.headers['idempotent-replayed']).toBeUndefined();
    }
    expect(sim.calls.count('DescribeCertificateDetail')).toBe(before + 3);
    expect(new Set(answers.map((a) => a.json.RequestId)).size).toBe(3);
  });

  it('a caller without keys reading with the same key as a keys caller gets a fresh, redacted answer (no private key)', async () => {
    const cert = issued();
    const key = `read-keys-${randomUUID()}`;
    const full = await rest('DescribeCertificateDetail', { bearer: await jwt('alice', ['read', 'keys']) }, { CertificateId: cert.id }, key);
    expect(full.status).toBe(200);
    const lesser = await rest('DescribeCertificateDetail', { bearer: await jwt('alice', ['read']) }, { CertificateId: cert.id }, key);
    expect(lesser.status).toBe(200);
    expect(lesser.headers['idempotent-replayed']).toBeUndefined();
    expect(lesser.json.CertificatePrivateKey ?? null).toBeNull();
    expect(lesser.body).not.toContain('PRIVATE KEY');
    const download = await rest('DownloadCertificate', { bearer: await jwt('alice', ['read']) }, { CertificateId: cert.id }, key);
    expect(download.status).toBe(403);
  });
});

describe('persisted queries are per caller', () => {
  const sha = (q: string) => createHash('sha256').update(q).digest('hex');

  it('caller B cannot learn whether caller A registered a hash: B gets exactly the answer of a hash nobody registered', async () => {
    const cert = issued();
    const query = `query PQ { downloadCertificate(certificateId: "${cert.id}") { content } }`;
    const hash = sha(query);
    const persisted = (h: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: h } } });
    const unregistered = sha(`query Never { certificates(limit: 1) { totalCount } } # ${randomUUID()}`);
    const readerCredential = { apiKey: reader.key };

    const beforeB = await graphql(readerCredential, persisted(hash));
    const unknownBefore = await graphql(readerCredential, persisted(unregistered));
    // A registers the operation (and may run it).
    const registered = await graphql({ apiKey: victim.key }, { query, ...persisted(hash) });
    expect(registered.json.errors, JSON.stringify(registered.json.errors)).toBeUndefined();
    // A's own hash-only request is a hit.
    const hit = await graphql({ apiKey: victim.key }, persisted(hash));
    expect(hit.json.errors, JSON.stringify(hit.json.errors)).toBeUndefined();
    expect(hit.json.data.downloadCertificate.content).toEqual(expect.any(String));

    const afterB = await graphql(readerCredential, persisted(hash));
    const unknownAfter = await graphql(readerCredential, persisted(unregistered));
    expect(afterB).toEqual(beforeB);
    expect(afterB).toEqual(unknownAfter);
    expect(afterB).toEqual(unknownBefore);
    expect(afterB.json.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // The same for a JWT whose subject is A's key id: another caller.
    expect(await graphql({ bearer: await jwt('victim', ['read', 'keys']) }, persisted(hash))).toEqual(unknownAfter);
  });
});
