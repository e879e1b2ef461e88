/**
 * Unit-test helpers for the REST facade: a scripted upstream that records exactly which actions
 * were called with which parameters, and a request builder for `GatewayRequest`s.
 */
import type { Json, UpstreamCaller } from '../../../src/upstream/caller';
import type { GatewayRequest, GatewayResponse } from '../../../src/http/types';

export type Answer = Json | Error | ((params: Json, n: number) => Json | Error | Promise<Json | Error>);

export class ScriptedUpstream implements UpstreamCaller {
  readonly calls: { action: string; params: Json }[] = [];
  private readonly answers = new Map<string, Answer[]>();

  /** Queues answers for an action; the last one repeats. */
  on(action: string, ...answers: Answer[]): this {
    this.answers.set(action, answers);
    return this;
  }

  actions(): string[] {
    return this.calls.map((c) => c.action);
  }

  async call(action: string, params: Json): Promise<Json> {
    const n = this.calls.filter((c) => c.action === action).length;
    this.calls.push({ action, params: structuredClone(params) });
    const list = this.answers.get(action);
    if (!list) throw new Error(`unscripted upstream call ${action}`);
    const a = list[Math.min(n, list.length - 1)];
    const value = typeof a === 'function' ? await a(params, n) : a;
    if (value instanceof Error) throw value;
    return { RequestId: `up-${action}-${n}`, ...structuredClone(value) };
  }
}

let seq = 0;

export function request(method: string, target: string, init: { body?: unknown; headers?: Record<string, string>; raw?: string | Buffer } = {}): GatewayRequest {
  const url = new URL(target, 'http://gateway.test');
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  const headers: Record<string, string> = {};
  let body: Buffer | undefined;
  if (init.raw !== undefined) body = Buffer.isBuffer(init.raw) ? init.raw : Buffer.from(init.raw, 'utf8');
  else if (init.body !== undefined) {
    body = Buffer.from(JSON.stringify(init.body), 'utf8');
    headers['content-type'] = 'application/json';
  }
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  return { method, path: url.pathname, query, headers, body, requestId: `gw-${++seq}` };
}

export function parse(res: GatewayResponse): any {
  return res.body === '' ? undefined : JSON.parse(res.body);
}
