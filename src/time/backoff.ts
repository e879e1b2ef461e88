/**
 * Exponential backoff: the one formula behind every growing pause of the gateway. The upstream
 * client's retries add full jitter to it. The task and deployment waits use it as it is, so waits
 * started together poll together, and the GraphQL cost limit counts their polls from it. The
 * Redis reconnects use it too.
 */

/** The n-th pause (n = 1, 2, …): `baseMs · 2^(n−1)`, at most `maxMs`. */
export function backoffDelay(n: number, baseMs: number, maxMs: number): number {
  // Capping the exponent keeps the product finite for any n; the pause is at `maxMs` long before.
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(n - 1, 0), 52));
}

/**
 * Full jitter: a whole number of milliseconds drawn uniformly from [0, backoffDelay(n, …)), so the
 * retries of many callers that failed together spread out instead of arriving together again.
 * `random` returns a number in [0, 1).
 */
export function fullJitterDelay(n: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * backoffDelay(n, baseMs, maxMs));
}
