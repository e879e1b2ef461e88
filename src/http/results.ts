/**
 * JSON answers the gateway writes itself (outside GraphQL's and the REST facade's own bodies):
 * health, routing misses, refusals before a surface runs. Errors have the REST error body shape
 * `{ error: { code, message, requestId } }`.
 */
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import type { GatewayRequest, GatewayResult } from './types';

export function jsonResult(status: number, body: unknown, headers: Record<string, string> = {}): GatewayResult {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** The REST facade's error body shape: `{ error: { code, message, requestId } }`. */
export function errorResult(status: number, code: ErrorCode, message: string, requestId: string, headers: Record<string, string> = {}): GatewayResult {
  return jsonResult(status, { error: { code, message, requestId } }, { 'x-request-id': requestId, ...headers });
}

/** An error answer with the code's status from the catalogue. */
export function catalogueErrorResult(code: ErrorCode, message: string, requestId: string, headers: Record<string, string> = {}): GatewayResult {
  return errorResult(ERROR_HTTP_STATUS[code], code, message, requestId, headers);
}

export const notFound = (req: GatewayRequest, message: string): GatewayResult => catalogueErrorResult(ErrorCode.NOT_FOUND, message, req.requestId);

export const methodNotAllowed = (req: GatewayRequest, allow: string): GatewayResult =>
  catalogueErrorResult(ErrorCode.METHOD_NOT_ALLOWED, `${req.method} is not allowed here`, req.requestId, { allow });
