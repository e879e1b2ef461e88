/**
 * The deadline of one request: derived from the invocation's remaining time, minus a margin so
 * that a timed-out upstream call still gets its answer out before the platform stops the function.
 */
import type { InvocationContext } from './types';

/** Time kept back from the Lambda deadline so a timed-out upstream call still gets an answer out. */
export const DEADLINE_MARGIN_MS = 1_000;

export interface Deadline {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Aborts upstream work shortly before the Lambda (or local) deadline. A controller and a timer
 * that is cleared when the request ends (`AbortSignal.timeout` would keep the signal, and what
 * listens to it, alive until it fires, long after the answer).
 */
export function createDeadline(context: InvocationContext | undefined): Deadline | undefined {
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  if (remaining === undefined || !Number.isFinite(remaining)) return undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The request deadline passed', 'TimeoutError')), Math.max(1, remaining - DEADLINE_MARGIN_MS));
  timer.unref?.();
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}
