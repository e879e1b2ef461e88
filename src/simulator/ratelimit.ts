/**
 * Per-action, per-account token buckets. Capacity and refill rate both equal the documented limit
 * (calls per second), so a client may burst up to the limit and then sustain the limit.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one token; false when the bucket is empty (the call must be rejected). */
  take(key: string, perSecond: number, nowMs: number): boolean {
    if (!(perSecond > 0)) return true;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: perSecond, at: nowMs };
      this.buckets.set(key, b);
    } else {
      const elapsed = Math.max(0, nowMs - b.at) / 1000;
      b.tokens = Math.min(perSecond, b.tokens + elapsed * perSecond);
      b.at = Math.max(b.at, nowMs);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  reset(): void {
    this.buckets.clear();
  }
}
