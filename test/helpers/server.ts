/**
 * The whole gateway as deployed, for end-to-end suites: a simulator on loopback, the gateway's
 * real configuration path (`loadConfig` from environment variables), and the local server that
 * runs the Lambda handlers. API keys for each scope combination are generated per run.
 */
import { Writable } from 'node:stream';
import { createDemoApiKey, formatApiKeys, type Scope } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { startLocalServer, type LocalServer } from '../../src/dev/server';
import { createLogger } from '../../src/observability/log';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator';

/** `unknown` is a well-formed key that is not configured (a wrong identity). */
export type KeyName = 'all' | 'read' | 'write' | 'readWrite' | 'keys' | 'admin' | 'unknown';

const KEY_SCOPES: Record<KeyName, Scope[]> = {
  all: ['read', 'write', 'keys', 'admin'],
  read: ['read'],
  write: ['write'],
  readWrite: ['read', 'write'],
  keys: ['read', 'keys'],
  admin: ['read', 'write', 'admin'],
  unknown: ['read', 'write', 'keys', 'admin'],
};

export interface GatewayServer {
  url: string;
  sim: Simulator;
  server: LocalServer;
  /** API keys by scope set (`keys.all` has every scope). */
  keys: Record<KeyName, string>;
  /** Every log line the gateway wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Raw text of every log line. */
  logText(): string;
  /** fetch against the gateway with `x-api-key` of `key` (default `all`; null: none). */
  fetch(path: string, init?: RequestInit & { key?: KeyName | null; json?: unknown }): Promise<Response>;
  graphql<T = any>(query: string, variables?: Record<string, unknown>, key?: KeyName | null): Promise<{ status: number; data?: T; errors?: any[] }>;
  close(): Promise<void>;
}

export interface GatewayServerOptions {
  sim?: SimulatorOptions;
  /** Extra environment variables for `loadConfig`. */
  env?: Record<string, string>;
}

export async function startGatewayServer(options: GatewayServerOptions = {}): Promise<GatewayServer> {
  const sim = await startSimulator({ rateLimits: false, ...options.sim });
  const cred = sim.credentials[0];
  const made = Object.fromEntries(
    (Object.keys(KEY_SCOPES) as KeyName[]).map((name) => [name, createDemoApiKey({ id: `test-${name}`, scopes: KEY_SCOPES[name] })]),
  ) as Record<KeyName, ReturnType<typeof createDemoApiKey>>;
  const config = loadConfig({
    GATEWAY_ENV: 'test',
    TENCENTCLOUD_SECRET_ID: cred.secretId,
    TENCENTCLOUD_SECRET_KEY: cred.secretKey,
    TENCENTCLOUD_SSL_ENDPOINT: sim.url,
    GATEWAY_API_KEYS: formatApiKeys(Object.entries(made).filter(([name]) => name !== 'unknown').map(([, m]) => m.entry)),
    UPSTREAM_RETRY_BASE_DELAY_MS: '1',
    UPSTREAM_RETRY_MAX_DELAY_MS: '5',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination: destination as never, secrets: [cred.secretKey] });
  const server = await startLocalServer({ config, port: 0, logger });
  const keys = Object.fromEntries(Object.entries(made).map(([k, v]) => [k, v.key])) as Record<KeyName, string>;
  const doFetch: GatewayServer['fetch'] = (path, init = {}) => {
    const { key = 'all', json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('x-api-key', keys[key]);
    if (json !== undefined) {
      headers.set('content-type', 'application/json');
      rest.body = JSON.stringify(json);
    }
    return fetch(`${server.url}${path}`, { ...rest, headers });
  };
  return {
    url: server.url,
    sim,
    server,
    keys,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    fetch: doFetch,
    async graphql(query, variables, key = 'all') {
      const res = await doFetch('/graphql', { method: 'POST', json: { query, variables }, key });
      const body = (await res.json()) as { data?: any; errors?: any[] };
      return { status: res.status, ...body };
    },
    async close() {
      await server.close();
      await sim.close();
    },
  };
}
