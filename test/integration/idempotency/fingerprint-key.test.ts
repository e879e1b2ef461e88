/**
 * Idempotency fingerprints are stored next to their key, in Redis when instances share it, and a
 * write's input can hold secrets (CSR key passwords, private keys). A plain SHA-256 of a
 * low-entropy input can be brute-forced by whoever reads Redis; the gateway stores an HMAC keyed
 * from the deployment's SecretKey instead (src/idempotency/fingerprint.ts).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintKey, requestFingerprint } from '../../../src/idempotency';
import { ISOLATED, startGateway, type GatewayFixture } from '../../helpers/fixture';

describe('idempotency fingerprints in a shared store', () => {
  let gw: GatewayFixture;
  let redis: Redis;
  beforeAll(async () => {
    gw = await startGateway({ ...ISOLATED, redis: true });
    redis = new Redis(gw.redis!.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await gw?.close();
  });

  /** Every string stored under any key (strings, hashes, lists, sets, sorted sets). */
  async function everyStoredText(): Promise<string[]> {
    const out: string[] = [];
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      out.push(key);
      if (type === 'string') out.push((await redis.get(key)) ?? '');
      else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat());
      else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
      else if (type === 'set') out.push(...(await redis.smembers(key)));
      else if (type === 'zset') out.push(...(await redis.zrange(key, '0', '-1')));
    }
    return out;
  }

  it('are an HMAC under a key derived from the SecretKey: the plain SHA-256 of the input is nowhere in Redis', async () => {
    const id = [...gw.sim.state.certificates.values()][0].id;
    const path = '/v1/actions/ModifyCertificateAlias';
    const body = { CertificateId: id, Alias: 'fingerprint-check' };
    const first = await gw.request('POST', path, body, { 'idempotency-key': 'fp-key-1' });
    expect(first.status).toBe(200);
    const replay = await gw.request('POST', path, body, { 'idempotency-key': 'fp-key-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    // What the REST surface fingerprints: the method, and the path, query and JSON body.
    const input = { path, query: {}, body };
    const keyed = requestFingerprint('rest:POST', input, fingerprintKey(gw.sim.credentials[0].secretKey));
    const plain = requestFingerprint('rest:POST', input);
    const stored = (await everyStoredText()).join('\n');
    expect(stored).toContain(keyed); // the record is there, under the keyed fingerprint
    expect(stored).not.toContain(plain);
  });

  it('a key derived from another SecretKey gives other fingerprints; the same SecretKey the same (every instance matches)', () => {
    const input = { body: { CsrKeyPassword: '1234' } };
    const a = fingerprintKey('secret-key-of-deployment-a');
    expect(requestFingerprint('ApplyCertificate', input, a)).toBe(requestFingerprint('ApplyCertificate', input, fingerprintKey('secret-key-of-deployment-a')));
    expect(requestFingerprint('ApplyCertificate', input, a)).not.toBe(requestFingerprint('ApplyCertificate', input, fingerprintKey('secret-key-of-deployment-b')));
    expect(requestFingerprint('ApplyCertificate', input, a)).not.toBe(requestFingerprint('ApplyCertificate', input));
  });
});
