/**
 * A token whose algorithm is allowed but does not fit the configured key is the caller's fault
 * (401 invalid token), whatever the key source; 503 is kept for a key source that really fails.
 * With the default `GATEWAY_JWT_ALGORITHMS` (RS256, ES256) and an RSA key, an ES256 token used to
 * get 503 "signing keys are unavailable" from the PEM key source.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator';
import { isAuthError } from '../../../src/auth/errors';
import { algorithmsForPublicKey, DEFAULT_JWT_ALGORITHMS, type JwtOptions } from '../../../src/auth/jwt';
import { isGatewayError } from '../../../src/upstream/errors';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'ssl-gateway';
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

async function token(alg: string, key: CryptoKey, kid = 'k1'): Promise<string> {
  return new SignJWT({ scope: 'read' }).setProtectedHeader({ alg, kid }).setSubject('client-7').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(key);
}

async function outcome(options: Partial<JwtOptions>, jwt: string): Promise<{ status: number; message: string; auth: boolean }> {
  const auth = createAuthenticator({ jwt: { issuer: ISSUER, audience: AUDIENCE, ...options } as JwtOptions });
  try {
    const id = await auth.requireIdentity({ authorization: `Bearer ${jwt}` });
    return { status: 200, message: id.id, auth: false };
  } catch (e) {
    if (!isGatewayError(e)) throw e;
    return { status: e.httpStatus, message: e.message, auth: isAuthError(e) };
  }
}

/** A loopback JWKS endpoint; `mode` decides what it serves. */
class JwksServer {
  server!: Server;
  url = '';
  hits = 0;
  mode: 'keys' | 'down' = 'keys';
  constructor(private readonly keys: unknown[]) {}
  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      this.hits += 1;
      if (this.mode === 'down') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('JWT whose allowed algorithm does not fit the configured key', () => {
  let rsa: KeyPair;
  let ec: KeyPair;
  let pem: string;
  let jwks: JwksServer;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    pem = await exportSPKI(rsa.publicKey);
    jwks = new JwksServer([{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }]);
    await jwks.start();
  });
  afterAll(() => jwks.close());

  it('the default algorithms include one that does not fit an RSA key (the case under test)', () => {
    expect(DEFAULT_JWT_ALGORITHMS).toEqual(['RS256', 'ES256']);
    expect([...(algorithmsForPublicKey(pem) ?? [])]).not.toContain('ES256');
  });

  it('an ES256 token against an RSA PEM key is 401 invalid token, not 503', async () => {
    const r = await outcome({ publicKey: pem }, await token('ES256', ec.privateKey));
    expect(r).toEqual({ status: 401, message: 'Invalid credentials: token signing key not recognised', auth: true });
    // The key still verifies what it can: the RSA token of the same configuration passes.
    expect(await outcome({ publicKey: pem }, await token('RS256', rsa.privateKey))).toEqual({ status: 200, message: `jwt:${ISSUER}#client-7`, auth: false });
  });

  it('an ES256 token against an RSA inline JWKS or JWKS URL is 401 as well', async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1' };
    expect((await outcome({ jwks: { keys: [jwk] } }, await token('ES256', ec.privateKey))).status).toBe(401);
    jwks.mode = 'keys';
    expect((await outcome({ jwksUrl: jwks.url }, await token('ES256', ec.privateKey))).status).toBe(401);
  });

  it('an EC PEM key refuses RS256 tokens with 401 and accepts ES256', async () => {
    const ecPem = await exportSPKI(ec.publicKey);
    expect((await outcome({ publicKey: ecPem }, await token('RS256', rsa.privateKey))).status).toBe(401);
    expect((await outcome({ publicKey: ecPem }, await token('ES256', ec.privateKey))).status).toBe(200);
  });

  it('a key source that really fails (JWKS endpoint answering 500) is still 503', async () => {
    jwks.mode = 'down';
    const before = jwks.hits;
    const r = await outcome({ jwksUrl: jwks.url, jwksTimeoutMs: 2000 }, await token('RS256', rsa.privateKey));
    expect(r.status).toBe(503);
    expect(r.auth).toBe(false);
    expect(r.message).toMatch(/signing keys are unavailable/);
    expect(jwks.hits).toBe(before + 1);
    jwks.mode = 'keys';
  });

  it('an unreadable PEM key source is 503 for every token (an operator problem, not the caller)', async () => {
    const broken = '-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n';
    expect(algorithmsForPublicKey(broken)).toBeUndefined();
    expect((await outcome({ publicKey: broken }, await token('RS256', rsa.privateKey))).status).toBe(503);
  });
});
