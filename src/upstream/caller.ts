/**
 * What every layer above needs from the upstream: one call of one action. The upstream client
 * implements it; the auth layer's scoped wrapper, the tasks, and both surfaces take it, so tests
 * and wrappers can stand in for the client without knowing it.
 */
export type Json = Record<string, unknown>;

export interface UpstreamCaller {
  call(action: string, params: Json, options?: { signal?: AbortSignal }): Promise<Json>;
}
