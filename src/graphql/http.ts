/**
 * GraphQL over the gateway's transport-neutral request: the aws-lambda integration of Apollo
 * Server, fed `GatewayRequest`s (the Lambda adapters and the local server have already turned
 * API Gateway v1/v2 and ALB events into those), with strict JSON/UTF-8 body parsing and the
 * nesting pre-check before Apollo parses a document.
 */
import { isUtf8 } from 'node:buffer';
import { HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { handlers as lambdaRequestHandlers } from '@as-integrations/aws-lambda';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import { jsonResult } from '../http/results';
import { fallbackLogger, type Logger } from '../observability/log';
import type { GatewayRequest, GatewayResult } from '../http/types';
import { BadRequest } from './bad-request';
import { refuseDeepNesting } from './nesting';

/**
 * The aws-lambda integration's request handler for our transport-neutral request: the Lambda
 * adapter has already turned a v1, v2 or ALB event into a `GatewayRequest` (base64 and
 * multi-value headers included), so one handler serves all three event shapes. The integration's
 * per-shape handlers are not used directly because they ignore ALB multi-value headers,
 * percent-decode API Gateway v1 query values a second time and answer errors as text/plain.
 */
export function gatewayRequestHandler(maxTokens: number, logger: Pick<Logger, 'error'> = fallbackLogger()) {
  return lambdaRequestHandlers.createRequestHandler<GatewayRequest, GatewayResult>(
    (req): HTTPGraphQLRequest => {
      const method = req.method.toUpperCase();
      // `?query=a&query=b`: which one would run is anyone's guess (see handlers/lib/events.ts).
      if (method === 'GET' && req.queryRepeats?.length) {
        throw new BadRequest(`Query parameter ${req.queryRepeats[0]} is repeated; send it once`);
      }
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, value);
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(req.query)) if (value !== undefined) search.append(name, value);
      const body = parseGraphQLBody(req, headers);
      const document = method === 'GET' ? req.query.query : isPlainObject(body) ? body.query : undefined;
      if (typeof document === 'string') refuseDeepNesting(document, maxTokens);
      return { method, headers, search: search.toString(), body };
    },
    {
      success(response: HTTPGraphQLResponse): GatewayResult {
        if (response.body.kind !== 'complete') throw new Error('incremental delivery is not supported');
        return { status: response.status ?? 200, headers: Object.fromEntries(response.headers), body: response.body.string };
      },
      error(error: unknown): GatewayResult {
        if (error instanceof BadRequest) {
          return jsonResult(ERROR_HTTP_STATUS[error.code], { errors: [{ message: error.message, extensions: { code: error.code } }] });
        }
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'graphql handler failed');
        return jsonResult(ERROR_HTTP_STATUS.INTERNAL_SERVER_ERROR, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
      },
    },
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * JSON bodies are parsed (Apollo reads an object); any other body is left for Apollo to refuse.
 *
 * A JSON body must be valid UTF-8: a lenient decode turns invalid bytes into U+FFFD, and a
 * variable value mangled that way would be sent upstream as if the client had meant it. When
 * the only replacement characters are in `query` the invalid bytes are provably there (a U+FFFD
 * elsewhere in JSON syntax would not have parsed), so the answer is the document's parse
 * failure; anywhere else it is a bad request.
 */
function parseGraphQLBody(req: GatewayRequest, headers: HeaderMap): unknown {
  if (!req.body || req.body.length === 0) return undefined;
  const contentType = headers.get('content-type') ?? '';
  const text = req.body.toString('utf8');
  if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    const utf8 = isUtf8(req.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BadRequest(utf8 ? 'The request body is not valid JSON' : 'The request body is not valid UTF-8');
    }
    if (!utf8) {
      const inQueryOnly = isPlainObject(parsed) && typeof parsed.query === 'string' && parsed.query.includes('\uFFFD') && !hasReplacementChar({ ...parsed, query: undefined });
      if (inQueryOnly) throw new BadRequest('The GraphQL document (query) is not valid UTF-8', ErrorCode.GRAPHQL_PARSE_FAILED);
      throw new BadRequest('The request body is not valid UTF-8');
    }
    return parsed;
  }
  return text;
}

/** Whether U+FFFD occurs in any member name or string of `value` (true when too deep to tell). */
function hasReplacementChar(value: unknown): boolean {
  try {
    return JSON.stringify(value).includes('\uFFFD');
  } catch {
    return true; // nested beyond the stack: JSON.parse is iterative, JSON.stringify is not
  }
}
