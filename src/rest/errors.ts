/**
 * The REST error body and how every failure becomes one.
 *
 * Every non-2xx answer of the facade has the same JSON shape:
 *
 *   { "error": {
 *       "code": "NOT_FOUND",                 // GatewayErrorCode (same values as GraphQL extensions.code)
 *       "message": "…",                      // safe for clients (scrubbed like log lines)
 *       "requestId": "<gateway request id>", // also sent as the X-Request-Id header
 *       "details": { … },                    // optional, structured (e.g. validation `fields`)
 *       "upstream": {                        // only when the SSL API answered with (or failed with) an error
 *         "action": "DescribeCertificateDetail", "code": "FailedOperation.CertificateNotFound",
 *         "message": "…", "requestId": "…" } } }
 *
 * Codes and their statuses come from the one catalogue (`src/errors/catalogue.ts`), upstream codes
 * through the table in `src/upstream/errors.ts` and `GatewayError.httpStatus`; the facade adds only
 * the codes that belong to HTTP itself (405, 413, 415). Any other
 * exception is masked as 500 INTERNAL_SERVER_ERROR with a generic message (no stack, no internals).
 */
import { isAuthError } from '../auth/errors';
import { codeSubset, ERROR_HTTP_STATUS } from '../errors';
import type { GatewayResponse } from '../http/types';
import { isReplayedError } from '../idempotency/errors';
import { scrub } from '../observability/scrub';
import { GatewayError, GatewayErrorCode, isGatewayError, isUpstreamError, retryAfterSeconds } from '../upstream/errors';
import type { FieldProblem } from '../spec/validate';
import { summarizeProblems } from '../spec/validate';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId: string;
    details?: Record<string, unknown>;
    upstream?: { action: string; code: string; message: string; requestId: string | null };
  };
}

/** HTTP-level failures that are not in the upstream table (catalogue codes, with their statuses there). */
export const HttpErrorCode = codeSubset(['METHOD_NOT_ALLOWED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']);

/**
 * An error the facade raises itself. `code` is a GatewayErrorCode or one of `HttpErrorCode`;
 * the status is the code's in the catalogue unless given; `headers` are added to the response
 * (Allow, Retry-After, Location).
 */
export class RestError extends GatewayError {
  readonly restCode: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    restCode: GatewayErrorCode | (typeof HttpErrorCode)[keyof typeof HttpErrorCode],
    message: string,
    options: { httpStatus?: number; details?: Record<string, unknown>; headers?: Record<string, string> },
  ) {
    const base: GatewayErrorCode = restCode in GatewayErrorCode ? (restCode as GatewayErrorCode) : GatewayErrorCode.BAD_REQUEST;
    super(base, message, { httpStatus: options.httpStatus ?? ERROR_HTTP_STATUS[restCode], details: options.details });
    this.name = 'RestError';
    this.restCode = restCode;
    this.headers = Object.freeze({ ...(options.headers ?? {}) });
  }
}

export function badRequest(message: string, details?: Record<string, unknown>): RestError {
  return new RestError(GatewayErrorCode.BAD_REQUEST, message, { details });
}

export function notFound(message: string, details?: Record<string, unknown>): RestError {
  return new RestError(GatewayErrorCode.NOT_FOUND, message, { details });
}

/** 400 for a body/query that failed spec validation; `fields` lists every problem with its path. */
export function validationError(what: string, problems: readonly FieldProblem[], extra: Record<string, unknown> = {}): RestError {
  return badRequest(`${what}: ${summarizeProblems(problems)}`, { ...extra, fields: problems });
}

/** Seconds for a Retry-After header on 429 answers: the hint of the gateway limiter, else one rate-limit window. */

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function baseHeaders(requestId: string): Record<string, string> {
  return { 'content-type': JSON_CONTENT_TYPE, 'cache-control': 'no-store', 'x-request-id': requestId };
}

/** Turns anything thrown while handling a request into the one error body. */
export function errorResponse(err: unknown, requestId: string): GatewayResponse {
  const headers = baseHeaders(requestId);
  if (!isGatewayError(err)) {
    const body: ErrorBody = { error: { code: GatewayErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error', requestId } };
    return { status: ERROR_HTTP_STATUS.INTERNAL_SERVER_ERROR, headers, body: JSON.stringify(body) };
  }
  // Messages are scrubbed once more on the way out, whatever produced them (an upstream echo,
  // a message built from client input): nothing a log would mask reaches a client either.
  const message = scrub(err.message);
  const body: ErrorBody = {
    error: { code: err instanceof RestError ? err.restCode : err.code, message, requestId },
  };
  if (isUpstreamError(err)) {
    body.error.upstream = { action: err.action, code: err.upstreamCode, message, requestId: err.requestId ?? null };
    // The table's retry view for clients: true when a failed write may nevertheless have executed.
    if (err.outcomeUnknown) body.error.details = { outcomeUnknown: true };
  } else if (err.details !== undefined) {
    body.error.details = { ...err.details };
  }
  if (err instanceof RestError) Object.assign(headers, err.headers);
  // 401/403 carry their WWW-Authenticate challenge; a replayed idempotent answer says so.
  if (isAuthError(err)) Object.assign(headers, err.headers);
  if (isReplayedError(err)) headers['idempotent-replayed'] = 'true';
  if (err.httpStatus === 429) headers['retry-after'] = String(retryAfterSeconds(err));
  return { status: err.httpStatus, headers, body: JSON.stringify(body) };
}
