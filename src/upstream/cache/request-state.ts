/**
 * The cache side of one client request, kept in the request scope (AsyncLocalStorage of
 * src/observability/log.ts): whether the client asked for `no-cache`, how old the answers used
 * are, whether any was stale. The caching caller writes it; the surfaces read it for REST's `Age`
 * and `Cache-Control` headers and GraphQL's `extensions.cache`; the request log line lists, per
 * upstream read, how it was answered.
 */
import { currentScope, type CacheUse, type RequestCacheState } from '../../observability/log';

export { newRequestCacheState, wantsNoCache } from '../../observability/request-cache';

/** The current request's state, when the call runs inside a request. */
export function requestCacheState(): RequestCacheState | undefined {
  return currentScope()?.cache;
}

/** Records a read answered through the cache layer on the current request. */
export function noteRead(action: string, use: CacheUse, ageMs: number, freshLeftMs: number, latencyMs: number): void {
  const scope = currentScope();
  if (!scope) return;
  const state = scope.cache;
  if (state) {
    state.reads++;
    state.oldestAgeMs = Math.max(state.oldestAgeMs, ageMs);
    state.freshLeftMs = Math.min(state.freshLeftMs, Math.max(0, freshLeftMs));
    if (use === 'stale') state.stale = true;
  }
  // Calls sent are recorded per attempt by the upstream client's onCall hook.
  if (use !== 'sent' && scope.upstream.length < 200) {
    scope.upstream.push({ action, attempt: 0, outcome: 'success', latencyMs: Math.round(latencyMs), cache: use, ageMs: Math.round(ageMs) });
  }
}

export function noteUncached(write: boolean): void {
  const state = currentScope()?.cache;
  if (!state) return;
  state.uncached++;
  if (write) state.writes++;
}

/**
 * REST headers for a successful answer: `Age` (seconds, the oldest answer used) and
 * `Cache-Control: private, max-age=<seconds the answer stays fresh>`; `no-store` when the request
 * wrote, or read something that is never cached. Undefined when it made no upstream call.
 */
export function restCacheHeaders(state: RequestCacheState | undefined): Record<string, string> | undefined {
  if (!state || state.reads + state.uncached === 0) return undefined;
  if (state.writes > 0 || state.uncached > 0) return { 'cache-control': 'no-store' };
  const maxAge = state.stale ? 0 : Math.floor(state.freshLeftMs / 1000);
  return { age: String(Math.floor(state.oldestAgeMs / 1000)), 'cache-control': `private, max-age=${maxAge}` };
}

/**
 * GraphQL `extensions.cache`: `ageSeconds` (the oldest answer used), `maxAgeSeconds` (how long
 * the answer as a whole stays fresh; 0 when something was stale or uncached) and `stale`.
 */
export function graphqlCacheExtension(state: RequestCacheState | undefined): { ageSeconds: number; maxAgeSeconds: number; stale: boolean } | undefined {
  if (!state || state.reads + state.uncached === 0) return undefined;
  const maxAgeSeconds = state.stale || state.uncached > 0 ? 0 : Math.floor(state.freshLeftMs / 1000);
  return { ageSeconds: Math.floor(state.oldestAgeMs / 1000), maxAgeSeconds, stale: state.stale };
}
