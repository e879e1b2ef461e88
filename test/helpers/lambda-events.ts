/**
 * Lambda HTTP events as the AWS services send them (shapes from the API Gateway and ELB
 * documentation's sample events), for invoking handlers without a network in between:
 * API Gateway HTTP API payload 2.0, REST API payload 1.0, ALB with and without multi-value headers.
 */
import { randomUUID } from 'node:crypto';
import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';

export type EventKind = 'apigw-v2' | 'apigw-v1' | 'alb' | 'alb-multi';

export const EVENT_KINDS: readonly EventKind[] = ['apigw-v2', 'apigw-v1', 'alb', 'alb-multi'];

export interface HttpRequestSpec {
  method: string;
  /** Path with an optional query string, e.g. `/v1/certificates?limit=2`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body base64-encoded (API Gateway does so for binary media types, ALB for non-text). */
  base64?: boolean;
}

const SOURCE_IP = '203.0.113.7';

function splitPath(path: string): { rawPath: string; rawQuery: string; pairs: [string, string][] } {
  const q = path.indexOf('?');
  const rawPath = q < 0 ? path : path.slice(0, q);
  const rawQuery = q < 0 ? '' : path.slice(q + 1);
  return { rawPath, rawQuery, pairs: [...new URLSearchParams(rawQuery)] };
}

function encodeBody(spec: HttpRequestSpec): { body: string | null; isBase64Encoded: boolean } {
  if (spec.body === undefined) return { body: null, isBase64Encoded: false };
  const bytes = Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, 'utf8');
  return spec.base64 ? { body: bytes.toString('base64'), isBase64Encoded: true } : { body: bytes.toString('utf8'), isBase64Encoded: false };
}

export function apiGatewayV2Event(spec: HttpRequestSpec): APIGatewayProxyEventV2 {
  const { rawPath, rawQuery, pairs } = splitPath(spec.path);
  const headers: Record<string, string> = { host: 'abc123.execute-api.us-east-1.amazonaws.com', 'user-agent': 'vitest', 'x-forwarded-for': SOURCE_IP, 'x-forwarded-proto': 'https' };
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
  const queryStringParameters: Record<string, string> = {};
  for (const [k, v] of pairs) queryStringParameters[k] = queryStringParameters[k] === undefined ? v : `${queryStringParameters[k]},${v}`;
  const { body, isBase64Encoded } = encodeBody(spec);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: rawQuery,
    headers,
    queryStringParameters: pairs.length ? queryStringParameters : undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: spec.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: 'vitest' },
      requestId: `v2-${randomUUID()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body ?? undefined,
    isBase64Encoded,
  };
}

export function apiGatewayV1Event(spec: HttpRequestSpec): APIGatewayProxyEvent {
  const { rawPath, pairs } = splitPath(spec.path);
  const headers: Record<string, string> = { Host: 'abc123.execute-api.us-east-1.amazonaws.com', 'User-Agent': 'vitest', 'X-Forwarded-For': SOURCE_IP };
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = v;
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of pairs) {
    single[k] = v; // API Gateway v1 keeps the last value here
    (multi[k] ??= []).push(v);
  }
  const { body, isBase64Encoded } = encodeBody(spec);
  return {
    resource: '/{proxy+}',
    path: rawPath,
    httpMethod: spec.method,
    headers,
    multiValueHeaders,
    queryStringParameters: pairs.length ? single : null,
    multiValueQueryStringParameters: pairs.length ? multi : null,
    pathParameters: { proxy: rawPath.replace(/^\//, '') },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: spec.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: SOURCE_IP,
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
      path: `/prod${rawPath}`,
      stage: 'prod',
      requestId: `v1-${randomUUID()}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'abcdef',
      resourcePath: '/{proxy+}',
    },
    body,
    isBase64Encoded,
  };
}

/**
 * ALB forwards the query string still percent-encoded. With `multiValue` (the target group's
 * `lambda.multi_value_headers.enabled`), headers and query come ONLY in the multi-value fields.
 */
export function albEvent(spec: HttpRequestSpec, multiValue = false): ALBEvent {
  const { rawPath, rawQuery } = splitPath(spec.path);
  const headers: Record<string, string> = { host: 'ssl-gateway-123.us-east-1.elb.amazonaws.com', 'user-agent': 'vitest', 'x-forwarded-for': SOURCE_IP, 'x-amzn-trace-id': `Root=1-${randomUUID()}` };
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
  const rawPairs = rawQuery
    ? rawQuery.split('&').map((p) => {
        const i = p.indexOf('=');
        return (i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)]) as [string, string];
      })
    : [];
  const { body, isBase64Encoded } = encodeBody(spec);
  const event: ALBEvent = {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ssl-gateway/abc' } },
    httpMethod: spec.method,
    path: rawPath,
    body,
    isBase64Encoded,
  };
  if (multiValue) {
    event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    const mq: Record<string, string[]> = {};
    for (const [k, v] of rawPairs) (mq[k] ??= []).push(v);
    event.multiValueQueryStringParameters = mq;
  } else {
    event.headers = headers;
    event.queryStringParameters = Object.fromEntries(rawPairs);
  }
  return event;
}

export function httpEvent(kind: EventKind, spec: HttpRequestSpec): APIGatewayProxyEventV2 | APIGatewayProxyEvent | ALBEvent {
  switch (kind) {
    case 'apigw-v2':
      return apiGatewayV2Event(spec);
    case 'apigw-v1':
      return apiGatewayV1Event(spec);
    case 'alb':
      return albEvent(spec, false);
    case 'alb-multi':
      return albEvent(spec, true);
  }
}

export interface NormalizedResult {
  status: number;
  /** Lower-cased names, whichever of `headers` / `multiValueHeaders` the result used. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  /** Which header field the result carried (ALB with multi-value headers reads only that one). */
  headerField: 'headers' | 'multiValueHeaders' | 'none';
}

/** Any of the three result shapes, decoded (base64 included). */
export function normalizeResult(result: unknown): NormalizedResult {
  const r = result as {
    statusCode?: number;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown[]>;
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  for (const [k, v] of Object.entries(r.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String).join(', ');
  const body = Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8');
  const headerField = r.multiValueHeaders ? 'multiValueHeaders' : r.headers ? 'headers' : 'none';
  return { status: r.statusCode ?? 0, headers, body, text: body.toString('utf8'), headerField };
}

/** A Lambda context for direct invocations (28 s, the functions' timeout). */
export function lambdaContext(functionName = 'ssl-gateway-test'): Context {
  const deadline = Date.now() + 28_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/01/[$LATEST]test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
