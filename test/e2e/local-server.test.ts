/**
 * `npm start`'s server over real HTTP: the Lambda handlers behind node:http, the embedded
 * simulator when there are no credentials, the playground, and clean shutdown of `src/dev/main.ts`
 * on SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../src/dev/server';
import { loadConfig } from '../../src/config';

const ROOT = resolve(import.meta.dirname, '..', '..');
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

describe('local server (simulator mode)', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'development' }), port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('starts the embedded simulator on a loopback port when no SecretId is set', async () => {
    expect(server.mode).toBe('simulator');
    expect(server.simulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await send(`${server.url}/healthz`, 'GET');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok', upstream: { mode: 'simulator' } });
  });

  it('POST /graphql answers from the seeded demo data', async () => {
    const res = await send(`${server.url}/graphql`, 'POST', { 'content-type': 'application/json' }, GRAPHQL);
    expect(res.status, res.text).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.data.certificates.certificates).toHaveLength(3);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
  });

  it('GET /graphql runs a query with a CSRF-safe header and refuses one without', async () => {
    const q = encodeURIComponent('{ certificates(limit: 1) { totalCount } }');
    const ok = await send(`${server.url}/graphql?query=${q}`, 'GET', { 'apollo-require-preflight': 'true' });
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.parse(ok.text).data.certificates.totalCount).toBeGreaterThan(0);
    const refused = await send(`${server.url}/graphql?query=${q}`, 'GET');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Cross-Site Request Forgery');
  });

  it('serves the REST facade under /v1', async () => {
    const res = await send(`${server.url}/v1/certificates?limit=2`, 'GET');
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
    const res = await send(`${server.url}/graphql`, 'POST', { 'content-type': 'application/json' }, big);
    expect(res.status).toBe(413);
  });

  it('serves the playground to a browser, and GraphQL to curl (Accept: */*)', async () => {
    const page = await send(`${server.url}/graphql`, 'GET', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.text).toContain('<script src="graphql/assets/graphiql.min.js">');
    const curl = await send(`${server.url}/graphql`, 'GET', { accept: '*/*' });
    expect(curl.headers['content-type']).not.toMatch(/^text\/html/);
  });

  it('serves the vendored assets with validators', async () => {
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
    const server = await startLocalServer({ config: loadConfig({ NODE_ENV: 'test' }), port: 0, settings: { playground: false } });
    try {
      const page = await send(`${server.url}/graphql`, 'GET', { accept: 'text/html' });
      expect(page.headers['content-type']).not.toMatch(/^text\/html/);
      const asset = await send(`${server.url}/graphql/assets/graphiql.min.js`, 'GET');
      expect(asset.status).toBe(404);
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
    const health = await send(`${url}/healthz`, 'GET');
    expect(JSON.parse(health.text).upstream.mode).toBe('simulator');

    child.kill(signal);
    expect(await exited, stderr).toBe(0);
    await expect(send(`${url}/healthz`, 'GET')).rejects.toThrow(/ECONNREFUSED/);
  }, 40_000);
});
