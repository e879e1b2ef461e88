/**
 * Idempotent execution of mutations. The SSL API has no client token, so a mutation whose answer
 * was lost cannot be repeated safely; clients instead send an idempotency key (e.g. the
 * `Idempotency-Key` header) and the gateway guarantees that one key executes the mutation at most
 * once and answers every repeat with the first answer.
 *
 * `runIdempotent(store, { key, scope, fingerprint, ttlSeconds }, fn)`:
 * - Keys are scoped by `scope` (the authenticated caller id), so two callers never share a record.
 * - First request for a key: takes the key (a `pending` record with a lock of `lockTtlMs`), runs
 *   `fn`, and records the outcome, classified by `classifyFailure`:
 *   - success: stored; the value must be JSON (it is stored as JSON and the first caller gets the
 *     same JSON round-trip a replay gets, so both answers are identical);
 *   - `definitive` error (the upstream answered with a business/validation error, e.g.
 *     `FailedOperation.*`, `InvalidParameter.*`): stored; replays throw the same error again (`replayedError`)
 *     with the same code, message, HTTP status and details;
 *   - `unknown` outcome (an `UpstreamError` with `outcomeUnknown`: timeout, connection lost after
 *     sending, 5xx, `InternalError`, malformed body; or any non-gateway exception, or a gateway
 *     5xx): the first caller gets the original error; the record is stored as `unknown` and every
 *     later request with the key gets 409 `IDEMPOTENCY_OUTCOME_UNKNOWN` telling the client to check
 *     the resource state and use a new key if it still wants the change. It is never executed
 *     again under that key, and never replayed as a success.
 *   - `not-executed` (proof the upstream never ran it: an `UpstreamError` whose retry policy is
 *     `always-safe` such as `RequestLimitExceeded`, `AuthFailure.SignatureExpire` or a refused
 *     connection, and upstream `AuthFailure.*` (the gateway's own credentials were refused); a gateway-side 4xx such as RATE_LIMITED from the limiter or input validation;
 *     a DEADLINE_EXCEEDED at stage `NOT_STARTED` or `NOT_SENT`, the write never written):
 *     nothing is stored and the key is freed, so the same request may be retried with the same key
 *     (as in Stripe's model: "no result is saved if execution never began").
 * - What is stored: never the input (only its fingerprint), never key material (a success whose
 *   value `isKeyMaterial` flags, e.g. a private key or certificate archive, is remembered as
 *   "completed, not replayable"), never an outcome larger than `maxOutcomeBytes` (the same), and
 *   error messages only after `scrub`. The first caller always gets its full answer.
 * - Repeat within `ttlSeconds` (same scope + key + fingerprint): replays the stored outcome; a
 *   completed outcome that was not kept answers 409 `IDEMPOTENCY_NOT_REPLAYABLE` (it is never
 *   executed again).
 * - The caller already holds its maximum of live records: 429 `IDEMPOTENCY_CALLER_LIMIT` before
 *   anything executes (records are never evicted early, see `store.ts`).
 * - Same scope + key but a different fingerprint: 422 `IDEMPOTENCY_KEY_REUSED`, nothing executed.
 * - Concurrent duplicate while the first is running: polls the store every `pollIntervalMs` for up
 *   to `waitTimeoutMs` and then answers like a repeat (or, if the first freed the key because it
 *   did not execute, executes itself); past the wait: 409 `IDEMPOTENCY_IN_PROGRESS`.
 * - Lost owner (its process died or `fn` ran longer than `lockTtlMs`): the record turns `unknown`
 *   (409 `IDEMPOTENCY_OUTCOME_UNKNOWN`), never free. If the owner does finish later, its outcome
 *   replaces the `unknown` and is replayed from then on. `lockTtlMs` must exceed the longest `fn`
 *   (rate-limit wait + upstream timeout).
 * - Store down or full: 503 `IDEMPOTENCY_STORE_UNAVAILABLE` BEFORE executing (fail closed: running
 *   a mutation without protection could duplicate it). If storing the outcome fails AFTER `fn`
 *   ran, the first caller still gets its answer; the record stays pending, turns `unknown` when
 *   the lock runs out, and later repeats are told to check state.
 */
import { randomUUID } from 'node:crypto';
import { fallbackLogger, scrub } from '../observability/log';
import { GatewayError, GatewayErrorCode, isUpstreamError } from '../upstream/errors';
import { defaultSleep, systemClock, type Clock, type Sleep } from '../upstream/ratelimit';
import type { WarnLogger } from '../upstream/redis-ratelimit';
import { IdempotencyError, IdempotencyReason, replayedError, type StoredError } from './errors';
import { IdempotencyCallerLimitError, IdempotencyCapacityError, scopedKey, type IdempotencyRecord, type IdempotencyStore } from './store';

export type FailureClass = 'definitive' | 'unknown' | 'not-executed';

/**
 * Default classification of an error thrown by the idempotent function (see module comment). A
 * keyed operation makes one write (or re-calls of the same write), so the error that ended it
 * tells whether that write can have run.
 */
export function classifyFailure(err: unknown): FailureClass {
  if (isUpstreamError(err)) {
    // Proof of non-execution; UPSTREAM_AUTH is the gateway's own credential problem, not an
    // answer to the caller's request, so it must not stick to the key once fixed.
    if (err.retry === 'always-safe' || err.code === GatewayErrorCode.UPSTREAM_AUTH) return 'not-executed';
    return err.outcomeUnknown ? 'unknown' : 'definitive';
  }
  // The request's deadline stopped the work: at `NOT_STARTED` / `NOT_SENT` nothing was written
  // upstream (src/tasks/deadline.ts); `IN_FLIGHT` may have been.
  if (err instanceof GatewayError && err.code === GatewayErrorCode.DEADLINE_EXCEEDED) {
    const stage = err.details?.stage;
    return stage === 'NOT_STARTED' || stage === 'NOT_SENT' ? 'not-executed' : 'unknown';
  }
  if (err instanceof GatewayError) return err.httpStatus < 500 ? 'not-executed' : 'unknown';
  return 'unknown';
}

export interface IdempotencyOptions {
  /** Client-chosen key: 1-255 printable ASCII characters (a UUID is recommended). */
  key: string;
  /** Caller identity (API key id, JWT subject...): keys are only compared within one scope. */
  scope: string;
  /** Hash of operation + normalized input (`requestFingerprint`). */
  fingerprint: string;
  /** How long a finished outcome is replayed, seconds (fractions allowed). */
  ttlSeconds: number;
  /** Lock held by the executing request; must exceed the longest execution. @default 60000 */
  lockTtlMs?: number;
  /** Longest a concurrent duplicate waits for the first to finish. @default 10000 */
  waitTimeoutMs?: number;
  /** @default 50 */
  pollIntervalMs?: number;
  /** Aborts waiting for a concurrent duplicate (not `fn`). */
  signal?: AbortSignal;
  /** @default classifyFailure */
  classifyError?: (err: unknown) => FailureClass;
  /** Warnings when an outcome could not be recorded. @default the process's structured logger */
  logger?: WarnLogger;
  /** Largest serialized outcome kept for replay; a larger one is "completed, not replayable". @default 65536 */
  maxOutcomeBytes?: number;
  /** True for a success value holding key material: it is never stored (not replayable). @default none */
  isKeyMaterial?: (value: unknown) => boolean;
  /** @default Date.now */
  clock?: Clock;
  /** @default setTimeout based */
  sleep?: Sleep;
}

export interface IdempotentResult<T> {
  value: T;
  /** True when the value is a stored answer of an earlier request. */
  replayed: boolean;
}

type Outcome = { kind: 'value'; value: unknown } | { kind: 'error'; error: StoredError };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export const DEFAULT_MAX_OUTCOME_BYTES = 65_536;

/** `executeIdempotent(...).value`. */
export async function runIdempotent<T>(store: IdempotencyStore, options: IdempotencyOptions, fn: () => Promise<T>): Promise<T> {
  return (await executeIdempotent(store, options, fn)).value;
}

/** Like `runIdempotent`, also telling whether the answer is a replay (e.g. for an `Idempotent-Replayed` header). */
export async function executeIdempotent<T>(
  store: IdempotencyStore,
  options: IdempotencyOptions,
  fn: () => Promise<T>,
): Promise<IdempotentResult<T>> {
  const { key, scope, fingerprint } = options;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new IdempotencyError(IdempotencyReason.KEY_INVALID, 'The idempotency key must be 1 to 255 printable ASCII characters without spaces.');
  }
  if (typeof scope !== 'string' || scope === '') throw new TypeError('idempotency scope must be a non-empty string');
  if (typeof fingerprint !== 'string' || fingerprint === '') throw new TypeError('idempotency fingerprint must be a non-empty string');
  if (!(Number.isFinite(options.ttlSeconds) && options.ttlSeconds > 0)) throw new RangeError('ttlSeconds must be > 0');
  const ttlMs = Math.ceil(options.ttlSeconds * 1000);
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  if (!(Number.isFinite(lockTtlMs) && lockTtlMs > 0)) throw new RangeError('lockTtlMs must be > 0');
  const waitTimeoutMs = options.waitTimeoutMs ?? 10_000;
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 50);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? defaultSleep;
  const classify = options.classifyError ?? classifyFailure;
  const logger = options.logger ?? fallbackLogger();
  const maxOutcomeBytes = options.maxOutcomeBytes ?? DEFAULT_MAX_OUTCOME_BYTES;

  const fullKey = scopedKey(scope, key);
  const token = randomUUID();
  const deadline = clock() + waitTimeoutMs;
  const keyDetails = { idempotencyKey: key };

  for (;;) {
    let begun;
    try {
      begun = await store.begin({ key: fullKey, scope, fingerprint, token, lockTtlMs, ttlMs });
    } catch (err) {
      if (err instanceof IdempotencyCallerLimitError) {
        throw new IdempotencyError(
          IdempotencyReason.CALLER_LIMIT,
          `This caller already holds ${err.maxEntries} idempotency keys that have not expired; nothing was executed. Retry later, or send the request without an idempotency key.`,
          { idempotencyKey: key, retryAfterMs: err.retryAfterMs },
        );
      }
      throw storeUnavailable(err, key);
    }
    if (begun.acquired) return { value: await execute(), replayed: false };

    const record = begun.record;
    if (record.fingerprint !== fingerprint) {
      throw new IdempotencyError(
        IdempotencyReason.KEY_REUSED,
        'This idempotency key was already used for a different request; use a new key for a new request.',
        keyDetails,
      );
    }
    if (record.state === 'completed') {
      if (record.outcome === undefined) throw notReplayable(key);
      return replay<T>(record.outcome);
    }
    if (record.state === 'unknown') throw outcomeUnknown(record, key);

    const now = clock();
    if (now >= deadline) {
      throw new IdempotencyError(
        IdempotencyReason.IN_PROGRESS,
        'A request with this idempotency key is still being processed; retry later with the same key.',
        { ...keyDetails, retryAfterMs: Math.max(1, Math.min(record.lockRemainingMs, 1_000)) },
      );
    }
    await sleep(Math.max(1, Math.min(pollIntervalMs, deadline - now)), options.signal);
  }

  async function execute(): Promise<T> {
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      const cls = classify(err);
      if (cls === 'not-executed') {
        try {
          await store.release(fullKey, token, scope);
        } catch (releaseErr) {
          // The record stays pending until its lock runs out, then reads as "unknown": safe.
          warn('could not free the idempotency key after a failure that did not execute', releaseErr);
        }
      } else {
        const outcome = JSON.stringify({ kind: 'error', error: storedError(err) } satisfies Outcome);
        await record(cls === 'definitive' ? 'completed' : 'unknown', outcome);
      }
      throw err;
    }
    let outcome: string;
    try {
      outcome = JSON.stringify({ kind: 'value', value: value === undefined ? null : value } satisfies Outcome);
    } catch (err) {
      const internal = new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR, 'The operation ran but its result could not be recorded.', { cause: err });
      await record('unknown', JSON.stringify({ kind: 'error', error: storedError(internal) } satisfies Outcome));
      throw internal;
    }
    const answer = (JSON.parse(outcome) as { value: T }).value;
    // Key material and oversized answers are never kept: the record says "completed" only.
    const keep = Buffer.byteLength(outcome, 'utf8') <= maxOutcomeBytes && !isKeyMaterial(answer);
    await record('completed', keep ? outcome : null);
    return answer;
  }

  function isKeyMaterial(value: unknown): boolean {
    try {
      return options.isKeyMaterial?.(value) ?? false;
    } catch {
      return true; // cannot tell: do not keep it
    }
  }

  async function record(state: 'completed' | 'unknown', outcome: string | null): Promise<void> {
    if (outcome !== null && Buffer.byteLength(outcome, 'utf8') > maxOutcomeBytes) outcome = null;
    try {
      const owned = await store.complete({ key: fullKey, scope, token, state, outcome, ttlMs });
      if (!owned) warn('idempotency record was no longer owned when the outcome was stored (expired or evicted)');
    } catch (err) {
      warn('could not store the idempotency outcome; repeats will be told the outcome is unknown', err);
    }
  }

  function warn(message: string, err?: unknown): void {
    try {
      logger.warn({ scope, idempotencyKey: key, error: err instanceof Error ? err.message : err === undefined ? undefined : String(err) }, message);
    } catch {
      // logging must not change the answer
    }
  }
}

function replay<T>(text: string): IdempotentResult<T> {
  const outcome = JSON.parse(text) as Outcome;
  if (outcome.kind === 'error') throw replayedError(outcome.error);
  return { value: outcome.value as T, replayed: true };
}

function notReplayable(key: string): IdempotencyError {
  return new IdempotencyError(
    IdempotencyReason.NOT_REPLAYABLE,
    'The earlier request with this idempotency key was carried out, but its answer was not kept (too large, or it held key material), so it cannot be replayed. It will not be executed again under this key: read the current state of the resource, then use a new key if another change is needed.',
    { idempotencyKey: key },
  );
}

function outcomeUnknown(record: Extract<IdempotencyRecord, { state: 'unknown' }>, key: string): IdempotencyError {
  let original: StoredError | undefined;
  if (record.outcome !== undefined) {
    try {
      const parsed = JSON.parse(record.outcome) as Outcome;
      if (parsed.kind === 'error') original = parsed.error;
    } catch {
      // unreadable: report without it
    }
  }
  const why =
    original === undefined
      ? 'The earlier request with this idempotency key did not finish (the gateway instance handling it stopped or timed out)'
      : `The earlier request with this idempotency key failed with an unknown outcome (${original.code}: ${original.message})`;
  return new IdempotencyError(
    IdempotencyReason.OUTCOME_UNKNOWN,
    `${why}, so it may or may not have been carried out by the SSL API. It will not be executed again under this key: check the current state of the resource, then use a new key if the change is still needed.`,
    original === undefined ? { idempotencyKey: key } : { idempotencyKey: key, original },
  );
}

function storedError(err: unknown): StoredError {
  if (err instanceof GatewayError) {
    // Scrubbed like a log line: an upstream message may echo input (e.g. key material).
    const out: StoredError = { code: err.code, message: scrub(err.message), httpStatus: err.httpStatus };
    if (err.details !== undefined) out.details = { ...err.details };
    if (isUpstreamError(err)) {
      out.upstream = { action: err.action, upstreamCode: err.upstreamCode, requestId: err.requestId, upstreamHttpStatus: err.upstreamHttpStatus, attempts: err.attempts };
    }
    return out;
  }
  // Never store arbitrary exception text (it could contain anything).
  return { code: GatewayErrorCode.INTERNAL_SERVER_ERROR, message: 'The operation failed with an unexpected error.', httpStatus: 500 };
}

function storeUnavailable(err: unknown, key: string): IdempotencyError {
  const full = err instanceof IdempotencyCapacityError;
  return new IdempotencyError(
    IdempotencyReason.STORE_UNAVAILABLE,
    full
      ? 'Too many idempotent requests are in progress; nothing was executed. Retry later with the same key.'
      : 'The idempotency store is unavailable; nothing was executed. Retry later with the same key.',
    { idempotencyKey: key, retryAfterMs: 1_000 },
    err,
  );
}
