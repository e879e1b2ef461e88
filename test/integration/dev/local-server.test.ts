/**
 * `npm start`'s server over real HTTP: the Lambda handlers behind node:http, the embedded
 * simulator when there are no credentials, the playground, and clean shutdown of `src/dev/main.ts`
 * on SIGINT/SIGTERM.
 *
 * Client authentication is on, as always: in development with nothing configured the server makes
 * a random demo API key (`server.demoApiKey`, printed by `npm start`), which the requests here send
 * in `x-api-key` like any client; elsewhere the key comes from the `auth` option.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../../src/dev/server';
import { loadConfig } from '../../../src/config';
import { API_KEY_PREFIX, createDemoApiKey } from '../../../src/auth';
import { send as sendSpec, sendRaw, type AbuseContext } from '../../e2e/lib/abuse-http';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const GRAPHQL = JSON.stringify({ query: '{ certificates(limit: 3) { totalCount certificates { certificateId domain } } }' });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A raw HTTP request (node:http, so Origin and friends are sent exactly as given). */
function send(url: string, method: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The playground page's attribute escaping. */
const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

describe('local server (simulator mode)', () => {
  let server: LocalServer;
  /** The client's credential header: the server's demo key. */
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'development' }), port: 0 });
    if (server.demoApiKey === undefined) throw new Error('startLocalServer made no demo API key in development with no keys configured');
    auth = { 'x-api-key': server.demoApiKey };
  });
  afterAll(async () => {
    await server?.close();
  });

  it('makes a random demo API key with every scope when nothing is configured', async () => {
    expect(server.demoApiKey).toMatch(new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
    // As an Authorization bearer token too.
    const res = await send(`${server.url}/v1/certificates?limit=1`, 'GET', { authorization: `Bearer ${server.demoApiKey}` });
    expect(res.status, res.text).toBe(200);
    // Another start, another key.
    const other = await startLocalServer({ config: loadConfig({ NODE_ENV: 'development' }), port: 0 });
    try {
      expect(other.demoApiKey).toMatch(new RegExp(`^${API_KEY_PREFIX}`));
      expect(other.demoApiKey).not.toBe(server.demoApiKey);
      const foreign = await send(`${server.url}/v1/certificates?limit=1`, 'GET', { 'x-api-key': other.demoApiKey! });
      expect(foreign.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('refuses GraphQL and REST calls without a key: 401 with WWW-Authenticate', async () => {
    const gql = await send(`${server.url}/graphql`, 'POST', { 'content-type': 'application/json' }, GRAPHQL);
    expect(gql.status, gql.text).toBe(401);
    expect(gql.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');
    expect(gql.headers['content-type']).toMatch(/^application\/json/);
    const gqlBody = JSON.parse(gql.text);
    expect(gqlBody.data).toBeUndefined();
    expect(gqlBody.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const q = encodeURIComponent('{ certificates(limit: 1) { totalCount } }');
    const get = await send(`${server.url}/graphql?query=${q}`, 'GET', { 'apollo-require-preflight': 'true' });
    expect(get.status, get.text).toBe(401);
    expect(get.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');

    const rest = await send(`${server.url}/v1/certificates?limit=2`, 'GET');
    expect(rest.status, rest.text).toBe(401);
    expect(rest.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');
    expect(JSON.parse(rest.text).error.code).toBe('UNAUTHENTICATED');

    const wrong = await send(`${server.url}/v1/certificates?limit=2`, 'GET', { 'x-api-key': `${API_KEY_PREFIX}not-the-key` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(wrong.text).not.toContain('not-the-key');
  });

  it('starts the embedded simulator on a loopback port when no SecretId is set', async () => {
    expect(server.mode).toBe('simulator');
    expect(server.simulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // No key needed for the health check.
    const res = await send(`${server.url}/healthz`, 'GET');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok', upstream: { mode: 'simulator' } });
  });

  it('POST /graphql answers from the seeded demo data', async () => {
    const res = await send(`${server.url}/graphql`, 'POST', { 'content-type': 'application/json', ...auth }, GRAPHQL);
    expect(res.status, res.text).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.data.certificates.certificates).toHaveLength(3);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
  });

  it('GET /graphql runs a query with a CSRF-safe header and refuses one without', async () => {
    const q = encodeURIComponent('{ certificates(limit: 1) { totalCount } }');
    const ok = await send(`${server.url}/graphql?query=${q}`, 'GET', { 'apollo-require-preflight': 'true', ...auth });
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.parse(ok.text).data.certificates.totalCount).toBeGreaterThan(0);
    const refused = await send(`${server.url}/graphql?query=${q}`, 'GET', auth);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Cross-Site Request Forgery');
  });

  it('serves the REST facade under /v1', async () => {
    const res = await send(`${server.url}/v1/certificates?limit=2`, 'GET', auth);
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text).Certificates).toHaveLength(2);
  });

  it('answers unknown paths with 404 and a JSON error', async () => {
    const res = await send(`${server.url}/nothing-here`, 'GET');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error.code).toBe('NOT_FOUND');
  });

  it('refuses bodies above the Lambda payload limit with 413', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024 + 1, 0x20);
    const res = await send(`${server.url}/graphql`, 'POST', { 'content-type': 'application/json', ...auth }, big);
    expect(res.status).toBe(413);
  });

  it('refuses bodies above the Lambda payload limit sent chunked with 413 in the surface shape, then closes', async () => {
    const ctx: AbuseContext = { keys: {} as AbuseContext['keys'], certId: '' };
    const big = Buffer.alloc(7 * 1024 * 1024, 0x20);
    for (const path of ['/graphql', '/v1/actions/DescribeCertificates']) {
      const res = await sendSpec(server.url, { method: 'POST', path, key: null, headers: { 'content-type': 'application/json', ...auth }, body: big, chunked: 256 * 1024 }, ctx);
      expect(res.status, `${path}: ${res.error ?? res.text}`).toBe(413);
      expect(res.headers.connection).toBe('close');
      const body = JSON.parse(res.text);
      if (path === '/graphql') expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      else expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    }
    expect((await send(`${server.url}/healthz`, 'GET')).status).toBe(200);
  });

  it('answers what the HTTP parser refuses with a JSON error, and CONNECT with 405', async () => {
    const host = `Host: 127.0.0.1:${server.port}\r\n`;
    const overflow = await sendRaw(server.port, `POST /graphql HTTP/1.1\r\n${host}x-pad: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(overflow.status).toBe(431);
    expect(overflow.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(overflow.text).errors[0].extensions.code).toBe('REQUEST_HEADER_FIELDS_TOO_LARGE');
    const malformed = await sendRaw(server.port, `GET /v1/certificates HTTP/1.1\r\n${host}Content-Length: abc\r\n\r\n`);
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text).error).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) });
    const connect = await sendRaw(server.port, `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`);
    expect(connect.status).toBe(405);
    expect(JSON.parse(connect.text).error.code).toBe('METHOD_NOT_ALLOWED');
    expect((await send(`${server.url}/healthz`, 'GET')).status).toBe(200);
  });

  it('answers only requests addressed to a loopback name on its port (DNS rebinding)', async () => {
    const raw = (hostLine: string, path = '/healthz') => sendRaw(server.port, `GET ${path} HTTP/1.1\r\n${hostLine}Accept: text/html\r\nConnection: close\r\n\r\n`);
    for (const name of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST']) {
      expect((await raw(`Host: ${name}:${server.port}\r\n`)).status, name).toBe(200);
    }
    // A page on another site whose name now resolves to 127.0.0.1 still sends its own name.
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, `localhost.evil.example:${server.port}`]) {
      const page = await raw(`Host: ${host}\r\n`, '/graphql');
      expect(page.status, host).toBe(421);
      expect(JSON.parse(page.text).errors[0].extensions.code).toBe('MISDIRECTED_REQUEST');
      expect(page.text).not.toContain(server.demoApiKey);
      const rest = await raw(`Host: ${host}\r\n`, '/v1/certificates');
      expect(rest.status, host).toBe(421);
      expect(JSON.parse(rest.text).error.code).toBe('MISDIRECTED_REQUEST');
    }
    const missing = await raw('');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).error).toMatchObject({ code: 'BAD_REQUEST', message: 'The Host header is required' });
  });

  it('serves the playground page and its assets without CORS headers, even to the allowed dev origins', async () => {
    for (const path of ['/graphql', '/graphql/assets/graphiql.min.js']) {
      const res = await send(`${server.url}${path}`, 'GET', { accept: 'text/html', origin: 'http://localhost:5173' });
      expect(res.status, path).toBe(200);
      expect(res.headers['access-control-allow-origin'], path).toBeUndefined();
      expect(res.headers['cross-origin-resource-policy'], path).toBe('same-origin');
    }
  });

  it('serves the playground to a browser, and GraphQL to curl (Accept: */*)', async () => {
    // The page needs no key: it is how a person gets to the key (pre-filled in the headers editor).
    const page = await send(`${server.url}/graphql`, 'GET', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.text).toContain('<script src="graphql/assets/graphiql.min.js">');
    expect(page.text).toContain(`data-default-headers="${escapeAttr(JSON.stringify({ 'x-api-key': server.demoApiKey }, null, 2))}"`);
    const curl = await send(`${server.url}/graphql`, 'GET', { accept: '*/*', ...auth });
    expect(curl.headers['content-type']).not.toMatch(/^text\/html/);
    // curl without a key: refused, not the page.
    const anonymousCurl = await send(`${server.url}/graphql`, 'GET', { accept: '*/*' });
    expect(anonymousCurl.status).toBe(401);
    expect(anonymousCurl.headers['content-type']).not.toMatch(/^text\/html/);
  });

  it('serves the vendored assets with validators', async () => {
    // No key needed for the playground's files.
    const first = await send(`${server.url}/graphql/assets/react.production.min.js`, 'GET');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const etag = String(first.headers.etag);
    const again = await send(`${server.url}/graphql/assets/react.production.min.js`, 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    const missing = await send(`${server.url}/graphql/assets/nope.js`, 'GET');
    expect(missing.status).toBe(404);
  });

  it('allows the local frontend dev server origin (development default)', async () => {
    const res = await send(`${server.url}/graphql`, 'OPTIONS', { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });
});

describe('local server options', () => {
  it('turns the playground off (GRAPHQL_PLAYGROUND=false)', async () => {
    const client = createDemoApiKey({ id: 'options-test' });
    const server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'test' }), port: 0, settings: { playground: false }, auth: { mode: 'required', apiKeys: [client.entry] } });
    try {
      // Not in development: no demo key; the configured one is used.
      expect(server.demoApiKey).toBeUndefined();
      const page = await send(`${server.url}/graphql`, 'GET', { accept: 'text/html', 'x-api-key': client.key });
      expect(page.headers['content-type']).not.toMatch(/^text\/html/);
      expect(page.status).not.toBe(401);
      const anonymous = await send(`${server.url}/graphql`, 'GET', { accept: 'text/html' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');
      const asset = await send(`${server.url}/graphql/assets/graphiql.min.js`, 'GET');
      expect(asset.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('answers 408 to a request whose body does not arrive in time (Content-Length larger than sent)', async () => {
    const client = createDemoApiKey({ id: 'timeout-test' });
    const server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), port: 0, auth: { mode: 'required', apiKeys: [client.entry] }, requestTimeoutMs: 1_000 });
    try {
      const started = Date.now();
      const res = await sendRaw(
        server.port,
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nx-api-key: ${client.key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`,
      );
      expect(res.status, res.error).toBe(408);
      expect(JSON.parse(res.text).errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });

  it('close() stops the server and the embedded simulator', async () => {
    const server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'test' }), port: 0 });
    const simUrl = server.simulator!.url;
    await send(`${server.url}/healthz`, 'GET');
    await server.close();
    await expect(send(`${server.url}/healthz`, 'GET')).rejects.toThrow(/ECONNREFUSED/);
    await expect(send(`${simUrl}/__simulator/health`, 'GET')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('npm start (src/dev/main.ts)', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('prints its URLs, serves, and exits 0 on %s', async (signal) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', NODE_ENV: 'development' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

    await expect.poll(() => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], { timeout: 20_000, interval: 100 }).toBeDefined();
    const url = /listening on (http:\/\/\S+)/.exec(stdout)![1];
    expect(stdout).toContain('embedded SSL API simulator');
    expect(stdout).toContain(`curl -s ${url}/graphql`);
    // The demo key: printed once at start, with a curl line that sends it.
    await expect.poll(() => /demo API key \(all scopes, this run only\): (\S+)/.exec(stdout)?.[1], { timeout: 5_000, interval: 50 }).toBeDefined();
    const key = /demo API key \(all scopes, this run only\): (\S+)/.exec(stdout)![1];
    expect(key).toMatch(new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(stdout).toContain(`curl -s ${url}/graphql -H 'content-type: application/json' -H 'x-api-key: ${key}'`);
    expect(stdout).toContain('the playground has it pre-filled');
    const banner = stdout;
    const health = await send(`${url}/healthz`, 'GET');
    expect(JSON.parse(health.text).upstream.mode).toBe('simulator');
    // The printed curl command works; without its key it is refused.
    const curlBody = /-d '(\{.*\})'/.exec(stdout)![1];
    const ok = await send(`${url}/graphql`, 'POST', { 'content-type': 'application/json', 'x-api-key': key }, curlBody);
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.parse(ok.text).data.certificates.certificates).toHaveLength(3);
    const refused = await send(`${url}/graphql`, 'POST', { 'content-type': 'application/json' }, curlBody);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');

    child.kill(signal);
    expect(await exited, stderr).toBe(0);
    await expect(send(`${url}/healthz`, 'GET')).rejects.toThrow(/ECONNREFUSED/);
    // Request logs name the key's id, never the key.
    expect(stdout.slice(banner.length)).toContain('"caller":"key:local-demo"');
    expect(stdout.slice(banner.length)).not.toContain(key);
    expect(stderr).not.toContain(key);
  }, 40_000);
});
