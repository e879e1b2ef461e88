import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  ALGORITHM,
  SigningKeyCache,
  canonicalRequest,
  computeSignature,
  credentialScope,
  deriveSigningKey,
  formatAuthorization,
  hashPayload,
  hmacSha256,
  parseAuthorization,
  sha256Hex,
  sign,
  stringToSign,
  utcDate,
} from '../../../src/upstream/sign';
import { verifySignature } from '../../helpers/tc3-verify';
import { prng } from './helpers';

// --- The seed documentation's worked example (signature v3, DescribeInstances on cvm) ---
const DOC = {
  payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  payloadHash: '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  headers: {
    'Content-Type': 'application/json; charset=utf-8',
    Host: 'cvm.tencentcloudapi.com',
    'X-TC-Action': 'DescribeInstances',
    'X-TC-Timestamp': '1551113065',
    'X-TC-Version': '2017-03-12',
    'X-TC-Region': 'ap-guangzhou',
  },
  canonicalRequest: [
    'POST',
    '/',
    '',
    'content-type:application/json; charset=utf-8',
    'host:cvm.tencentcloudapi.com',
    'x-tc-action:describeinstances',
    '',
    'content-type;host;x-tc-action',
    '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  ].join('\n'),
  canonicalRequestHash: '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84',
  timestamp: 1551113065,
  date: '2019-02-25',
  stringToSign: [
    'TC3-HMAC-SHA256',
    '1551113065',
    '2019-02-25/cvm/tc3_request',
    '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84',
  ].join('\n'),
  // The doc masks the key but prints the derived keys; the chain from SecretDate on is checkable.
  secretDate: 'da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0',
  secretService: '8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f',
  secretSigning: 'b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af',
  signature: '10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f',
  secretId: 'AKID********************************',
  authorization:
    'TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f',
};

describe('signature v3: the documented worked example', () => {
  it('hashes the payload', () => {
    expect(hashPayload(DOC.payload)).toBe(DOC.payloadHash);
    expect(hashPayload(Buffer.from(DOC.payload, 'utf8'))).toBe(DOC.payloadHash);
  });

  it('builds the canonical request and its hash', () => {
    const cr = canonicalRequest({
      method: 'POST',
      path: '/',
      query: '',
      headers: DOC.headers,
      signedHeaders: ['content-type', 'host', 'x-tc-action'],
      payloadHash: DOC.payloadHash,
    });
    expect(cr).toBe(DOC.canonicalRequest);
    expect(sha256Hex(cr)).toBe(DOC.canonicalRequestHash);
  });

  it('sorts and lowercases signed headers regardless of how they are given', () => {
    const cr = canonicalRequest({
      method: 'post',
      headers: { 'x-tc-action': '  DescribeInstances ', HOST: 'CVM.tencentcloudapi.com', 'content-type': 'application/json; charset=utf-8' },
      signedHeaders: ['X-TC-Action', 'Host', 'Content-Type'],
      payloadHash: DOC.payloadHash,
    });
    expect(cr).toBe(DOC.canonicalRequest);
  });

  it('builds the string to sign (UTC date, not local)', () => {
    expect(utcDate(DOC.timestamp)).toBe(DOC.date); // 2019-02-26 00:44:25 in UTC+8
    expect(credentialScope(DOC.date, 'cvm')).toBe('2019-02-25/cvm/tc3_request');
    expect(stringToSign({ timestamp: DOC.timestamp, credentialScope: '2019-02-25/cvm/tc3_request', canonicalRequest: DOC.canonicalRequest })).toBe(
      DOC.stringToSign,
    );
    expect(
      stringToSign({ timestamp: DOC.timestamp, credentialScope: '2019-02-25/cvm/tc3_request', hashedCanonicalRequest: DOC.canonicalRequestHash }),
    ).toBe(DOC.stringToSign);
  });

  it('reproduces the documented derived keys from SecretDate on, the signature and the Authorization header', () => {
    const secretService = hmacSha256(Buffer.from(DOC.secretDate, 'hex'), 'cvm');
    expect(secretService.toString('hex')).toBe(DOC.secretService);
    const secretSigning = hmacSha256(secretService, 'tc3_request');
    expect(secretSigning.toString('hex')).toBe(DOC.secretSigning);
    expect(computeSignature(secretSigning, DOC.stringToSign)).toBe(DOC.signature);
    expect(
      formatAuthorization({
        secretId: DOC.secretId,
        credentialScope: '2019-02-25/cvm/tc3_request',
        signedHeaders: ['content-type', 'host', 'x-tc-action'],
        signature: DOC.signature,
      }),
    ).toBe(DOC.authorization);
  });

  it('derives the signing key as HMAC(HMAC(HMAC("TC3"+key, date), service), "tc3_request")', () => {
    const key = 'my-own-test-key-0123456789abcdef';
    const h = (k: string | Buffer, m: string): Buffer => createHmac('sha256', k).update(m).digest();
    const expected = h(h(h(`TC3${key}`, DOC.date), 'cvm'), 'tc3_request');
    expect(deriveSigningKey(key, DOC.date, 'cvm', null).equals(expected)).toBe(true);
    expect(deriveSigningKey(key, DOC.date, 'cvm', new SigningKeyCache()).equals(expected)).toBe(true);
    // different date, service or key: different derived key
    expect(deriveSigningKey(key, '2019-02-26', 'cvm', null).equals(expected)).toBe(false);
    expect(deriveSigningKey(key, DOC.date, 'ssl', null).equals(expected)).toBe(false);
    expect(deriveSigningKey(`${key}x`, DOC.date, 'cvm', null).equals(expected)).toBe(false);
  });

  it('sign() reproduces every intermediate value of the example', () => {
    const { Authorization: _a, 'X-TC-Timestamp': _t, ...headers } = { ...DOC.headers, Authorization: 'stale' };
    const r = sign({
      secretId: DOC.secretId,
      secretKey: 'any-key-since-the-doc-masks-it',
      service: 'cvm',
      timestamp: DOC.timestamp,
      headers,
      body: DOC.payload,
    });
    expect(r.payloadHash).toBe(DOC.payloadHash);
    expect(r.canonicalRequest).toBe(DOC.canonicalRequest);
    expect(r.stringToSign).toBe(DOC.stringToSign);
    expect(r.credentialScope).toBe('2019-02-25/cvm/tc3_request');
    expect(r.headers['X-TC-Timestamp']).toBe('1551113065');
    expect(r.headers.Authorization).toBe(r.authorization);
    expect(r.authorization).toMatch(
      /^TC3-HMAC-SHA256 Credential=AKID\*{32}\/2019-02-25\/cvm\/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=[0-9a-f]{64}$/,
    );
    const expectedKey = deriveSigningKey('any-key-since-the-doc-masks-it', DOC.date, 'cvm', null);
    expect(r.signature).toBe(computeSignature(expectedKey, DOC.stringToSign));
  });
});

describe('signing key cache', () => {
  it('returns the cached key for the same (secretKey, date, service) and evicts the least recently used', () => {
    const cache = new SigningKeyCache(2);
    const a = deriveSigningKey('k1', '2024-01-01', 'ssl', cache);
    expect(deriveSigningKey('k1', '2024-01-01', 'ssl', cache)).toBe(a); // same Buffer instance: cache hit
    const b = deriveSigningKey('k1', '2024-01-02', 'ssl', cache);
    expect(cache.size).toBe(2);
    deriveSigningKey('k1', '2024-01-01', 'ssl', cache); // touch a -> b is now the oldest
    deriveSigningKey('k2', '2024-01-01', 'ssl', cache); // evicts b
    expect(cache.size).toBe(2);
    expect(deriveSigningKey('k1', '2024-01-01', 'ssl', cache)).toBe(a);
    const b2 = deriveSigningKey('k1', '2024-01-02', 'ssl', cache);
    expect(b2).not.toBe(b);
    expect(b2.equals(b)).toBe(true);
  });

  it('never distinguishes keys only by a prefix of the secret', () => {
    const cache = new SigningKeyCache(8);
    const a = deriveSigningKey('secret', '2024-01-01', 'ssl', cache);
    const b = deriveSigningKey('secret2', '2024-01-01', 'ssl', cache);
    expect(a.equals(b)).toBe(false);
  });
});

describe('parseAuthorization', () => {
  it('parses the documented header', () => {
    expect(parseAuthorization(DOC.authorization)).toEqual({
      algorithm: ALGORITHM,
      secretId: DOC.secretId,
      date: '2019-02-25',
      service: 'cvm',
      terminator: 'tc3_request',
      signedHeaders: ['content-type', 'host', 'x-tc-action'],
      signature: DOC.signature,
    });
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['other scheme', 'Bearer abc'],
    ['missing signature', 'TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host'],
    ['short credential', `TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm, SignedHeaders=content-type;host, Signature=${DOC.signature}`],
    ['bad date', `TC3-HMAC-SHA256 Credential=AKID/20190225/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${DOC.signature}`],
    ['uppercase signed header', `TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=Content-Type;host, Signature=${DOC.signature}`],
    ['short signature', 'TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=abc'],
    ['upper-hex signature', `TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${DOC.signature.toUpperCase()}`],
    ['extra field', `${DOC.authorization}, Extra=1`],
  ])('rejects %s', (_name, header) => {
    expect(parseAuthorization(header)).toBeNull();
  });
});

// --- Cross-check against the official Node SDK's signer ---
interface Sign3Args {
  method?: string;
  url?: string;
  payload: unknown;
  timestamp: number;
  service: string;
  secretId: string;
  secretKey: string;
  multipart?: boolean;
  headers?: Record<string, string>;
}
const requireCjs = createRequire(import.meta.url);
const Sdk = (requireCjs('tencentcloud-sdk-nodejs/tencentcloud/common/sign.js') as { default: { sign3(args: Sign3Args): string } }).default;

const ACTIONS = ['DescribeCertificates', 'ApplyCertificate', 'DeleteCertificate', 'UploadCertificate', 'DescribeHostDeployRecordDetail', 'DeployCertificateInstance'];
const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0001', '未', '命', '名', 'é', '😀', '\u2028', '<', '&'];

function randomString(rand: () => number, max = 24): string {
  let s = '';
  const n = Math.floor(rand() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth <= 0 || r < 0.3) return randomString(rand);
  if (r < 0.45) return Math.floor(rand() * 1e9) - 5e8;
  if (r < 0.5) return rand() * 1000;
  if (r < 0.6) return rand() < 0.5;
  if (r < 0.8) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth - 1));
  return randomObject(rand, depth - 1);
}

function randomObject(rand: () => number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = Math.floor(rand() * 5);
  for (let i = 0; i < n; i++) o[`Key${randomString(rand, 6).replace(/[^A-Za-z0-9]/g, '') || i}`] = randomValue(rand, depth);
  return o;
}

function randomTimestamp(rand: () => number): number {
  const r = rand();
  if (r < 0.3) {
    // around a UTC midnight
    const day = Math.floor(rand() * 30000);
    return day * 86400 + Math.floor(rand() * 3) - 1 + (day === 0 ? 1 : 0);
  }
  return Math.floor(rand() * 4_102_444_800); // up to 2100-01-01
}

describe('cross-check with tencentcloud-sdk-nodejs sign3', () => {
  it('produces identical Authorization headers for 500 random bodies, timestamps, actions, keys and endpoints', () => {
    const rand = prng(20191205);
    for (let i = 0; i < 500; i++) {
      const body = JSON.stringify(randomObject(rand, 3));
      const timestamp = randomTimestamp(rand);
      const action = ACTIONS[Math.floor(rand() * ACTIONS.length)];
      const secretId = `AKID${randomString(rand, 10).replace(/[^A-Za-z0-9]/g, 'x')}${i}`;
      const secretKey = `key-${i}-${randomString(rand, 20)}`;
      const contentType = rand() < 0.5 ? 'application/json' : 'application/json; charset=utf-8';
      const host = rand() < 0.7 ? 'ssl.tencentcloudapi.com' : 'ssl.ap-guangzhou.tencentcloudapi.com';
      const service = host.split('.')[0];
      const expected = Sdk.sign3({
        method: 'POST',
        url: `https://${host}/`,
        payload: Buffer.from(body, 'utf8'),
        timestamp,
        service,
        secretId,
        secretKey,
        headers: { 'Content-Type': contentType },
      });
      const ours = sign({
        secretId,
        secretKey,
        service,
        timestamp,
        // the SDK signs only content-type and host
        signedHeaders: ['content-type', 'host'],
        headers: { 'Content-Type': contentType, Host: host, 'X-TC-Action': action, 'X-TC-Version': '2019-12-05' },
        body,
      });
      expect(ours.authorization, `case ${i}`).toBe(expected);
    }
  });

  it('agrees with the SDK when it serializes the params object itself (our body is JSON.stringify)', () => {
    const rand = prng(42);
    for (let i = 0; i < 100; i++) {
      // json-bigint (used by the SDK) escapes U+2028 as \u2028 where JSON.stringify emits it raw:
      // both are valid JSON and each side signs the bytes it sends, so leave it out here.
      const params = JSON.parse(JSON.stringify(randomObject(rand, 3)).replace(/\u2028/g, ' ')) as Record<string, unknown>;
      const timestamp = 1_700_000_000 + Math.floor(rand() * 100_000_000);
      const expected = Sdk.sign3({
        url: 'https://ssl.tencentcloudapi.com/',
        payload: params,
        timestamp,
        service: 'ssl',
        secretId: 'AKIDcross',
        secretKey: 'cross-key',
        headers: { 'Content-Type': 'application/json' },
      });
      const ours = sign({
        secretId: 'AKIDcross',
        secretKey: 'cross-key',
        service: 'ssl',
        timestamp,
        signedHeaders: ['content-type', 'host'],
        headers: { 'Content-Type': 'application/json', Host: 'ssl.tencentcloudapi.com' },
        body: JSON.stringify(params),
      });
      expect(ours.authorization, `case ${i}`).toBe(expected);
    }
  });

  it('signing x-tc-action too changes only the canonical headers (the SDK chain is otherwise identical)', () => {
    const base = {
      secretId: 'AKIDx',
      secretKey: 'k',
      service: 'ssl',
      timestamp: 1_700_000_000,
      headers: { 'Content-Type': 'application/json', Host: 'ssl.tencentcloudapi.com', 'X-TC-Action': 'DescribeCertificates' },
      body: '{}',
    };
    const two = sign({ ...base, signedHeaders: ['content-type', 'host'] });
    const three = sign(base);
    expect(three.canonicalRequest).toBe(
      two.canonicalRequest
        .replace('host:ssl.tencentcloudapi.com\n', 'host:ssl.tencentcloudapi.com\nx-tc-action:describecertificates\n')
        .replace('content-type;host\n', 'content-type;host;x-tc-action\n'),
    );
    expect(three.signature).not.toBe(two.signature);
  });
});

describe('verifySignature', () => {
  const secrets: Record<string, string> = { AKIDverify: 'verify-key' };
  const baseHeaders = {
    'Content-Type': 'application/json; charset=utf-8',
    Host: 'ssl.tencentcloudapi.com',
    'X-TC-Action': 'DescribeCertificates',
    'X-TC-Version': '2019-12-05',
  };
  const signed = (over: Partial<Parameters<typeof sign>[0]> = {}) =>
    sign({ secretId: 'AKIDverify', secretKey: 'verify-key', service: 'ssl', timestamp: 1_700_000_000, headers: baseHeaders, body: '{"Limit":1}', ...over });
  // Simulate node's IncomingMessage.headers (lowercase keys).
  const received = (headers: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const verify = (headers: Record<string, string>, body = '{"Limit":1}', now = 1_700_000_000, service = 'ssl') =>
    verifySignature({ method: 'POST', path: '/', headers: received(headers), body, service, lookupSecretKey: (id) => secrets[id], now, cache: null });

  it('accepts a correctly signed request', () => {
    const r = verify(signed().headers);
    expect(r).toMatchObject({ ok: true, secretId: 'AKIDverify', timestamp: 1_700_000_000 });
  });

  it('accepts requests signed with the SDK header set and with extra signed headers', () => {
    expect(verify(signed({ signedHeaders: ['content-type', 'host'] }).headers).ok).toBe(true);
    expect(verify(signed({ signedHeaders: ['content-type', 'host', 'x-tc-action', 'x-tc-version'] }).headers).ok).toBe(true);
  });

  it('rejects a tampered body, action header or host', () => {
    const h = signed().headers;
    expect(verify(h, '{"Limit":2}')).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect(verify({ ...h, 'X-TC-Action': 'DeleteCertificate' })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect(verify({ ...h, Host: 'ssl.tencentcloudapi.com:8443' })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('rejects a timestamp more than 5 minutes away, accepts exactly 5 minutes', () => {
    const h = signed().headers;
    expect(verify(h, undefined, 1_700_000_000 + 300).ok).toBe(true);
    expect(verify(h, undefined, 1_700_000_000 - 300).ok).toBe(true);
    expect(verify(h, undefined, 1_700_000_000 + 301)).toMatchObject({ ok: false, code: 'AuthFailure.SignatureExpire' });
    expect(verify(h, undefined, 1_700_000_000 - 600)).toMatchObject({ ok: false, code: 'AuthFailure.SignatureExpire' });
  });

  it('rejects an unknown SecretId, a wrong service, a wrong key, a timestamp changed after signing', () => {
    expect(verify(signed({ secretId: 'AKIDother' }).headers)).toMatchObject({ ok: false, code: 'AuthFailure.SecretIdNotFound' });
    expect(verify(signed({ service: 'cvm' }).headers)).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect(verify(signed({ secretKey: 'wrong' }).headers)).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect(verify({ ...signed().headers, 'X-TC-Timestamp': '1700000001' })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('rejects a credential date that does not match the timestamp', () => {
    const h = signed().headers;
    const forged = h.Authorization.replace(/\/\d{4}-\d{2}-\d{2}\//, '/2000-01-01/');
    expect(verify({ ...h, Authorization: forged })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('rejects malformed or incomplete Authorization and a missing timestamp', () => {
    const h = signed().headers;
    expect(verify({ ...h, Authorization: 'garbage' })).toMatchObject({ ok: false, code: 'AuthFailure.InvalidAuthorization' });
    expect(verify({ ...h, Authorization: h.Authorization.replace('TC3-HMAC-SHA256', 'TC3-HMAC-SHA1') })).toMatchObject({
      ok: false,
      code: 'AuthFailure.InvalidAuthorization',
    });
    expect(verify({ ...h, Authorization: h.Authorization.replace('content-type;host;x-tc-action', 'host;x-tc-action') })).toMatchObject({
      ok: false,
      code: 'AuthFailure.InvalidAuthorization',
    });
    const { 'X-TC-Action': _omit, ...noAction } = h;
    expect(verify(noAction)).toMatchObject({ ok: false, code: 'AuthFailure.InvalidAuthorization' });
    const { 'X-TC-Timestamp': _t, ...noTs } = h;
    expect(verify(noTs)).toMatchObject({ ok: false, code: 'MissingParameter' });
  });

  it('round-trips 200 random requests', () => {
    const rand = prng(7);
    for (let i = 0; i < 200; i++) {
      const body = JSON.stringify(randomObject(rand, 3));
      const ts = randomTimestamp(rand);
      const h = signed({ body, timestamp: ts, headers: { ...baseHeaders, 'X-TC-Action': ACTIONS[i % ACTIONS.length] } }).headers;
      expect(verify(h, body, ts).ok, `case ${i}`).toBe(true);
    }
  });
});

describe('sign() input checks', () => {
  it('refuses to sign without a signed header present, or without content-type/host in the list', () => {
    expect(() =>
      sign({ secretId: 'a', secretKey: 'b', service: 'ssl', timestamp: 1, headers: { Host: 'h' }, body: '' }),
    ).toThrow(/content-type/);
    expect(() =>
      sign({ secretId: 'a', secretKey: 'b', service: 'ssl', timestamp: 1, headers: { Host: 'h', 'Content-Type': 'x' }, body: '', signedHeaders: ['host'] }),
    ).toThrow(/content-type/);
  });

  it('refuses non-integer or negative timestamps', () => {
    expect(() => utcDate(1.5)).toThrow(RangeError);
    expect(() => utcDate(-1)).toThrow(RangeError);
  });

  it('replaces a caller-provided X-TC-Timestamp and Authorization', () => {
    const r = sign({
      secretId: 'a',
      secretKey: 'b',
      service: 'ssl',
      timestamp: 1_700_000_000,
      headers: { 'Content-Type': 'application/json', Host: 'h', 'X-TC-Action': 'A', 'x-tc-timestamp': '1', authorization: 'old' },
      body: '{}',
    });
    expect(Object.keys(r.headers).filter((k) => k.toLowerCase() === 'x-tc-timestamp')).toEqual(['X-TC-Timestamp']);
    expect(r.headers['X-TC-Timestamp']).toBe('1700000000');
    expect(Object.keys(r.headers).filter((k) => k.toLowerCase() === 'authorization')).toEqual(['Authorization']);
  });
});
