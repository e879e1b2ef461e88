/**
 * Echoes: nothing secret comes back inside an error message, on either surface.
 * - The upstream's error `Message` is free text. The simulator's fault injection answers with a
 *   message holding a PEM private key, a `SecretKey=…` pair, a Tencent-style SecretId, a bearer
 *   token and a gateway API key; REST `error.message` / `error.upstream.message` and GraphQL
 *   `message` / `extensions.upstream.message` must carry none of them (scrubbed like log lines),
 *   and neither may the gateway's log lines.
 * - graphql-js quotes an invalid variable twice ("got invalid value {…}; String cannot represent
 *   a non string value: {…}"): both quotes are masked, for variables and for literals.
 * - In production (introspection off), no "Did you mean …" suggestion names schema members.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type GatewayFixture } from '../helpers/fixture';

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** A slice of the key body: present in any unmasked echo. */
const KEY_BODY = PRIVATE_KEY.split('\n')[3];
const SECRET_VALUE = 'Zq7vR2mX9kLp4sT8wY1bN6cD3fG5hJ0e';
// Built at run time and plainly fake: the shape of a SecretId, never a real one.
const SECRET_ID = ['AKID', 'FAKE', 'TEST', 'ONLY', '0000', '1111', '22'].join('');
const BEARER = 'c2VjcmV0LXRva2VuLWZvci10ZXN0cy0xMjM0NTY3ODkw';
const GATEWAY_KEY = 'sslgw_abcdefghijklmnopqrstuvwxyz012345';

const ECHO = `The request was refused. Received key: ${PRIVATE_KEY} (SecretKey=${SECRET_VALUE}, SecretId ${SECRET_ID}, Authorization: Bearer ${BEARER}, x-api-key ${GATEWAY_KEY})`;
const NEEDLES: [string, string][] = [
  ['PEM marker', 'PRIVATE KEY-----'],
  ['private key body', KEY_BODY],
  ['secret value', SECRET_VALUE],
  ['SecretId', SECRET_ID],
  ['bearer token', BEARER],
  ['gateway API key', GATEWAY_KEY],
];

function leaks(text: string): string[] {
  return NEEDLES.filter(([, needle]) => text.includes(needle)).map(([name]) => name);
}

describe('upstream error messages are scrubbed on both surfaces', () => {
  let gw: GatewayFixture;
  let certId: string;
  beforeAll(async () => {
    gw = await startGateway();
    certId = [...gw.sim.state.certificates.values()][0].id;
  });
  afterAll(() => gw?.close());
  beforeEach(() => gw.sim.faults.clear());

  const injectEcho = () => gw.sim.faults.add({ kind: 'error', code: 'InvalidParameterValue', message: ECHO, actions: ['DescribeCertificateDetail'], count: 1 });

  it('the injected message really holds the secrets (so the checks below are not vacuous)', () => {
    expect(leaks(ECHO)).toEqual(NEEDLES.map(([name]) => name));
  });

  it('REST: error.message and error.upstream.message carry no key, secret or token', async () => {
    injectEcho();
    const res = await gw.fetch('/v1/actions/DescribeCertificateDetail', { method: 'POST', json: { CertificateId: certId } });
    const text = await res.text();
    expect(res.status).toBe(400);
    const body = JSON.parse(text) as { error: { code: string; message: string; upstream?: { code: string; message: string } } };
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.upstream?.code).toBe('InvalidParameterValue');
    // The readable part of the upstream's message survives; the secrets do not.
    expect(body.error.upstream?.message).toMatch(/^The request was refused\. Received key: \[REDACTED PRIVATE KEY\]/);
    expect(body.error.message).toContain('SecretKey=[REDACTED]');
    expect(leaks(text)).toEqual([]);
  });

  it('GraphQL: message and extensions.upstream.message carry no key, secret or token', async () => {
    injectEcho();
    const res = await gw.graphql('query($id: ID!) { certificateDetail(certificateId: $id) { certificateId } }', { id: certId });
    const err = res.errors?.[0];
    expect(err?.extensions?.code).toBe('BAD_REQUEST');
    expect(err?.extensions?.upstream?.code).toBe('InvalidParameterValue');
    expect(err?.extensions?.upstream?.message).toMatch(/^The request was refused\. Received key: \[REDACTED PRIVATE KEY\]/);
    expect(leaks(JSON.stringify(res.errors))).toEqual([]);
  });

  it('the gateway log lines of those requests carry none of it either', () => {
    expect(leaks(gw.logText())).toEqual([]);
  });
});

describe('graphql-js variable and literal echoes are masked', () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.close());

  it('a key object given to a String variable is masked in both quotes, the variable and type stay named', async () => {
    const before = gw.sim.calls.total();
    const res = await gw.graphql('query($k: String) { certificates(searchKey: $k) { totalCount } }', { k: { pem: PRIVATE_KEY, secret: SECRET_VALUE } });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toBe('Variable "$k" got invalid value (not shown); String cannot represent a non string value (not shown)');
    expect(leaks(JSON.stringify(res.errors))).toEqual([]);
    expect(gw.sim.calls.total()).toBe(before);
  });

  it('the same for an ID variable', async () => {
    const res = await gw.graphql('query($id: ID!) { certificateDetail(certificateId: $id) { certificateId } }', { id: { secret: SECRET_VALUE } });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toBe('Variable "$id" got invalid value (not shown); ID cannot represent value (not shown)');
  });

  it('an enum variable given a secret-like string is masked; a mistyped word is still shown', async () => {
    const q = 'query($e: ExpirationSort) { certificates(expirationSort: $e) { totalCount } }';
    const secret = await gw.graphql(q, { e: SECRET_VALUE });
    expect(secret.status).toBe(400);
    expect(secret.errors?.[0]?.message).toMatch(/^Variable "\$e" got invalid value \(not shown\); Value \(not shown\) does not exist in "ExpirationSort" enum\./);
    expect(leaks(JSON.stringify(secret.errors))).toEqual([]);
    const word = await gw.graphql(q, { e: 'sideways' });
    expect(word.errors?.[0]?.message).toMatch(/Value "sideways" does not exist in "ExpirationSort" enum\./);
  });

  it('a nested invalid value keeps its path, not its content', async () => {
    const res = await gw.graphql('query($t: [TagsInput!]) { certificates(tags: $t) { totalCount } }', { t: [{ tagKey: { secret: SECRET_VALUE } }] });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toBe('Variable "$t" got invalid value (not shown) at "t[0].tagKey"; String cannot represent a non string value (not shown)');
  });

  it('an object literal in the query is masked as well', async () => {
    const res = await gw.graphql(`{ certificates(searchKey: { secret: "${SECRET_VALUE}" }) { totalCount } }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toBe('String cannot represent a non string value (not shown)');
    expect(leaks(JSON.stringify(res.errors))).toEqual([]);
  });
});

describe('no "Did you mean" suggestions in production (introspection off)', () => {
  let prod: GatewayFixture;
  let dev: GatewayFixture;
  beforeAll(async () => {
    prod = await startGateway({ env: { GATEWAY_ENV: 'production' } });
    dev = await startGateway();
  });
  afterAll(async () => {
    await prod?.close();
    await dev?.close();
  });

  const MISTAKES: [name: string, query: string, variables?: Record<string, unknown>][] = [
    ['a misspelled field', '{ certificate(id: "abc") { certificateIdd } }'],
    ['a misspelled argument', '{ certificates(limt: 1) { totalCount } }'],
    ['a misspelled type in a fragment', '{ certificates { ...F } } fragment F on Certificatess { totalCount }'],
    ['a lower-case enum variable', 'query($e: ExpirationSort) { certificates(expirationSort: $e) { totalCount } }', { e: 'desc' }],
    ['a misspelled input field in a variable', 'query($t: [TagsInput!]) { certificates(tags: $t) { totalCount } }', { t: [{ tagKy: 'a' }] }],
  ];

  it.each(MISTAKES)('%s: refused without suggestions in production', async (_name, query, variables) => {
    const res = await prod.graphql(query, variables);
    expect(res.status).toBe(400);
    expect(res.errors?.length).toBeGreaterThan(0);
    for (const e of res.errors ?? []) expect(e.message).not.toMatch(/Did you mean/);
  });

  it('production really has introspection off, and development still suggests (the setting decides)', async () => {
    const intro = await prod.graphql('{ __schema { queryType { name } } }');
    expect(intro.status).toBe(400);
    const res = await dev.graphql(MISTAKES[0][1]);
    expect(res.errors?.[0]?.message).toMatch(/Did you mean "certificateId"/);
  });
});
