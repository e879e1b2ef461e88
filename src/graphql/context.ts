/**
 * The per-request GraphQL context: the upstream client, fresh DataLoaders, and the wait policy
 * for `awaitCompletion` fields.
 */
import type { Identity } from '../auth/identity';
import { createIdempotencyService, type IdempotencyService } from '../idempotency/service';
import { createLoaders, type LoaderSet, type RequestLoaders, type UpstreamCaller } from './loaders';
import { DEFAULT_WAIT_POLICY, systemWaitClock, type WaitClock, type WaitPolicy } from '../tasks/wait';

export interface GatewayContext {
  upstream: UpstreamCaller;
  loaders: LoaderSet;
  pollers: RequestLoaders['pollers'];
  wait: { policy: WaitPolicy; clock: WaitClock };
  signal?: AbortSignal;
  /** The authenticated caller; null when none was established (the scope plugin then answers 401). */
  identity: Identity | null;
  /** Runs mutations at most once per idempotency key. */
  idempotency: IdempotencyService;
  /** Per-request memo for single-id reads that have no batch form (deduplication only). */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface ContextOptions {
  upstream: UpstreamCaller;
  waitPolicy?: WaitPolicy;
  waitClock?: WaitClock;
  signal?: AbortSignal;
  identity?: Identity | null;
  idempotency?: IdempotencyService;
}

/** Used when no service is given (tests): a process-wide in-memory store. */
let defaultIdempotency: IdempotencyService | undefined;

export function createContext(options: ContextOptions): GatewayContext {
  const { loaders, pollers } = createLoaders(options.upstream, options.signal);
  const memo = new Map<string, Promise<unknown>>();
  return {
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) {
        p = load();
        memo.set(key, p);
      }
      return p;
    },
    upstream: options.upstream,
    loaders,
    pollers,
    wait: { policy: options.waitPolicy ?? DEFAULT_WAIT_POLICY, clock: options.waitClock ?? systemWaitClock },
    signal: options.signal,
    identity: options.identity ?? null,
    idempotency: options.idempotency ?? (defaultIdempotency ??= createIdempotencyService()),
  };
}
