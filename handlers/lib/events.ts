/**
 * Lambda HTTP events ↔ the gateway's transport-neutral request and response.
 *
 * Three event shapes reach the handlers, depending on what sits in front of the function:
 * - API Gateway HTTP API, payload format 2.0 (`serverless.yml`'s `httpApi` events; the local server)
 * - API Gateway REST API / HTTP API payload 1.0
 * - Application Load Balancer, with or without multi-value headers on the target group
 * The answer must match the event's shape: ALB with multi-value headers reads ONLY
 * `multiValueHeaders`, without them ONLY `headers`; v1 gets `multiValueHeaders` (API Gateway
 * merges them with `headers`); v2 gets `headers`. Bodies may arrive base64-encoded either way.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type {
  ALBEvent,
  ALBResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { GatewayResult } from '../../src/http/types';
import type { GatewayRequest } from '../../src/http/types';

export type LambdaHttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent | ALBEvent;
export type LambdaHttpResult = APIGatewayProxyStructuredResultV2 | APIGatewayProxyResult | ALBResult;
export type EventShape = 'apigw-v2' | 'apigw-v1' | 'alb';

/**
 * `node:http`'s reason phrases, read through `require` on the first ALB answer. An ESM `import`
 * of `node:http` builds its module namespace from every export, and on Node 22 that includes the
 * lazy `WebSocket`/`MessageEvent`/`CloseEvent` getters, which load Node's internal undici: about
 * 20 ms of every cold start, for one string table.
 */
let statusTexts: Record<number, string | undefined> | undefined;
function statusText(status: number): string | undefined {
  statusTexts ??= (createRequire(import.meta.url)('node:http') as typeof import('node:http')).STATUS_CODES;
  return statusTexts[status];
}

export class UnsupportedEventError extends Error {
  constructor() {
    super('Unsupported event: expected an API Gateway (payload 1.0 or 2.0) or ALB HTTP event');
    this.name = 'UnsupportedEventError';
  }
}

export function detectEventShape(event: unknown): EventShape {
  if (event === null || typeof event !== 'object') throw new UnsupportedEventError();
  const e = event as { version?: unknown; httpMethod?: unknown; requestContext?: { http?: unknown; elb?: unknown } };
  if (e.version === '2.0' && e.requestContext?.http) return 'apigw-v2';
  if (e.requestContext?.elb) return 'alb';
  if (typeof e.httpMethod === 'string' && e.requestContext) return 'apigw-v1';
  throw new UnsupportedEventError();
}

type HeaderBag = Record<string, string | undefined>;
type MultiHeaderBag = Record<string, string[] | undefined>;

/**
 * A record for names chosen by the client (headers, query parameters): no prototype, so a name
 * such as `constructor`, `toString` or `__proto__` is an ordinary key, neither shadowed by an
 * inherited member (`out[name] === undefined` would be false and the value dropped) nor turned
 * into a prototype assignment.
 */
const clientRecord = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** Lower-cased names; multi-value headers joined the way HTTP folds repeated headers. */
function normalizeHeaders(single: HeaderBag | undefined | null, multi: MultiHeaderBag | undefined | null): Record<string, string | undefined> {
  const out = clientRecord<string | undefined>();
  if (multi) {
    for (const [name, values] of Object.entries(multi)) {
      if (!values || values.length === 0) continue;
      const key = name.toLowerCase();
      out[key] = values.join(key === 'cookie' ? '; ' : ', ');
    }
  }
  if (single) {
    for (const [name, value] of Object.entries(single)) {
      const key = name.toLowerCase();
      if (value !== undefined && out[key] === undefined) out[key] = value;
    }
  }
  return out;
}

/** The query of a `GatewayRequest`: values by name, and the names that were repeated. */
type QueryParts = Pick<GatewayRequest, 'query' | 'queryRepeats'>;

/**
 * Collects query parameters in order. A repeated name keeps ALL its values, joined with commas
 * (as API Gateway v2 does in `queryStringParameters`), and is listed in `queryRepeats`: the
 * surfaces refuse repeats (`?limit=1&limit=5000` is ambiguous: proxies, WAFs and frameworks
 * disagree on which one wins), and a consumer that forgets to check still cannot read one value
 * of several as if it were the only one.
 */
function collectQuery(pairs: Iterable<readonly [string, string]>): QueryParts {
  const values = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const list = values.get(name);
    if (list) list.push(value);
    else values.set(name, [value]);
  }
  const query = clientRecord<string | undefined>();
  const repeats: string[] = [];
  for (const [name, list] of values) {
    query[name] = list.join(',');
    if (list.length > 1) repeats.push(name);
  }
  return repeats.length > 0 ? { query, queryRepeats: repeats } : { query };
}

/**
 * Payload 1.0 / ALB query fields as pairs. The multi-value field has every value when present;
 * otherwise the single-value field has one value per name (API Gateway v1: the last; ALB without
 * multi-value headers: the last as well), so repeats cannot be seen there.
 */
function queryPairs(single: HeaderBag | undefined | null, multi: MultiHeaderBag | undefined | null, decode: (s: string) => string): [string, string][] {
  const pairs: [string, string][] = [];
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const value of values ?? []) pairs.push([decode(name), decode(value)]);
    return pairs;
  }
  for (const [name, value] of Object.entries(single ?? {})) if (value !== undefined) pairs.push([decode(name), decode(value)]);
  return pairs;
}

/** ALB forwards query strings exactly as sent (still percent-encoded); API Gateway decodes them. */
function decodeQueryComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function decodeBody(body: string | null | undefined, isBase64Encoded: boolean | undefined): Buffer | undefined {
  if (body === null || body === undefined) return undefined;
  return isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

export function toGatewayRequest(event: LambdaHttpEvent, shape: EventShape = detectEventShape(event)): GatewayRequest {
  switch (shape) {
    case 'apigw-v2': {
      const e = event as APIGatewayProxyEventV2;
      const headers = normalizeHeaders(e.headers, undefined);
      // Payload 2.0 moves cookies out of the headers.
      if (e.cookies && e.cookies.length > 0) headers.cookie = e.cookies.join('; ');
      return {
        method: e.requestContext.http.method.toUpperCase(),
        path: e.rawPath || e.requestContext.http.path || '/',
        // rawQueryString, not queryStringParameters: the latter merges `a=1&a=2` into `a=1,2`
        // and so hides the repeat.
        ...collectQuery(new URLSearchParams(e.rawQueryString ?? '')),
        headers,
        body: decodeBody(e.body, e.isBase64Encoded),
        requestId: e.requestContext.requestId || randomUUID(),
        sourceIp: e.requestContext.http.sourceIp,
      };
    }
    case 'apigw-v1': {
      const e = event as APIGatewayProxyEvent;
      return {
        method: e.httpMethod.toUpperCase(),
        path: e.path || '/',
        ...collectQuery(queryPairs(e.queryStringParameters, e.multiValueQueryStringParameters, (s) => s)),
        headers: normalizeHeaders(e.headers, e.multiValueHeaders),
        body: decodeBody(e.body, e.isBase64Encoded),
        requestId: e.requestContext?.requestId || randomUUID(),
        sourceIp: e.requestContext?.identity?.sourceIp ?? undefined,
      };
    }
    case 'alb': {
      const e = event as ALBEvent;
      const headers = normalizeHeaders(e.headers, e.multiValueHeaders);
      return {
        method: e.httpMethod.toUpperCase(),
        path: e.path || '/',
        ...collectQuery(queryPairs(e.queryStringParameters, e.multiValueQueryStringParameters, decodeQueryComponent)),
        headers,
        body: decodeBody(e.body, e.isBase64Encoded),
        // ALB gives no request id of its own, and X-Amzn-Trace-Id is not one: a client may send it
        // (ALB keeps a client's Root and only adds Self), so it could repeat or forge ids in logs
        // and answers. The gateway makes its own.
        requestId: randomUUID(),
        sourceIp: headers['x-forwarded-for']?.split(',')[0]?.trim() || undefined,
      };
    }
  }
}

export function toLambdaResult(res: GatewayResult, shape: EventShape, event: LambdaHttpEvent): LambdaHttpResult {
  const isBase64Encoded = res.isBase64Encoded ?? false;
  switch (shape) {
    case 'apigw-v2':
      return { statusCode: res.status, headers: { ...res.headers }, body: res.body, isBase64Encoded } satisfies APIGatewayProxyStructuredResultV2;
    case 'apigw-v1':
      return { statusCode: res.status, multiValueHeaders: toMulti(res.headers), body: res.body, isBase64Encoded } satisfies APIGatewayProxyResult;
    case 'alb': {
      const multi = (event as ALBEvent).multiValueHeaders !== undefined;
      const result: ALBResult = {
        statusCode: res.status,
        statusDescription: `${res.status} ${statusText(res.status) ?? 'Unknown'}`,
        body: res.body,
        isBase64Encoded,
      };
      if (multi) result.multiValueHeaders = toMulti(res.headers);
      else result.headers = { ...res.headers };
      return result;
    }
  }
}

function toMulti(headers: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = [value];
  return out;
}

/** A response body as bytes, whatever its encoding (for tests and the local server). */
export function resultBody(result: { body?: string; isBase64Encoded?: boolean }): Buffer {
  return Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
}
