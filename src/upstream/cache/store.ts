/**
 * What the caching caller needs from a cache store (in-process `MemoryCacheStore`, shared
 * `RedisCacheStore`).
 *
 * Invalidation is by generation: every tag has a current generation (an opaque value, null when
 * never bumped), a read snapshots the generations of its tags BEFORE it calls upstream, and its
 * answer is saved under that snapshot. A lookup returns an answer only when the snapshot it was
 * saved under equals the current one, so a write that bumps a tag at any point after the read
 * started (even while the read was in flight) keeps that answer from ever being served.
 */
export interface StoredAnswer {
  /** The upstream answer, JSON. */
  value: string;
  /** When it was received, ms on the caching caller's clock. */
  storedAt: number;
  /** How long it is fresh, ms. */
  freshMs: number;
}

export interface CacheLookup {
  /** The stored answer when one is valid for the current generation (fresh or not). */
  answer?: StoredAnswer;
  /** The current generation of the read's tags: save under it, coalesce by it. */
  generation: string;
}

/**
 * Cross-instance coalescing. `leader`: this instance calls upstream and must `finish`.
 * `follower`: another instance is calling; `awaitResult(token)` gets its answer. `solo`: no
 * shared store (in-process coalescing only).
 */
export type Lead = { role: 'leader'; token: string } | { role: 'follower'; token: string } | { role: 'solo' };

export interface CacheStore {
  lookup(key: string, tags: readonly string[]): Promise<CacheLookup>;
  /** Saves `answer` under `generation`; kept (fresh or stale) for `ttlMs`. */
  save(key: string, generation: string, answer: StoredAnswer, ttlMs: number): Promise<void>;
  /** Bumps the generation of every tag. */
  invalidate(tags: readonly string[]): Promise<void>;
  lead(flightKey: string, lockMs: number): Promise<Lead>;
  /** Publishes the leader's answer (undefined: it failed, followers call on their own). */
  finish(flightKey: string, lead: Lead, payload: string | undefined, resultTtlMs: number): Promise<void>;
  /** The leader's published answer, waiting at most `waitMs`; undefined when none came. */
  awaitResult(token: string, waitMs: number, signal?: AbortSignal): Promise<string | undefined>;
  close(): Promise<void>;
}
