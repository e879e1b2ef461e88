/**
 * node:http ↔ Lambda: turns a node request into the API Gateway HTTP API (payload 2.0) event the
 * deployed functions receive, and writes the function's result back. The local server runs the
 * same Lambda handlers as production through this, so `npm start` exercises the deployed path
 * (event parsing, base64 bodies, CORS, result shapes) on every request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** Lambda's synchronous invocation payload limit; API Gateway would refuse bigger bodies too. */
export const MAX_EVENT_BODY_BYTES = 6 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** The client went away (or its request timed out) before the body was complete. */
export class BodyAbortedError extends Error {}

/**
 * Reads a request body of at most `maxBytes`. A larger one (by Content-Length, or by what arrives
 * when the body is chunked) rejects with `BodyTooLargeError` at once; the rest of the body is then
 * read and discarded, not buffered, and the socket is left open so that the client, which may
 * still be sending, receives the 413 instead of a connection reset (the caller answers with
 * `Connection: close`, which ends the connection once the answer is out).
 */
export function readRequestBody(req: IncomingMessage, maxBytes = MAX_EVENT_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new BodyTooLargeError(`The request body is larger than ${maxBytes} bytes (the Lambda payload limit)`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        // Removing the listener does not pause the stream: what follows is read and dropped.
        req.off('data', onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // No 'end' and no 'error' when the socket is destroyed mid-body (client gone, request timeout).
    req.on('close', () => {
      if (!req.complete) reject(new BodyAbortedError('The request body was not received completely'));
    });
  });
}

/** The event API Gateway (HTTP API, `$default` stage) would send for this request. */
export function toApiGatewayV2Event(req: IncomingMessage, body: Buffer, requestId: string = randomUUID()): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // No prototype: a header named `constructor` or `__proto__` is an ordinary entry.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    if (name === 'cookie') {
      (cookies ??= []).push(...value.split(/;\s*/).filter(Boolean));
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const now = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    cookies,
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    // API Gateway base64-encodes bodies it does not consider text; always doing so keeps the
    // local path on the decoding branch the deployed one takes for binary and compressed bodies.
    body: body.length > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}

/** A Lambda context with the deployed function's timeout, for deadline-aware handlers. */
export function localLambdaContext(functionName: string, timeoutMs: number, requestId: string): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Writes an API Gateway v2 result (`cookies` become `set-cookie`; HEAD gets no body). */
export function writeLambdaResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2, method: string): void {
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const status = result.statusCode ?? 200;
  if (status !== 204 && status !== 304) headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(method === 'HEAD' || status === 204 || status === 304 ? undefined : body);
}
