/**
 * The local server behind `npm start`: one node:http server on `PORT` that runs the SAME Lambda
 * handlers as the deployed functions (each request becomes an API Gateway v2 event).
 *
 *   /graphql, /graphql/assets/*   → handlers' GraphQL function (GraphQL, playground)
 *   /v1/..., /healthz             → handlers' REST function
 *
 * With no upstream credentials in the config it starts the embedded SSL API simulator (seeded
 * demo data) on a free loopback port and points the gateway at it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLambdaHandler, type LambdaHttpHandler } from '../../handlers/lib/lambda';
import { createGateway, errorResult, type Gateway, type GatewayGuard, type GatewaySettings, type Surface, type UpstreamMode } from '../app';
import { createDemoApiKey, type AuthConfig } from '../auth';
import type { Config } from '../config';
import type { Logger } from '../observability/log';
import type { PlaygroundPageOptions } from '../playground';
import type { Simulator, SimulatorOptions } from '../simulator/index';
import { BodyTooLargeError, localLambdaContext, readRequestBody, toApiGatewayV2Event, writeLambdaResult } from './lambda-bridge';

/** The functions' timeout in serverless.yml (below API Gateway's 29 s), applied locally too. */
export const FUNCTION_TIMEOUT_MS = 28_000;

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
        upstream: { endpoint: simulator.url, credentials: { secretId: DEMO_CREDENTIAL.secretId, secretKey: DEMO_CREDENTIAL.secretKey } },
        mode: 'simulator',
        settings: options.settings,
        guard: options.guard,
        playground,
        auth,
        logger: options.logger,
      });
    } else {
      gateway = await createGateway(config, { settings: options.settings, guard: options.guard, playground, auth, logger: options.logger });
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

  const server = createServer((req, res) => {
    void handle(req, res, functions).catch((err: unknown) => {
      console.error(`local server: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } }));
    });
  });
  // Lambda has no keep-alive between client and function; keep idle sockets short so close() is quick.
  server.keepAliveTimeout = 5_000;

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

function surfaceOf(path: string): Surface | undefined {
  if (path === '/graphql' || path.startsWith('/graphql/')) return 'graphql';
  if (path === '/v1' || path.startsWith('/v1/') || path === '/healthz') return 'rest';
  return undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse, functions: Record<Surface, LambdaHttpHandler>): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const requestId = randomUUID();
  const surface = surfaceOf(path);
  if (!surface) {
    req.resume();
    const body =
      path === '/'
        ? { service: 'ssl-gateway', routes: ['POST /graphql', 'GET /graphql', 'ANY /v1/...', 'GET /healthz'] }
        : JSON.parse(errorResult(404, 'NOT_FOUND', `No route for ${path}`, requestId).body);
    writeLambdaResult(res, { statusCode: path === '/' ? 200 : 404, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) }, method);
    return;
  }
  let body: Buffer;
  try {
    body = await readRequestBody(req);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      res.setHeader('connection', 'close');
      writeLambdaResult(res, { statusCode: 413, headers: { 'content-type': 'application/json; charset=utf-8' }, body: errorResult(413, 'PAYLOAD_TOO_LARGE', err.message, requestId).body }, method);
      return;
    }
    throw err;
  }
  const event = toApiGatewayV2Event(req, body, requestId);
  const result = (await functions[surface](event, localLambdaContext(`ssl-gateway-local-${surface}`, FUNCTION_TIMEOUT_MS, requestId))) as APIGatewayProxyStructuredResultV2;
  writeLambdaResult(res, result, method);
}
