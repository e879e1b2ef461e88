/**
 * Bounded waits for asynchronous upstream work: poll with exponential backoff until the state is
 * final or the time is up, then return the latest state (never an error for "not done yet").
 *
 * The wait is capped below the 29 s API Gateway / Lambda integration limit, and every poll goes
 * through the upstream client's rate limiter, so waiting never breaches a per-action budget.
 */
export interface WaitClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemWaitClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      // The listener is removed when the sleep ends, so polls leave nothing on the request signal.
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

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
  let delay = policy.initialDelayMs;
  let state = await fetch();
  while (!done(state)) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) break;
    await clock.sleep(Math.min(delay, remaining), signal);
    delay = Math.min(delay * 2, policy.maxDelayMs);
    state = await fetch();
  }
  return state;
}
