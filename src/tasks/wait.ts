/**
 * Bounded waits for asynchronous upstream work: poll with exponential backoff until the state is
 * final or the time is up, then return the latest state (never an error for "not done yet").
 *
 * A wait gets the smallest of what the client asked, the policy's maximum (below the 29 s API
 * Gateway / Lambda integration limit) and what is left of the request's deadline
 * (`src/http/deadline.ts`); `grantWait` says which applied. Every poll goes through the upstream
 * client's rate limiter, so waiting never breaches a per-action budget.
 */
import { GatewayErrorCode, isGatewayError } from '../upstream/errors';
import type { RequestDeadline } from '../http/deadline';
import { backoffDelay } from '../time/backoff';
import { systemWaitClock, type WaitClock } from '../time/clock';

export { systemWaitClock, type WaitClock };

export interface WaitPolicy {
  /** First pause between polls. @default 500 */
  initialDelayMs: number;
  /** Longest pause between polls. @default 3000 */
  maxDelayMs: number;
  /** Upper bound of any wait, whatever the caller asks. @default 20 (s) */
  maxWaitSeconds: number;
}

export const DEFAULT_WAIT_POLICY: WaitPolicy = { initialDelayMs: 500, maxDelayMs: 3000, maxWaitSeconds: 20 };

/** Clamps a requested wait to [0, maxWaitSeconds]; negative or non-finite values are refused. */
export function effectiveTimeoutMs(requestedSeconds: number, policy: WaitPolicy): number {
  if (!Number.isFinite(requestedSeconds) || requestedSeconds < 0) {
    throw new RangeError(`timeoutSeconds must be between 0 and ${policy.maxWaitSeconds}`);
  }
  return Math.min(requestedSeconds, policy.maxWaitSeconds) * 1000;
}

/** How a wait was bounded: what the client asked, what it got, and what cut it. */
export interface WaitReport {
  requestedSeconds: number;
  grantedSeconds: number;
  /** True when the wait got less than asked. */
  capped: boolean;
  /** `MAX_WAIT`: the policy's maximum; `DEADLINE`: what was left of the request's time. */
  cappedBy: 'MAX_WAIT' | 'DEADLINE' | null;
  /** True when the request's deadline ended the wait (the state is the latest one read). */
  deadlineReached: boolean;
}

/**
 * The time a wait of `requestedSeconds` gets: capped by the policy's maximum, then by what is left
 * of `deadline` minus its wait reserve (time for the final poll and the reads that follow).
 */
export function grantWait(requestedSeconds: number, policy: WaitPolicy, deadline?: RequestDeadline): { timeoutMs: number; report: WaitReport } {
  let timeoutMs = effectiveTimeoutMs(requestedSeconds, policy);
  let cappedBy: WaitReport['cappedBy'] = requestedSeconds > policy.maxWaitSeconds ? 'MAX_WAIT' : null;
  if (deadline) {
    const left = Math.max(0, deadline.remainingMs() - deadline.waitReserveMs);
    if (left < timeoutMs) {
      timeoutMs = left;
      cappedBy = 'DEADLINE';
    }
  }
  const report: WaitReport = {
    requestedSeconds,
    grantedSeconds: Math.floor(timeoutMs) / 1000,
    capped: cappedBy !== null,
    cappedBy,
    deadlineReached: false,
  };
  return { timeoutMs, report };
}

/**
 * `pollUntil` within a request's deadline: no poll starts once the deadline has passed, and a
 * poll the deadline cuts ends the wait instead of failing it. `state` is the latest state read,
 * undefined when no poll could be made at all; `deadlineReached` tells when the deadline ended it.
 */
export async function awaitState<T>(
  fetch: () => Promise<T>,
  done: (state: T) => boolean,
  timeoutMs: number,
  policy: WaitPolicy,
  clock: WaitClock,
  deadline: RequestDeadline,
): Promise<{ state: T | undefined; deadlineReached: boolean }> {
  let state: T | undefined;
  let deadlineReached = false;
  const poll = async (): Promise<boolean> => {
    if (deadline.expired()) return false;
    try {
      state = await fetch();
      return true;
    } catch (err) {
      if ((isGatewayError(err) && err.code === GatewayErrorCode.DEADLINE_EXCEEDED) || deadline.signal.aborted) return false;
      throw err;
    }
  };
  const end = clock.now() + timeoutMs;
  let pauses = 0;
  if (!(await poll())) return { state, deadlineReached: true };
  while (!done(state as T)) {
    const remaining = end - clock.now();
    if (remaining <= 0) break;
    try {
      await clock.sleep(Math.min(backoffDelay(++pauses, policy.initialDelayMs, policy.maxDelayMs), remaining), deadline.signal);
    } catch (err) {
      if (!deadline.signal.aborted) throw err;
      deadlineReached = true;
      break;
    }
    if (!(await poll())) {
      deadlineReached = true;
      break;
    }
  }
  return { state, deadlineReached };
}

/**
 * Polls `fetch` until `done(state)` or the deadline; returns the latest state. The delays follow
 * a fixed schedule from the start of the wait, so waits started together poll together (and
 * their lookups can share a batched upstream call).
 */
export async function pollUntil<T>(
  fetch: () => Promise<T>,
  done: (state: T) => boolean,
  timeoutMs: number,
  policy: WaitPolicy = DEFAULT_WAIT_POLICY,
  clock: WaitClock = systemWaitClock,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  let pauses = 0;
  let state = await fetch();
  while (!done(state)) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(backoffDelay(++pauses, policy.initialDelayMs, policy.maxDelayMs), remaining), signal);
    state = await fetch();
  }
  return state;
}
