/**
 * The cache side of a request scope, started with the request: whether the client asked for
 * fresh upstream reads (`Cache-Control: no-cache`), and counters the read cache fills in
 * (src/upstream/cache/request-state.ts) for the surfaces' `Age`/`Cache-Control` headers and
 * GraphQL `extensions.cache`.
 */
import type { RequestCacheState } from './log';

/** `Cache-Control: no-cache` (or `max-age=0`, `no-store`) or `Pragma: no-cache` on a request. */
export function wantsNoCache(headers: Readonly<Record<string, string | undefined>>): boolean {
  const cc = headers['cache-control'] ?? '';
  return /(^|[\s,])(no-cache|no-store|max-age\s*=\s*0)([\s,;=]|$)/i.test(cc) || /(^|[\s,])no-cache([\s,]|$)/i.test(headers.pragma ?? '');
}

export function newRequestCacheState(noCache: boolean): RequestCacheState {
  return { noCache, reads: 0, uncached: 0, writes: 0, oldestAgeMs: 0, freshLeftMs: Number.POSITIVE_INFINITY, stale: false };
}
