/**
 * Authorization matrix, end to end: every documented action (enumerated from the spec), through
 * both surfaces (REST `POST /v1/actions/{Action}` and the action's GraphQL root field), against
 * every way a caller can be refused:
 *
 * - no credentials                          → 401 + `WWW-Authenticate: Bearer realm=…`
 * - wrong identity: an unknown API key, a JWT signed by a key the gateway does not trust
 *   (claiming every scope), an unsigned `alg: none` JWT → 401 `error="invalid_token"`
 * - insufficient scope: for each scope the action needs, the most privileged test key lacking it
 *   → 403 FORBIDDEN naming that scope
 *
 * Every refusal must happen before the upstream: the simulator records zero calls. Positive
 * controls (the least privileged key that has the scopes, and a trusted JWT carrying exactly them)
 * show the same calls are not refused. Then the per-field rules for private-key material.
 *
 * Prepare: one gateway over HTTP (real config path, simulator, API keys per scope set) with JWT
 * verification configured (a PEM public key generated per run). Act: HTTP requests. Assess:
 * status, error body, headers, and the simulator's call counters.
 */
import { parse, validate } from 'graphql';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requiredScopes, type Scope } from '../../src/auth';
import { operationByAction } from '../../src/graphql/operations';
import { validateActionInput } from '../../src/spec/validate';
import { jsonAnswer, startGateway, type GatewayFixture, type JsonAnswer, type KeyName } from '../helpers/fixture';
import { ACTIONS, gatewaySchema, graphqlOperation, insufficientKeys, KEY_SCOPES, restBody, scopeLabel, sufficientKey } from '../helpers/actions';

const ISSUER = 'https://idp.auth-matrix.test';
const AUDIENCE = 'ssl-gateway-auth-matrix';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
type Surface = 'REST' | 'GraphQL';
const SURFACES: Surface[] = ['REST', 'GraphQL'];

let gw: GatewayFixture;
let trusted: KeyPair;
let attacker: KeyPair;

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function jwt(key: KeyPair, claims: Record<string, unknown>, options: { audience?: string; expiresIn?: string | number } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(String(claims.sub ?? 'matrix-client'))
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(key.privateKey);
}

/** An unsigned token (`alg: none`) claiming every scope. */
function unsignedJwt(): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'intruder', iss: ISSUER, aud: AUDIENCE, exp: now + 300, scope: 'read write keys admin' })}.`;
}

/** How a wrong identity is presented (headers of the request). */
type WrongIdentity = { name: string; headers: () => Promise<Record<string, string>> };

const WRONG_IDENTITIES: WrongIdentity[] = [
  { name: 'an unknown API key (x-api-key)', headers: async () => ({ 'x-api-key': gw.keys.unknown }) },
  {
    name: 'a JWT signed by an untrusted key claiming every scope',
    headers: async () => ({ authorization: `Bearer ${await jwt(attacker, { sub: 'attacker', scope: 'read write keys admin' })}` }),
  },
  { name: 'an unsigned alg:none JWT', headers: async () => ({ authorization: `Bearer ${unsignedJwt()}` }) },
];

type Answer = JsonAnswer;
const answer = jsonAnswer;

/** Credentials of one request: a named test key, explicit headers, or nothing. */
type Credentials = { key: KeyName } | { headers: Record<string, string> } | null;

function requestInit(credentials: Credentials): { key: KeyName | null; headers?: Record<string, string> } {
  if (credentials === null) return { key: null };
  if ('key' in credentials) return { key: credentials.key };
  return { key: null, headers: credentials.headers };
}

async function callRest(action: string, credentials: Credentials, body: unknown = restBody(action)): Promise<Answer> {
  const { key, headers } = requestInit(credentials);
  return answer(await gw.fetch(`/v1/actions/${action}`, { method: 'POST', json: body, key, headers }));
}

async function callGraphQL(query: string, variables: Record<string, unknown>, credentials: Credentials): Promise<Answer> {
  const { key, headers } = requestInit(credentials);
  return answer(await gw.fetch('/graphql', { method: 'POST', json: { query, variables }, key, headers }));
}

async function callSurface(surface: Surface, action: string, credentials: Credentials): Promise<Answer> {
  if (surface === 'REST') return callRest(action, credentials);
  const op = graphqlOperation(action);
  return callGraphQL(op.query, op.variables, credentials);
}

/** The error code of an answer in either surface's error shape. */
function errorCode(surface: Surface, a: Answer): string | undefined {
  return surface === 'REST' ? a.body?.error?.code : a.body?.errors?.[0]?.extensions?.code;
}

function expectNoUpstreamCall(): void {
  expect(gw.sim.calls.log().map((c) => c.action)).toEqual([]);
  expect(gw.sim.calls.total()).toBe(0);
}

function expectUnauthenticated(surface: Surface, a: Answer, invalidToken: boolean): void {
  expect(a.status, JSON.stringify(a.body)).toBe(401);
  expect(errorCode(surface, a)).toBe('UNAUTHENTICATED');
  const challenge = a.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="ssl-gateway"/);
  if (invalidToken) expect(challenge).toContain('error="invalid_token"');
  else expect(challenge).not.toContain('error=');
  if (surface === 'GraphQL') expect(a.body.data ?? null).toBeNull();
}

/** Per-action case tables, built from the spec and the schema at collection time. */
const ACTION_CASES = ACTIONS.map((action) => {
  const op = operationByAction.get(action);
  return {
    action,
    required: scopeLabel(requiredScopes(action)),
    graphqlField: op ? `${op.root}.${op.field}` : '(none)',
    insufficient: insufficientKeys(action),
  };
});

beforeAll(async () => {
  trusted = await generateKeyPair('RS256', { extractable: true });
  attacker = await generateKeyPair('RS256', { extractable: true });
  gw = await startGateway({
    env: {
      GATEWAY_JWT_ISSUER: ISSUER,
      GATEWAY_JWT_AUDIENCE: AUDIENCE,
      GATEWAY_JWT_PUBLIC_KEY: await exportSPKI(trusted.publicKey),
      GATEWAY_JWT_ALGORITHMS: 'RS256',
    },
  });
});

afterAll(async () => {
  await gw?.close();
});

beforeEach(() => {
  gw.sim.calls.reset();
  gw.sim.faults.clear();
});

describe('the case tables', () => {
  it('cover all 68 documented actions, each with a GraphQL root field', () => {
    expect(ACTIONS).toHaveLength(68);
    for (const action of ACTIONS) expect(operationByAction.get(action), action).toBeDefined();
  });

  it('match the actions the REST facade lists', async () => {
    const res = await gw.fetch('/v1/actions', { key: 'read' });
    expect(res.status).toBe(200);
    const listed = ((await res.json()) as { Actions: { Name: string }[] }).Actions.map((a) => a.Name).sort();
    expect(listed).toEqual([...ACTIONS]);
  });

  it('mirror the scopes of the keys the running gateway is configured with', () => {
    const configured = new Map(gw.server.gateway.config.auth.apiKeys.map((e) => [e.id, [...e.scopes].sort()]));
    for (const [name, scopes] of Object.entries(KEY_SCOPES)) expect(configured.get(`test-${name}`), name).toEqual([...scopes].sort());
    expect(configured.has('test-unknown')).toBe(false);
  });

  it.each(ACTIONS)('%s: the REST body passes spec validation and the GraphQL operation validates against the schema', (action) => {
    const v = validateActionInput(action, restBody(action));
    expect(v.ok ? [] : v.problems).toEqual([]);
    const op = graphqlOperation(action);
    expect(validate(gatewaySchema(), parse(op.query)).map(String)).toEqual([]);
  });
});

const SURFACE_TITLE: Record<Surface, string> = { REST: 'REST POST /v1/actions/{Action}', GraphQL: 'GraphQL root field' };

describe.each(SURFACES.map((s) => [SURFACE_TITLE[s], s] as const))('%s', (_title, surface) => {
  const rows = ACTION_CASES.map((c) => [surface === 'REST' ? `${c.action} (needs ${c.required})` : `${c.graphqlField} → ${c.action} (needs ${c.required})`, c] as const);

  describe.each(rows)('%s', (_row, { action, insufficient }) => {
    it('no credentials → 401 with WWW-Authenticate, nothing sent upstream', async () => {
      const a = await callSurface(surface, action, null);
      expectUnauthenticated(surface, a, false);
      expectNoUpstreamCall();
    });

    it.each(WRONG_IDENTITIES.map((w) => [w.name, w] as const))('wrong identity: %s → 401 invalid_token, nothing sent upstream', async (_name, { headers }) => {
      const a = await callSurface(surface, action, { headers: await headers() });
      expectUnauthenticated(surface, a, true);
      expectNoUpstreamCall();
    });

    const scopeCases = insufficient.map((c) => [`key "${c.key}" (${scopeLabel(KEY_SCOPES[c.key])}) lacks ${c.missing}`, c] as const);
    it.each(scopeCases)('insufficient scope: %s → 403 naming it, nothing sent upstream', async (_name, { key, missing, allMissing }) => {
      const a = await callSurface(surface, action, { key });
      expect(a.status, JSON.stringify(a.body)).toBe(403);
      expect(errorCode(surface, a)).toBe('FORBIDDEN');
      if (surface === 'REST') {
        expect(a.body.error.details.missingScopes).toEqual(allMissing);
        expect(a.body.error.details.requiredScopes).toEqual(requiredScopes(action));
        expect(a.body.error.details.target).toBe(action);
        expect(a.body.error.message).toContain(`Missing scope${allMissing.length > 1 ? 's' : ''} ${allMissing.join(', ')} for ${action}`);
      } else {
        const op = graphqlOperation(action);
        const ext = a.body.errors[0].extensions;
        expect(ext.missingScopes).toEqual(allMissing);
        expect(ext.fields).toEqual([{ field: `${op.root}.${op.field}`, requiredScopes: requiredScopes(action), missingScopes: allMissing }]);
        expect(a.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
        expect(a.body.data ?? null).toBeNull();
      }
      expect(allMissing).toContain(missing);
      expectNoUpstreamCall();
    });
  });
});

/** Not refused by authentication or scopes (the upstream may still refuse the dummy input). */
function expectNotAuthRefused(surface: Surface, a: Answer): void {
  expect(a.status, JSON.stringify(a.body)).not.toBe(401);
  if (surface === 'REST') {
    expect(a.body?.error?.code, JSON.stringify(a.body)).not.toBe('UNAUTHENTICATED');
    expect(a.body?.error?.details?.missingScopes, JSON.stringify(a.body)).toBeUndefined();
    // A 403 may only come from the upstream's answer (e.g. a quota), never from the gateway's scopes.
    if (a.status === 403) expect(a.body.error.upstream).toBeDefined();
  } else {
    expect(a.status, JSON.stringify(a.body)).not.toBe(403);
    for (const e of a.body.errors ?? []) {
      expect(e.extensions?.code, JSON.stringify(e)).not.toBe('UNAUTHENTICATED');
      expect(e.extensions?.missingScopes ?? e.extensions?.details?.missingScopes, JSON.stringify(e)).toBeUndefined();
    }
    expect(a.body.data, JSON.stringify(a.body)).toBeDefined();
  }
}

describe('positive controls: the same calls with sufficient scopes are not refused', () => {
  const cases = ACTIONS.map((action) => {
    const key = sufficientKey(action);
    return [`${action} with the least privileged sufficient key "${key}" (${scopeLabel(KEY_SCOPES[key])})`, { action, key }] as const;
  });

  describe.each(SURFACES)('%s', (surface) => {
    it.each(cases)('%s', async (_name, { action, key }) => {
      const a = await callSurface(surface, action, { key });
      expectNotAuthRefused(surface, a);
      // The REST body passed validation, so the call reached the simulator.
      if (surface === 'REST') expect(gw.sim.calls.count(action), JSON.stringify(a.body)).toBeGreaterThanOrEqual(1);
    });
  });

  // One action per kind of scope rule, with a trusted JWT carrying exactly the required scopes.
  const JWT_SAMPLE = ['DescribeCertificates', 'ModifyCertificateAlias', 'DownloadCertificate', 'UploadCertificate', 'DescribeManagers', 'DeleteManager'];

  it('the JWT sample covers reads, writes, keys and admin', () => {
    const covered = new Set(JWT_SAMPLE.flatMap((a) => requiredScopes(a)));
    expect([...covered].sort()).toEqual(['admin', 'keys', 'read', 'write']);
  });

  describe.each(SURFACES)('%s with a trusted JWT', (surface) => {
    it.each(JWT_SAMPLE)('%s with exactly its required scopes', async (action) => {
      const token = await jwt(trusted, { sub: `jwt-${action}`, scope: requiredScopes(action).join(' ') });
      const a = await callSurface(surface, action, { headers: { authorization: `Bearer ${token}` } });
      expectNotAuthRefused(surface, a);
    });

    it.each(JWT_SAMPLE)('%s with a trusted JWT missing one required scope → 403, nothing sent upstream', async (action) => {
      const [first, ...rest] = requiredScopes(action);
      const token = await jwt(trusted, { sub: `jwt-${action}`, scope: rest.join(' ') });
      const a = await callSurface(surface, action, { headers: { authorization: `Bearer ${token}` } });
      expect(a.status, JSON.stringify(a.body)).toBe(403);
      expect(JSON.stringify(a.body)).toContain(first);
      expectNoUpstreamCall();
    });
  });
});

describe('other malformed or refused credentials (both surfaces)', () => {
  const FORMS: { name: string; headers: () => Promise<Record<string, string>>; invalid: boolean }[] = [
    { name: 'Authorization: Basic', headers: async () => ({ authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }), invalid: true },
    { name: 'Authorization: Bearer with two tokens', headers: async () => ({ authorization: 'Bearer abc def' }), invalid: true },
    { name: 'a JWT-looking token of garbage', headers: async () => ({ authorization: 'Bearer eyJub3QiOiJqc29u.bm9wZQ.c2ln' }), invalid: true },
    { name: 'an expired JWT from the trusted issuer', headers: async () => ({ authorization: `Bearer ${await jwt(trusted, { sub: 'late', scope: 'read write keys admin' }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 })}` }), invalid: true },
    { name: 'a trusted JWT for another audience', headers: async () => ({ authorization: `Bearer ${await jwt(trusted, { sub: 'elsewhere', scope: 'read write keys admin' }, { audience: 'another-api' })}` }), invalid: true },
    { name: 'a valid key in both x-api-key and Authorization', headers: async () => ({ 'x-api-key': gw.keys.all, authorization: `Bearer ${gw.keys.all}` }), invalid: true },
    { name: 'an empty x-api-key (counts as none)', headers: async () => ({ 'x-api-key': '' }), invalid: false },
  ];

  describe.each(SURFACES)('%s', (surface) => {
    it.each(FORMS.map((f) => [f.name, f] as const))('%s → 401, nothing sent upstream', async (_name, { headers, invalid }) => {
      const a = await callSurface(surface, 'ModifyCertificateAlias', { headers: await headers() });
      expectUnauthenticated(surface, a, invalid);
      expectNoUpstreamCall();
    });
  });

  it('the API key as "Authorization: Bearer <key>" is accepted like x-api-key', async () => {
    const a = await callRest('DescribeCertificates', { headers: { authorization: `Bearer ${gw.keys.read}` } });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
  });
});

describe('REST resource routes check the scopes of the actions they call before any upstream call', () => {
  const ROUTES: { name: string; method: string; path: () => string; json?: unknown; key: KeyName; missing: Scope }[] = [
    { name: 'GET /v1/certificates with a write-only key', method: 'GET', path: () => '/v1/certificates?limit=1', key: 'write', missing: 'read' },
    { name: 'GET /v1/certificates/{id} with a write-only key', method: 'GET', path: () => `/v1/certificates/${issuedCertificateId()}`, key: 'write', missing: 'read' },
    { name: 'DELETE /v1/certificates/{id} with a read+keys key', method: 'DELETE', path: () => `/v1/certificates/${issuedCertificateId()}`, key: 'keys', missing: 'write' },
    { name: 'POST /v1/certificates (upload) with a read+write+admin key', method: 'POST', path: () => '/v1/certificates', json: { CertificatePublicKey: 'x' }, key: 'admin', missing: 'keys' },
  ];

  it.each(ROUTES.map((r) => [`${r.name} → 403 naming ${r.missing}`, r] as const))('%s', async (_name, { method, path, json, key, missing }) => {
    const a = await answer(await gw.fetch(path(), { method, json, key }));
    expect(a.status, JSON.stringify(a.body)).toBe(403);
    expect(a.body.error.code).toBe('FORBIDDEN');
    expect(a.body.error.details.missingScopes).toContain(missing);
    expectNoUpstreamCall();
  });
});

/** An issued (status 1) CA certificate of the simulator's demo data: it has a private key. */
function issuedCertificateId(): string {
  const cert = [...gw.sim.state.certificates.values()].find((c) => c.status === 1 && c.from !== 'upload');
  if (!cert) throw new Error('the simulator has no issued certificate');
  return cert.id;
}

describe('private-key material', () => {
  const DETAIL = `query Detail($id: ID!) {
    certificateDetail(certificateId: $id) { certificateId domain certificatePublicKey certificatePrivateKey }
    certificates(limit: 1) { totalCount }
  }`;

  it('GraphQL: certificateDetail.certificatePrivateKey is null + FORBIDDEN for a read-only key, the rest of the query resolves', async () => {
    const id = issuedCertificateId();
    const a = await callGraphQL(DETAIL, { id }, { key: 'read' });
    expect(a.status).toBe(200);
    expect(a.body.data.certificateDetail).toMatchObject({ certificateId: id, certificatePrivateKey: null });
    expect(a.body.data.certificateDetail.domain).toEqual(expect.any(String));
    expect(a.body.data.certificateDetail.certificatePublicKey).toContain('BEGIN CERTIFICATE');
    expect(a.body.data.certificates.totalCount).toBeGreaterThan(0);
    expect(a.body.errors).toHaveLength(1);
    expect(a.body.errors[0].path).toEqual(['certificateDetail', 'certificatePrivateKey']);
    expect(a.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(a.body.errors[0].extensions.details.missingScopes).toEqual(['keys']);
    expect(JSON.stringify(a.body)).not.toContain('PRIVATE KEY');
  });

  it('GraphQL: the same query with a keys key returns the private key', async () => {
    const a = await callGraphQL(DETAIL, { id: issuedCertificateId() }, { key: 'keys' });
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data.certificateDetail.certificatePrivateKey).toContain('PRIVATE KEY');
  });

  it('GraphQL: downloadCertificate is keys-gated as a whole root field: a read-only key gets 403 for the operation and nothing runs', async () => {
    // By design (src/auth/scopes.ts) DownloadCertificate needs `keys` for the whole action, so the
    // scope plugin refuses the operation before execution instead of nulling `content` only.
    const q = `query Download($id: ID!) { certificates(limit: 1) { totalCount } downloadCertificate(certificateId: $id) { content } }`;
    const a = await callGraphQL(q, { id: issuedCertificateId() }, { key: 'read' });
    expect(a.status).toBe(403);
    expect(a.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['keys'] });
    expect(a.body.data ?? null).toBeNull();
    expectNoUpstreamCall();
  });

  it('GraphQL: downloadCertificate { content } resolves for a keys key', async () => {
    const q = `query Download($id: ID!) { downloadCertificate(certificateId: $id) { content contentType } }`;
    const a = await callGraphQL(q, { id: issuedCertificateId() }, { key: 'keys' });
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data.downloadCertificate.content).toEqual(expect.any(String));
    expect(a.body.data.downloadCertificate.content.length).toBeGreaterThan(100);
  });

  it('REST: GET /v1/certificates/{id} redacts the private key for a key without keys, not for one with it', async () => {
    const id = issuedCertificateId();
    const redacted = await answer(await gw.fetch(`/v1/certificates/${id}`, { key: 'readWrite' }));
    expect(redacted.status).toBe(200);
    expect(redacted.body.CertificateId).toBe(id);
    expect(redacted.body.CertificatePrivateKey).toBeNull();
    expect(redacted.body.CertificatePublicKey).toContain('BEGIN CERTIFICATE');
    expect(JSON.stringify(redacted.body)).not.toContain('PRIVATE KEY');

    const full = await answer(await gw.fetch(`/v1/certificates/${id}`, { key: 'keys' }));
    expect(full.status).toBe(200);
    expect(full.body.CertificatePrivateKey).toContain('PRIVATE KEY');
  });

  it('REST: POST /v1/actions/DescribeCertificateDetail redacts the same way', async () => {
    const id = issuedCertificateId();
    const a = await callRest('DescribeCertificateDetail', { key: 'read' }, { CertificateId: id });
    expect(a.status).toBe(200);
    expect(a.body.CertificatePrivateKey).toBeNull();
    expect(JSON.stringify(a.body)).not.toContain('PRIVATE KEY');
  });
});

describe('regressions', () => {
  // REST's error renderer once dropped the AuthError's challenge header on 403s.
  it('REST 403 carries WWW-Authenticate error="insufficient_scope" like GraphQL', async () => {
    const a = await callRest('ModifyCertificateAlias', { key: 'read' });
    expect(a.status).toBe(403);
    expect(a.headers.get('www-authenticate') ?? '').toContain('error="insufficient_scope"');
  });
});
