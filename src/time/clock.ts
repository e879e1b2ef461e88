/**
 * The one clock abstraction: what time it is, and a sleep that an abort signal can cut short. The
 * rate limiter, the upstream client's retries, the idempotency waits, the task polls and the
 * request deadline all take these, so tests inject a manual clock (test/helpers/manual-time.ts)
 * instead of waiting for real time.
 */

/** Milliseconds since the epoch. */
export type Clock = () => number;
/** Resolves after `ms`, or rejects with `signal.reason` when aborted first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemClock: Clock = () => Date.now();

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** A clock and its sleep together (what waits and polls take). */
export interface WaitClock {
  now: Clock;
  sleep: Sleep;
}

export const systemWaitClock: WaitClock = { now: systemClock, sleep: defaultSleep };
