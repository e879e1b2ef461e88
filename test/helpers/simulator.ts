/**
 * Test helpers for the SSL API simulator: start/stop, an official-SDK client routed to the loopback
 * port, and a raw signed HTTP client (its own TC3 signer, independent of src/upstream and of the
 * simulator's verifier) for requests the SDK cannot produce (stale timestamps, tampered bodies...).
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Client as SslClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/ssl/v20191205/ssl_client';
import { createSimulator, type SimCredential, type Simulator, type SimulatorOptions } from '../../src/simulator/index';

export type { Simulator, SimulatorOptions };
export { SslClient };

export const SSL_HOST = 'ssl.tencentcloudapi.com';

/** Starts a simulator on 127.0.0.1:0 with strict output shapes (undocumented members throw). */
export function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return createSimulator({ strictShapes: true, ...options });
}

/** An http.Agent that dials the simulator whatever host the URL names. */
export function loopbackAgent(port: number): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  agent.createConnection = (() => net.connect({ host: '127.0.0.1', port })) as typeof agent.createConnection;
  return agent;
}

/**
 * The official SDK's SslClient pointed at endpoint ssl.tencentcloudapi.com over http://, with the
 * connection routed to the simulator (the SDK derives the signing service from the endpoint's first
 * label, so the endpoint must stay `ssl.tencentcloudapi.com`).
 */
export function sdkClient(sim: Simulator, credential: SimCredential = sim.credentials[0], region?: string): SslClient {
  return new SslClient({
    credential: { secretId: credential.secretId, secretKey: credential.secretKey, token: credential.token },
    region: region ?? '',
    profile: {
      httpProfile: { endpoint: SSL_HOST, protocol: 'http://', agent: loopbackAgent(sim.port), reqTimeout: 10 },
    },
  });
}

// ---- raw signed requests ------------------------------------------------------------------------

const hex = (d: string | Buffer): string => createHash('sha256').update(d).digest('hex');
const mac = (k: string | Buffer, d: string): Buffer => createHmac('sha256', k).update(d).digest();

export interface RawRequest {
  action?: string;
  /** JSON body (object) or raw text. Default `{}`. */
  body?: unknown;
  secretId?: string;
  secretKey?: string;
  token?: string;
  /** Unix seconds used in X-TC-Timestamp and the scope date (default: now). */
  timestamp?: number;
  /** Service in the credential scope (default ssl). */
  service?: string;
  /** Date in the credential scope (default: UTC date of timestamp). */
  scopeDate?: string;
  version?: string | null;
  region?: string;
  host?: string;
  contentType?: string;
  method?: string;
  path?: string;
  /** Extra headers sent (and signed when listed in signedHeaders). */
  headers?: Record<string, string>;
  /** Signed header names (default content-type;host;x-tc-action). */
  signedHeaders?: string[];
  /** Replace the Authorization header entirely (null: omit it). */
  authorization?: string | null;
  /** Modify the body bytes after signing. */
  tamper?: (body: Buffer) => Buffer;
  /** Modify the headers after signing. */
  afterSign?: (headers: Record<string, string>) => void;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export function signRequest(req: RawRequest, sim: Simulator): { headers: Record<string, string>; body: Buffer } {
  const cred = sim.credentials[0];
  const secretId = req.secretId ?? cred.secretId;
  const secretKey = req.secretKey ?? cred.secretKey;
  const token = req.token ?? (req.secretId === undefined ? cred.token : undefined);
  const timestamp = req.timestamp ?? Math.floor(Date.now() / 1000);
  const service = req.service ?? 'ssl';
  const date = req.scopeDate ?? new Date(timestamp * 1000).toISOString().slice(0, 10);
  const body = Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? {}), 'utf8');
  const host = req.host ?? SSL_HOST;
  const headers: Record<string, string> = {
    'Content-Type': req.contentType ?? 'application/json; charset=utf-8',
    Host: host,
    'X-TC-Timestamp': String(timestamp),
  };
  if (req.action !== undefined) headers['X-TC-Action'] = req.action;
  if (req.version !== null) headers['X-TC-Version'] = req.version ?? '2019-12-05';
  if (req.region) headers['X-TC-Region'] = req.region;
  if (token) headers['X-TC-Token'] = token;
  Object.assign(headers, req.headers ?? {});
  const signed = req.signedHeaders ?? (req.action !== undefined ? ['content-type', 'host', 'x-tc-action'] : ['content-type', 'host']);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = signed.map((h) => `${h}:${(lower[h] ?? '').trim().toLowerCase()}\n`).join('');
  const method = req.method ?? 'POST';
  const canonical = [method, req.path ?? '/', '', canonicalHeaders, signed.join(';'), hex(body)].join('\n');
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/${service}/tc3_request`, hex(canonical)].join('\n');
  const kSigning = mac(mac(mac(`TC3${secretKey}`, date), service), 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  if (req.authorization !== null) {
    headers.Authorization =
      req.authorization ?? `TC3-HMAC-SHA256 Credential=${secretId}/${date}/${service}/tc3_request, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  }
  req.afterSign?.(headers);
  return { headers, body: req.tamper ? req.tamper(body) : body };
}

/** Sends a request over node:http to the simulator (Host header as given, default ssl.tencentcloudapi.com). */
export function rawRequest(sim: Simulator, req: RawRequest): Promise<RawResponse> {
  const { headers, body } = signRequest(req, sim);
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: '127.0.0.1', port: sim.port, method: req.method ?? 'POST', path: req.path ?? '/', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

/** Signed call; returns `Response` (success or error envelope content). */
export async function call(sim: Simulator, action: string, params: unknown = {}, extra: Partial<RawRequest> = {}): Promise<any> {
  const res = await rawRequest(sim, { action, body: params, ...extra });
  if (!res.json?.Response) throw new Error(`no envelope (HTTP ${res.status}): ${res.text.slice(0, 200)}`);
  return res.json.Response;
}

/** Signed call that must succeed; throws with the error code otherwise. */
export async function ok(sim: Simulator, action: string, params: unknown = {}): Promise<any> {
  const r = await call(sim, action, params);
  if (r.Error) throw new Error(`${action} failed: ${r.Error.Code}: ${r.Error.Message}`);
  return r;
}

/** Error code of a call (undefined on success). */
export async function errorCode(sim: Simulator, action: string, params: unknown = {}, extra: Partial<RawRequest> = {}): Promise<string | undefined> {
  const r = await call(sim, action, params, extra);
  return r.Error?.Code;
}

/** Admin endpoint helper. */
export async function admin(sim: Simulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim.url}/__simulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
