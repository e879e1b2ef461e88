/**
 * A tiny scriptable SSL-API stand-in for client tests: node:http on 127.0.0.1, port 0.
 * Every request is recorded and its signature verified with `verifySignature`; the test decides
 * each answer through a queue of handlers (the last one repeats).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature, type VerifyResult } from '../../helpers/tc3-verify';

export const SECRET_ID = 'unit-test-secret-id';
export const SECRET_KEY = 'unitTestSecretKey-Do-Not-Leak-1234567890';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: Record<string, unknown> | undefined;
  verify: VerifyResult;
  /** Seconds, from the X-TC-Timestamp header. */
  timestamp: number;
  /** The server clock (seconds) the signature was checked against. */
  serverNow: number;
  /** Client-side port of the TCP connection (same value = same kept-alive socket). */
  remotePort: number | undefined;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void;

export interface TestServer {
  port: number;
  endpoint: string;
  requests: RecordedRequest[];
  /** Queue handlers; each request takes the next one, the last one is reused. */
  respond(...handlers: Handler[]): void;
  /** Server clock for signature checks, UNIX seconds. @default real time */
  serverNow: () => number;
  setServerNow(fn: () => number): void;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

let counter = 0;
export function requestId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

/** `{"Response": {...payload, RequestId}}` */
export const ok =
  (payload: Record<string, unknown> = {}, headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    sendJson(res, { Response: { ...payload, RequestId: requestId() } }, 200, headers);

/** An upstream error envelope (HTTP 200 unless said otherwise). */
export const fail =
  (code: string, message = `${code} happened`, status = 200, headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    sendJson(res, { Response: { Error: { Code: code, Message: message }, RequestId: requestId() } }, status, headers);

/** Reads the whole request, then kills the connection without answering. */
export const resetAfterSend: Handler = (_req, res) => {
  res.socket?.destroy();
};

/** Never answers (the client must time out). */
export const hang: Handler = () => {
  /* keep the socket open */
};

/**
 * Like the real service: a failed signature check becomes the matching error envelope, with a
 * `Date` header from the server clock; otherwise `next` answers.
 */
export const verified =
  (next: Handler): Handler =>
  (req, res, raw) => {
    res.setHeader('Date', new Date(req.serverNow * 1000).toUTCString());
    if (!req.verify.ok) {
      sendJson(res, { Response: { Error: { Code: req.verify.code, Message: req.verify.message }, RequestId: requestId() } });
      return;
    }
    next(req, res, raw);
  };

export async function startServer(options: { port?: number; secrets?: Record<string, string> } = {}): Promise<TestServer> {
  const secrets = options.secrets ?? { [SECRET_ID]: SECRET_KEY };
  const requests: RecordedRequest[] = [];
  let handlers: Handler[] = [ok()];
  let serverNow = (): number => Math.floor(Date.now() / 1000);

  const server: Server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      const now = serverNow();
      const verify = verifySignature({
        method: raw.method ?? 'POST',
        path: raw.url ?? '/',
        headers: raw.headers,
        body,
        service: 'ssl',
        lookupSecretKey: (id) => secrets[id],
        now,
        cache: null,
      });
      const rec: RecordedRequest = {
        method: raw.method ?? '',
        url: raw.url ?? '',
        headers: raw.headers,
        body,
        json,
        verify,
        timestamp: Number(raw.headers['x-tc-timestamp']),
        serverNow: now,
        remotePort: raw.socket.remotePort,
      };
      requests.push(rec);
      const handler = handlers.length > 1 ? handlers.shift()! : handlers[0];
      handler(rec, res, raw);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const ts: TestServer = {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    respond: (...hs) => {
      handlers = hs.length > 0 ? hs : [ok()];
    },
    get serverNow() {
      return serverNow;
    },
    setServerNow: (fn) => {
      serverNow = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return ts;
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Deterministic PRNG (mulberry32) for reproducible random tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
