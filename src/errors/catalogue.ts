/**
 * The one catalogue of the error codes the gateway answers, on every surface: GraphQL
 * `extensions.code`, the REST `error.code`, and the bodies the Lambda handlers and the local server
 * write themselves. Each entry has its default HTTP status, what a client may do about it (retry
 * advice) and a one-line meaning. Everything else renders from it: the code constants every layer
 * uses, the default status of a `GatewayError`, the README error table (`npm run docs:generate`)
 * and the OpenAPI `GatewayError.code` enum; `test/unit/errors/catalogue.test.ts` fails when one of
 * them (or a code literal in src/ or handlers/) disagrees.
 *
 * A code says what kind of failure it is; a reason (`details.reason`, or GraphQL's
 * `extensions.validationErrorCode`) refines it where a client must tell cases apart, sometimes
 * with its own status (an Idempotency-Key reused for another request is BAD_REQUEST with 422).
 *
 * How the gateway itself retries upstream calls is decided per upstream code in
 * `src/upstream/errors.ts`; the `retry` here is the advice for the client that got the answer.
 *
 * Lowest layer: imports nothing.
 */

/** What a client may do after this answer. */
export const RetryAdvice = {
  /** Repeating the same request gets the same answer: change the request, credentials or configuration first. */
  never: 'never',
  /** Nothing was executed: repeat the same request later (after Retry-After, when the answer has it). */
  'after-delay': 'after-delay',
  /** Nothing was executed: the same request may be sent again at once. */
  'same-request-safe': 'same-request-safe',
  /** The current state refuses it: repeat once that state has changed (poll the resource). */
  'after-state-change': 'after-state-change',
  /** The outcome may be unknown: repeat a read; check the state before repeating a write (details.outcomeUnknown). */
  'reads-only': 'reads-only',
} as const;
export type RetryAdvice = (typeof RetryAdvice)[keyof typeof RetryAdvice];

/** The surfaces on which a code can be answered (REST codes are the OpenAPI enum). */
export type ErrorSurface = 'graphql' | 'rest';

export interface ErrorEntry {
  readonly code: string;
  /** The status the code is answered with unless `otherStatuses` says otherwise. */
  readonly httpStatus: number;
  /** Statuses some specific cases answer instead, each with the case (e.g. a reason). */
  readonly otherStatuses?: Readonly<Record<number, string>>;
  readonly retry: RetryAdvice;
  readonly surfaces: readonly ErrorSurface[];
  /** One line, English, for the README table and the OpenAPI description. */
  readonly meaning: string;
}

const BOTH = ['graphql', 'rest'] as const;
const GRAPHQL = ['graphql'] as const;
const REST = ['rest'] as const;

/** Every code, keyed by itself (a duplicate key would not compile). Order: the README table's. */
const CATALOGUE = {
  // --- the request itself
  BAD_REQUEST: {
    httpStatus: 400,
    otherStatuses: { 422: 'IDEMPOTENCY_KEY_REUSED' },
    retry: 'never',
    surfaces: BOTH,
    meaning: 'Invalid request (validation problems in details.fields; upstream InvalidParameter*, MissingParameter, UnknownParameter, invalid-input FailedOperation.*; malformed HTTP or GraphQL envelope).',
  },
  BAD_USER_INPUT: {
    httpStatus: 400,
    retry: 'never',
    surfaces: GRAPHQL,
    meaning: 'A GraphQL argument or variable value is invalid (extensions.fields lists spec problems); inside an executed field it comes with HTTP 200.',
  },
  GRAPHQL_PARSE_FAILED: { httpStatus: 400, retry: 'never', surfaces: GRAPHQL, meaning: 'The GraphQL document does not parse, has more tokens than GRAPHQL_MAX_TOKENS, or is not valid UTF-8.' },
  GRAPHQL_VALIDATION_FAILED: {
    httpStatus: 400,
    retry: 'never',
    surfaces: GRAPHQL,
    meaning: 'The GraphQL document fails validation or a limit (depth, aliases, directives, cost, introspection): extensions.validationErrorCode names the limit.',
  },
  OPERATION_RESOLUTION_FAILURE: { httpStatus: 400, retry: 'never', surfaces: GRAPHQL, meaning: 'The operationName names no operation of the document, or several operations and none named.' },
  PERSISTED_QUERY_NOT_FOUND: {
    httpStatus: 200,
    retry: 'never',
    surfaces: GRAPHQL,
    meaning: 'This caller has not registered the persisted-query hash: send the full query with it once (Apollo APQ protocol).',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: { httpStatus: 200, retry: 'never', surfaces: GRAPHQL, meaning: 'The persisted-query extension is not supported in the form sent (e.g. another version).' },
  METHOD_NOT_ALLOWED: { httpStatus: 405, retry: 'never', surfaces: BOTH, meaning: 'The path exists, but not with this method; the Allow header lists the methods.' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retry: 'never', surfaces: BOTH, meaning: 'The body is larger than the configured limit (MAX_BODY_BYTES, 1 MiB by default; the Lambda payload limit).' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, retry: 'never', surfaces: REST, meaning: 'The REST body is not application/json (UTF-8).' },
  REQUEST_TIMEOUT: { httpStatus: 408, retry: 'same-request-safe', surfaces: BOTH, meaning: '(local server) The request was not received in time; nothing was executed.' },
  MISDIRECTED_REQUEST: { httpStatus: 421, retry: 'never', surfaces: BOTH, meaning: '(local server) The Host header names another server (DNS-rebinding protection).' },
  REQUEST_HEADER_FIELDS_TOO_LARGE: { httpStatus: 431, retry: 'never', surfaces: BOTH, meaning: '(local server) The request line and headers are too large.' },
  UNSUPPORTED_EVENT: { httpStatus: 400, retry: 'never', surfaces: BOTH, meaning: '(Lambda) The function was invoked with an event that is not an HTTP event.' },
  CORS_NOT_ALLOWED: { httpStatus: 403, retry: 'never', surfaces: BOTH, meaning: 'A CORS preflight from an origin not in CORS_ALLOWED_ORIGINS, or for a method the surface does not serve.' },

  // --- the caller
  UNAUTHENTICATED: {
    httpStatus: 401,
    retry: 'never',
    surfaces: BOTH,
    meaning: 'No or invalid client credentials (an X-API-Key, or an API key or JWT as Authorization: Bearer); WWW-Authenticate says which schemes are accepted.',
  },
  FORBIDDEN: {
    httpStatus: 403,
    retry: 'never',
    surfaces: BOTH,
    meaning: 'The credentials lack a scope the operation needs (read, write, keys), or the SSL API refused it (UnauthorizedOperation*, FailedOperation.NoProjectPermission, ...).',
  },

  // --- the resource and its state
  NOT_FOUND: { httpStatus: 404, retry: 'never', surfaces: BOTH, meaning: 'Unknown route, action, certificate, task or record (ResourceNotFound*, FailedOperation.CertificateNotFound, ...).' },
  CONFLICT: {
    httpStatus: 409,
    retry: 'after-state-change',
    surfaces: BOTH,
    meaning: 'Busy: a deployment is already running or still being created (ResourceInUse*, FailedOperation.CertificateDeployHasPendingRecord, ...), or an Idempotency-Key conflict (details.reason).',
  },
  FAILED_PRECONDITION: {
    httpStatus: 409,
    retry: 'after-state-change',
    surfaces: BOTH,
    meaning: 'The current state does not allow the operation (other FailedOperation*, ResourceUnavailable*, ResourceInsufficient*).',
  },
  QUOTA_EXCEEDED: { httpStatus: 403, retry: 'never', surfaces: BOTH, meaning: 'An account quota is used up (LimitExceeded* other than rate limits, FailedOperation.ExceedsFreeLimit, ...).' },

  // --- capacity
  RATE_LIMITED: {
    httpStatus: 429,
    otherStatuses: { 503: 'RATE_LIMIT_STORE_UNAVAILABLE' },
    retry: 'after-delay',
    surfaces: BOTH,
    meaning: "Rate limited (the gateway's budget, or RequestLimitExceeded* after the gateway's own retries); nothing was executed; Retry-After says when.",
  },
  SERVICE_UNAVAILABLE: { httpStatus: 503, retry: 'never', surfaces: BOTH, meaning: '(Lambda) The gateway could not start: its configuration is invalid (the logs name the variable).' },

  // --- the upstream and the gateway
  UPSTREAM_AUTH: {
    httpStatus: 502,
    retry: 'never',
    surfaces: BOTH,
    meaning: "The SSL API rejected the gateway's own credentials (AuthFailure*, IpNotInWhitelist, ...): a gateway configuration problem.",
  },
  UPSTREAM_INTERNAL: {
    httpStatus: 502,
    retry: 'reads-only',
    surfaces: BOTH,
    meaning: 'The SSL API failed internally (InternalError*, FailedOperation.SystemError, ...); a write may nevertheless have executed (details.outcomeUnknown).',
  },
  UPSTREAM_UNAVAILABLE: {
    httpStatus: 502,
    otherStatuses: { 503: 'the JWT issuer keys (JWKS) cannot be fetched' },
    retry: 'reads-only',
    surfaces: BOTH,
    meaning: 'The SSL API could not be reached, or answered HTTP 5xx or a malformed body; a write may have executed only if the request was sent (details.outcomeUnknown).',
  },
  UPSTREAM_TIMEOUT: { httpStatus: 504, retry: 'reads-only', surfaces: BOTH, meaning: 'The SSL API did not answer in time; a write may nevertheless have executed (details.outcomeUnknown).' },
  DEADLINE_EXCEEDED: {
    httpStatus: 504,
    retry: 'reads-only',
    surfaces: BOTH,
    meaning: "The request's time budget ran out before the upstream call finished: details.stage NOT_STARTED, NOT_SENT or IN_FLIGHT (details.outcomeUnknown for a write in flight).",
  },
  UPSTREAM_CONTRACT: {
    httpStatus: 502,
    retry: 'never',
    surfaces: BOTH,
    meaning: 'The SSL API answered something its documentation rules out (null where a value is promised); the answer names the field and the upstream RequestId.',
  },
  INTERNAL_SERVER_ERROR: {
    httpStatus: 500,
    otherStatuses: { 503: 'IDEMPOTENCY_STORE_UNAVAILABLE' },
    retry: 'reads-only',
    surfaces: BOTH,
    meaning: 'Unexpected gateway error (generic message); a write may have executed: check the state before repeating it.',
  },
} as const satisfies Record<string, Omit<ErrorEntry, 'code'>>;

export type ErrorCode = keyof typeof CATALOGUE;

/** The codes as constants (`ErrorCode.NOT_FOUND === 'NOT_FOUND'`): values equal keys. */
export const ErrorCode: { readonly [K in ErrorCode]: K } = Object.freeze(
  Object.fromEntries(Object.keys(CATALOGUE).map((code) => [code, code])) as { [K in ErrorCode]: K },
);

/** Every entry, in catalogue order. */
export const ERROR_CATALOGUE: readonly ErrorEntry[] = Object.freeze(
  Object.entries(CATALOGUE).map(([code, entry]): ErrorEntry => Object.freeze({ code, ...entry })),
);

/** Default HTTP status of each code. */
export const ERROR_HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze(
  Object.fromEntries(ERROR_CATALOGUE.map((e) => [e.code, e.httpStatus])) as Record<ErrorCode, number>,
);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATALOGUE, value);
}

/** The catalogue entry of a code, or undefined for a string that is not one. */
export function errorEntry(code: string): ErrorEntry | undefined {
  return isErrorCode(code) ? ERROR_CATALOGUE.find((e) => e.code === code) : undefined;
}

/** Default HTTP status of a code (undefined for a string that is not a catalogue code). */
export function httpStatusOf(code: string): number | undefined {
  return isErrorCode(code) ? ERROR_HTTP_STATUS[code] : undefined;
}

export interface ErrorReasonEntry {
  readonly reason: string;
  /** Where the reason is carried. */
  readonly field: 'details.reason' | 'extensions.validationErrorCode';
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly retry: RetryAdvice;
  readonly surfaces: readonly ErrorSurface[];
  readonly meaning: string;
}

const REASONS = {
  IDEMPOTENCY_KEY_INVALID: { field: 'details.reason', code: 'BAD_REQUEST', httpStatus: 400, retry: 'never', surfaces: BOTH, meaning: 'The Idempotency-Key is empty, too long or not printable ASCII.' },
  IDEMPOTENCY_KEY_REUSED: { field: 'details.reason', code: 'BAD_REQUEST', httpStatus: 422, retry: 'never', surfaces: BOTH, meaning: 'The same key was used by this caller for a different request: use a new key.' },
  IDEMPOTENCY_IN_PROGRESS: { field: 'details.reason', code: 'CONFLICT', httpStatus: 409, retry: 'after-delay', surfaces: BOTH, meaning: 'The first request with this key is still running: repeat it later.' },
  IDEMPOTENCY_OUTCOME_UNKNOWN: {
    field: 'details.reason',
    code: 'CONFLICT',
    httpStatus: 409,
    retry: 'never',
    surfaces: BOTH,
    meaning: 'The first request with this key may or may not have executed: check the state before sending a new key.',
  },
  IDEMPOTENCY_NOT_REPLAYABLE: {
    field: 'details.reason',
    code: 'CONFLICT',
    httpStatus: 409,
    retry: 'never',
    surfaces: BOTH,
    meaning: 'The first request with this key completed but its answer was not kept: check the state.',
  },
  IDEMPOTENCY_CALLER_LIMIT: { field: 'details.reason', code: 'RATE_LIMITED', httpStatus: 429, retry: 'after-delay', surfaces: BOTH, meaning: 'The caller holds its maximum of live keys; nothing was executed.' },
  IDEMPOTENCY_STORE_UNAVAILABLE: {
    field: 'details.reason',
    code: 'INTERNAL_SERVER_ERROR',
    httpStatus: 503,
    retry: 'after-delay',
    surfaces: BOTH,
    meaning: 'The idempotency record store is down or full; nothing was executed.',
  },
  RATE_LIMIT_STORE_UNAVAILABLE: {
    field: 'details.reason',
    code: 'RATE_LIMITED',
    httpStatus: 503,
    retry: 'after-delay',
    surfaces: BOTH,
    meaning: 'The shared (Redis) rate limiter is unavailable and no local fallback is configured; the call was not sent.',
  },
  LATE_START: {
    field: 'details.reason',
    code: 'RATE_LIMITED',
    httpStatus: 429,
    retry: 'after-delay',
    surfaces: BOTH,
    meaning: 'The gateway was too busy to start the call within its rate-limit slot, repeatedly; the call was not sent.',
  },
  CALLER_QUEUE_FULL: {
    field: 'details.reason',
    code: 'RATE_LIMITED',
    httpStatus: 429,
    retry: 'after-delay',
    surfaces: BOTH,
    meaning: 'This caller already has RATE_LIMIT_CALLER_MAX_QUEUED calls of the action waiting for the upstream budget (its fair share); the call was not sent.',
  },
  CALLER_RATE: {
    field: 'details.reason',
    code: 'RATE_LIMITED',
    httpStatus: 429,
    retry: 'after-delay',
    surfaces: BOTH,
    meaning: "This caller is over its own upstream call rate (RATE_LIMIT_CALLER_RATE) for the action; the call was not sent.",
  },
  QUERY_TOO_DEEP: { field: 'extensions.validationErrorCode', code: 'GRAPHQL_VALIDATION_FAILED', httpStatus: 400, retry: 'never', surfaces: GRAPHQL, meaning: 'The document nests fields deeper than GRAPHQL_MAX_DEPTH.' },
  TOO_MANY_ALIASES: { field: 'extensions.validationErrorCode', code: 'GRAPHQL_VALIDATION_FAILED', httpStatus: 400, retry: 'never', surfaces: GRAPHQL, meaning: 'The document has more aliases than GRAPHQL_MAX_ALIASES.' },
  TOO_MANY_DIRECTIVES: { field: 'extensions.validationErrorCode', code: 'GRAPHQL_VALIDATION_FAILED', httpStatus: 400, retry: 'never', surfaces: GRAPHQL, meaning: 'The document has more directives than GRAPHQL_MAX_DIRECTIVES.' },
  QUERY_TOO_COMPLEX: {
    field: 'extensions.validationErrorCode',
    code: 'GRAPHQL_VALIDATION_FAILED',
    httpStatus: 400,
    retry: 'never',
    surfaces: GRAPHQL,
    meaning: 'The estimated cost (upstream calls) of the document exceeds GRAPHQL_MAX_COST.',
  },
  INTROSPECTION_DISABLED: { field: 'extensions.validationErrorCode', code: 'GRAPHQL_VALIDATION_FAILED', httpStatus: 400, retry: 'never', surfaces: GRAPHQL, meaning: 'Introspection is off (production); the schema is published in the repository.' },
} as const satisfies Record<string, Omit<ErrorReasonEntry, 'reason'>>;

export type ErrorReason = keyof typeof REASONS;

/** The reasons as constants: values equal keys. */
export const ErrorReason: { readonly [K in ErrorReason]: K } = Object.freeze(
  Object.fromEntries(Object.keys(REASONS).map((reason) => [reason, reason])) as { [K in ErrorReason]: K },
);

export const ERROR_REASONS: readonly ErrorReasonEntry[] = Object.freeze(
  Object.entries(REASONS).map(([reason, entry]): ErrorReasonEntry => Object.freeze({ reason, ...entry })),
);

/** The code and status a reason is answered with (typed with its literal code). */
export function reasonEntry<R extends ErrorReason>(reason: R): (typeof REASONS)[R] & { readonly reason: R } {
  return ERROR_REASONS.find((r) => r.reason === reason) as unknown as (typeof REASONS)[R] & { readonly reason: R };
}

/** A named part of the reasons as constants (values equal keys), like `codeSubset`. */
export function reasonSubset<const K extends ErrorReason>(reasons: readonly K[]): { readonly [P in K]: P } {
  return Object.freeze(Object.fromEntries(reasons.map((reason) => [reason, reason])) as { [P in K]: P });
}

/**
 * A named part of the catalogue as constants (values equal keys), for a layer that answers only
 * some codes: `codeSubset(['NOT_FOUND', 'CONFLICT'])`. Codes outside the catalogue do not compile.
 */
export function codeSubset<const K extends ErrorCode>(codes: readonly K[]): { readonly [P in K]: P } {
  return Object.freeze(Object.fromEntries(codes.map((code) => [code, code])) as { [P in K]: P });
}
