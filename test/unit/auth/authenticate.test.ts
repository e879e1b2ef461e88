/**
 * Authentication: API keys (x-api-key, Bearer), JWT via jose with local key sets (valid, expired,
 * wrong audience/issuer/algorithm, bad signature, missing claims), scopes and 401/403 errors,
 * disabled mode, configuration parsing and the production start-up check. No network except a
 * loopback server standing in for an unreachable JWKS endpoint.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyStore,
  createDemoApiKey,
  formatApiKeys,
  hashApiKey,
  parseApiKeys,
} from '../../../src/auth/api-keys';
import { assertScopes, authorizeAction, authorizeActions, createAuthenticator } from '../../../src/auth/authenticator';
import { assertProductionAuth, readAuthConfig } from '../../../src/auth/config';
import { AuthError, isAuthError } from '../../../src/auth/errors';
import { createAuthGuard, createScopedUpstream } from '../../../src/auth/gateway';
import { ANONYMOUS, createIdentity } from '../../../src/auth/identity';
import { jwtOptionsProblems, looksLikeJwt, type JwtOptions } from '../../../src/auth/jwt';
import { EnvReader } from '../../../src/config';
import { isGatewayError } from '../../../src/upstream/errors';

const READ_KEY = 'sslgw_read-only-test-key-0000000000000000000000';
const ADMIN_KEY = 'sslgw_all-scopes-test-key-111111111111111111111';
const KEYS = parseApiKeys(`reader:${hashApiKey(READ_KEY)}:read,ops:${hashApiKey(ADMIN_KEY)}:read+write+keys+admin`);

async function failure(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (e) {
    if (isAuthError(e)) return e;
    throw e;
  }
  throw new Error('expected an AuthError');
}

describe('API key configuration', () => {
  it('parses the compact form', () => {
    expect(KEYS.problems).toEqual([]);
    expect(KEYS.entries.map((e) => [e.id, e.scopes])).toEqual([
      ['reader', ['read']],
      ['ops', ['read', 'write', 'keys', 'admin']],
    ]);
  });

  it('parses the JSON form and renders back to the compact form', () => {
    const json = JSON.stringify([{ id: 'a', sha256: hashApiKey('k1').toUpperCase(), scopes: ['write', 'read'] }, { id: 'b', sha256: hashApiKey('k2'), scopes: 'read keys' }]);
    const r = parseApiKeys(json);
    expect(r.problems).toEqual([]);
    expect(r.entries[0]).toEqual({ id: 'a', sha256: hashApiKey('k1'), scopes: ['read', 'write'] });
    expect(parseApiKeys(formatApiKeys(r.entries)).entries).toEqual(r.entries);
  });

  it('reports every problem without echoing hashes or keys', () => {
    const secretLooking = 'sslgw_this-is-a-key-not-a-hash';
    const r = parseApiKeys(`ok:${hashApiKey('x')}:read,bad id:${hashApiKey('y')}:read,k2:${secretLooking}:read,k3:${hashApiKey('z')}:root,k4:${hashApiKey('w')}:,ok:${hashApiKey('v')}:read,dup:${hashApiKey('x')}:read,justtwo:parts`);
    expect(r.entries.map((e) => e.id)).toEqual(['ok']);
    expect(r.problems).toHaveLength(7);
    const text = r.problems.join('\n');
    expect(text).not.toContain(secretLooking);
    expect(text).not.toContain(hashApiKey('x'));
    expect(text).toMatch(/unknown scope\(s\) root/);
    expect(text).toMatch(/listed twice/);
    expect(text).toMatch(/same hash/);
    expect(parseApiKeys('[{').problems).toEqual(['is not valid JSON']);
    expect(parseApiKeys('{}').problems[0]).toMatch(/expected/);
    expect(parseApiKeys(undefined)).toEqual({ entries: [], problems: [] });
  });
});

describe('ApiKeyStore', () => {
  it('matches the key whose hash is configured, nothing else', () => {
    const store = new ApiKeyStore(KEYS.entries);
    expect(store.verify(READ_KEY)?.id).toBe('reader');
    expect(store.verify(ADMIN_KEY)?.id).toBe('ops');
    expect(store.verify(`${READ_KEY}x`)).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
    expect(store.verify(hashApiKey(READ_KEY))).toBeUndefined(); // the hash is not the key
    expect(store.verify('x'.repeat(10_000))).toBeUndefined();
  });

  it('creates random demo keys, with every scope by default', () => {
    const a = createDemoApiKey();
    const b = createDemoApiKey({ id: 'viewer', scopes: ['read'] });
    expect(a.key).toMatch(/^sslgw_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.entry).toEqual({ id: 'local-demo', sha256: hashApiKey(a.key), scopes: ['read', 'write', 'keys', 'admin'] });
    expect(b.entry.scopes).toEqual(['read']);
    expect(JSON.stringify(a.entry)).not.toContain(a.key);
    expect(new ApiKeyStore([a.entry]).verify(a.key)?.id).toBe('local-demo');
    expect(looksLikeJwt(a.key)).toBe(false);
  });
});

describe('authenticate with API keys', () => {
  const auth = createAuthenticator({ apiKeys: KEYS.entries });

  it('accepts x-api-key and Authorization: Bearer', async () => {
    expect(await auth.authenticate({ 'x-api-key': READ_KEY })).toMatchObject({ id: 'key:reader', kind: 'api-key', subject: 'reader' });
    const id = await auth.authenticate({ authorization: `Bearer ${ADMIN_KEY}` });
    expect(id?.id).toBe('key:ops');
    expect([...id!.scopes]).toEqual(['read', 'write', 'keys', 'admin']);
    expect((await auth.authenticate({ Authorization: `bearer   ${READ_KEY}` }))?.id).toBe('key:reader');
    expect((await auth.authenticate({ 'x-api-key': [READ_KEY] }))?.id).toBe('key:reader');
  });

  it('answers null (authenticate) or 401 with WWW-Authenticate (requireIdentity) without credentials', async () => {
    expect(await auth.authenticate({})).toBeNull();
    expect(await auth.authenticate({ 'x-api-key': '  ' })).toBeNull();
    const e = await failure(auth.requireIdentity({}));
    expect(e.httpStatus).toBe(401);
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');
  });

  it('answers 401 invalid_token for an unknown key and never echoes it', async () => {
    const wrong = 'sslgw_wrong-key-value-that-must-not-leak';
    for (const headers of [{ 'x-api-key': wrong }, { authorization: `Bearer ${wrong}` }]) {
      const e = await failure(auth.authenticate(headers));
      expect(e.httpStatus).toBe(401);
      expect(e.message).toBe('Invalid credentials: unknown API key');
      expect(e.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(JSON.stringify(e)).not.toContain(wrong);
      expect(e.message + e.headers['www-authenticate']).not.toContain(wrong);
    }
  });

  it('refuses ambiguous or malformed credentials', async () => {
    expect((await failure(auth.authenticate({ 'x-api-key': READ_KEY, authorization: `Bearer ${READ_KEY}` }))).message).toMatch(/not both/);
    expect((await failure(auth.authenticate({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }))).message).toMatch(/Bearer <token>/);
    expect((await failure(auth.authenticate({ 'x-api-key': [READ_KEY, ADMIN_KEY] }))).message).toMatch(/more than once/);
    expect((await failure(auth.authenticate({ 'X-Api-Key': READ_KEY, 'x-api-key': ADMIN_KEY }))).message).toMatch(/more than once/);
    // a JWT-shaped bearer token when JWT is not configured is just an unknown key
    expect((await failure(auth.authenticate({ authorization: 'Bearer aaa.bbb.ccc' }))).message).toBe('Invalid credentials: unknown API key');
  });

  it('disabled mode: everyone is the anonymous identity with every scope', async () => {
    const open = createAuthenticator({ mode: 'disabled' });
    expect(await open.requireIdentity({})).toBe(ANONYMOUS);
    expect([...ANONYMOUS.scopes]).toEqual(['read', 'write', 'keys', 'admin']);
    expect(ANONYMOUS.kind).toBe('anonymous');
  });
});

describe('scopes: 403 naming the missing scope', () => {
  const reader = createIdentity('reader', 'api-key', ['read']);

  it('assertScopes / authorizeAction', () => {
    expect(() => assertScopes(reader, ['read'])).not.toThrow();
    expect(() => authorizeAction(reader, 'DescribeCertificates', {})).not.toThrow();
    let e: unknown;
    try {
      authorizeAction(reader, 'DownloadCertificate', { CertificateId: 'c' });
    } catch (err) {
      e = err;
    }
    expect(isAuthError(e)).toBe(true);
    const a = e as AuthError;
    expect(a.httpStatus).toBe(403);
    expect(a.code).toBe('FORBIDDEN');
    expect(a.message).toBe('Missing scope keys for DownloadCertificate (required: read, keys)');
    expect(a.details).toEqual({ missingScopes: ['keys'], requiredScopes: ['read', 'keys'], target: 'DownloadCertificate' });
    expect(a.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(a.headers['www-authenticate']).toContain('scope="read keys"');

    const writer = createIdentity('w', 'api-key', ['write']);
    expect(() => authorizeAction(writer, 'UpdateCertificateInstance', { OldCertificateId: 'a', CertificateId: 'b' })).not.toThrow();
    expect(() => authorizeAction(writer, 'UpdateCertificateInstance', { OldCertificateId: 'a', CertificatePrivateKey: 'k' })).toThrow(/Missing scope keys/);
    expect(() => authorizeAction(writer, 'DeleteManager', { ManagerId: 1 })).toThrow(/Missing scope admin/);
    expect(() => authorizeAction(reader, 'DeleteManager', { ManagerId: 1 })).toThrow(/Missing scopes write, admin/);
    expect(() => authorizeActions(writer, ['DeleteCertificate', 'DescribeDeleteCertificatesTaskResult'], {}, 'DELETE /v1/certificates/{id}')).toThrow(
      'Missing scope read for DELETE /v1/certificates/{id} (required: read, write)',
    );
  });
});

// ---- JWT ------------------------------------------------------------------------------------------

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'ssl-gateway';

describe('authenticate with JWTs (local JWKS)', () => {
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  let other: Awaited<ReturnType<typeof generateKeyPair>>;
  let jwks: { keys: JWK[] };
  let options: JwtOptions;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    other = await generateKeyPair('RS256', { extractable: true });
    jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    };
    options = { issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: ['RS256', 'ES256'], clockToleranceSeconds: 5 };
  });

  const sign = (claims: Record<string, unknown>, o: { alg?: string; kid?: string; key?: CryptoKey; iss?: string; aud?: string; exp?: string | number; sub?: string | null } = {}) => {
    let jwt = new SignJWT(claims).setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? 'rsa-1' }).setIssuedAt().setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? AUDIENCE);
    if (o.exp !== undefined) jwt = jwt.setExpirationTime(o.exp);
    else jwt = jwt.setExpirationTime('5m');
    if (o.sub !== null) jwt = jwt.setSubject(o.sub ?? 'client-42');
    return jwt.sign(o.key ?? rsa.privateKey);
  };

  it('accepts a valid token: sub is the id, scopes from `scope`', async () => {
    const auth = createAuthenticator({ jwt: options, apiKeys: KEYS.entries });
    const token = await sign({ scope: 'read keys openid unknown' });
    expect(looksLikeJwt(token)).toBe(true);
    const id = await auth.requireIdentity({ authorization: `Bearer ${token}` });
    expect(id.id).toBe(`jwt:${ISSUER}#client-42`);
    expect(id.subject).toBe('client-42');
    expect(id.kind).toBe('jwt');
    expect([...id.scopes]).toEqual(['read', 'keys']);
    // API keys keep working beside JWTs
    expect((await auth.requireIdentity({ authorization: `Bearer ${READ_KEY}` })).id).toBe('key:reader');
  });

  it('reads `scp` (array) and strips a configured scope prefix; ES256 keys work', async () => {
    const auth = createAuthenticator({ jwt: { ...options, scopePrefix: 'ssl:' } });
    const token = await sign({ scp: ['ssl:read', 'ssl:write', 'read', 'other:admin'] }, { alg: 'ES256', kid: 'ec-1', key: ec.privateKey });
    const id = await auth.requireIdentity({ authorization: `Bearer ${token}` });
    expect([...id.scopes]).toEqual(['read', 'write']);
  });

  it('a token without gateway scopes authenticates but is refused by scope checks', async () => {
    const auth = createAuthenticator({ jwt: options });
    const id = await auth.requireIdentity({ authorization: `Bearer ${await sign({})}` });
    expect(id.scopes.size).toBe(0);
    expect(() => authorizeAction(id, 'DescribeCertificates', {})).toThrow(/Missing scope read/);
  });

  const reject = async (token: string | Promise<string>, reason: string, extra: Partial<JwtOptions> = {}) => {
    const auth = createAuthenticator({ jwt: { ...options, ...extra } });
    const t = await token;
    const e = await failure(auth.authenticate({ authorization: `Bearer ${t}` }));
    expect(e.httpStatus).toBe(401);
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.message).toBe(`Invalid credentials: ${reason}`);
    expect(e.headers['www-authenticate']).toBe(`Bearer realm="ssl-gateway", error="invalid_token", error_description="${reason}"`);
    expect(e.message).not.toContain(t);
  };

  it('rejects an expired token (beyond the clock tolerance)', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    await reject(sign({ scope: 'read' }, { exp: past }), 'token expired');
    // within tolerance it passes
    const auth = createAuthenticator({ jwt: { ...options, clockToleranceSeconds: 120 } });
    expect((await auth.requireIdentity({ authorization: `Bearer ${await sign({ scope: 'read' }, { exp: past })}` })).subject).toBe('client-42');
  });

  it('rejects a wrong audience, a wrong issuer, a missing subject or expiry', async () => {
    await reject(sign({ scope: 'read' }, { aud: 'another-api' }), 'token audience not accepted');
    await reject(sign({ scope: 'read' }, { iss: 'https://evil.example.test/' }), 'token issuer not accepted');
    await reject(sign({ scope: 'read' }, { sub: null }), 'token has no subject');
    const noExp = await new SignJWT({ scope: 'read' }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('x').sign(rsa.privateKey);
    await reject(noExp, 'token has no expiry');
  });

  it('rejects an algorithm that is not allowed, a bad signature and unknown keys', async () => {
    const rs512 = await generateKeyPair('RS512');
    await reject(sign({ scope: 'read' }, { alg: 'RS512', key: rs512.privateKey }), 'token algorithm not allowed');
    await reject(sign({ scope: 'read' }, { alg: 'ES256', kid: 'ec-1', key: ec.privateKey }), 'token algorithm not allowed', { algorithms: ['RS256'] });
    // signed by another key under a known kid
    await reject(sign({ scope: 'read' }, { key: other.privateKey }), 'token signature invalid');
    await reject(sign({ scope: 'read' }, { kid: 'unknown-kid', key: other.privateKey }), 'token signing key not recognised');
    // alg none
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    await reject(`${header}.${body}.`, 'token algorithm not allowed');
    // tampered payload
    const good = await sign({ scope: 'read' });
    const [h, , s] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', scope: 'read write keys admin', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    await reject(`${h}.${forged}.${s}`, 'token signature invalid');
    await reject('abc.def.ghi', 'malformed token');
  });

  it('verifies against a PEM public key', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const auth = createAuthenticator({ jwt: { issuer: ISSUER, audience: AUDIENCE, publicKey: pem, algorithms: ['RS256'] } });
    expect((await auth.requireIdentity({ authorization: `Bearer ${await sign({ scope: 'write' })}` })).scopes.has('write')).toBe(true);
    const ps = await generateKeyPair('PS256');
    const e = await failure(auth.authenticate({ authorization: `Bearer ${await sign({}, { alg: 'PS256', key: ps.privateKey })}` }));
    expect(e.message).toBe('Invalid credentials: token algorithm not allowed');
  });

  it('validates its options', () => {
    expect(jwtOptionsProblems({ issuer: ISSUER, audience: AUDIENCE, jwks })).toEqual([]);
    expect(jwtOptionsProblems({ audience: AUDIENCE, jwks })).toEqual(['an issuer is required']);
    expect(jwtOptionsProblems({ issuer: ISSUER, audience: AUDIENCE })).toEqual([expect.stringMatching(/exactly one key source/)]);
    expect(jwtOptionsProblems({ issuer: ISSUER, audience: AUDIENCE, jwks, algorithms: ['HS256', 'none'] })).toEqual([expect.stringMatching(/unsupported algorithm\(s\) HS256, none/)]);
    expect(() => createAuthenticator({ jwt: { issuer: ISSUER, audience: '', jwks } })).toThrow(/audience is required/);
  });
});

describe('JWKS endpoint unavailable', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is a 503 (not the caller’s fault), not a 401', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setSubject('x').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1m').sign(privateKey);
    const auth = createAuthenticator({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: url, jwksTimeoutMs: 2000 } });
    let e: unknown;
    try {
      await auth.authenticate({ authorization: `Bearer ${token}` });
    } catch (err) {
      e = err;
    }
    expect(isGatewayError(e) && !isAuthError(e)).toBe(true);
    expect((e as { httpStatus: number }).httpStatus).toBe(503);
  });
});

// ---- configuration ------------------------------------------------------------------------------

describe('readAuthConfig and assertProductionAuth', () => {
  it('defaults to required with no credentials, and refuses that in production', () => {
    const r = new EnvReader({});
    const auth = readAuthConfig(r);
    expect(r.problems).toEqual([]);
    expect(auth).toEqual({ mode: 'required', apiKeys: [] });
    expect(() => assertProductionAuth({ env: 'production', auth })).toThrow(/Authentication is required in production but no credentials are configured/);
    expect(assertProductionAuth({ env: 'development', auth })).toEqual({ warnings: [] });
  });

  it('accepts production with API keys or JWT, or auth explicitly disabled (with a warning)', () => {
    const keys = readAuthConfig(new EnvReader({ GATEWAY_API_KEYS: `a:${hashApiKey('k')}:read` }));
    expect(assertProductionAuth({ env: 'production', auth: keys })).toEqual({ warnings: [] });
    const jwt = readAuthConfig(new EnvReader({ GATEWAY_JWT_ISSUER: ISSUER, GATEWAY_JWT_AUDIENCE: 'a,b', GATEWAY_JWT_JWKS_URL: 'https://idp.example.test/.well-known/jwks.json' }));
    expect(jwt.jwt).toMatchObject({ issuer: [ISSUER], audience: ['a', 'b'], algorithms: ['RS256', 'ES256'], clockToleranceSeconds: 30, scopePrefix: '' });
    expect(assertProductionAuth({ env: 'production', auth: jwt })).toEqual({ warnings: [] });
    const off = readAuthConfig(new EnvReader({ GATEWAY_AUTH: 'disabled' }));
    expect(off.mode).toBe('disabled');
    expect(assertProductionAuth({ env: 'production', auth: off }).warnings[0]).toMatch(/GATEWAY_AUTH=disabled in production/);
  });

  it('reports malformed variables by name', () => {
    const r = new EnvReader({
      GATEWAY_AUTH: 'sometimes',
      GATEWAY_API_KEYS: 'a:nothex:read',
      GATEWAY_JWT_ISSUER: ISSUER,
      GATEWAY_JWT_ALGORITHMS: 'HS256',
      GATEWAY_JWT_CLOCK_TOLERANCE_SECONDS: '9999',
      GATEWAY_JWT_PUBLIC_KEY: 'not a pem',
    });
    readAuthConfig(r);
    expect(r.problems.map((p) => p.variable).sort()).toEqual([
      'GATEWAY_API_KEYS',
      'GATEWAY_AUTH',
      'GATEWAY_JWT_*',
      'GATEWAY_JWT_*',
      'GATEWAY_JWT_CLOCK_TOLERANCE_SECONDS',
      'GATEWAY_JWT_PUBLIC_KEY',
    ]);
  });

  it('reads an inline JWKS and a PEM with \\n escapes', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = (await exportSPKI(publicKey)).trim().replace(/\n/g, '\\n');
    const a = readAuthConfig(new EnvReader({ GATEWAY_JWT_ISSUER: ISSUER, GATEWAY_JWT_AUDIENCE: AUDIENCE, GATEWAY_JWT_PUBLIC_KEY: pem, GATEWAY_JWT_ALGORITHMS: 'ES256' }));
    expect(a.jwt?.publicKey).toContain('-----BEGIN PUBLIC KEY-----\n');
    const jwk = await exportJWK(publicKey);
    const r = new EnvReader({ GATEWAY_JWT_ISSUER: ISSUER, GATEWAY_JWT_AUDIENCE: AUDIENCE, GATEWAY_JWT_JWKS: JSON.stringify({ keys: [jwk] }) });
    expect(readAuthConfig(r).jwt?.jwks?.keys).toHaveLength(1);
    expect(r.problems).toEqual([]);
  });
});

// ---- HTTP wiring helpers ------------------------------------------------------------------------

describe('createAuthGuard and createScopedUpstream', () => {
  const auth = createAuthenticator({ apiKeys: KEYS.entries });
  const req = (headers: Record<string, string>) => ({ method: 'POST', path: '/v1/x', query: {}, headers, requestId: 'req-1' });

  it('refuses in the surface error shape with WWW-Authenticate, remembers identities', async () => {
    const guard = createAuthGuard(auth);
    const rest = await guard.guard(req({}), 'rest');
    expect(rest?.status).toBe(401);
    expect(rest?.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');
    expect(JSON.parse(rest!.body)).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(/Authentication required/), requestId: 'req-1' } });
    const gql = await guard.guard(req({ 'x-api-key': 'nope' }), 'graphql');
    expect(gql?.status).toBe(401);
    expect(JSON.parse(gql!.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const ok = req({ 'x-api-key': READ_KEY });
    expect(await guard.guard(ok, 'rest')).toBeUndefined();
    expect(guard.identityOf(ok)?.id).toBe('key:reader');
    expect(guard.identityOf(req({}))).toBeUndefined();
    expect(await guard.guard({ ...req({}), method: 'OPTIONS' }, 'rest')).toBeUndefined();
  });

  it('checks every upstream action and redacts key material for REST', async () => {
    const calls: string[] = [];
    const upstream = {
      call: async (action: string) => {
        calls.push(action);
        return { CertificateId: 'c', CertificatePrivateKey: 'PRIVATE', RequestId: 'r' };
      },
    };
    const reader = createScopedUpstream(upstream, createIdentity('r', 'api-key', ['read']));
    expect(await reader.call('DescribeCertificateDetail', { CertificateId: 'c' })).toEqual({ CertificateId: 'c', CertificatePrivateKey: null, RequestId: 'r' });
    await expect(reader.call('DownloadCertificate', { CertificateId: 'c' })).rejects.toThrow(/Missing scope keys/);
    await expect(reader.call('DeleteCertificate', { CertificateId: 'c' })).rejects.toThrow(/Missing scope write/);
    expect(calls).toEqual(['DescribeCertificateDetail']);
    const keys = createScopedUpstream(upstream, createIdentity('k', 'api-key', ['read', 'keys']));
    expect((await keys.call('DescribeCertificateDetail', { CertificateId: 'c' })).CertificatePrivateKey).toBe('PRIVATE');
  });
});
