/**
 * The local server behind `npm start`: one node:http server on `PORT` that runs the SAME Lambda
 * handlers as the deployed functions (each request becomes an API Gateway v2 event).
 *
 *   /graphql, /graphql/assets/*   → handlers' GraphQL function (GraphQL, playground)
 *   /v1/..., /healthz             → handlers' REST function
 *
 * With no upstream credentials in the config it starts the embedded SSL API simulator (seeded
 * demo data) on a free loopback port and points the gateway at it.
 *
 * It stands in for API Gateway, so it also does API Gateway's part for hostile input: bodies above
 * the 6 MiB Lambda payload limit get 413 (in the surface's error shape), requests the HTTP parser
 * refuses get a JSON 400/431 instead of Node's empty answer, CONNECT gets 405, and a request that
 * is not received within `requestTimeoutMs` gets 408.
 *
 * Only for this machine: the demo API key (every scope) is pre-filled in the playground page, so
 * the page must stay unreadable to other sites. Browsers keep it so because the page and its
 * assets carry no CORS headers (handlers/lib/cors.ts: same-origin only), and this server answers
 * only requests whose Host is a loopback name (localhost, 127.0.0.1, [::1]) on its own port: a
 * page that rebinds its own host name to 127.0.0.1 (DNS rebinding) still sends its own name in
 * Host and is refused with 421.
 */
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLambdaHandler, type LambdaHttpHandler } from '../../handlers/lib/lambda';
import { createGateway, type Gateway, type GatewayGuard, type GatewayOptions, type GatewaySettings, type UpstreamMode } from '../app';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import { catalogueErrorResult, errorResult, jsonResult } from '../http/results';
import { surfaceOf } from '../http/routes';
import type { GatewayResult, Surface } from '../http/types';
import { createDemoApiKey, type AuthConfig } from '../auth';
import type { Config } from '../config';
import { fallbackLogger, type Logger } from '../observability/log';
import type { PlaygroundPageOptions } from '../playground';
import type { Simulator, SimulatorOptions } from '../simulator/index';
import { BodyAbortedError, BodyTooLargeError, localLambdaContext, MAX_EVENT_BODY_BYTES, readRequestBody, toApiGatewayV2Event, writeLambdaResult } from './lambda-bridge';

/**
 * The functions' timeout in serverless.yml (below API Gateway's 29 s), applied locally too: the
 * default of `FUNCTION_TIMEOUT_MS` (`config.functionTimeoutMs`), which sets each local request's budget.
 */
export const FUNCTION_TIMEOUT_MS = 28_000;

/**
 * Longest time to receive a whole request (headers and body); then 408. Node's default is 300 s,
 * so a client declaring a larger Content-Length than it sends would hold a request for 5 minutes.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Longest time to receive the request headers (slow-header attacks). */
export const HEADERS_TIMEOUT_MS = 10_000;

export interface LocalServerOptions {
  config: Config;
  /** @default config.port */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Options of the embedded simulator (started only when the config has no credentials). */
  simulator?: Omit<SimulatorOptions, 'port' | 'host'>;
  settings?: Partial<GatewaySettings>;
  /** Client authentication and other request checks (see `GatewayGuard`). */
  guard?: GatewayGuard;
  /** Playground page options, e.g. `defaultHeaders` carrying a demo API key. */
  playground?: PlaygroundPageOptions;
  /** Authentication settings replacing `config.auth`. */
  auth?: AuthConfig;
  /** Where request log lines go. @default stdout */
  logger?: Logger;
  /** Further options of `createGateway` (tests: virtual wait clock, deadlines, upstream overrides). */
  gateway?: Omit<GatewayOptions, 'settings' | 'guard' | 'playground' | 'auth' | 'logger'>;
  /** See `REQUEST_TIMEOUT_MS` (tests shorten it). @default REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number;
}

export interface LocalServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  mode: UpstreamMode;
  gateway: Gateway;
  /** The embedded simulator, when one was started. */
  simulator?: Simulator;
  /**
   * A random API key with every scope, made at start when running locally (env development)
   * with authentication required and no keys or JWT configured. Printed once; never stored.
   */
  demoApiKey?: string;
  close(): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { config } = options;
  const host = options.host ?? '127.0.0.1';

  // Local development with nothing configured: a demo key, so the gateway is usable at once
  // without ever being open to anyone who can reach the port.
  let auth = options.auth ?? config.auth;
  let demoApiKey: string | undefined;
  let playground = options.playground;
  if (config.env === 'development' && auth.mode === 'required' && auth.apiKeys.length === 0 && auth.jwt === undefined) {
    const demo = createDemoApiKey({ id: 'local-demo' });
    demoApiKey = demo.key;
    auth = { ...auth, apiKeys: [demo.entry] };
    playground = { ...playground, defaultHeaders: { ...(playground?.defaultHeaders ?? {}), 'x-api-key': demo.key } };
  }

  let simulator: Simulator | undefined;
  let gateway: Gateway;
  try {
    if (config.upstream.credentials === undefined) {
      // Loaded only when needed: a gateway with real credentials never touches the simulator.
      const { createSimulator, DEMO_CREDENTIAL } = await import('../simulator/index');
      simulator = await createSimulator({ demoData: true, ...options.simulator, port: 0, host: '127.0.0.1', credentials: [DEMO_CREDENTIAL] });
      gateway = await createGateway(config, {
        ...options.gateway,
        upstream: { endpoint: simulator.url, credentials: { secretId: DEMO_CREDENTIAL.secretId, secretKey: DEMO_CREDENTIAL.secretKey } },
        mode: 'simulator',
        settings: options.settings,
        guard: options.guard,
        playground,
        auth,
        logger: options.logger,
      });
    } else {
      gateway = await createGateway(config, { ...options.gateway, settings: options.settings, guard: options.guard, playground, auth, logger: options.logger });
    }
  } catch (err) {
    await simulator?.close();
    throw err;
  }

  const ready = Promise.resolve(gateway);
  const functions: Record<Surface, LambdaHttpHandler> = {
    graphql: createLambdaHandler('graphql', () => ready),
    rest: createLambdaHandler('rest', () => ready),
  };

  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const hosts = new Set<string>(); // filled once the port is known
  /** The exchange in progress on each socket (a parser error then must not write over its answer). */
  const exchanges = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      // Timeouts are checked on this interval (default 30 s, which would double them).
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
      // A missing Host is refused by `handle` with a JSON body (Node's own 400 has none).
      requireHostHeader: false,
    },
    (req, res) => {
      exchanges.set(req.socket, { req, res });
      res.once('finish', () => {
        if (exchanges.get(req.socket)?.res === res) exchanges.delete(req.socket);
      });
      void handle(req, res, functions, hosts, config.functionTimeoutMs).catch((err: unknown) => {
        (options.logger ?? fallbackLogger()).error({ err: err instanceof Error ? err.message : String(err) }, 'local server failed to answer');
        if (res.headersSent) return void res.destroy();
        res.writeHead(ERROR_HTTP_STATUS.INTERNAL_SERVER_ERROR, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } }));
      });
    },
  );
  // Lambda has no keep-alive between client and function; keep idle sockets short so close() is quick.
  server.keepAliveTimeout = 5_000;
  // What Node's HTTP parser refuses (malformed or oversized headers, bad Content-Length, unknown
  // methods, request timeouts) never reaches `handle`: answer it here, with a JSON body. Written
  // raw, as the Node documentation shows, unless part of an answer is already on the wire.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = exchanges.get(socket);
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.res.headersSent) {
      socket.destroy();
      return;
    }
    const [code, message] = clientErrorAnswer(err);
    const status = ERROR_HTTP_STATUS[code];
    // The request's path when its head was parsed (e.g. a body that timed out), else the raw bytes'.
    const surface = inFlight ? surfaceOf(pathOf(inFlight.req)) : surfaceOfRaw(err);
    endRaw(socket, status, surfaceError(surface, status, code, message, randomUUID()));
  });
  // CONNECT (a proxy tunnel) never reaches the request handler either; without a listener Node
  // just drops the connection.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    endRaw(socket, ERROR_HTTP_STATUS.METHOD_NOT_ALLOWED, catalogueErrorResult(ErrorCode.METHOD_NOT_ALLOWED, 'CONNECT is not supported: this is not a proxy', randomUUID(), { allow: 'GET, POST, PUT, DELETE, OPTIONS' }));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? config.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await gateway.close();
    await simulator?.close();
    throw err;
  }

  const port = (server.address() as AddressInfo).port;
  for (const name of loopbackHostNames(host)) {
    hosts.add(`${name}:${port}`);
    if (port === 80) hosts.add(name);
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    mode: gateway.mode,
    gateway,
    simulator,
    demoApiKey,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await gateway.close();
        await simulator?.close();
      })()),
  };
}

/** Names a browser may use for this server: loopback ones, and the listen address if specific. */
function loopbackHostNames(listenHost: string): string[] {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  const own = listenHost.includes(':') ? `[${listenHost.toLowerCase()}]` : listenHost.toLowerCase();
  // A wildcard listen address says nothing about the names clients use.
  if (own !== '0.0.0.0' && own !== '[::]' && !names.includes(own)) names.push(own);
  return names;
}

/** The surface of a request the parser refused, when its request line is among the refused bytes. */
function surfaceOfRaw(err: Error & { rawPacket?: unknown }): Surface | undefined {
  if (!Buffer.isBuffer(err.rawPacket)) return undefined;
  const target = /^[A-Za-z]+ (\/[^\s?#]*)/.exec(err.rawPacket.subarray(0, 2048).toString('latin1'))?.[1];
  return target === undefined ? undefined : surfaceOf(target);
}

/** Code and message for an error of Node's HTTP parser (or its request timeouts); the status is the code's. */
function clientErrorAnswer(err: NodeJS.ErrnoException & { reason?: unknown }): [ErrorCode, string] {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return [ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE, 'The request line and headers are too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [ErrorCode.REQUEST_TIMEOUT, 'The request was not received in time'];
    case 'HPE_INVALID_METHOD':
      return [ErrorCode.BAD_REQUEST, 'The request method is not a known HTTP method'];
    default: {
      // llhttp's reasons are fixed texts ("Invalid header value char"), never the input itself.
      const reason = typeof err.reason === 'string' && err.reason !== '' ? `: ${err.reason}` : '';
      return [ErrorCode.BAD_REQUEST, `The request is not valid HTTP/1.1${reason}`];
    }
  }
}

/** Writes a whole HTTP/1.1 answer on a socket outside node:http's response machinery, and closes it. */
function endRaw(socket: Duplex, status: number, result: GatewayResult | APIGatewayProxyStructuredResultV2): void {
  const body = Buffer.from(result.body ?? '', 'utf8');
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`];
  for (const [name, value] of Object.entries(result.headers ?? {})) head.push(`${name}: ${String(value)}`);
  head.push(`content-length: ${body.length}`, 'connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), body]));
  // Whatever the client still sends is not read; do not keep a half-closed socket around.
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/** An error answer in the surface's shape (GraphQL `errors`, else the REST `error` body). */
function surfaceError(surface: Surface | undefined, status: number, code: ErrorCode, message: string, requestId: string): APIGatewayProxyStructuredResultV2 {
  const result =
    surface === 'graphql'
      ? jsonResult(status, { errors: [{ message, extensions: { code } }] }, { 'x-request-id': requestId })
      : errorResult(status, code, message, requestId);
  return { statusCode: result.status, headers: result.headers, body: result.body };
}

const pathOf = (req: IncomingMessage): string => new URL(req.url ?? '/', 'http://localhost').pathname;

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  functions: Record<Surface, LambdaHttpHandler>,
  hosts: ReadonlySet<string>,
  functionTimeoutMs: number,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const path = pathOf(req);
  const requestId = randomUUID();
  const surface = surfaceOf(path);
  const refuseBody = (err: BodyTooLargeError): void => {
    // The rest of the body is being discarded; the connection ends once the answer is out.
    res.setHeader('connection', 'close');
    writeLambdaResult(res, surfaceError(surface, ERROR_HTTP_STATUS.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE, err.message, requestId), method);
  };
  // Too large by Content-Length: refused first, as API Gateway does, without reading the body
  // (a 413 reveals nothing about this server, whatever the Host).
  if (surface && Number(req.headers['content-length']) > MAX_EVENT_BODY_BYTES) {
    req.resume();
    return refuseBody(new BodyTooLargeError(`The request body is larger than ${MAX_EVENT_BODY_BYTES} bytes (the Lambda payload limit)`));
  }
  const hostProblem = checkHost(req.headers.host, hosts);
  if (hostProblem) {
    req.resume();
    res.setHeader('connection', 'close');
    writeLambdaResult(res, surfaceError(surface, ERROR_HTTP_STATUS[hostProblem[0]], hostProblem[0], hostProblem[1], requestId), method);
    return;
  }
  if (!surface) {
    req.resume();
    const body =
      path === '/'
        ? { service: 'ssl-gateway', routes: ['POST /graphql', 'GET /graphql', 'ANY /v1/...', 'GET /healthz'] }
        : JSON.parse(catalogueErrorResult(ErrorCode.NOT_FOUND, `No route for ${path}`, requestId).body);
    writeLambdaResult(res, { statusCode: path === '/' ? 200 : ERROR_HTTP_STATUS.NOT_FOUND, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) }, method);
    return;
  }
  let body: Buffer;
  try {
    body = await readRequestBody(req);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return refuseBody(err);
    // Client gone, or request timed out (answered 408 by the clientError listener): nothing to write.
    if (err instanceof BodyAbortedError) return;
    throw err;
  }
  const event = toApiGatewayV2Event(req, body, requestId);
  const result = (await functions[surface](event, localLambdaContext(`ssl-gateway-local-${surface}`, functionTimeoutMs, requestId))) as APIGatewayProxyStructuredResultV2;
  writeLambdaResult(res, result, method);
}

/** Whether the Host header names this server (see the file comment: DNS rebinding). */
function checkHost(host: string | undefined, allowed: ReadonlySet<string>): [code: ErrorCode, message: string] | undefined {
  if (host === undefined || host.trim() === '') return [ErrorCode.BAD_REQUEST, 'The Host header is required'];
  if (allowed.has(host.trim().toLowerCase())) return undefined;
  return [ErrorCode.MISDIRECTED_REQUEST, `This local server answers only requests addressed to ${[...allowed][0] ?? 'localhost'} (or another loopback name on that port); the Host header names another server`];
}
