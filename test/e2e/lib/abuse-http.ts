/**
 * Transport and assertions for the abuse suite (`test/e2e/abuse.test.ts`).
 *
 * Hostile inputs are described as data (`AbuseCase`) and sent in one of two ways:
 * - `http`: node:http with `agent: false` (no pooling, so one broken exchange cannot poison the
 *   next), headers exactly as given (arrays become repeated header lines), optional chunked body;
 * - `raw`: bytes written to a TCP socket, for what node:http refuses to produce (control
 *   characters in headers, contradictory Content-Length, unknown methods, CONNECT).
 *
 * Each answer is then held to the same contract: a 4xx status from the case's list, a JSON body
 * in the surface's error shape with a clear message, and no upstream call.
 */
import http from 'node:http';
import net from 'node:net';
import { expect } from 'vitest';
import type { KeyName } from '../../helpers/fixture';

/** What a case may read at send time (keys and ids exist only once the gateway runs). */
export interface AbuseContext {
  /** API keys by scope set, as in `test/helpers/fixture`. */
  keys: Record<KeyName, string>;
  /** A certificate id that exists in the simulator's seed data. */
  certId: string;
}

type Lazy<T> = T | ((ctx: AbuseContext) => T);

export interface HttpRequestSpec {
  kind?: 'http';
  method: string;
  /** Sent verbatim as the request target (percent-encoding, dot segments and all). */
  path: string;
  headers?: Lazy<Record<string, string | string[]>>;
  /** `x-api-key` added unless null (default `all`); ignored when `headers` sets one. */
  key?: KeyName | null;
  body?: Lazy<string | Buffer>;
  /** Send the body with Transfer-Encoding: chunked, in pieces of this many bytes. */
  chunked?: number;
}

export interface RawRequestSpec {
  kind: 'raw';
  /** The whole request as bytes; `ctx.keys.all` is at hand for the x-api-key line. */
  bytes: (ctx: AbuseContext) => string | Buffer;
}

export type Surface = 'graphql' | 'rest';

export interface AbuseCase {
  /** Readable test name. */
  name: string;
  /** Error body shape the answer must have. */
  shape: Surface;
  /** Acceptable statuses (all 4xx). */
  status: number | readonly number[];
  /** Error code: GraphQL `extensions.code` of some error, REST `error.code`. */
  code?: string | readonly string[];
  /** Pattern the (first matching) error message must match. */
  message?: RegExp;
  /** REST: a `details.fields[].path` the answer must name. */
  field?: string;
  request: HttpRequestSpec | RawRequestSpec;
}

export interface Answer {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Transport failure (reset, timeout), if any. */
  error?: string;
}

const TIMEOUT_MS = 15_000;

const resolveLazy = <T>(v: Lazy<T> | undefined, ctx: AbuseContext): T | undefined =>
  typeof v === 'function' ? (v as (c: AbuseContext) => T)(ctx) : v;

export function send(baseUrl: string, spec: HttpRequestSpec | RawRequestSpec, ctx: AbuseContext): Promise<Answer> {
  const url = new URL(baseUrl);
  return spec.kind === 'raw' ? sendRaw(Number(url.port), spec.bytes(ctx)) : sendHttp(url, spec, ctx);
}

function sendHttp(url: URL, spec: HttpRequestSpec, ctx: AbuseContext): Promise<Answer> {
  const headers: Record<string, string | string[]> = { ...(resolveLazy(spec.headers, ctx) ?? {}) };
  const hasKey = Object.keys(headers).some((h) => h.toLowerCase() === 'x-api-key');
  const key = spec.key === undefined ? 'all' : spec.key;
  if (key !== null && !hasKey) headers['x-api-key'] = ctx.keys[key];
  const body = resolveLazy(spec.body, ctx);
  const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  if (spec.chunked) headers['transfer-encoding'] = 'chunked';
  else if (buf !== undefined) headers['content-length'] = String(buf.length);
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Answer) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    const req = http.request({ host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), error: e.message }));
    });
    req.setTimeout(TIMEOUT_MS, () => {
      req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`));
    });
    req.on('error', (e) => done({ status: 0, headers: {}, text: '', error: `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`.trim() }));
    if (buf === undefined) {
      req.end();
    } else if (spec.chunked) {
      // Respect back-pressure: the server may stop reading (and answer) before the end.
      let offset = 0;
      const pump = (): void => {
        while (offset < buf.length) {
          const piece = buf.subarray(offset, offset + spec.chunked!);
          offset += piece.length;
          if (!req.write(piece)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    } else {
      req.end(buf);
    }
  });
}

/** Writes `bytes` to a fresh TCP connection and parses whatever HTTP/1.1 answer comes back. */
export function sendRaw(port: number, bytes: string | Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseHttpResponse(Buffer.concat(chunks));
      resolve(error && parsed.status === 0 ? { ...parsed, error } : parsed);
    };
    const timer = setTimeout(() => finish(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // Stop as soon as one complete answer is in (the server may keep the socket open).
      const parsed = parseHttpResponse(Buffer.concat(chunks));
      if (parsed.status !== 0 && parsed.complete) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (e) => finish(e.message));
    socket.write(bytes);
  });
}

/** A minimal HTTP/1.1 response parser (status line, headers, Content-Length or chunked body). */
export function parseHttpResponse(data: Buffer): Answer & { complete: boolean } {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return { status: 0, headers: {}, text: '', complete: false };
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let rest = data.subarray(headEnd + 4);
  let complete = true;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const out: Buffer[] = [];
    complete = false;
    for (;;) {
      const eol = rest.indexOf('\r\n');
      if (eol < 0) break;
      const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
      if (!Number.isFinite(size)) break;
      if (size === 0) {
        complete = true;
        break;
      }
      out.push(rest.subarray(eol + 2, eol + 2 + size));
      rest = rest.subarray(eol + 2 + size + 2);
    }
    rest = Buffer.concat(out);
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    complete = rest.length >= n;
    rest = rest.subarray(0, n);
  }
  return { status, headers, text: rest.toString('utf8'), complete };
}

// ---- the contract every refusal must meet --------------------------------------------------------

/** Messages that leak internals or say nothing a client can act on. */
const UNCLEAR_MESSAGE = /internal server error|maximum call stack|\b(?:range|type|reference|syntax)error\b|cannot read propert|undefined is not|is not a function|\bat \S+\.(?:js|ts|mjs|cjs):\d+/i;
/** An error answer is a short description, not a reflection of the (possibly huge) input. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

function describeAnswer(a: Answer): string {
  const body = a.text.length > 600 ? `${a.text.slice(0, 600)}… (${a.text.length} chars)` : a.text;
  return `HTTP ${a.status}${a.error ? ` [${a.error}]` : ''} content-type=${String(a.headers['content-type'])} body=${JSON.stringify(body)}`;
}

function expectClearMessage(message: unknown, context: string): void {
  expect(typeof message, `${context}: message must be a string`).toBe('string');
  const m = message as string;
  expect(m.trim().length, `${context}: message must not be empty`).toBeGreaterThan(0);
  expect(m, `${context}: message must be clear (no internals, no generic masking)`).not.toMatch(UNCLEAR_MESSAGE);
}

const asList = <T>(v: T | readonly T[]): readonly T[] => (Array.isArray(v) ? v : [v as T]);

/** Asserts that `answer` is the refusal `c` describes (status, JSON error shape, code, message). */
export function expectRefusal(answer: Answer, c: AbuseCase): void {
  const info = `${c.name}: ${describeAnswer(answer)}`;
  expect(answer.status, `${info}\n→ expected an HTTP answer, got none`).not.toBe(0);
  expect(answer.status, `${info}\n→ must never be a 5xx`).toBeLessThan(500);
  expect(asList(c.status), `${info}\n→ unexpected status`).toContain(answer.status);
  expect(String(answer.headers['content-type'] ?? ''), `${info}\n→ error bodies are JSON`).toMatch(/^application\/json\b/i);
  expect(Buffer.byteLength(answer.text), `${info}\n→ error body too large`).toBeLessThan(MAX_ERROR_BODY_BYTES);
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`${info}\n→ body is not JSON`);
  }
  const codes = c.code === undefined ? undefined : asList(c.code);
  if (c.shape === 'graphql') {
    expect(Array.isArray(body?.errors) && body.errors.length > 0, `${info}\n→ GraphQL shape {errors:[{message, extensions.code}]}`).toBe(true);
    for (const e of body.errors) {
      expectClearMessage(e?.message, info);
      expect(typeof e?.extensions?.code, `${info}\n→ every error carries extensions.code`).toBe('string');
      expect(e.extensions.code, `${info}\n→ a refusal is not an internal error`).not.toBe('INTERNAL_SERVER_ERROR');
    }
    if (codes) expect(body.errors.map((e: any) => e.extensions.code), `${info}\n→ expected code ${codes.join(' | ')}`).toSatisfy((list: string[]) => list.some((x) => codes.includes(x)));
    if (c.message) expect(body.errors.map((e: any) => e.message).join('\n'), info).toMatch(c.message);
    expect(body.data ?? null, `${info}\n→ a refused operation has no data`).toBeNull();
  } else {
    const err = body?.error;
    expect(err && typeof err === 'object', `${info}\n→ REST shape {error:{code,message,requestId}}`).toBe(true);
    expect(typeof err.code, `${info}\n→ error.code`).toBe('string');
    expectClearMessage(err.message, info);
    expect(typeof err.requestId === 'string' && err.requestId.length > 0, `${info}\n→ error.requestId`).toBe(true);
    const header = answer.headers['x-request-id'];
    if (header !== undefined) expect(err.requestId, `${info}\n→ requestId matches X-Request-Id`).toBe(header);
    if (codes) expect(codes, `${info}\n→ expected code ${codes.join(' | ')}`).toContain(err.code);
    if (c.message) expect(err.message, info).toMatch(c.message);
    if (c.field !== undefined) {
      const paths = ((err.details?.fields ?? []) as { path: string }[]).map((f) => f.path);
      expect(paths, `${info}\n→ details.fields must name ${c.field}`).toContain(c.field);
    }
  }
}
