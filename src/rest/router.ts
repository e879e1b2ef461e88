/**
 * A small route table: method + path template (`/v1/certificates/{id}`), matched segment by
 * segment. Routes are grouped by segment count, so a lookup compares a handful of templates at
 * most; no framework is needed for ~25 routes. The same definitions feed the OpenAPI document and
 * the HTML reference, so what is routed is what is documented.
 */
import type { GatewayRequest, GatewayResponse } from '../http/types';
import type { RequestDeadline } from '../http/deadline';
import type { UpstreamCaller } from '../upstream/caller';
import type { WaitClock, WaitPolicy } from '../tasks/wait';
import type { IdKind } from './http';
import type { TimeFormat } from './times';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  req: GatewayRequest;
  /** Raw (still percent-encoded) path parameters by template name. */
  params: Readonly<Record<string, string>>;
  /**
   * The upstream within the request's deadline (calls past it fail with DEADLINE_EXCEEDED); its
   * answers carry times as the route's `times` says.
   */
  upstream: UpstreamCaller;
  wait: { policy: WaitPolicy; clock: WaitClock; deadline: RequestDeadline };
  /** Seconds for `Retry-After` on answers about running work. */
  retryAfterSeconds: number;
  /** The parsed JSON body (`undefined` when empty); throws 415/400 on a wrong type or bad JSON. */
  body(): unknown;
}

/** Where a schema in the documentation comes from. */
export type SchemaSource =
  /** The documented inputs (`request`) or outputs + RequestId (`response`) of an action, minus `omit`. */
  | { action: string; part: 'request' | 'response'; omit?: readonly string[] }
  /** A named schema of the REST layer (see `openapi.ts`, `REST_SCHEMAS`). */
  | { component: string };

export interface QueryDoc {
  name: string;
  /** JSON schema of the (converted) value. */
  schema: Record<string, unknown>;
  description: string;
  required?: boolean;
}

export interface ResponseDoc {
  description: string;
  body?: SchemaSource;
  headers?: readonly ('Location' | 'Retry-After')[];
}

export interface RouteDoc {
  operationId: string;
  summary: string;
  description: string;
  tags: readonly string[];
  /** Upstream actions the route calls. */
  actions: readonly string[];
  pathParams?: readonly { name: string; kind: IdKind | 'action' | 'deploymentKind'; description: string }[];
  query?: () => readonly QueryDoc[];
  requestBody?: { source: SchemaSource; required: boolean; description: string };
  responses: Readonly<Record<string, ResponseDoc>>;
  /** Error statuses this route can answer besides the common ones (400, 429, 500, 502, 504). */
  errors?: readonly number[];
}

export interface Route {
  method: Method;
  /** Template with `{name}` segments. */
  path: string;
  doc: RouteDoc;
  /**
   * The upstream actions one request with these path parameters calls (authorization before an
   * idempotent replay, and whether the request writes). @default doc.actions
   */
  actionsOf?(params: Readonly<Record<string, string>>): readonly string[];
  /**
   * How the route's answers carry times: `iso` (ISO 8601 with the offset, as GraphQL; the
   * upstream answers a route reads are converted before it sees them) or `upstream` (the
   * upstream's text, unchanged: the raw action route only). @default 'iso'
   */
  times?: TimeFormat;
  handle(ctx: RouteContext): Promise<GatewayResponse>;
}

interface Compiled {
  route: Route;
  segments: readonly ({ literal: string } | { param: string })[];
}

export type Match =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  /** The path exists but not with this method. */
  | { kind: 'method'; allow: Method[] }
  | { kind: 'none' };

export class Router {
  private readonly bySize = new Map<number, Compiled[]>();

  constructor(readonly routes: readonly Route[]) {
    for (const route of routes) {
      const segments = split(route.path).map((s) => (/^\{\w+\}$/.test(s) ? { param: s.slice(1, -1) } : { literal: s }));
      const list = this.bySize.get(segments.length) ?? [];
      list.push({ route, segments });
      this.bySize.set(segments.length, list);
    }
  }

  match(method: string, path: string): Match {
    const parts = split(path);
    const candidates = this.bySize.get(parts.length) ?? [];
    const allow = new Set<Method>();
    // Literal matches win over parameters: `/v1/actions` beats a hypothetical `/v1/{x}`.
    let best: { c: Compiled; params: Record<string, string>; literals: number } | undefined;
    for (const c of candidates) {
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = c.segments[i];
        if ('literal' in seg) {
          ok = seg.literal === parts[i];
          literals++;
        } else {
          ok = parts[i] !== '';
          params[seg.param] = parts[i];
        }
      }
      if (!ok) continue;
      allow.add(c.route.method);
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) {
        if (!best || literals > best.literals) best = { c, params, literals };
      }
    }
    if (best) return { kind: 'route', route: best.c.route, params: best.params };
    if (allow.size) return { kind: 'method', allow: [...allow].sort() };
    return { kind: 'none' };
  }
}

/** `/v1/certificates/` and `/v1/certificates` are the same path. */
function split(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}
