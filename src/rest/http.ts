/**
 * Request and response plumbing of the REST facade on the transport-neutral shapes of
 * `src/http/types.ts`: body size limits, content types, JSON parsing, path ids, query values.
 */
import { isUtf8 } from 'node:buffer';
import type { GatewayRequest, GatewayResponse } from '../http/types';
import { ID_PATTERNS, type IdKind } from '../spec/ids';
import { HttpErrorCode, RestError, badRequest, baseHeaders } from './errors';
import { parseCanonicalInteger } from '../spec/integers';

export { ID_PATTERNS, type IdKind };

/** @default 1 MiB */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): GatewayResponse {
  return { status, headers: { ...baseHeaders(requestId), ...headers }, body: JSON.stringify(body) };
}

/**
 * Refuses bodies above `maxBytes`, by the declared `content-length` first (so an adapter that
 * streams can stop early) and by the actual length (the header may be absent or wrong).
 */
export function checkBodySize(req: GatewayRequest, maxBytes: number): void {
  const declared = req.headers['content-length'];
  const tooLarge = (n: number) =>
    new RestError(HttpErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than ${maxBytes} bytes`, {
      details: { maxBodyBytes: maxBytes, ...(Number.isFinite(n) ? { bodyBytes: n } : {}) },
    });
  if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) throw tooLarge(Number(declared));
  if (req.body !== undefined && req.body.length > maxBytes) throw tooLarge(req.body.length);
}

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * Strict UTF-8: `Buffer#toString('utf8')` would turn invalid bytes into U+FFFD and the mangled
 * text would be validated and sent upstream as if the client had meant it.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // ignoreBOM: keep it (one BOM is allowed, not two)

/** The body as text; 400 when it is not valid UTF-8 (a leading BOM is kept). */
export function bodyText(req: GatewayRequest): string {
  if (req.body === undefined || req.body.length === 0) return '';
  try {
    return UTF8.decode(req.body);
  } catch {
    throw badRequest('The request body is not valid UTF-8', { reason: 'malformedUtf8' });
  }
}

/** True when the body is empty (absent or zero bytes, or only whitespace). */
export function isEmptyBody(req: GatewayRequest): boolean {
  if (req.body === undefined || req.body.length === 0) return true;
  // Not UTF-8 is not empty: the parser then says why it cannot read it.
  return isUtf8(req.body) && bodyText(req).trim() === '';
}

/**
 * Parses a JSON body. Returns `undefined` for an empty body (the caller decides whether that is
 * allowed). A non-empty body must be declared `application/json` (or `application/*+json`), with
 * charset utf-8 when a charset is given: anything else is 415.
 */
export function parseJsonBody(req: GatewayRequest): unknown {
  if (isEmptyBody(req)) return undefined;
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  const [media, ...params] = ct.split(';').map((s) => s.trim());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (!JSON_MEDIA.test(media) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new RestError(HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, `Unsupported content type ${JSON.stringify(media || '(none)')}: send application/json (UTF-8)`, {
      details: { contentType: media || null, supported: ['application/json'] },
    });
  }
  let text = bodyText(req);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    // Only the position is reported: the parser's message may quote the input.
    const pos = /position (\d+)/.exec((e as Error).message)?.[1];
    throw badRequest('The request body is not valid JSON', pos === undefined ? { reason: 'malformedJson' } : { reason: 'malformedJson', position: Number(pos) });
  }
}

// ---- path ids -------------------------------------------------------------------------------------

/** Decodes and checks one path id; 400 with the parameter name on anything odd. */
export function pathId(raw: string, kind: IdKind, name: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw badRequest(`Path parameter ${name} is not valid percent-encoding`, { fields: [{ path: name, reason: 'type', message: 'invalid percent-encoding' }] });
  }
  const rule = ID_PATTERNS[kind];
  if (!rule.pattern.test(id)) {
    throw badRequest(`Path parameter ${name} is not a valid ${kind} id: ${rule.description}`, {
      fields: [{ path: name, reason: 'type', message: `expected ${rule.description}` }],
    });
  }
  return id;
}

// ---- query values ---------------------------------------------------------------------------------

/**
 * Refuses a repeated query parameter (`?limit=1&limit=5000`, `?status=1&status=3`): which one
 * wins differs between proxies, WAFs and frameworks, and taking one would silently drop the
 * others. Lists are one parameter with comma-separated items (`status=1,3`). The Lambda adapter
 * reports repeats in `queryRepeats` (see handlers/lib/events.ts).
 */
export function rejectRepeatedQuery(req: GatewayRequest): void {
  const repeated = req.queryRepeats ?? [];
  if (repeated.length === 0) return;
  throw badRequest(`Query parameter ${repeated[0]} is repeated; send it once (lists are comma-separated, e.g. status=1,3)`, {
    fields: repeated.map((name) => ({ path: name, reason: 'type', message: 'repeated query parameter; send it once' })),
  });
}

export function queryBoolean(req: GatewayRequest, name: string): boolean | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw badRequest(`Query parameter ${name} must be true or false`, { fields: [{ path: name, reason: 'type', message: 'expected true or false' }] });
}

export function queryInteger(req: GatewayRequest, name: string, min = 0): number | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  const n = parseCanonicalInteger(v);
  if (n === undefined || n < min) {
    throw badRequest(`Query parameter ${name} must be a decimal integer >= ${min}`, { fields: [{ path: name, reason: 'type', message: `expected a decimal integer >= ${min}` }] });
  }
  return n;
}
