/**
 * The REST facade served over node:http in front of an in-process simulator, for integration
 * tests: real HTTP on 127.0.0.1 both ways (client → facade → UpstreamClient → simulator).
 *
 * Time: the facade's wait clock is virtual and its `sleep` advances the simulator's business time,
 * and `poll` advances business time by each Retry-After instead of waiting, so asynchronous flows
 * run instantly and deterministically.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayHandler, GatewayRequest } from '../../../src/http/types';
import { createRestHandler } from '../../../src/rest';
import { DEFAULT_WAIT_POLICY, type WaitClock, type WaitPolicy } from '../../../src/tasks/wait';
import { UpstreamClient, specPolicyLookup, unlimited, type UpstreamClientOptions } from '../../../src/upstream';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../helpers/simulator';

export interface RestResponse {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

export interface RestGateway {
  sim: Simulator;
  client: UpstreamClient;
  url: string;
  /** Virtual milliseconds slept by the facade's waits. */
  slept(): number;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RestResponse>;
  /**
   * GETs `location` until it answers something other than 202, advancing business time by each
   * Retry-After in between; returns the final answer and how many 202s came before it.
   */
  poll(location: string, maxPolls?: number): Promise<RestResponse & { polls: number }>;
  /** Upstream calls per action since the last reset. */
  calls(): Record<string, number>;
  close(): Promise<void>;
}

export interface RestGatewayOptions {
  sim?: SimulatorOptions;
  client?: Partial<UpstreamClientOptions>;
  wait?: Partial<WaitPolicy>;
  maxBodyBytes?: number;
  /** Pace calls with the documented limits (default false). */
  rateLimited?: boolean;
}

/** node:http → GatewayRequest, the shape every adapter produces. */
export async function toGatewayRequest(req: IncomingMessage): Promise<GatewayRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const query: Record<string, string> = {};
  new URLSearchParams(q >= 0 ? url.slice(q + 1) : '').forEach((v, k) => {
    query[k] = v;
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method ?? 'GET',
    path: q >= 0 ? url.slice(0, q) : url,
    query,
    headers,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
    requestId: randomUUID(),
    sourceIp: req.socket.remoteAddress,
  };
}

export async function serve(handler: GatewayHandler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    toGatewayRequest(req)
      .then(handler)
      .then((out) => {
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startRestGateway(options: RestGatewayOptions = {}): Promise<RestGateway> {
  const sim = await startSimulator({ rateLimits: options.rateLimited ?? false, ...options.sim });
  const cred = sim.credentials[0];
  const client = new UpstreamClient({
    endpoint: sim.url,
    credentials: { secretId: cred.secretId, secretKey: cred.secretKey },
    policies: specPolicyLookup({}),
    ...(options.rateLimited ? {} : { limiter: unlimited }),
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...options.client,
  });
  let virtual = 0;
  const clock: WaitClock = {
    now: () => virtual,
    sleep: async (ms) => {
      virtual += ms;
      sim.advance(ms);
    },
  };
  const handler = createRestHandler({ upstream: client, clock, waitPolicy: { ...DEFAULT_WAIT_POLICY, ...options.wait }, maxBodyBytes: options.maxBodyBytes });
  const { server, url } = await serve(handler);

  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestResponse> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };

  return {
    sim,
    client,
    url,
    slept: () => virtual,
    request,
    async poll(location, maxPolls = 50) {
      for (let polls = 0; polls < maxPolls; polls++) {
        const res = await request('GET', location);
        if (res.status !== 202) return { ...res, polls };
        const seconds = Number(res.headers.get('retry-after'));
        if (!(seconds > 0)) throw new Error(`202 without Retry-After from ${location}`);
        sim.advance(seconds * 1000);
      }
      throw new Error(`${location} still running after ${maxPolls} polls`);
    },
    calls: () => sim.calls.counts(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
      await sim.close();
    },
  };
}
