/**
 * Public surface of the REST facade: `createRestHandler` turns a `GatewayRequest` under `/v1/`
 * into a `GatewayResponse`. Everything in this file is public API; the rest of `src/rest/` is
 * internal except the validator (`validate.ts`), which other layers may reuse.
 *
 * One request, in order (see README.md for the route table):
 *   1. route lookup (404 unknown path, 405 + Allow for a known path with another method;
 *      OPTIONS answers 204 + Allow, HEAD is GET without a body)
 *   2. body size (413: declared content-length, then actual length); a repeated query
 *      parameter (400)
 *   3. the route: path ids checked (400), body parsed lazily (415 wrong content type, 400 bad
 *      JSON), parameters validated against the spec (400 with field paths), then upstream calls
 *   4. any error → the one JSON error body (`errors.ts`), status from the shared error table
 *
 * Idempotency (`Idempotency-Key`) applies to requests that call a write action only (the spec's
 * read/write kind; for `POST /v1/actions/{Action}` the named action): on a read the header is
 * ignored and the read runs as usual. Before a stored answer is looked at, the body is parsed and
 * the caller's scopes are checked for every action the route calls (with the body, for the
 * optional key inputs that add `keys`), so a replay never answers a caller who could not make
 * the call now.
 */
import { authorizeActions } from '../auth/authenticator';
import type { Identity } from '../auth/identity';
import type { GatewayHandler, GatewayRequest, GatewayResponse } from '../http/types';
import type { UpstreamCaller } from '../upstream/caller';
import { getAction } from '../spec';
import type { IdempotencyService } from '../idempotency/service';
import { unboundedDeadline, type RequestDeadline } from '../http/deadline';
import { DeadlineExceededError, withDeadline } from '../tasks/deadline';
import { DEFAULT_WAIT_POLICY, systemWaitClock, type WaitClock, type WaitPolicy } from '../tasks/wait';
import { isGatewayError } from '../upstream/errors';
import { createDocsAssets } from './docs';
import { HttpErrorCode, RestError, errorResponse, notFound } from './errors';
import { DEFAULT_MAX_BODY_BYTES, checkBodySize, parseJsonBody, rejectRepeatedQuery } from './http';
import { Router, type Route, type RouteContext } from './router';
import { actionRoutes } from './routes/actions';
import { certificateRoutes } from './routes/certificates';
import { deploymentRoutes } from './routes/deployments';
import { metaRoutes } from './routes/meta';
import { taskRoutes } from './routes/tasks';
import { withIsoTimes } from './times';

export { validateActionInput, actionValidator, compileActionValidator, summarizeProblems } from '../spec/validate';
export type { FieldProblem, ValidationResult, ActionValidator, ProblemReason } from '../spec/validate';
export type { ErrorBody } from './errors';
export { buildOpenApiDocument } from './openapi';
export { DOCS_ASSET_DIR, DOCS_CSP, DOCS_FILES, locateDocsFile } from './docs';
export type { Route } from './router';

export interface RestHandlerOptions {
  /** The upstream client (or anything with its `call`). */
  upstream: UpstreamCaller;
  /** Largest accepted request body. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** Bounds the retries of "record still being created" when starting updates. @default DEFAULT_WAIT_POLICY */
  waitPolicy?: WaitPolicy;
  /** Time source and sleep for those retries (tests inject one). @default systemWaitClock */
  clock?: WaitClock;
  /**
   * Called with every error that is answered as a masked 500 (anything that is not a
   * GatewayError), for logging; the client sees only "Internal server error". Exceptions it
   * throws are ignored. @default none
   */
  onUnexpectedError?: (error: unknown, req: GatewayRequest) => void;
  /**
   * The upstream to use for one request (the gateway passes one that checks the caller's scopes
   * per action and redacts key material). @default `upstream`
   */
  upstreamFor?: (req: GatewayRequest) => UpstreamCaller;
  /**
   * The authenticated caller: its namespaced id scopes idempotency keys, and its scopes are
   * checked before a stored answer is used. @default none (caller `anonymous`, no check: tests)
   */
  identityOf?: (req: GatewayRequest) => Identity | undefined;
  /**
   * Honours `Idempotency-Key` on requests that call a write action: a repeat with the same key,
   * method, path and body replays the first answer (with `Idempotent-Replayed: true`).
   * @default none (header ignored)
   */
  idempotency?: IdempotencyService;
  /** Extra folders searched for the API reference's vendored files before node_modules. */
  docsAssetDirs?: readonly string[];
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The REST facade's handler. `deadline` is the invocation's one deadline (src/http/deadline.ts):
 * every upstream call and "still being created" re-call of the request stays within it; without
 * one the request is bounded only by the wait policy and the upstream timeouts.
 */
export type RestHandler = (req: GatewayRequest, deadline?: RequestDeadline) => Promise<GatewayResponse>;

/** Every route of the facade, in documentation order. */
export const REST_ROUTES: readonly Route[] = (() => {
  const routes: Route[] = [];
  routes.push(...certificateRoutes, ...taskRoutes, ...deploymentRoutes, ...actionRoutes, ...metaRoutes(() => routes));
  return routes;
})();

const router = new Router(REST_ROUTES);

export function createRestHandler(options: RestHandlerOptions): RestHandler & GatewayHandler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) throw new RangeError('maxBodyBytes must be a positive integer');
  const policy = options.waitPolicy ?? DEFAULT_WAIT_POLICY;
  const wait = { policy, clock: options.clock ?? systemWaitClock };
  // Polling hint for running work: the first pause of the wait policy, in whole seconds.
  const retryAfterSeconds = Math.max(1, Math.ceil(policy.initialDelayMs / 1000));
  const docsAssets = createDocsAssets(options.docsAssetDirs ?? []);

  return async (req: GatewayRequest, requestDeadline?: RequestDeadline): Promise<GatewayResponse> => {
    try {
      const deadline = requestDeadline ?? unboundedDeadline(wait.clock);
      // The reference page's static files (`/v1/docs/assets/*`): not API routes, not documented.
      const asset = docsAssets.handle(req);
      if (asset) return asset;
      const method = req.method.toUpperCase();
      const match = router.match(method === 'OPTIONS' ? '' : method, req.path);
      if (match.kind === 'none') throw notFound(`No route for ${method} ${truncate(req.path)}; see GET /v1/docs`, { path: truncate(req.path) });
      if (match.kind === 'method') {
        const allow = [...match.allow, ...(match.allow.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
        if (method === 'OPTIONS') return { status: 204, headers: { allow, 'x-request-id': req.requestId }, body: '' };
        throw new RestError(HttpErrorCode.METHOD_NOT_ALLOWED, `Method ${truncate(method, 16)} is not allowed on ${truncate(req.path)}; allowed: ${allow}`, {
          headers: { allow },
          details: { allow: allow.split(', ') },
        });
      }
      checkBodySize(req, maxBodyBytes);
      rejectRepeatedQuery(req);
      let parsed: { value: unknown } | undefined;
      const ctx: RouteContext = {
        req,
        params: match.params,
        upstream: timesFor(match.route, withDeadline(options.upstreamFor ? options.upstreamFor(req) : options.upstream, deadline)),
        wait: { ...wait, deadline },
        retryAfterSeconds,
        body: () => (parsed ??= { value: parseJsonBody(req) }).value,
      };
      const key = req.headers['idempotency-key'];
      let res: GatewayResponse;
      const actions = key !== undefined && options.idempotency && WRITE_METHODS.has(method) ? (match.route.actionsOf?.(match.params) ?? match.route.doc.actions) : [];
      if (key !== undefined && options.idempotency && actions.some((a) => getAction(a)?.kind === 'write')) {
        // Authorization first: a stored answer is only for a caller who may make the call now.
        const identity = options.identityOf?.(req);
        if (identity) authorizeActions(identity, actions, bodyParams(ctx));
        // No time left for a write: refused before the key is taken (nothing ran; the same key may
        // be used again), instead of a failure that would mark the key's outcome unknown.
        if (!deadline.canStartWrite()) throw new DeadlineExceededError(`${method} ${truncate(req.path)}`, 'NOT_STARTED', true);
        // Fingerprint: what the request asks for, not how it was carried (JSON bodies are compared
        // as values, so key order and spacing do not matter).
        const text = req.body ? req.body.toString('utf8') : '';
        let body: unknown = text;
        try {
          body = text === '' ? null : JSON.parse(text);
        } catch {
          // not JSON: the route will refuse it; fingerprint the text
        }
        const input = { path: req.path, query: req.query, body };
        const out = await options.idempotency.run(key, identity?.id ?? 'anonymous', `rest:${method}`, input, () => match.route.handle(ctx));
        res = out.replayed ? { ...out.value, headers: { ...out.value.headers, 'idempotent-replayed': 'true', 'x-request-id': req.requestId } } : out.value;
      } else {
        res = await match.route.handle(ctx);
      }
      return method === 'HEAD' ? { ...res, body: '' } : res;
    } catch (err) {
      if (!isGatewayError(err) && options.onUnexpectedError) {
        try {
          options.onUnexpectedError(err, req);
        } catch {
          // logging must never change the answer
        }
      }
      return errorResponse(err, req.requestId);
    }
  };
}

/** Resource routes read upstream answers with ISO 8601 times; the raw action route passes the upstream's text through. */
function timesFor(route: Route, upstream: UpstreamCaller): UpstreamCaller {
  return (route.times ?? 'iso') === 'iso' ? withIsoTimes(upstream) : upstream;
}

/** The JSON body as parameters for the scope check; null when absent or unreadable (the route refuses those itself). */
function bodyParams(ctx: RouteContext): Record<string, unknown> | null {
  try {
    const v = ctx.req.body && ctx.req.body.length > 0 ? ctx.body() : undefined;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function truncate(s: string, n = 200): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
