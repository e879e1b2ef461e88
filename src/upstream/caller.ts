/**
 * What every layer above needs from the upstream: one call of one action. The upstream client
 * implements it; the auth layer's scoped wrapper, the read cache (`src/upstream/cache`), the
 * tasks, and both surfaces take it, so tests and wrappers can stand in for the client without
 * knowing it.
 */
export type Json = Record<string, unknown>;

export interface UpstreamCallOptions {
  signal?: AbortSignal;
  /** `no-cache`: read upstream, not from the gateway's read cache (src/upstream/cache). @default 'default' */
  cache?: 'default' | 'no-cache';
}

export interface UpstreamCaller {
  call(action: string, params: Json, options?: UpstreamCallOptions): Promise<Json>;
}
