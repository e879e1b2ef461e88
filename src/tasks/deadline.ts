/**
 * The rules of the request's one deadline (`src/http/deadline.ts`) for upstream work. Two 20 s
 * waits in one operation must not overrun a 28 s function and lose what the second field created.
 *
 * Rules (applied by `withDeadline`, `grantWait` and `startDeployment`):
 * - a read starts while time is left; a write starts only with at least `writeReserveMs` left,
 *   so that it can finish (a write cut in flight leaves its outcome unknown);
 * - a wait gets at most what is left minus `waitReserveMs`, the time of its final poll and of the
 *   fields that read what it waited for; it then returns the latest state, never an error;
 * - at the deadline `signal` aborts the upstream calls in flight; what was cut or could not start
 *   gets a `DeadlineExceededError` (code DEADLINE_EXCEEDED, HTTP 504) that says at which stage:
 *   `NOT_STARTED` (the gateway did not begin it), `NOT_SENT` (begun, but cut while queued for its
 *   rate-limit slot or a connection: the upstream client proves it was never written,
 *   `CallNotSentError`), or `IN_FLIGHT` (written, or maybe written). Only a write `IN_FLIGHT` has
 *   an unknown outcome (`outcomeUnknown`); the others ran nothing and are safe to repeat, with the
 *   same idempotency key too.
 */
import type { RequestDeadline } from '../http/deadline';
import { getAction } from '../spec';
import type { Json, UpstreamCaller } from '../upstream/caller';
import { GatewayError, GatewayErrorCode, isCallNotSent } from '../upstream/errors';

export type DeadlineStage = 'NOT_STARTED' | 'NOT_SENT' | 'IN_FLIGHT';

/**
 * Work the request's deadline stopped. `outcomeUnknown` is true for a write that was in flight:
 * it may or may not have been carried out upstream, so it must not be repeated blindly.
 */
export class DeadlineExceededError extends GatewayError {
  readonly stage: DeadlineStage;
  readonly outcomeUnknown: boolean;

  constructor(what: string, stage: DeadlineStage, write: boolean) {
    const outcomeUnknown = stage === 'IN_FLIGHT' && write;
    const message =
      stage === 'NOT_STARTED'
        ? `${what} was not started: the request's deadline leaves no time for it. Nothing was executed; repeat it in a new request.`
        : stage === 'NOT_SENT'
          ? `${what} was still waiting for its turn to be sent when the request's deadline passed: it was not sent and nothing was executed; repeat it in a new request.`
          : outcomeUnknown
          ? `${what} was still running when the request's deadline passed: it may or may not have been carried out by the SSL API. Check the resource's state before repeating it.`
          : `${what} did not answer before the request's deadline.`;
    super(GatewayErrorCode.DEADLINE_EXCEEDED, message, { details: { operation: what, stage, outcomeUnknown } });
    this.name = 'DeadlineExceededError';
    this.stage = stage;
    this.outcomeUnknown = outcomeUnknown;
  }
}

export function isDeadlineExceeded(value: unknown): value is DeadlineExceededError {
  return value instanceof DeadlineExceededError;
}

/** Whether an action changes state (an action the spec does not know counts as a write). */
export function isWriteAction(action: string): boolean {
  return getAction(action)?.kind !== 'read';
}

/**
 * The upstream as seen by one request: calls start only while the deadline allows them (see the
 * module rules), run with the deadline's signal, and a call cut by the deadline fails with a
 * `DeadlineExceededError` instead of the bare abort reason (which would be a masked 500).
 */
export function withDeadline(upstream: UpstreamCaller, deadline: RequestDeadline): UpstreamCaller {
  if (!Number.isFinite(deadline.at)) return upstream;
  return {
    async call(action: string, params: Json, options: { signal?: AbortSignal } = {}): Promise<Json> {
      const write = isWriteAction(action);
      if (write ? !deadline.canStartWrite() : deadline.expired()) throw new DeadlineExceededError(action, 'NOT_STARTED', write);
      const own = options.signal;
      const signal = own === undefined || own === deadline.signal ? deadline.signal : AbortSignal.any([own, deadline.signal]);
      try {
        return await upstream.call(action, params, { ...options, signal });
      } catch (err) {
        if (deadline.signal.aborted && isCallNotSent(err)) throw new DeadlineExceededError(action, 'NOT_SENT', write);
        // Gateway errors are answers (or proofs of non-execution) and keep their meaning. Any other
        // failure after the deadline (the bare abort reason) may have followed a written request.
        if (deadline.signal.aborted && !(err instanceof GatewayError)) throw new DeadlineExceededError(action, 'IN_FLIGHT', write);
        throw err;
      }
    },
  };
}
