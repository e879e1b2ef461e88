/**
 * Errors answered by the idempotency layer. All are `GatewayError`s whose `details.reason` names
 * the case (stable, for clients and tests);
 * the reasons `IDEMPOTENCY_*`, each with its code, HTTP status, retry advice and meaning, are in the
 * one error catalogue (`src/errors/catalogue.ts`, rendered in the README's error table).
 *
 * 422 for a reused key and 409 for a concurrent one follow the IETF "Idempotency-Key HTTP header"
 * draft. An unknown outcome is answered with 409 rather than 5xx on purpose: repeating the same
 * request cannot help (it will never be executed again under this key) and many HTTP clients retry
 * 5xx automatically.
 */
import { ErrorReason, reasonEntry } from '../errors';
import { GatewayError, UpstreamError, GatewayErrorCode } from '../upstream/errors';

export const IdempotencyReason = {
  KEY_INVALID: ErrorReason.IDEMPOTENCY_KEY_INVALID,
  KEY_REUSED: ErrorReason.IDEMPOTENCY_KEY_REUSED,
  IN_PROGRESS: ErrorReason.IDEMPOTENCY_IN_PROGRESS,
  OUTCOME_UNKNOWN: ErrorReason.IDEMPOTENCY_OUTCOME_UNKNOWN,
  NOT_REPLAYABLE: ErrorReason.IDEMPOTENCY_NOT_REPLAYABLE,
  CALLER_LIMIT: ErrorReason.IDEMPOTENCY_CALLER_LIMIT,
  STORE_UNAVAILABLE: ErrorReason.IDEMPOTENCY_STORE_UNAVAILABLE,
} as const;
export type IdempotencyReason = (typeof IdempotencyReason)[keyof typeof IdempotencyReason];

export class IdempotencyError extends GatewayError {
  readonly reason: IdempotencyReason;

  constructor(reason: IdempotencyReason, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    const s = reasonEntry(reason);
    super(s.code, message, { httpStatus: s.httpStatus, details: { reason, ...details }, cause });
    this.name = 'IdempotencyError';
    this.reason = reason;
  }
}

export function isIdempotencyError(value: unknown, reason?: IdempotencyReason): value is IdempotencyError {
  return value instanceof IdempotencyError && (reason === undefined || value.reason === reason);
}

/** JSON form of a `GatewayError` as stored in an idempotency record. */
export interface StoredError {
  code: GatewayErrorCode;
  message: string;
  httpStatus: number;
  details?: Record<string, unknown>;
  /** Set when the error was an upstream answer: enough to rebuild the same `UpstreamError`. */
  upstream?: { action: string; upstreamCode: string; requestId?: string; upstreamHttpStatus?: number; attempts: number };
}

/**
 * A stored definitive error answered again for a repeated key: same `code`, `message`,
 * `httpStatus` and `details` (so the same `toJSON()`) as the first answer, plus `replayed`.
 */
export class ReplayedGatewayError extends GatewayError {
  readonly replayed = true;

  constructor(stored: StoredError) {
    super(stored.code, stored.message, { httpStatus: stored.httpStatus, details: stored.details });
    this.name = 'ReplayedGatewayError';
  }
}

/**
 * The error to throw for a replayed stored error: an upstream error is rebuilt as the same
 * `UpstreamError` (so REST and GraphQL render it exactly as the first time), anything else as a
 * `ReplayedGatewayError`. Both carry `replayed: true` (see `isReplayedError`).
 */
export function replayedError(stored: StoredError): GatewayError {
  if (stored.upstream) {
    const err = new UpstreamError({
      action: stored.upstream.action,
      upstreamCode: stored.upstream.upstreamCode,
      message: stored.message,
      requestId: stored.upstream.requestId,
      upstreamHttpStatus: stored.upstream.upstreamHttpStatus,
      attempts: stored.upstream.attempts,
    });
    Object.defineProperty(err, 'replayed', { value: true, enumerable: false });
    return err;
  }
  return new ReplayedGatewayError(stored);
}

/** True for an error answered from an idempotency record rather than by running the operation. */
export function isReplayedError(err: unknown): boolean {
  return err instanceof GatewayError && (err as GatewayError & { replayed?: boolean }).replayed === true;
}
