/**
 * Secrets never reach a log line or an error message. A full scenario runs through the gateway
 * as deployed (`startGatewayFixture`: loadConfig + local server + simulator): GraphQL queries and
 * mutations, REST reads and writes, an upload of a real certificate with its private key, a
 * certificate download (base64 ZIP), detail reads that return the private key, API keys in
 * `x-api-key` and `Authorization: Bearer`, a real JWT and a JWT-looking forgery, and failures
 * (401, 403, 400 with a private key in the body, upstream errors, injected faults including a
 * connection reset after the upstream executed a mutation).
 *
 * Captured: every gateway log line (`gw.logs`) AND everything written to this process' stdout /
 * stderr / console during the scenario. Then every captured line is scanned for: the simulator's
 * SecretKey, every API key, every Authorization header value (client side and the TC3 ones the
 * gateway sent upstream, observed on undici's diagnostics channel), TC3 signatures, PEM private-key
 * blocks, slices of the private keys' bodies and of the downloaded archive. Error bodies returned
 * to clients are scanned for the same. Each request must have produced exactly one JSON log line
 * with requestId, caller (the key id, never the key), operation/route, status, latencyMs,
 * outcome, and one `upstream` entry (action + RequestId) per upstream attempt.
 */
import { generateKeyPairSync } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, type IssuedCertificate } from '../../src/simulator/index';
import { startGateway, type GatewayFixture, type KeyName } from '../helpers/fixture';

// ---- capture -----------------------------------------------------------------------------------

/** Everything written to stdout/stderr/console while installed (and still passed through). */
class OutputCapture {
  readonly chunks: string[] = [];
  private restore: (() => void)[] = [];

  install(): void {
    const add = (s: unknown): void => {
      this.chunks.push(typeof s === 'string' ? s : Buffer.isBuffer(s) ? s.toString('utf8') : String(s));
    };
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        add(chunk);
        return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof stream.write;
      this.restore.push(() => {
        stream.write = original;
      });
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method];
      console[method] = (...args: unknown[]) => {
        add(args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' '));
        original.apply(console, args);
      };
      this.restore.push(() => {
        console[method] = original;
      });
    }
  }

  uninstall(): void {
    for (const r of this.restore.splice(0).reverse()) r();
  }

  text(): string {
    return this.chunks.join('\n');
  }
}

function safeJson(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}\n${v.stack ?? ''}`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Authorization header values of every HTTP request made through undici (gateway → simulator). */
class AuthorizationTap {
  readonly values = new Set<string>();
  private readonly onHeaders = (message: unknown): void => {
    const headers = (message as { headers?: unknown }).headers;
    const text = typeof headers === 'string' ? headers : Array.isArray(headers) ? headers.map(String).join('\r\n') : '';
    for (const m of text.matchAll(/authorization:\s*([^\r\n]+)/gi)) this.values.add(m[1].trim());
  };
  private readonly onCreate = (message: unknown): void => {
    const headers = (message as { request?: { headers?: unknown } }).request?.headers;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'authorization') this.values.add(String(headers[i + 1]).trim());
    } else if (typeof headers === 'string') this.onHeaders({ headers });
  };

  install(): void {
    diagnostics.subscribe('undici:client:sendHeaders', this.onHeaders);
    diagnostics.subscribe('undici:request:create', this.onCreate);
  }

  uninstall(): void {
    diagnostics.unsubscribe('undici:client:sendHeaders', this.onHeaders);
    diagnostics.unsubscribe('undici:request:create', this.onCreate);
  }

  tc3(): string[] {
    return [...this.values].filter((v) => v.startsWith('TC3-HMAC-SHA256'));
  }
}

// ---- scenario bookkeeping ----------------------------------------------------------------------

interface Exchange {
  label: string;
  method: string;
  path: string;
  status: number;
  headers: Headers;
  text: string;
  json: any;
  /** Simulator calls made while this request ran (attempts reaching the simulator). */
  simCalls: { action: string; requestId: string; outcome: string }[];
  /** Log lines written while this request ran. */
  lines: Record<string, unknown>[];
  /** Whether the client-visible answer is an error (HTTP ≥ 400 or GraphQL `errors`). */
  isError: boolean;
}

const ISSUER = 'https://issuer.e2e.test/';
const AUDIENCE = 'ssl-gateway-e2e';
const jwtKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const forgedKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let gw: GatewayFixture;
const capture = new OutputCapture();
const tap = new AuthorizationTap();
const exchanges: Exchange[] = [];
/** Client-side credential material sent during the scenario (API keys, bearer tokens, header values). */
const clientSecrets = new Set<string>();

const now = Date.now();
const certA: IssuedCertificate = issueCertificate({ commonName: 'logscan-a.example.test', notBefore: now - 86_400_000, notAfter: now + 200 * 86_400_000 });
const certB: IssuedCertificate = issueCertificate({ commonName: 'logscan-b.example.test', notBefore: now - 86_400_000, notAfter: now + 200 * 86_400_000 });
const certC: IssuedCertificate = issueCertificate({ commonName: 'logscan-c.example.test', notBefore: now - 86_400_000, notAfter: now + 200 * 86_400_000 });
let jwt: string;
let forgedJwt: string;
let uploadedViaGraphQL = '';
let uploadedViaRest = '';
let downloadedContent = '';
const returnedPrivateKeys: string[] = [];

type Auth = { key: KeyName } | { bearerKey: KeyName } | { bearer: string } | { raw: Record<string, string> } | null;

async function send(label: string, method: string, path: string, auth: Auth, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Exchange> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (auth && 'key' in auth) {
    headers['x-api-key'] = gw.keys[auth.key];
    clientSecrets.add(gw.keys[auth.key]);
  } else if (auth && 'bearerKey' in auth) {
    headers.authorization = `Bearer ${gw.keys[auth.bearerKey]}`;
    clientSecrets.add(gw.keys[auth.bearerKey]);
    clientSecrets.add(headers.authorization);
  } else if (auth && 'bearer' in auth) {
    headers.authorization = `Bearer ${auth.bearer}`;
    clientSecrets.add(auth.bearer);
    clientSecrets.add(headers.authorization);
  } else if (auth && 'raw' in auth) {
    Object.assign(headers, auth.raw);
    for (const v of Object.values(auth.raw)) clientSecrets.add(v);
  }
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  const linesBefore = gw.logs.length;
  const callsBefore = gw.sim.calls.log().length;
  const res = await fetch(`${gw.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  // The log line is written before the answer leaves the gateway; one tick for the stream.
  await new Promise((r) => setImmediate(r));
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const ex: Exchange = {
    label,
    method,
    path,
    status: res.status,
    headers: res.headers,
    text,
    json,
    simCalls: gw.sim.calls.log().slice(callsBefore).map((c) => ({ action: c.action, requestId: c.requestId, outcome: c.outcome })),
    lines: gw.logs.slice(linesBefore),
    isError: res.status >= 400 || (Array.isArray(json?.errors) && json.errors.length > 0),
  };
  exchanges.push(ex);
  return ex;
}

function gql(label: string, auth: Auth, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Exchange> {
  return send(label, 'POST', '/graphql', auth, { query, variables, ...(operationName ? { operationName } : {}) });
}

/**
 * 40-character slices of a PEM's base64 body, taken past the first 48 characters (the DER header
 * that every key of the same algorithm shares), so that each slice is specific to this key.
 */
function bodySlices(pem: string): string[] {
  const body = pem
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('');
  const starts = [48, Math.floor(body.length / 2), body.length - 40];
  return [...new Set(starts.filter((i) => i >= 48 && i + 40 <= body.length).map((i) => body.slice(i, i + 40)))];
}

/**
 * Every needle found in `haystack` (reported by name and a short prefix only). Also searched with
 * line breaks (raw or JSON-escaped) removed, so a slice spanning two PEM lines is still found.
 */
function leaks(haystack: string, needles: Iterable<[string, string]>): string[] {
  const flat = haystack.replace(/\\r|\\n|\r|\n/g, '');
  const found: string[] = [];
  for (const [name, needle] of needles) {
    if (needle.length >= 8 && (haystack.includes(needle) || flat.includes(needle))) found.push(`${name} (${needle.slice(0, 12)}…)`);
  }
  return found;
}

const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const TC3_SIGNATURE = /Signature=[0-9a-f]{64}/;

// ---- the scenario ------------------------------------------------------------------------------

beforeAll(async () => {
  gw = await startGateway({
    env: {
      GATEWAY_JWT_ISSUER: ISSUER,
      GATEWAY_JWT_AUDIENCE: AUDIENCE,
      GATEWAY_JWT_PUBLIC_KEY: jwtKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      GATEWAY_JWT_ALGORITHMS: 'ES256',
      // The scenario counts upstream calls per request: the read cache would answer repeats.
      CACHE_TTL_SECONDS: '0',
    },
  });
  jwt = await new SignJWT({ scope: 'read write keys' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('jwt-user-1')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(jwtKeys.privateKey);
  forgedJwt = await new SignJWT({ scope: 'read write keys admin' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('mallory')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(forgedKeys.privateKey);

  capture.install();
  tap.install();
  try {
    await runScenario();
  } finally {
    tap.uninstall();
    capture.uninstall();
  }
}, 60_000);

afterAll(async () => {
  capture.uninstall();
  tap.uninstall();
  await gw?.close();
});

async function runScenario(): Promise<void> {
  const sim = gw.sim;

  // --- GraphQL queries (x-api-key, Bearer API key, JWT) ---
  await gql('graphql query (x-api-key)', { key: 'read' }, '{ certificates(limit: 2) { totalCount certificates { certificateId domain } } }');
  await gql('graphql named query (Bearer API key)', { bearerKey: 'read' }, 'query ListCerts { certificates(limit: 1) { totalCount } }', undefined, 'ListCerts');
  await gql('graphql query (JWT)', { bearer: jwt }, 'query JwtList { certificates(limit: 1) { totalCount } }', undefined, 'JwtList');

  // --- GraphQL mutation: upload a real certificate with its private key (Bearer, keys scope) ---
  const up = await gql(
    'graphql uploadCertificate',
    { bearerKey: 'all' },
    'mutation Upload($pub: String!, $key: String, $idem: String) { uploadCertificate(certificatePublicKey: $pub, certificatePrivateKey: $key, alias: "logscan-a", idempotencyKey: $idem) { certificateId requestId } }',
    { pub: certA.chainPem, key: certA.privateKeyPem, idem: 'logscan-upload-a' },
    'Upload',
  );
  uploadedViaGraphQL = up.json?.data?.uploadCertificate?.certificateId ?? '';

  // --- REST reads and writes ---
  await send('rest list (x-api-key)', 'GET', '/v1/certificates?limit=1', { key: 'read' });
  const restUp = await send('rest upload (Bearer)', 'POST', '/v1/certificates', { bearerKey: 'all' }, { CertificatePublicKey: certB.chainPem, CertificatePrivateKey: certB.privateKeyPem, Alias: 'logscan-b' });
  uploadedViaRest = restUp.json?.CertificateId ?? '';
  await send('rest alias (write action)', 'POST', '/v1/actions/ModifyCertificateAlias', { key: 'readWrite' }, { CertificateId: uploadedViaRest, Alias: 'renamed' });

  // --- private key material coming back: DescribeCertificateDetail (keys scope) and downloads ---
  const restDetail = await send('rest detail with private key', 'GET', `/v1/certificates/${uploadedViaRest}`, { key: 'keys' });
  if (typeof restDetail.json?.CertificatePrivateKey === 'string') returnedPrivateKeys.push(restDetail.json.CertificatePrivateKey);
  const gqlDetail = await gql(
    'graphql certificateDetail with private key',
    { key: 'keys' },
    'query Detail($id: ID!) { certificateDetail(certificateId: $id) { certificateId certificatePrivateKey certificatePublicKey } }',
    { id: uploadedViaGraphQL },
    'Detail',
  );
  if (typeof gqlDetail.json?.data?.certificateDetail?.certificatePrivateKey === 'string') returnedPrivateKeys.push(gqlDetail.json.data.certificateDetail.certificatePrivateKey);
  const download = await gql('graphql downloadCertificate', { key: 'keys' }, 'query Dl($id: ID!) { downloadCertificate(certificateId: $id) { content contentType } }', { id: uploadedViaGraphQL }, 'Dl');
  downloadedContent = download.json?.data?.downloadCertificate?.content ?? '';
  await send('rest DownloadCertificate action', 'POST', '/v1/actions/DownloadCertificate', { key: 'all' }, { CertificateId: uploadedViaRest });

  // --- 401s: no credentials, unknown key (both headers), forged JWT, malformed Authorization ---
  await gql('401 no credentials', null, '{ certificates(limit: 1) { totalCount } }');
  await send('401 unknown x-api-key (rest)', 'GET', '/v1/certificates?limit=1', { key: 'unknown' });
  await gql('401 unknown Bearer key (graphql)', { bearerKey: 'unknown' }, '{ certificates(limit: 1) { totalCount } }');
  await gql('401 forged JWT', { bearer: forgedJwt }, '{ certificates(limit: 1) { totalCount } }');
  await send('401 both headers', 'GET', '/v1/certificates?limit=1', { raw: { 'x-api-key': gw.keys.all, authorization: `Bearer ${gw.keys.all}` } });
  await send('401 basic auth', 'GET', '/v1/certificates?limit=1', { raw: { authorization: `Basic ${Buffer.from(`user:${gw.keys.all}`).toString('base64')}` } });

  // --- 403s: missing scopes, with a private key in the refused body ---
  await send('403 rest upload with read key', 'POST', '/v1/certificates', { key: 'read' }, { CertificatePublicKey: certC.chainPem, CertificatePrivateKey: certC.privateKeyPem });
  await gql(
    '403 graphql upload without keys scope',
    { key: 'readWrite' },
    'mutation Up403($pub: String!, $key: String) { uploadCertificate(certificatePublicKey: $pub, certificatePrivateKey: $key) { certificateId } }',
    { pub: certC.chainPem, key: certC.privateKeyPem },
    'Up403',
  );
  await gql('403 graphql private key field without keys scope', { key: 'read' }, 'query D403($id: ID!) { certificateDetail(certificateId: $id) { certificateId certificatePrivateKey } }', { id: uploadedViaGraphQL }, 'D403');

  // --- 400s with the private key in the body ---
  await send('400 rest upload: wrong types + unknown member', 'POST', '/v1/certificates', { key: 'all' }, { CertificatePublicKey: 12345, CertificatePrivateKey: certC.privateKeyPem, Bogus: certC.privateKeyPem });
  await send('400 rest action: key as an array', 'POST', '/v1/actions/UploadCertificate', { key: 'all' }, { CertificatePublicKey: certC.chainPem, CertificatePrivateKey: [certC.privateKeyPem] });
  await send('400 rest: malformed JSON around a key', 'POST', '/v1/certificates', { key: 'all' }, `{"CertificatePublicKey": "x", "CertificatePrivateKey": ${JSON.stringify(certC.privateKeyPem)}, }`);
  await gql(
    '400 graphql: key variable of the wrong type',
    { key: 'all' },
    'mutation Bad($pub: String!, $key: String) { uploadCertificate(certificatePublicKey: $pub, certificatePrivateKey: $key) { certificateId } }',
    { pub: certC.chainPem, key: { pem: certC.privateKeyPem } },
    'Bad',
  );
  await gql('400 graphql: key inline in a query that does not validate', { key: 'all' }, `mutation { uploadCertificate(certificatePublicKey: "x", certificatePrivateKey: ${JSON.stringify(certC.privateKeyPem)}, nope: 1) { certificateId } }`);
  await send('400 graphql: malformed JSON around a key', 'POST', '/graphql', { key: 'all' }, `{"query": "mutation { uploadCertificate(certificatePublicKey: \\"x\\", certificatePrivateKey: ${JSON.stringify(certC.privateKeyPem).slice(1, -1)}) { certificateId } }", }`);

  // --- upstream errors: not found, a PEM the upstream cannot parse (with a real key alongside) ---
  await send('404 rest detail of unknown certificate', 'GET', '/v1/certificates/nosuchcert1', { key: 'read' });
  await gql('graphql NOT_FOUND', { key: 'keys' }, 'query Nf { certificateDetail(certificateId: "nosuchcert2") { certificateId certificatePrivateKey } }', undefined, 'Nf');
  await send('upstream rejects a broken certificate', 'POST', '/v1/certificates', { key: 'all' }, { CertificatePublicKey: '-----BEGIN CERTIFICATE-----\nnot-a-cert\n-----END CERTIFICATE-----\n', CertificatePrivateKey: certC.privateKeyPem });

  // --- injected faults ---
  sim.faults.add({ kind: 'internalError', actions: ['DescribeCertificates'], count: 3 });
  await gql('fault: InternalError on a read (retried, then 502)', { key: 'read' }, 'query Ie { certificates(limit: 1) { totalCount } }', undefined, 'Ie');
  sim.faults.add({ kind: 'http', status: 503, actions: ['DescribeCertificates'], count: 1 });
  await send('fault: HTTP 503 once on a read (retried)', 'GET', '/v1/certificates?limit=1', { key: 'read' });
  sim.faults.add({ kind: 'malformed', body: 'truncated', actions: ['DescribeCertificateDetail'], count: 3 });
  await send('fault: malformed answers to a key-bearing read', 'GET', `/v1/certificates/${uploadedViaRest}`, { key: 'keys' });
  sim.faults.add({ kind: 'rateLimit', actions: ['DescribeCertificates'], count: 1 });
  await gql('fault: RequestLimitExceeded once (retried)', { key: 'read' }, '{ certificates(limit: 1) { totalCount } }');
  sim.faults.add({ kind: 'reset', phase: 'after', actions: ['UploadCertificate'], count: 1 });
  await send('fault: reset after the upload executed (rest)', 'POST', '/v1/certificates', { bearerKey: 'all' }, { CertificatePublicKey: certC.chainPem, CertificatePrivateKey: certC.privateKeyPem, Alias: 'lost-answer' });
  sim.faults.add({ kind: 'reset', phase: 'after', actions: ['UploadCertificate'], count: 1 });
  await gql(
    'fault: reset after the upload executed (graphql)',
    { key: 'all' },
    'mutation Lost($pub: String!, $key: String) { uploadCertificate(certificatePublicKey: $pub, certificatePrivateKey: $key, alias: "lost-gql") { certificateId } }',
    { pub: certC.chainPem, key: certC.privateKeyPem },
    'Lost',
  );
  sim.faults.add({ kind: 'reset', phase: 'before', actions: ['DownloadCertificate'], count: 3 });
  await send('fault: resets on a download', 'POST', '/v1/actions/DownloadCertificate', { key: 'all' }, { CertificateId: uploadedViaRest });
  sim.faults.setClockSkew(900);
  await gql('fault: clock skew (re-signed once)', { key: 'read' }, 'query Skew { certificates(limit: 1) { totalCount } }', undefined, 'Skew');
  sim.faults.clear();

  // --- REST delete and a GraphQL write with the JWT (the gateway still applies the learned clock
  // offset, so the write's first attempt is refused as expired and re-signed once: safe, it proves
  // non-execution) ---
  await gql('graphql mutation (JWT)', { bearer: jwt }, 'mutation Alias($id: ID!) { setCertificateAlias(certificateId: $id, alias: "jwt-renamed") { requestId } }', { id: uploadedViaGraphQL }, 'Alias');
  await send('rest delete', 'DELETE', `/v1/certificates/${uploadedViaRest}`, { key: 'readWrite' });
}

// ---- assertions --------------------------------------------------------------------------------

function secretNeedles(): [string, string][] {
  const needles: [string, string][] = [['simulator SecretKey', gw.sim.credentials[0].secretKey]];
  for (const [name, key] of Object.entries(gw.keys)) needles.push([`API key ${name}`, key]);
  for (const s of clientSecrets) needles.push(['client credential header value', s]);
  needles.push(['JWT', jwt], ['forged JWT', forgedJwt], ['JWT signature', jwt.split('.')[2]]);
  for (const v of tap.tc3()) {
    needles.push(['upstream Authorization header', v]);
    const sig = /Signature=([0-9a-f]{64})/.exec(v)?.[1];
    if (sig) needles.push(['TC3 signature', sig]);
  }
  for (const [name, pem] of [
    ['private key A', certA.privateKeyPem],
    ['private key B', certB.privateKeyPem],
    ['private key C', certC.privateKeyPem],
    ...returnedPrivateKeys.map((k, i) => [`returned private key ${i + 1}`, k] as const),
  ] as const) {
    for (const slice of bodySlices(pem)) needles.push([`${name} body`, slice]);
  }
  if (downloadedContent.length >= 200) {
    for (const at of [0.25, 0.5, 0.75]) {
      const i = Math.floor(downloadedContent.length * at);
      needles.push(['downloaded ZIP content', downloadedContent.slice(i, i + 40)]);
    }
  }
  return needles;
}

describe('log scan: no secrets in logs or error messages', () => {
  it('the scenario exercised what it claims (so the scan below is not vacuous)', () => {
    const by = (label: string): Exchange => {
      const ex = exchanges.find((e) => e.label === label);
      if (!ex) throw new Error(`no exchange ${label}`);
      return ex;
    };
    expect(exchanges.length).toBeGreaterThanOrEqual(35);
    expect(by('graphql query (x-api-key)').status).toBe(200);
    expect(by('graphql named query (Bearer API key)').json?.data?.certificates?.totalCount).toBeGreaterThan(0);
    expect(by('graphql query (JWT)').json?.errors).toBeUndefined();
    expect(uploadedViaGraphQL).not.toBe('');
    expect(uploadedViaRest).not.toBe('');
    expect(by('rest upload (Bearer)').status).toBe(201);
    // Private keys and the archive really flowed through the gateway to the client.
    expect(returnedPrivateKeys).toHaveLength(2);
    expect(returnedPrivateKeys[0]).toContain('PRIVATE KEY');
    expect(downloadedContent.length).toBeGreaterThan(200);
    expect(Buffer.from(downloadedContent, 'base64').subarray(0, 2).toString('latin1')).toBe('PK');
    expect(by('rest DownloadCertificate action').json?.Content?.length).toBeGreaterThan(200);
    for (const l of ['401 no credentials', '401 unknown x-api-key (rest)', '401 unknown Bearer key (graphql)', '401 forged JWT', '401 both headers', '401 basic auth']) {
      expect(by(l).status, l).toBe(401);
    }
    expect(by('403 rest upload with read key').status).toBe(403);
    expect(by('403 graphql upload without keys scope').json?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(by('403 graphql private key field without keys scope').json?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const l of ['400 rest upload: wrong types + unknown member', '400 rest action: key as an array', '400 rest: malformed JSON around a key', '400 graphql: key variable of the wrong type', '400 graphql: key inline in a query that does not validate', '400 graphql: malformed JSON around a key']) {
      expect(by(l).status, l).toBe(400);
    }
    expect(by('404 rest detail of unknown certificate').status).toBe(404);
    expect(by('upstream rejects a broken certificate').status).toBe(400);
    expect(by('fault: InternalError on a read (retried, then 502)').json?.errors?.[0]?.extensions?.code).toBe('UPSTREAM_INTERNAL');
    expect(by('fault: HTTP 503 once on a read (retried)').status).toBe(200);
    expect(by('fault: malformed answers to a key-bearing read').status).toBe(502);
    expect(by('fault: reset after the upload executed (rest)').status).toBe(502);
    const lost = by('fault: reset after the upload executed (rest)').json?.error;
    expect(lost?.details?.outcomeUnknown ?? lost?.upstream?.outcomeUnknown).toBe(true);
    expect(by('fault: reset after the upload executed (graphql)').json?.errors?.[0]?.extensions?.upstream?.outcomeUnknown).toBe(true);
    expect(by('fault: resets on a download').status).toBe(502);
    // The simulator records only calls that passed signature checks: the expired attempt is in the
    // gateway's log line only.
    expect(by('fault: clock skew (re-signed once)').simCalls.map((c) => c.outcome)).toEqual(['ok']);
    expect((by('fault: clock skew (re-signed once)').lines[0]?.upstream as { upstreamCode?: string }[]).map((u) => u.upstreamCode)).toEqual(['AuthFailure.SignatureExpire', undefined]);
    expect(by('rest delete').status).toBe(200);
    // Upstream signatures were observed, so the TC3 checks below compare against real values.
    expect(tap.tc3().length).toBeGreaterThanOrEqual(exchanges.reduce((n, e) => n + e.simCalls.length, 0) / 2);
  });

  it('no captured log line or process output contains a secret', () => {
    const logText = gw.logText();
    const processText = capture.text();
    const needles = secretNeedles();
    expect(needles.length).toBeGreaterThan(30);
    expect(leaks(logText, needles), 'gateway log lines').toEqual([]);
    expect(leaks(processText, needles), 'stdout/stderr/console').toEqual([]);
    for (const [name, text] of [
      ['gateway log lines', logText],
      ['stdout/stderr/console', processText],
    ] as const) {
      expect(PEM_PRIVATE.test(text), `${name}: PEM private key block`).toBe(false);
      expect(TC3_SIGNATURE.test(text), `${name}: TC3 signature`).toBe(false);
      expect(/TC3-HMAC-SHA256\s+Credential=(?!\[REDACTED)/.test(text), `${name}: TC3 credential`).toBe(false);
      expect(/Bearer\s+(?!\[REDACTED)[A-Za-z0-9._~+/=-]{8,}/.test(text), `${name}: bearer token`).toBe(false);
      expect(/sslgw_[A-Za-z0-9_-]{20,}/.test(text), `${name}: API key`).toBe(false);
      expect(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(text), `${name}: JWT`).toBe(false);
    }
  });

  it('each request produced exactly one JSON log line with the required fields', () => {
    const keyIds = new Map(Object.entries(gw.keys).map(([name, key]) => [key, `test-${name}`]));
    const problems: string[] = [];
    for (const ex of exchanges) {
      const requestLines = ex.lines.filter((l) => l.msg === 'request');
      if (requestLines.length !== 1) {
        problems.push(`${ex.label}: ${requestLines.length} request log lines`);
        continue;
      }
      const line = requestLines[0];
      const where = `${ex.label} → ${JSON.stringify(line)}`;
      expect.soft(typeof line.requestId === 'string' && line.requestId !== '', `${where}: requestId`).toBe(true);
      const rid = ex.headers.get('x-request-id');
      if (rid) expect.soft(line.requestId, `${where}: requestId = x-request-id`).toBe(rid);
      expect.soft(typeof line.caller, `${where}: caller`).toBe('string');
      expect.soft(keyIds.has(String(line.caller)), `${where}: caller is a key, not a key id`).toBe(false);
      const operation = String(line.operation ?? '');
      expect.soft(operation, `${where}: operation`).not.toBe('');
      if (ex.path.startsWith('/v1/')) expect.soft(operation, `${where}: route`).toBe(`${ex.method} ${ex.path.split('?')[0]}`);
      expect.soft(line.status, `${where}: status`).toBe(ex.status);
      expect.soft(typeof line.latencyMs === 'number' && (line.latencyMs as number) >= 0, `${where}: latencyMs`).toBe(true);
      // The outcome follows the HTTP status, except that a GraphQL answer with `errors` (HTTP 200)
      // is classified by its first error code (checked against the client's answer below).
      if (line.errorCode === undefined || ex.status >= 400) {
        expect.soft(line.outcome, `${where}: outcome`).toBe(ex.status >= 500 ? 'server_error' : ex.status >= 400 ? 'client_error' : 'ok');
      } else {
        expect.soft(['client_error', 'server_error'], `${where}: outcome of a GraphQL error answer`).toContain(line.outcome);
      }
      const upstream = line.upstream as { action?: string; requestId?: string; outcome?: string; upstreamCode?: string }[] | undefined;
      expect.soft(Array.isArray(upstream), `${where}: upstream`).toBe(true);
      if (!Array.isArray(upstream)) continue;
      // Every entry names its action; an entry carries the upstream RequestId whenever the upstream
      // answered with an envelope (a reset or an HTML/garbled answer has none).
      for (const u of upstream) {
        expect.soft(typeof u.action === 'string' && u.action !== '', `${where}: upstream action`).toBe(true);
        if (u.outcome === 'success' || (u.upstreamCode !== undefined && !u.upstreamCode.startsWith('Gateway.'))) {
          expect.soft(typeof u.requestId === 'string' && u.requestId !== '', `${where}: upstream ${u.action} requestId`).toBe(true);
        }
      }
      // One entry per attempt that reached the simulator (it does not record attempts refused at
      // the signature check, e.g. AuthFailure.SignatureExpire), with the simulator's RequestIds.
      const reached = upstream.filter((u) => !u.upstreamCode?.startsWith('AuthFailure.'));
      expect.soft(reached.map((u) => u.action), `${where}: upstream actions`).toEqual(ex.simCalls.map((c) => c.action));
      ex.simCalls.forEach((c, i) => {
        const answered = !/^fault:(reset|http|malformed)/.test(c.outcome);
        if (answered) expect.soft(reached[i]?.requestId, `${where}: upstream[${i}].requestId`).toBe(c.requestId);
      });
      if (ex.simCalls.length > 0) expect.soft(upstream.length, `${where}: upstream entries`).toBeGreaterThan(0);
    }
    expect(problems).toEqual([]);
    expect(gw.logs.filter((l) => l.msg === 'request')).toHaveLength(exchanges.length);
    // The caller is the namespaced identity: `key:<id>`, `jwt:<issuer>#<subject>`.
    const callerOf = (label: string) => exchanges.find((e) => e.label === label)?.lines.find((l) => l.msg === 'request')?.caller;
    expect(callerOf('graphql query (x-api-key)')).toBe('key:test-read');
    expect(callerOf('graphql named query (Bearer API key)')).toBe('key:test-read');
    expect(callerOf('graphql query (JWT)')).toBe(`jwt:${ISSUER}#jwt-user-1`);
    expect(callerOf('401 no credentials')).toBe('anonymous');
    expect(callerOf('401 forged JWT')).toBe('anonymous');
    // GraphQL operations are named when the client names them.
    expect(exchanges.find((e) => e.label === 'graphql uploadCertificate')?.lines[0]?.operation).toBe('Upload');
  });

  it('a GraphQL request answered with errors is not logged as a plain success', () => {
    // GraphQL answers most failures with HTTP 200 and `errors`; the line's outcome (or its
    // errorCode) must still tell that the operation failed, e.g. an upload whose outcome is unknown.
    const problems: string[] = [];
    for (const ex of exchanges.filter((e) => e.path === '/graphql' && e.status === 200 && Array.isArray(e.json?.errors))) {
      const line = ex.lines.find((l) => l.msg === 'request');
      const codes = (ex.json.errors as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code);
      if (line && line.outcome === 'ok' && line.errorCode === undefined) {
        problems.push(`${ex.label}: client got ${codes.join(', ')}; log line says outcome "ok" without errorCode`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('no error message returned to a client contains a secret', () => {
    const needles = secretNeedles();
    const problems: string[] = [];
    for (const ex of exchanges.filter((e) => e.isError)) {
      // REST: the whole error body; GraphQL: the `errors` array (data may legitimately hold keys).
      const text = ex.path === '/graphql' ? JSON.stringify(ex.json?.errors ?? ex.text) : ex.text;
      const found = leaks(text, needles);
      if (PEM_PRIVATE.test(text)) found.push('PEM private key block');
      if (TC3_SIGNATURE.test(text)) found.push('TC3 signature');
      if (found.length) problems.push(`${ex.label} (HTTP ${ex.status}): ${found.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });
});
