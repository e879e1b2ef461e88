/**
 * Gateway error model and the ONE table that maps Tencent Cloud error codes to it.
 *
 * - `GatewayError` is the base class every layer (upstream client, GraphQL, REST) throws; it
 *   carries a stable `code` (a `GatewayErrorCode`), the HTTP status the gateway should answer
 *   with, a message safe to show a client, and optional structured `details`.
 * - `UpstreamError` is a `GatewayError` produced from an SSL API answer (or from a failure to get
 *   one). It keeps the upstream `Code` (`upstreamCode`), `Message` and `RequestId`.
 * - `UPSTREAM_ERROR_TABLE` + `classifyUpstreamError(code)` decide gateway code, HTTP status and
 *   retry policy. Keys are either an exact code (`FailedOperation.CertificateNotFound`) or a
 *   dot-segment prefix written `Prefix.*`, which matches `Prefix` itself and every
 *   `Prefix.<anything>`. Exact keys win; otherwise the longest matching prefix wins.
 *
 * Retry policies:
 * - `never`: a definitive answer; repeating the call gives the same answer.
 * - `reads`: the outcome is unknown (the request may have executed, e.g. timeout, 5xx,
 *   `InternalError`): only actions without side effects may be repeated.
 * - `always-safe`: the answer proves the call did not execute (rate limit, signature expired,
 *   connection refused before any byte was sent): any action may be repeated.
 *
 * Choice for `FailedOperation.*`: FAILED_PRECONDITION with HTTP 409 — the request was well formed
 * but the current state of the account/certificate does not allow it (status not allowed, has
 * bound resources, pending deployment...). FailedOperation sub-codes that really describe invalid
 * input (unparsable certificate, wrong file type...) are listed explicitly as BAD_REQUEST 400,
 * authorization ones as FORBIDDEN 403, quota ones as QUOTA_EXCEEDED 403, "not found" ones as
 * NOT_FOUND 404 and transient backend ones as UPSTREAM_INTERNAL/UPSTREAM_UNAVAILABLE 502.
 *
 * Failures that have no upstream code (timeouts, connection errors, non-JSON bodies) are
 * classified through pseudo codes in the reserved `Gateway.` namespace (see `TransportCode`).
 *
 * An upstream `Message` is scrubbed like a log line (`src/observability/scrub.ts`: private keys,
 * tokens, API keys, SecretIds, `password=`-style values) before it is stored in the error.
 */
import { codeSubset, ERROR_HTTP_STATUS } from '../errors';
import { scrub } from '../observability/scrub';

/**
 * The codes a `GatewayError` carries: a part of the one catalogue (`src/errors/catalogue.ts`),
 * which gives each its default HTTP status, retry advice and meaning. Values equal keys (Apollo style).
 */
export const GatewayErrorCode = codeSubset([
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'FAILED_PRECONDITION',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  'UPSTREAM_AUTH',
  'UPSTREAM_INTERNAL',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'UPSTREAM_CONTRACT',
]);
export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

/** Default HTTP status for each gateway code, from the catalogue (a table row may be more specific). */
export const DEFAULT_HTTP_STATUS: Readonly<Record<GatewayErrorCode, number>> = Object.freeze(
  Object.fromEntries(Object.values(GatewayErrorCode).map((code) => [code, ERROR_HTTP_STATUS[code]])) as Record<GatewayErrorCode, number>,
);

export interface GatewayErrorOptions {
  httpStatus?: number;
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/** Base class for every error the gateway answers with. The message must be safe for clients. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly httpStatus: number;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.httpStatus = options.httpStatus ?? DEFAULT_HTTP_STATUS[code];
    if (options.details !== undefined) this.details = Object.freeze({ ...options.details });
  }

  /** Client-facing representation (no stack, no cause). */
  toJSON(): { code: GatewayErrorCode; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

export type RetryPolicy = 'never' | 'reads' | 'always-safe';

export interface ErrorRule {
  readonly gatewayCode: GatewayErrorCode;
  readonly httpStatus: number;
  readonly retry: RetryPolicy;
}

/** Pseudo codes for failures that produced no upstream `Code`. */
export const TransportCode = {
  /** Connection could not be established (refused, DNS, connect timeout): nothing was sent. */
  ConnectFailed: 'Gateway.ConnectFailed',
  /** Connection broke after the request may have been sent (reset, socket closed). */
  ConnectionLost: 'Gateway.ConnectionLost',
  /** No (complete) answer within the configured time. */
  Timeout: 'Gateway.Timeout',
  /** HTTP 5xx without a parsable API envelope. */
  HttpServerError: 'Gateway.HttpServerError',
  /** Other non-2xx HTTP status without a parsable API envelope. */
  HttpStatus: 'Gateway.HttpStatus',
  /** Body is not JSON or not a `{"Response": {...}}` envelope. */
  MalformedResponse: 'Gateway.MalformedResponse',
  /** A successful answer with a member that breaks the documented contract (see UPSTREAM_CONTRACT). */
  ContractViolation: 'Gateway.ContractViolation',
} as const;
export type TransportCode = (typeof TransportCode)[keyof typeof TransportCode];

function rule(gatewayCode: GatewayErrorCode, retry: RetryPolicy = 'never', httpStatus?: number): ErrorRule {
  return Object.freeze({ gatewayCode, retry, httpStatus: httpStatus ?? DEFAULT_HTTP_STATUS[gatewayCode] });
}

const C = GatewayErrorCode;

/**
 * The one mapping table. Keys: exact code, or `Prefix.*` (matches `Prefix` and `Prefix.<sub...>`).
 * Codes from the seed documentation's common and business error code lists.
 */
export const UPSTREAM_ERROR_TABLE: Readonly<Record<string, ErrorRule>> = Object.freeze({
  // --- authentication of the gateway's own credentials: a gateway configuration problem
  'AuthFailure.*': rule(C.UPSTREAM_AUTH),
  // proves non-execution; the client re-signs once after learning the clock offset
  'AuthFailure.SignatureExpire': rule(C.UPSTREAM_AUTH, 'always-safe'),
  IpInBlacklist: rule(C.UPSTREAM_AUTH),
  IpNotInWhitelist: rule(C.UPSTREAM_AUTH),

  // --- rate limits: rejected before execution
  'RequestLimitExceeded.*': rule(C.RATE_LIMITED, 'always-safe'),
  'LimitExceeded.RateLimitExceeded': rule(C.RATE_LIMITED, 'always-safe'),
  // other LimitExceeded: quotas, not time based
  'LimitExceeded.*': rule(C.QUOTA_EXCEEDED),

  // --- upstream faults: outcome unknown
  'InternalError.*': rule(C.UPSTREAM_INTERNAL, 'reads'),
  ServiceUnavailable: rule(C.UPSTREAM_UNAVAILABLE, 'reads'),

  // --- invalid requests
  'InvalidParameter.*': rule(C.BAD_REQUEST),
  'InvalidParameterValue.*': rule(C.BAD_REQUEST),
  MissingParameter: rule(C.BAD_REQUEST),
  UnknownParameter: rule(C.BAD_REQUEST),
  InvalidRequest: rule(C.BAD_REQUEST),
  InvalidAction: rule(C.BAD_REQUEST),
  ActionOffline: rule(C.BAD_REQUEST),
  NoSuchProduct: rule(C.BAD_REQUEST),
  NoSuchVersion: rule(C.BAD_REQUEST),
  'UnsupportedOperation.*': rule(C.BAD_REQUEST),
  UnsupportedProtocol: rule(C.BAD_REQUEST),
  UnsupportedRegion: rule(C.BAD_REQUEST),
  RequestSizeLimitExceeded: rule(C.BAD_REQUEST),
  ResponseSizeLimitExceeded: rule(C.BAD_REQUEST),
  DryRunOperation: rule(C.BAD_REQUEST),

  // --- authorization (CAM) of the operation
  'UnauthorizedOperation.*': rule(C.FORBIDDEN),

  // --- resources
  'ResourceNotFound.*': rule(C.NOT_FOUND),
  'ResourceInUse.*': rule(C.CONFLICT),
  'ResourceUnavailable.*': rule(C.FAILED_PRECONDITION),
  'ResourceInsufficient.*': rule(C.FAILED_PRECONDITION),

  // --- business failures (see module comment for the 409 choice)
  'FailedOperation.*': rule(C.FAILED_PRECONDITION),
  'FailedOperation.CertificateNotFound': rule(C.NOT_FOUND),
  'FailedOperation.CertificateDeployNotExist': rule(C.NOT_FOUND),
  'FailedOperation.CertificateTypeInfoNotFound': rule(C.NOT_FOUND),
  'FailedOperation.PackageNotFound': rule(C.NOT_FOUND),
  'FailedOperation.CertificateExists': rule(C.CONFLICT),
  'FailedOperation.OrderAlreadyReplaced': rule(C.CONFLICT),
  'FailedOperation.CertificateDeployHasPendingRecord': rule(C.CONFLICT),
  'FailedOperation.CertificateOrderSubmitProcessing': rule(C.CONFLICT),
  'FailedOperation.BoundResources': rule(C.CONFLICT),
  'FailedOperation.DeleteResourceFailed': rule(C.CONFLICT),
  'FailedOperation.RevokeResourceFailed': rule(C.CONFLICT),
  'FailedOperation.AuthError': rule(C.FORBIDDEN),
  'FailedOperation.CAMAuthorizedFail': rule(C.FORBIDDEN),
  'FailedOperation.NoProjectPermission': rule(C.FORBIDDEN),
  'FailedOperation.RoleNotFoundAuthorization': rule(C.FORBIDDEN),
  'FailedOperation.ExceedsFreeLimit': rule(C.QUOTA_EXCEEDED),
  'FailedOperation.MainDomainCertificateCountLimit': rule(C.QUOTA_EXCEEDED),
  'FailedOperation.PackageCountLimit': rule(C.QUOTA_EXCEEDED),
  'FailedOperation.InvalidParam': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateParseError': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateInvalid': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateMismatch': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateMatchError': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateChainError': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateCaError': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateEncryptInvalid': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateInfoSubmitContactEmailEmpty': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateInfoSubmitDomainInvalid': rule(C.BAD_REQUEST),
  'FailedOperation.CertificatePreVerifyEmailInvalid': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateDeployInstanceFormatError': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateHostResourceTypeInvalid': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateSyncTaskCertificateIdCountInvalid': rule(C.BAD_REQUEST),
  'FailedOperation.CertificateSyncTaskIdInvalid': rule(C.BAD_REQUEST),
  'FailedOperation.ConfirmLetterTooLarge': rule(C.BAD_REQUEST),
  'FailedOperation.ConfirmLetterTooSmall': rule(C.BAD_REQUEST),
  'FailedOperation.FileTooLarge': rule(C.BAD_REQUEST),
  'FailedOperation.FileTooSmall': rule(C.BAD_REQUEST),
  'FailedOperation.InvalidFileType': rule(C.BAD_REQUEST),
  'FailedOperation.InvalidConfirmLetterFormat': rule(C.BAD_REQUEST),
  'FailedOperation.InvalidConfirmLetterFormatWosign': rule(C.BAD_REQUEST),
  'FailedOperation.NetworkError': rule(C.UPSTREAM_UNAVAILABLE, 'reads'),
  'FailedOperation.CannotGetOrder': rule(C.UPSTREAM_UNAVAILABLE, 'reads'),
  'FailedOperation.SystemError': rule(C.UPSTREAM_INTERNAL, 'reads'),
  'FailedOperation.TradeError': rule(C.UPSTREAM_INTERNAL, 'reads'),

  // --- failures without an upstream code
  [TransportCode.ConnectFailed]: rule(C.UPSTREAM_UNAVAILABLE, 'always-safe'),
  [TransportCode.ConnectionLost]: rule(C.UPSTREAM_UNAVAILABLE, 'reads'),
  [TransportCode.Timeout]: rule(C.UPSTREAM_TIMEOUT, 'reads'),
  [TransportCode.HttpServerError]: rule(C.UPSTREAM_UNAVAILABLE, 'reads'),
  [TransportCode.HttpStatus]: rule(C.UPSTREAM_UNAVAILABLE),
  [TransportCode.MalformedResponse]: rule(C.UPSTREAM_UNAVAILABLE, 'reads'),
  // The call succeeded: repeating it gives the same answer.
  [TransportCode.ContractViolation]: rule(C.UPSTREAM_CONTRACT),
});

/** Rule for codes that match no row: a definitive but unknown upstream failure. */
export const UNKNOWN_UPSTREAM_ERROR_RULE: ErrorRule = rule(C.UPSTREAM_INTERNAL);

export interface Classification extends ErrorRule {
  /** The table key that matched (`undefined` when the fallback rule applied). */
  readonly matched?: string;
}

/** Exact code first, then the longest dot-segment prefix (`A.B.*`, then `A.*`). */
export function classifyUpstreamError(code: string): Classification {
  const table = UPSTREAM_ERROR_TABLE;
  if (Object.prototype.hasOwnProperty.call(table, code)) return { ...table[code], matched: code };
  const segments = code.split('.');
  for (let n = segments.length; n >= 1; n--) {
    const key = `${segments.slice(0, n).join('.')}.*`;
    if (Object.prototype.hasOwnProperty.call(table, key)) return { ...table[key], matched: key };
  }
  return { ...UNKNOWN_UPSTREAM_ERROR_RULE };
}

/** Whether a failure with this policy may be repeated for an action of this kind. */
export function isRetryable(retry: RetryPolicy, kind: 'read' | 'write'): boolean {
  return retry === 'always-safe' || (retry === 'reads' && kind === 'read');
}

export interface UpstreamErrorInit {
  action: string;
  /** Upstream `Error.Code`, or a `TransportCode` pseudo code. */
  upstreamCode: string;
  /** Upstream `Error.Message` or a gateway description; scrubbed (`scrub`) by the constructor. */
  message: string;
  requestId?: string;
  /** HTTP status of the upstream answer, when there was one. */
  upstreamHttpStatus?: number;
  /** Attempts made when this error was produced (1 = first try). */
  attempts?: number;
  cause?: unknown;
}

/** An error answer from (or a failure to reach) the SSL API. `code` is the gateway code. */
export class UpstreamError extends GatewayError {
  readonly action: string;
  readonly upstreamCode: string;
  readonly requestId?: string;
  readonly upstreamHttpStatus?: number;
  readonly retry: RetryPolicy;
  readonly attempts: number;
  /**
   * True when the call may have executed upstream although no success was seen (retry policy
   * `reads`: timeout, reset after send, 5xx, InternalError, malformed body). A write failing like
   * this must not be replayed blindly; check the resource state instead.
   */
  readonly outcomeUnknown: boolean;

  constructor(init: UpstreamErrorInit) {
    const c = classifyUpstreamError(init.upstreamCode);
    const details: Record<string, unknown> = { action: init.action, upstreamCode: init.upstreamCode };
    if (init.requestId !== undefined) details.requestId = init.requestId;
    if (c.retry === 'reads') details.outcomeUnknown = true;
    // The upstream's Message is free text that may echo what was sent (a private key, a
    // password) or worse: masked here, once, so no surface, log or stored outcome sees it raw.
    super(c.gatewayCode, scrub(init.message), { httpStatus: c.httpStatus, details, cause: init.cause });
    this.name = 'UpstreamError';
    this.action = init.action;
    this.upstreamCode = init.upstreamCode;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.upstreamHttpStatus !== undefined) this.upstreamHttpStatus = init.upstreamHttpStatus;
    this.retry = c.retry;
    this.attempts = init.attempts ?? 1;
    this.outcomeUnknown = c.retry === 'reads';
  }
}

export function isUpstreamError(value: unknown): value is UpstreamError {
  return value instanceof UpstreamError;
}

/**
 * A call that its caller's signal aborted before any attempt of it could have reached the SSL
 * API: it was waiting for its rate-limit slot, for a connection, or between attempts that failed
 * with a proof of non-execution. Nothing was executed, so it may be repeated, a write too. `cause`
 * is the abort reason. A call aborted once an attempt may have been written rejects with the
 * abort reason itself: its outcome is unknown (see `UpstreamClient.call`).
 */
export class CallNotSentError extends Error {
  readonly action: string;

  constructor(action: string, reason: unknown) {
    super(`${action} was aborted before it was sent to the SSL API`, { cause: reason });
    this.name = 'CallNotSentError';
    this.action = action;
  }
}

export function isCallNotSent(value: unknown): value is CallNotSentError {
  return value instanceof CallNotSentError;
}

/** Seconds a client should wait before retrying a rate-limited call (`Retry-After`); at least 1. */
export function retryAfterSeconds(err: GatewayError): number {
  const ms = Number(err.details?.retryAfterMs);
  return Number.isFinite(ms) && ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 1;
}
