/**
 * The one deadline of a request. A Lambda invocation (or a local request) has one time budget:
 * its remaining time, minus a margin kept to get the answer out before the platform stops the
 * function. Everything the request does shares it: the serial root fields of a mutation, every
 * upstream call, every bounded wait and every "DeployRecordId = 0" re-call (the rules that apply
 * it are in `src/tasks/deadline.ts` and `src/tasks/wait.ts`). A per-field cap alone is not
 * enough: mutation root fields run one after another and waits nest.
 */
import type { InvocationContext } from './types';

/** Time kept back from the invocation's remaining time. @default of `DEADLINE_MARGIN_MS` */
export const DEADLINE_MARGIN_MS = 1_000;
/** Least time left for a write to be started (a write cut in flight leaves its outcome unknown). */
export const DEFAULT_WRITE_RESERVE_MS = 1_000;
/** Time a wait leaves before the deadline for its final poll and the reads that follow it. */
export const DEFAULT_WAIT_RESERVE_MS = 1_000;

/** The time source of a deadline (the waits' clock, so a virtual clock moves both). */
export interface DeadlineClock {
  now(): number;
}

const systemClock: DeadlineClock = { now: () => Date.now() };

export interface RequestDeadline {
  readonly clock: DeadlineClock;
  /** `clock.now()` at which the request's work must be over; `Infinity` when unbounded. */
  readonly at: number;
  /** Aborted when the deadline passes: upstream calls in flight are cut then. */
  readonly signal: AbortSignal;
  readonly writeReserveMs: number;
  readonly waitReserveMs: number;
  /** Milliseconds left (never negative; `Infinity` when unbounded). */
  remainingMs(): number;
  /** True once the deadline has passed. */
  expired(): boolean;
  /** True when a write may still be started (`writeReserveMs` left). */
  canStartWrite(): boolean;
  /** Stops the timer (call when the request is answered). */
  dispose(): void;
}

export interface DeadlineOptions {
  /** Time the request's work may take from now (already without the margin). */
  budgetMs: number;
  /** @default the system clock */
  clock?: DeadlineClock;
  /**
   * Arm a timer that aborts `signal` in real time. @default true with the system clock; with a
   * virtual clock (tests) the signal aborts when a check finds the deadline passed.
   */
  timer?: boolean;
  /** @default DEFAULT_WRITE_RESERVE_MS */
  writeReserveMs?: number;
  /** @default DEFAULT_WAIT_RESERVE_MS */
  waitReserveMs?: number;
}

export function createRequestDeadline(options: DeadlineOptions): RequestDeadline {
  const clock = options.clock ?? systemClock;
  const budget = Number.isNaN(options.budgetMs) ? 0 : Math.max(0, options.budgetMs);
  const at = clock.now() + budget;
  const controller = new AbortController();
  const abort = () => {
    if (!controller.signal.aborted) controller.abort(new DOMException('The request deadline passed', 'TimeoutError'));
  };
  // A controller and a timer cleared when the request ends (`AbortSignal.timeout` would keep the
  // signal, and what listens to it, alive until it fires, long after the answer).
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (Number.isFinite(budget) && (options.timer ?? options.clock === undefined)) {
    timer = setTimeout(abort, Math.max(1, budget));
    timer.unref?.();
  }
  const remainingMs = () => Math.max(0, at - clock.now());
  const writeReserveMs = options.writeReserveMs ?? DEFAULT_WRITE_RESERVE_MS;
  const expired = () => {
    if (controller.signal.aborted) return true;
    if (remainingMs() > 0) return false;
    abort();
    return true;
  };
  return {
    clock,
    at,
    signal: controller.signal,
    writeReserveMs,
    waitReserveMs: options.waitReserveMs ?? DEFAULT_WAIT_RESERVE_MS,
    remainingMs,
    expired,
    canStartWrite: () => !expired() && remainingMs() >= writeReserveMs,
    dispose: () => clearTimeout(timer),
  };
}

/** A deadline that never passes (contexts built without an invocation: tests, tools). */
export function unboundedDeadline(clock?: DeadlineClock): RequestDeadline {
  return createRequestDeadline({ budgetMs: Number.POSITIVE_INFINITY, clock, timer: false });
}

/**
 * The deadline of one invocation: the runtime's remaining time (Lambda's
 * `getRemainingTimeInMillis()`), or `defaultMs` when the runtime gives none, minus `marginMs`.
 */
export function createDeadline(
  invocation: InvocationContext | undefined,
  options: { defaultMs: number; marginMs?: number },
): RequestDeadline {
  const remaining = typeof invocation?.getRemainingTimeInMillis === 'function' ? invocation.getRemainingTimeInMillis() : undefined;
  const total = remaining !== undefined && Number.isFinite(remaining) ? remaining : options.defaultMs;
  return createRequestDeadline({ budgetMs: total - (options.marginMs ?? DEADLINE_MARGIN_MS) });
}
